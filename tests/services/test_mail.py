"""The mail outbox on SQLite and PostgreSQL, through a real SMTP server (aiosmtpd) the tests
start: a queued message reaches the server with its headers and attachment (plain, AUTH,
STARTTLS, implicit TLS), a down server loses nothing, a 5xx is final and a 4xx retried,
each outcome is on the message with its event; the SMTP password is sealed at rest and
never shown; the mail server of a company wins over the shared one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from email.headerregistry import Address
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from smtp_receiver import PASSWORD, USER, SmtpServer, certificate, free_port

from comptoir.errors import ConflictError, InvalidFieldError, PermissionDeniedError
from comptoir.events import outbox
from comptoir.services import auth, keyring, mail, mailer, records
from comptoir.services.access import Caller
from comptoir.storage import rows
from comptoir.storage.database import Database, open_database
from comptoir.storage.tables import TABLES, mail_outbox
from tests.conftest import database_with_admin

ADMIN = Caller(user=1, name="admin", admin=True)
PDF = b"%PDF-1.7\n% a document\n%%EOF\n"
FAST = mailer.MailPolicy(retry_delays=(60.0, 300.0), timeout=5.0)
SECURITY = {"none": 0, "starttls": 1, "tls": 2}


def run(url: str, work: Callable[[Database], Awaitable[Any]]) -> Any:
    async def go() -> Any:
        db = open_database(url)
        await db.open()
        try:
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(go())


async def _create(db: Database, name: str, values: dict[str, Any]) -> int:
    return int((await records.create_record(db, ADMIN, name, values)).data["ID"])


async def _server(db: Database, port: int, *, security: str = "none", user: str = "",
                  company: int | None = None) -> int:
    return await _create(db, "mailservers", {
        "name": f"smtp {port}", "serverout": "localhost", "portout": port,
        "securityout": SECURITY[security], "usernameout": user, "company": company,
        "sender": "Ventes Exemple <ventes@exemple.fr>"})


def _outgoing(server: int, n: int = 1, **extra: Any) -> mail.Outgoing:
    return mail.Outgoing(
        server=server, sender=Address("Ventes Exemple", addr_spec="ventes@exemple.fr"),
        to=(Address("Client Durand", addr_spec="durand@client.fr"),),
        cc=(Address(addr_spec="compta@client.fr"),), bcc=(Address(addr_spec="archive@exemple.fr"),),
        subject=f"Facture FA-{n:05d}", text=f"Bonjour,\n\nvoici la facture {n}.\n",
        attachments=((f"FA-{n:05d}.pdf", PDF),), **extra)


async def _message(db: Database, message_id: int) -> dict[str, Any]:
    return (await records.get_record(db, ADMIN, "messages", message_id)).data


async def _queue_row(db: Database, message_id: int) -> dict[str, Any]:
    async with db.read() as conn:
        found = await conn.one(sa.select(mail_outbox).where(mail_outbox.c.message == message_id))
    assert found is not None
    return dict(found)


async def _stored(db: Database, binfile: int) -> bytes:
    async with db.read() as conn:
        return (await rows.read_binfiles(conn, [binfile]))[binfile]


#: aiosmtpd warns when a test server takes AUTH without TLS (our plain AUTH variant)
PLAIN_AUTH = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@PLAIN_AUTH
@pytest.mark.parametrize(("security", "auth"), [("none", False), ("none", True),
                                                ("starttls", True), ("tls", False)])
def test_a_queued_message_reaches_the_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             security: str, auth: bool) -> None:
    cert = certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", cert[0])  # the client trusts the test's certificate
    port = free_port()

    async def work(db: Database) -> dict[str, Any]:
        server = await _server(db, port, security=security, user=USER if auth else "")
        if auth:
            await mail.set_password(db, ADMIN, server, {"password": PASSWORD})
        queued = await mail.queue_message(db, ADMIN, _outgoing(server))
        before = await _queue_row(db, queued["ID"])
        assert await mailer.run_once(db, policy=FAST) == 1
        assert await mailer.run_once(db, policy=FAST) == 0  # sent: never again
        async with db.read() as conn:
            events = await outbox.read_events(conn, entity="messages", record=queued["ID"])
        return {"queued": queued, "before": before, "row": await _queue_row(db, queued["ID"]),
                "message": await _message(db, queued["ID"]), "events": events,
                "raw": await _stored(db, queued["binfile"])}

    with database_with_admin(tmp_path, "mail") as url, \
            SmtpServer(port, security=security, auth=auth, cert=cert) as smtp:
        found = run(url, work)
    # given a message queued as a draft, with its outbox row
    assert found["queued"]["mailbox"] == mail.DRAFTS
    assert found["before"]["status"] == "pending"
    # then the server received it: envelope (bcc included), headers, text, attachment
    [received] = smtp.received
    assert received.sender == "ventes@exemple.fr"
    assert received.recipients == ["durand@client.fr", "compta@client.fr",
                                   "archive@exemple.fr"]
    assert received.login == (USER if auth else None)
    eml = received.message
    assert eml["From"] == "Ventes Exemple <ventes@exemple.fr>"
    assert eml["To"] == "Client Durand <durand@client.fr>"
    assert eml["Cc"] == "compta@client.fr" and eml["Bcc"] is None
    assert eml["Subject"] == "Facture FA-00001"
    assert eml["Message-ID"].endswith("@exemple.fr>") and eml["Date"]
    body = eml.get_body(("plain",))
    assert body is not None and body.get_content() == "Bonjour,\n\nvoici la facture 1.\n"
    [attachment] = list(eml.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "FA-00001.pdf"
    assert attachment.get_content() == PDF
    # what was sent is what is kept as the message's binfile
    assert found["raw"] == received.raw
    # and the outcome is on the message, with its event
    message = found["message"]
    assert message["mailbox"] == mail.SENT and message["senderror"] == ""
    assert abs(message["senddate"] - time.time()) < 60
    assert found["row"]["status"] == "sent" and found["row"]["attempts"] == 1
    assert [e["type"] for e in found["events"]] == ["messages.created", "messages.updated"]
    assert found["events"][1]["data"]["changes"]["mailbox"] == {"before": 1, "after": 2}


def test_a_down_server_loses_nothing(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there yet

    async def down(db: Database) -> dict[str, Any]:
        server = await _server(db, port)
        ids = [(await mail.queue_message(db, ADMIN, _outgoing(server, n)))["ID"]
               for n in range(1, 6)]
        assert await mailer.run_once(db, policy=FAST) == 5
        assert await mailer.run_once(db, policy=FAST) == 0  # not due before its retry
        return {"ids": ids, "messages": [await _message(db, i) for i in ids],
                "rows": [await _queue_row(db, i) for i in ids]}

    async def back(db: Database, ids: list[int]) -> list[dict[str, Any]]:
        assert await mailer.run_once(db, time.time() + 120, policy=FAST) == 5
        return [await _message(db, i) for i in ids]

    with database_with_admin(tmp_path, "maildown") as url:
        found = run(url, down)
        for message, row in zip(found["messages"], found["rows"], strict=True):
            assert message["mailbox"] == mail.DRAFTS
            assert message["senderror"].startswith("attempt 1 failed: ConnectionRefusedError")
            assert "next attempt at" in message["senderror"]
            assert row["status"] == "failed" and row["attempts"] == 1
            assert 54_000 <= row["next_attempt"] - time.time() * 1000 <= 66_000
        with SmtpServer(port) as smtp:
            sent = run(url, lambda db: back(db, found["ids"]))
    assert {m["mailbox"] for m in sent} == {mail.SENT}
    assert {m["senderror"] for m in sent} == {""}
    assert sorted(r.message["Subject"] for r in smtp.received) == [
        f"Facture FA-{n:05d}" for n in range(1, 6)]


@pytest.mark.parametrize(("reply", "status", "mailbox"), [
    ("550 5.7.1 Message refused", "dead", mail.DRAFTS),
    ("451 4.3.0 Try again later", "failed", mail.DRAFTS)])
def test_5xx_is_final_and_4xx_retried(tmp_path: Path, reply: str, status: str,
                                      mailbox: int) -> None:
    port = free_port()

    async def work(db: Database) -> dict[str, Any]:
        server = await _server(db, port)
        queued = await mail.queue_message(db, ADMIN, _outgoing(server))
        assert await mailer.run_once(db, policy=FAST) == 1
        return {"row": await _queue_row(db, queued["ID"]),
                "message": await _message(db, queued["ID"])}

    with database_with_admin(tmp_path, "mailreply") as url, SmtpServer(port) as smtp:
        smtp.handler.reply = reply
        found = run(url, work)
    assert found["row"]["status"] == status and found["row"]["last_error"] == reply
    assert found["message"]["mailbox"] == mailbox
    if status == "dead":
        assert found["message"]["senderror"] == f"not sent (refused): {reply}"
        assert found["row"]["next_attempt"] is None
    else:
        assert found["message"]["senderror"].startswith(f"attempt 1 failed: {reply}; ")


@pytest.mark.parametrize("refused", [{"compta@client.fr"},
                                     {"durand@client.fr", "compta@client.fr",
                                      "archive@exemple.fr"}])
def test_refused_recipients(tmp_path: Path, refused: set[str]) -> None:
    """Some recipients refused: sent to the others, the refused named; all of them refused
    with a 5xx: a permanent failure."""
    port = free_port()

    async def work(db: Database) -> dict[str, Any]:
        server = await _server(db, port)
        queued = await mail.queue_message(db, ADMIN, _outgoing(server))
        assert await mailer.run_once(db, policy=FAST) == 1
        return {"row": await _queue_row(db, queued["ID"]),
                "message": await _message(db, queued["ID"])}

    with database_with_admin(tmp_path, "mailrcpt") as url, SmtpServer(port) as smtp:
        smtp.handler.refuse = refused
        found = run(url, work)
    if len(refused) == 1:
        assert found["row"]["status"] == "sent" and found["message"]["mailbox"] == mail.SENT
        assert found["message"]["senderror"] == (
            "not delivered to: compta@client.fr: 550 5.1.1 No such user")
        assert smtp.received[0].recipients == ["durand@client.fr", "archive@exemple.fr"]
    else:
        assert found["row"]["status"] == "dead" and found["message"]["mailbox"] == mail.DRAFTS
        assert found["message"]["senderror"].startswith(
            "not sent (refused): every recipient was refused: durand@client.fr: 550 ")
        assert not smtp.received


def test_concurrent_workers_never_take_the_same_message(tmp_path: Path) -> None:
    async def work(db: Database) -> list[list[int]]:
        server = await _server(db, free_port())
        for n in range(10):
            await mail.queue_message(db, ADMIN, _outgoing(server, n))
        now = int(time.time() * 1000)
        taken = await asyncio.gather(*(mailer.claim(db, now, 4) for _ in range(3)))
        return [[row["message"] for row in claimed] for claimed in taken]

    with database_with_admin(tmp_path, "mailclaim") as url:
        taken = run(url, work)
    every = [message for claimed in taken for message in claimed]
    assert len(every) == len(set(every)) == 10


def test_sending_needs_the_permissions(tmp_path: Path) -> None:
    async def work(db: Database) -> None:
        user = await auth.create_user(db, "reader", "pw-reader-1")
        async with db.read() as conn:
            caller = await auth.load_caller(conn, user)
        with pytest.raises(PermissionDeniedError):
            await mail.send_document(db, caller, "transactions", 1, {})

    with database_with_admin(tmp_path, "mailperm") as url:
        run(url, work)


def test_every_attempt_failed_is_final(tmp_path: Path) -> None:
    port = free_port()

    async def work(db: Database) -> dict[str, Any]:
        server = await _server(db, port)
        queued = await mail.queue_message(db, ADMIN, _outgoing(server))
        for later in (0, 70, 400):  # the two delays, then the last attempt
            assert await mailer.run_once(db, time.time() + later, policy=FAST) == 1
        assert await mailer.run_once(db, time.time() + 100_000, policy=FAST) == 0
        return {"row": await _queue_row(db, queued["ID"]),
                "message": await _message(db, queued["ID"])}

    with database_with_admin(tmp_path, "maildead") as url:
        found = run(url, work)
    assert found["row"]["status"] == "dead" and found["row"]["attempts"] == 3
    assert found["message"]["senderror"].startswith(
        "not sent (failed 3 times): ConnectionRefusedError")


def test_the_password_is_sealed_and_never_shown(tmp_path: Path) -> None:
    async def work(db: Database) -> dict[str, Any]:
        server = await _server(db, free_port(), user=USER)
        await mail.set_password(db, ADMIN, server, {"password": PASSWORD})
        table = TABLES["mailservers"]
        async with db.read() as conn:
            stored = await conn.scalar(sa.select(table.c.passwordout)
                                       .where(table.c.ID == server))
        shown = (await records.get_record(db, ADMIN, "mailservers", server)).data
        # a client cannot write it as a field
        with pytest.raises(InvalidFieldError, match="^passwordout: "):
            await records.update_record(db, ADMIN, "mailservers", server,
                                        {"passwordout": "x"})
        for body, field in (({}, "password"), ({"password": 3}, "password"),
                            ({"password": "a\nb"}, "password"), ({"pw": "x"}, "pw")):
            with pytest.raises(InvalidFieldError, match=f"^{field}: "):
                await mail.set_password(db, ADMIN, server, body)
        # an other user (not the owner) may not set it
        other = await auth.create_user(db, "other", "pw-other-1")
        async with db.read() as conn:
            caller = await auth.load_caller(conn, other)
        with pytest.raises(PermissionDeniedError):
            await mail.set_password(db, caller, server, {"password": "stolen"})
        await mail.set_password(db, ADMIN, server, {"password": ""})  # cleared
        async with db.read() as conn:
            cleared = await conn.scalar(sa.select(table.c.passwordout)
                                        .where(table.c.ID == server))
        return {"server": server, "stored": stored, "shown": shown, "cleared": cleared}

    with database_with_admin(tmp_path, "mailpw") as url:
        found = run(url, work)
    assert keyring.is_sealed(found["stored"]) and PASSWORD not in found["stored"]
    assert keyring.unseal_for(mail.PASSWORD, found["server"], found["stored"]) == PASSWORD
    assert "passwordout" not in found["shown"]
    assert found["cleared"] == ""


def test_the_server_of_a_document(tmp_path: Path) -> None:
    async def work(db: Database) -> dict[str, Any]:
        first = await _create(db, "companies", {"name": "Première SAS"})
        second = await _create(db, "companies", {"name": "Seconde SAS"})
        async with db.read() as conn:
            with pytest.raises(ConflictError) as none:
                await mail.server_for(conn, first)
        shared = await _server(db, free_port())
        inactive = await _create(db, "mailservers", {
            "name": "old", "serverout": "localhost", "company": first, "activity": 1})
        own = await _server(db, free_port(), company=first)
        await _server(db, free_port(), company=first)  # a later one: not chosen
        async with db.read() as conn:
            chosen = {c: (await mail.server_for(conn, c))["ID"] for c in (first, second)}
        return {"none": none.value, "chosen": chosen, "own": own, "shared": shared,
                "inactive": inactive, "first": first, "second": second}

    with database_with_admin(tmp_path, "mailserver") as url:
        found = run(url, work)
    assert found["none"].details["code"] == "no_mail_server"
    assert found["chosen"] == {found["first"]: found["own"], found["second"]: found["shared"]}


@pytest.mark.parametrize(("value", "problem"), [
    ("not an address", "'not' is not an e-mail address"),
    ("a@b", "'a@b' is not an e-mail address"),
    (["ok@client.fr", "x@@client.fr"], "is not an e-mail address"),
    ("a@client.fr\r\nBcc: victim@x.fr", "an address must be one line"),
    (12, "must be an e-mail address or a list of them")])
def test_bad_addresses_name_the_field(value: Any, problem: str) -> None:
    with pytest.raises(InvalidFieldError, match=r"^cc: ") as raised:
        mail.parse_addresses("cc", value)
    assert problem in raised.value.message


def test_addresses_are_parsed() -> None:
    found = mail.parse_addresses("to", ["Jean Dupont <jean@client.fr>, marie@client.fr",
                                        "\"Durand, SARL\" <compta@durand.fr>"])
    assert [(a.display_name, a.addr_spec) for a in found] == [
        ("Jean Dupont", "jean@client.fr"), ("", "marie@client.fr"),
        ("Durand, SARL", "compta@durand.fr")]
