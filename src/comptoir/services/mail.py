"""Sending documents by e-mail (`docs/email.md`): the message is composed, kept on the
record and queued; the mail outbox worker (`services/mailer.py`) hands it to the SMTP
server, with retries.

    await send_document(db, caller, "transactions", 12, {"cc": "compta@client.fr"})
        -> the message record (mailbox DRAFTS: queued)
    await set_password(db, caller, 3, "s3cret")       # the SMTP password, sealed

The recipient is the customer (the account's e-mail, else its contact's) unless `to` is
given; `to`, `cc` and `bcc` take an address or a list of them, each checked.  The subject
and text are the document's e-mail template (`printing.email_text`, of `language` or the
template `template`) unless given; the document's PDF (`printing.document_pdf`: the legal
copy of an issued document) is attached.  The message record (`messages`, with its
`transaction` or `dunning`), its raw MIME form (the message's binfile: what was sent is
kept) and its outbox row are written in one transaction, with the record's event.

The mail server of a document is the active one of the document's company (the lowest
ID), else an active one of no company; none is a `ConflictError` `no_mail_server`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import time
from collections.abc import Mapping, Sequence
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses, make_msgid
from typing import Any

import sqlalchemy as sa

from comptoir.domain.placeholders import LANGUAGES
from comptoir.errors import (
    ConflictError,
    InvalidFieldError,
    InvalidIdError,
    MissingFieldError,
    PermissionDeniedError,
)
from comptoir.schema.registry import ENTITIES
from comptoir.services import (
    conversion,
    derived,
    keyring,
    modules,
    numbering,
    printing,
    records,
    sales_modules,
)
from comptoir.services.access import Caller, check_operation
from comptoir.storage import rows
from comptoir.storage.database import Connection, Database, Row
from comptoir.storage.tables import TABLES, mail_outbox
from comptoir.wire.values import to_storage

MESSAGES, MAILSERVERS = ENTITIES["messages"], ENTITIES["mailservers"]
ACCOUNTS, CONTACTS = ENTITIES["accounts"], ENTITIES["contacts"]
#: the documents that are sent, and the message field naming the one a message sent
DOCUMENTS = {"transactions": "transaction", "dunning": "dunning"}
#: messages.mailbox
DRAFTS, SENT = 1, 2
ACTIVE = 0
#: the associated data of a sealed SMTP password (with the mail server's ID)
PASSWORD = "mailservers.passwordout"
PARAMS = ("to", "cc", "bcc", "subject", "text", "language", "template")
MAX_RECIPIENTS = 100
MAX_TEXT = 1024 * 1024
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")


@dataclasses.dataclass(frozen=True)
class Outgoing:
    """A message to queue: who sends it (through which server), to whom, what."""

    server: int
    sender: Address
    to: tuple[Address, ...]
    subject: str
    text: str
    cc: tuple[Address, ...] = ()
    bcc: tuple[Address, ...] = ()
    #: (filename, PDF bytes)
    attachments: tuple[tuple[str, bytes], ...] = ()
    #: the document the message sends: ("transactions" | "dunning", ID)
    document: tuple[str, int] | None = None
    ownergroup: int | None = None


# --- addresses -----------------------------------------------------------------------------


def parse_addresses(field: str, value: Any) -> tuple[Address, ...]:
    """The addresses of `value` (a string of comma-separated addresses, `Name <a@b.fr>`
    allowed, or a list of them); InvalidFieldError naming `field` for any bad one."""
    if value is None or value == "" or value == []:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise InvalidFieldError(field, "must be an e-mail address or a list of them")
    found: list[Address] = []
    for item in items:
        if len(item) > 4000 or any(c in item for c in "\r\n\x00"):
            raise InvalidFieldError(field, "an address must be one line, at most 4000 "
                                    "characters")
        for name, addr in getaddresses([item]):
            found.append(_address(field, name, addr, item))
    if len(found) > MAX_RECIPIENTS:
        raise InvalidFieldError(field, f"at most {MAX_RECIPIENTS} addresses")
    return tuple(found)


def _address(field: str, name: str, addr: str, given: str) -> Address:
    local, at, domain = addr.rpartition("@")
    if not (at and len(addr) <= 254 and len(local) <= 64 and _LOCAL.fullmatch(local)
            and _DOMAIN.fullmatch(domain)):
        raise InvalidFieldError(field, f"{(addr or given)[:80]!r} is not an e-mail address")
    try:
        return Address(display_name=name, addr_spec=addr)
    except (ValueError, HeaderParseError):
        raise InvalidFieldError(field, f"{addr[:80]!r} is not an e-mail address") from None


def _joined(addresses: Sequence[Address]) -> str:
    return ", ".join(str(a) for a in addresses)


def _sender(server: Row, company: Row) -> Address:
    """The From of a server's messages: its `sender`, else the company's e-mail."""
    for field, value, name in (("sender", server["sender"], ""),
                               ("email", company["email"], company["name"] or "")):
        if value:
            try:
                found = parse_addresses(field, value)
            except InvalidFieldError:
                continue
            if found:
                first = found[0]
                return Address(display_name=first.display_name or name,
                               addr_spec=first.addr_spec)
    raise ConflictError(f"mail server {server['ID']} has no valid sender address: set its "
                        f"sender (\"Name <address>\")", code="no_mail_sender")


# --- the MIME message ----------------------------------------------------------------------


def compose(outgoing: Outgoing, now: dt.datetime | None = None) -> EmailMessage:
    """The MIME message: From, To, Cc (never Bcc), Subject, Date, Message-ID, the text and
    the attachments."""
    message = EmailMessage(policy=SMTP)
    message["From"] = outgoing.sender
    message["To"] = outgoing.to
    if outgoing.cc:
        message["Cc"] = outgoing.cc
    message["Subject"] = outgoing.subject
    message["Date"] = format_datetime(now or dt.datetime.now(dt.UTC))
    message["Message-ID"] = make_msgid(domain=outgoing.sender.domain)
    message.set_content(outgoing.text)
    for filename, content in outgoing.attachments:
        message.add_attachment(content, maintype="application", subtype="pdf",
                               filename=filename)
    return message


async def queue_message(db: Database, caller: Caller, outgoing: Outgoing) -> dict[str, Any]:
    """Write the message record (mailbox DRAFTS, its raw form as its binfile) and its
    outbox row in one transaction; returns the record."""
    check_operation(MESSAGES, caller, write=True)
    raw = compose(outgoing).as_bytes()
    first = outgoing.to[0]
    now = int(time.time())
    values: dict[str, Any] = {
        "mailbox": DRAFTS, "mailserver": outgoing.server, "date": now,
        "creator": caller.user, "ownergroup": outgoing.ownergroup,
        "sender": str(outgoing.sender), "sender_email": outgoing.sender.addr_spec,
        "sender_name": outgoing.sender.display_name,
        "to": _joined(outgoing.to), "cc": _joined(outgoing.cc), "bcc": _joined(outgoing.bcc),
        "to_email": first.addr_spec, "to_name": first.display_name,
        "to_count": len(outgoing.to), "subject": outgoing.subject, "text": outgoing.text,
        "contenttype": "text/plain",
        "attachments": to_storage(MESSAGES.by_name["attachments"],
                                  [name for name, _ in outgoing.attachments]),
    }
    if outgoing.document is not None:
        entity, record_id = outgoing.document
        values[DOCUMENTS[entity]] = record_id
    async with db.write() as conn:
        values["binfile"], values["size"] = await rows.insert_binfile(conn, raw)
        message = await derived.insert(conn, MESSAGES, values, actor=caller.user)
        stamp = int(time.time() * 1000)
        await conn.run(sa.insert(mail_outbox).values(
            message=message["ID"], status="pending", attempts=0, next_attempt=stamp,
            created=stamp))
    return message


# --- sending a document --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Request:
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    bcc: tuple[Address, ...]
    subject: str | None
    text: str | None
    language: str | None
    template: int | None


def _one_line(field: str, value: Any, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidFieldError(field, "must be a string")
    if len(value) > limit:
        raise InvalidFieldError(field, f"at most {limit} characters")
    if field == "subject" and any(c in value for c in "\r\n\x00"):
        raise InvalidFieldError(field, "must be one line")
    return value


def _request(body: Mapping[str, Any]) -> _Request:
    conversion.only(body, PARAMS)
    language = body.get("language")
    if language is not None and language not in LANGUAGES:
        raise InvalidFieldError("language", f"must be one of {', '.join(LANGUAGES)}")
    template = body.get("template")
    if template is not None:
        field = dataclasses.replace(ENTITIES["templates"].id_field, name="template",
                                    nullable=False)
        template = int(to_storage(field, template))
    return _Request(parse_addresses("to", body.get("to")), parse_addresses("cc", body.get("cc")),
                    parse_addresses("bcc", body.get("bcc")),
                    _one_line("subject", body.get("subject"), 998),
                    _one_line("text", body.get("text"), MAX_TEXT), language, template)


async def _company_of(conn: Connection, entity: str, row: Row) -> Row:
    company = row.get("company")
    if entity == "dunning":  # a letter's company is that of the invoices it covers
        links = TABLES["dunning2transactions"]
        invoices = TABLES["transactions"]
        company = await conn.scalar(
            sa.select(invoices.c.company).join(links, links.c.transaction == invoices.c.ID)
            .where(links.c.dunning == row["ID"]).order_by(invoices.c.ID).limit(1))
    return await numbering.company_of(conn, company)


async def server_for(conn: Connection, company: int) -> Row:
    """The active mail server of `company` (the lowest ID), else one of no company."""
    table = TABLES["mailservers"]
    found = await conn.one(
        sa.select(table).where(
            table.c.activity == ACTIVE, table.c.serverout.is_not(None), table.c.serverout != "",
            sa.or_(table.c.company == company, table.c.company.is_(None)))
        .order_by(table.c.company.is_(None), table.c.ID).limit(1))
    if found is None:
        raise ConflictError(f"no active mail server sends the documents of company {company}: "
                            "create one (mailservers: serverout, sender) for it or for every "
                            "company", code="no_mail_server", company=company)
    return found


async def _customer_addresses(conn: Connection, row: Row) -> tuple[Address, ...]:
    account = await rows.select_row(conn, ACCOUNTS, row["account"]) if row["account"] else None
    if account is None:
        raise InvalidFieldError("to", "the document has no account: give the recipient")
    email = account["email"]
    if not email and account["contact"]:
        contact = await rows.select_row(conn, CONTACTS, account["contact"])
        email = contact["email"] if contact is not None else None
    if not email:
        raise InvalidFieldError("to", f"account {account['ID']} has no e-mail address (nor "
                                "its contact): give the recipient")
    try:
        return parse_addresses("to", email)
    except InvalidFieldError:
        raise InvalidFieldError("to", f"the e-mail address of account {account['ID']} is not "
                                "valid: give the recipient") from None


async def send_document(db: Database, caller: Caller, entity: str, record_id: int,
                        body: Mapping[str, Any]) -> dict[str, Any]:
    """Queue the document `record_id` of `entity` (transactions or dunning) to be sent by
    e-mail, its PDF attached; returns the message (mailbox DRAFTS until it is sent)."""
    document = ENTITIES[entity]
    check_operation(document, caller, write=False)
    check_operation(MESSAGES, caller, write=True)
    asked = _request(body)
    async with db.read() as conn:
        row = await records.load(conn, document, caller, record_id)
        company = await _company_of(conn, entity, row)
        server = await server_for(conn, int(company["ID"]))
        sender = _sender(server, company)
        to = asked.to or await _customer_addresses(conn, row)
    subject, text = asked.subject, asked.text
    if subject is None or text is None:
        default_subject, default_text = await printing.email_text(
            db, caller, entity, record_id, language=asked.language, template_id=asked.template)
        subject = default_subject if subject is None else subject
        text = default_text if text is None else text
    filename, pdf = await printing.document_pdf(db, caller, entity, record_id)
    return await queue_message(db, caller, Outgoing(
        server=int(server["ID"]), sender=sender, to=to, cc=asked.cc, bcc=asked.bcc,
        subject=" ".join(subject.split()), text=text, attachments=((filename, pdf),),
        document=(entity, record_id), ownergroup=row.get("ownergroup")))


async def send_ws(db: Database, caller: Caller, text_id: str, dunning: str,
                  element: Mapping[str, Any]) -> dict[str, Any]:
    """`send_document` for the webservice: `id` is a document's webservice id (Quotes,
    SalesOrder, Invoice, PurchaseOrder: `7x12`), or `dunning` a dunning letter's ID."""
    if dunning:
        field = dataclasses.replace(ENTITIES["dunning"].id_field, name="dunning",
                                    nullable=False)
        return await send_document(db, caller, "dunning", int(to_storage(field, dunning)),
                                   element)
    if not text_id:
        raise MissingFieldError("id", "is required (a document's id), or dunning (a letter's)")
    module, data = await modules.load_record(db, caller, text_id)
    if module.name not in sales_modules.DOCUMENT_MODULES:
        raise InvalidIdError(f"Id specified is incorrect: {text_id} is not a Quotes, "
                             "SalesOrder, Invoice or PurchaseOrder id")
    return await send_document(db, caller, "transactions", int(data["ID"]), element)


# --- SMTP settings -------------------------------------------------------------------------


async def set_password(db: Database, caller: Caller, server_id: int,
                       body: Mapping[str, Any]) -> None:
    """Set the outbound (SMTP) password of a mail server (`{"password": ...}`), sealed
    (`keyring.seal_for`); an empty one clears it.  Administrators and the server's owner
    only."""
    conversion.only(body, ("password",))
    if "password" not in body:
        raise MissingFieldError("password", "is required (an empty string clears it)")
    password = body["password"]
    if not isinstance(password, str):
        raise InvalidFieldError("password", "must be a string")
    if len(password) > 1000 or any(c in password for c in "\r\n\x00"):
        raise InvalidFieldError("password", "must be one line of at most 1000 characters")
    check_operation(MAILSERVERS, caller, write=True)
    async with db.write() as conn:
        row = await records.load(conn, MAILSERVERS, caller, server_id, lock=True)
        group = row["ownergroup"]
        if not (caller.admin or (row["owneruser"] is not None
                                 and row["owneruser"] == caller.user)
                or (group is not None and caller.groups.get(group, False))):
            raise PermissionDeniedError(f"only an administrator or the owner of mail server "
                                        f"{server_id} sets its password")
        table = TABLES["mailservers"]
        stored = await conn.scalar(sa.select(table.c.passwordout).where(table.c.ID == server_id))
        sealed = keyring.seal_for(PASSWORD, server_id, password) if password else ""
        await derived.update(conn, MAILSERVERS, {**row, "passwordout": stored},
                             {"passwordout": sealed}, actor=caller.user)


def password_of(server: Mapping[str, Any]) -> str | None:
    """The plain SMTP password of a mail server row (None: none set)."""
    stored = server["passwordout"]
    return keyring.unseal_for(PASSWORD, int(server["ID"]), stored) if stored else None
