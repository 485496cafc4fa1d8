"""Documents printed: a template rendered to HTML, then to PDF by WeasyPrint; the legal copy
of an issued document; the e-mail text of a document.

    html = render_html(document, template, logo=logo)
    pdf = render_pdf(html, archive=True)                    # sync, CPU bound: a thread
    filename, pdf = await document_pdf(db, caller, "transactions", 12)
    subject, body = await email_text(db, caller, "transactions", 12, language="en")

The legal copy: a document is rendered once, when it is issued, inside the transaction that
issues it (`issuing.issue_in` calls `legal_copy`; `dunning.run_dunning` calls
`dunning_copy` for each letter it books), and stored as a binfile that `transactions.pdf`
(`dunning.pdf`) references.  It is atomic: the number, the totals and their PDF are
committed together or not at all.  An invoice or a credit note is a PDF/A-3b with its
Factur-X XML embedded (`einvoicing.embed`).  `document_pdf` returns that stored copy,
never a new rendering, so renaming the company later changes no PDF already sent; a draft
is rendered afresh with a DRAFT mark; an issued document without a copy (issued before
this existed, or a letter booked through the REST API) is rendered on first request and
stored then.

WeasyPrint fetches nothing but `data:` URIs (`data_only_fetcher`): a template cannot read a
file or reach the network through an image or a style sheet.  The logo is the company's
`logo` file, inlined as a data URI.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from comptoir.domain import documents as rules
from comptoir.domain import money, placeholders
from comptoir.errors import InvalidFieldError, InvalidIdError, MissingFieldError, NotFoundError
from comptoir.schema.registry import ENTITIES
from comptoir.services import (
    document_data,
    einvoicing,
    modules,
    numbering,
    records,
    sales_modules,
    templates,
)
from comptoir.services.access import Caller, check_operation
from comptoir.services.templates import DOCUMENT, EMAIL, Template
from comptoir.storage import rows
from comptoir.storage.database import Connection, Database, Row
from comptoir.storage.tables import REV
from comptoir.wire.values import stored_decimal, to_storage

TRANSACTIONS, DUNNING, LINKS = (ENTITIES["transactions"], ENTITIES["dunning"],
                                ENTITIES["dunning2transactions"])
COMPANIES, FILES, ACCOUNTS = ENTITIES["companies"], ENTITIES["files"], ENTITIES["accounts"]
CONTACTS = ENTITIES["contacts"]
ENTITY_NAMES = ("transactions", "dunning")
#: dunning.type of a formal notice; dunning.status of a draft letter
NOTICE, DRAFT_LETTER = 2, 0
#: the largest logo inlined (bytes)
MAX_LOGO = 2 * 1024 * 1024
IMAGE_TYPES = ((b"\x89PNG", "image/png"), (b"\xff\xd8", "image/jpeg"), (b"GIF8", "image/gif"),
               (b"<svg", "image/svg+xml"), (b"<?xml", "image/svg+xml"))


# --- rendering -----------------------------------------------------------------------------


def data_only_fetcher() -> Any:
    """WeasyPrint's URL fetcher for documents: `data:` URIs only (images inlined by the
    template); any other URL (file:, http:) is refused and left out of the page."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)


def _with_css(html: str, css: str) -> str:
    if not css:
        return html
    style = f"<style>\n{css}\n</style>\n"
    head = html.lower().find("<head>")
    if head < 0:
        return style + html
    at = html.find("</title>", head)
    at = at + len("</title>") if at >= 0 else head + len("<head>")
    return html[:at] + "\n" + style + html[at:]


def render_html(document: rules.Document, template: Template, *, logo: str = "",
                dunning: Mapping[str, Any] | None = None, language: str | None = None) -> str:
    """The HTML of `document` by `template` (its CSS inlined before the template's own
    styles, which may refine it)."""
    context = placeholders.context_of(document, logo=logo, dunning=dict(dunning or {}),
                                      language=language or template.language)
    body = templates.render_text(template.body, context, html=True)
    return _with_css(body, template.css)


def render_pdf(html: str, *, archive: bool = False) -> bytes:
    """The PDF of `html` (PDF/A-3b when `archive`: what Factur-X embeds its XML in).
    Synchronous: async code runs it in `asyncio.to_thread`."""
    import weasyprint

    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=data_only_fetcher()).write_pdf(
        pdf_variant="pdf/a-3b" if archive else None)
    return pdf


def pdf_bytes(document: rules.Document, html: str) -> bytes:
    """The PDF sent: an issued sales invoice or credit note is a Factur-X PDF/A-3."""
    factur_x = document.is_invoice and document.is_sale and not document.draft
    pdf = render_pdf(html, archive=factur_x)
    return einvoicing.embed(document, pdf) if factur_x else pdf


def filename_of(document: rules.Document) -> str:
    """`FA-2026-00001.pdf`: the number, with anything but letters, digits, `.`, `_` and `-`
    replaced."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", document.number).strip("-") + ".pdf"


# --- the data of a document ----------------------------------------------------------------


def _image_type(content: bytes) -> str | None:
    head = content[:64].lstrip()
    return next((kind for magic, kind in IMAGE_TYPES if head.startswith(magic)), None)


async def logo_of(conn: Connection, company_id: int | None) -> str:
    """The company's logo as a data URI, "" when it has none (or it is no image)."""
    company = await rows.select_row(conn, COMPANIES, company_id) if company_id else None
    file = (await rows.select_row(conn, FILES, company["logo"])
            if company is not None and company["logo"] else None)
    if file is None or not file["binfile"]:
        return ""
    content = (await rows.read_binfiles(conn, [int(file["binfile"])])).get(int(file["binfile"]))
    kind = _image_type(content or b"")
    if content is None or kind is None or len(content) > MAX_LOGO:
        return ""
    return f"data:{kind};base64,{base64.b64encode(content).decode()}"


def _day(stamp: Any) -> dt.date | None:
    return None if stamp is None else numbering.utc_day(int(stamp))


def _invoice(row: Row, day: dt.date) -> dict[str, Any]:
    total, paid = stored_decimal(row["grandtotal"]), stored_decimal(row["paidamount"])
    due = _day(row["duedate"])
    return {"number": row.get("transactionnum") or row.get("draftnum") or f"PROV-{row['ID']}",
            "date": _day(row["date"]), "duedate": due, "total": total, "paid": paid,
            "due": total - paid, "days_late": max(0, (day - due).days) if due else 0}


async def dunning_document(conn: Connection, letter: Mapping[str, Any],
                           invoices: Sequence[Row]) -> tuple[rules.Document, dict[str, Any]]:
    """A dunning letter as a document (the company writes to the account) and the values
    of its `dunning` placeholder (level, notice, fee, total, invoices)."""
    first = invoices[0] if invoices else {"company": None, "currency": None}
    company = await numbering.company_of(conn, first["company"])
    account = await rows.select_row(conn, ACCOUNTS, letter["account"]) if letter.get(
        "account") else None
    contact = (await rows.select_row(conn, CONTACTS, account["contact"])
               if account is not None and account["contact"] else None)
    seller = document_data.company_party(company)
    buyer = document_data.account_party(account, contact)
    day = _day(letter["date"]) or dt.date.today()
    listed = [_invoice(row, day) for row in invoices]
    lines = [money.SaleLine(Decimal(1), entry["due"]) for entry in listed]
    totals = money.document_totals(lines)
    fee = stored_decimal(letter.get("fee"))
    billing = rules.Address(str(letter.get("recipient") or buyer.name),
                            str(letter.get("address") or ""),
                            str(letter.get("postalcode") or ""), str(letter.get("city") or ""),
                            str(letter.get("region") or ""), str(letter.get("country") or ""))
    if not (billing.street or billing.city):
        billing = rules.Address(billing.recipient, *(getattr(buyer.address, part) for part in (
            "street", "postalcode", "city", "region", "country")))
    document = rules.Document(
        id=int(letter.get("ID") or 0), kind="dunning", type=3,
        number=str(letter.get("dunningnum") or f"PROV-{letter.get('ID')}"),
        draft=letter.get("status") == DRAFT_LETTER, date=day, duedate=_day(letter.get("duedate")),
        deliverydate=None, currency=str(first["currency"] or company["currency"] or "EUR"),
        subject="", buyer_reference="", seller=seller, buyer=buyer, billing=billing,
        shipping=billing, lines=(), totals=totals, paid=Decimal(0), due=totals.total,
        terms_days=0, penalty_rate=rules.penalty_rate(
            stored_decimal(company["latepenaltyrate"])
            if company["latepenaltyrate"] is not None else None),
        vat_mention="", company=int(company["ID"]))
    values = {"level": len(invoices), "notice": letter.get("type") == NOTICE, "fee": fee,
              "total": totals.total + fee, "invoices": listed}
    return document, values


async def _letter_invoices(conn: Connection, letter_id: int) -> list[Row]:
    links = await rows.select_rows_where(conn, LINKS, {"dunning": letter_id})
    ids = [int(link["transaction"]) for link in links]
    found = {row["ID"]: row for row in await rows.select_rows_in(conn, TRANSACTIONS, "ID", ids)}
    return [found[i] for i in ids if i in found]


async def _document(conn: Connection, entity: str,
                    row: Row) -> tuple[rules.Document, dict[str, Any] | None]:
    if entity == "dunning":
        return await dunning_document(conn, row, await _letter_invoices(conn, row["ID"]))
    return await document_data.document_of(conn, row), None


async def _rendered(conn: Connection, document: rules.Document,
                    dunning: Mapping[str, Any] | None, template: Template | None = None,
                    language: str | None = None) -> bytes:
    language = language or document.language
    if template is None:
        template = await templates.resolve(conn, document.kind, DOCUMENT, language,
                                           document.company)
    html = render_html(document, template, logo=await logo_of(conn, document.company),
                       dunning=dunning, language=language)
    return await asyncio.to_thread(pdf_bytes, document, html)


# --- the legal copy ------------------------------------------------------------------------


async def _store(conn: Connection, document: rules.Document,
                 dunning: Mapping[str, Any] | None) -> int:
    binfile, _ = await rows.insert_binfile(conn, await _rendered(conn, document, dunning))
    return binfile


async def legal_copy(conn: Connection, issued: Row) -> int:
    """The binfile ID of the legal copy of a document being issued: `issued` is its row
    with the changes that issue it (number, date, totals), its lines already written."""
    return await _store(conn, await document_data.document_of(conn, issued), None)


async def dunning_copy(conn: Connection, letter: Mapping[str, Any],
                       invoices: Sequence[Row]) -> int:
    """The binfile ID of the PDF of a dunning letter being booked (its values, not yet
    inserted, and the invoices it covers)."""
    document, values = await dunning_document(conn, letter, invoices)
    return await _store(conn, document, values)


# --- the services --------------------------------------------------------------------------


def _entity(name: str) -> Any:
    if name not in ENTITY_NAMES:
        raise InvalidFieldError("entity", f"must be one of {', '.join(ENTITY_NAMES)}")
    return ENTITIES[name]


def _issued(entity: str, row: Row) -> bool:
    if entity == "dunning":
        return bool(row["status"] != DRAFT_LETTER)
    return row["issued"] is not None


async def document_pdf(db: Database, caller: Caller, entity: str,
                       record_id: int) -> tuple[str, bytes]:
    """(filename, PDF) of a document or a dunning letter the caller sees: the stored legal
    copy once issued (rendered and stored now if it has none yet), a fresh draft else."""
    target = _entity(entity)
    check_operation(target, caller, write=False)
    async with db.read() as conn:
        row = await records.load(conn, target, caller, record_id)
        document, dunning = await _document(conn, entity, row)
        if row["pdf"]:
            stored = (await rows.read_binfiles(conn, [int(row["pdf"])])).get(int(row["pdf"]))
            if stored is not None:
                return filename_of(document), stored
        if not _issued(entity, row):
            return filename_of(document), await _rendered(conn, document, dunning)
    async with db.write() as conn:  # issued without its copy: made once, now
        locked = await rows.select_row(conn, target, record_id, for_update=True)
        if locked is None:
            raise NotFoundError(f"{target.singular} {record_id} does not exist")
        document, values = await _document(conn, entity, locked)
        if locked["pdf"]:
            found = await rows.read_binfiles(conn, [int(locked["pdf"])])
            if int(locked["pdf"]) in found:
                return filename_of(document), found[int(locked["pdf"])]
        pdf = await _rendered(conn, document, values)
        binfile, _ = await rows.insert_binfile(conn, pdf)
        await rows.update_row(conn, target, record_id, locked[REV], {"pdf": binfile})
        return filename_of(document), pdf


async def preview(db: Database, caller: Caller, template_id: int, entity: str,
                  record_id: int, *, html: bool = False) -> tuple[str, bytes]:
    """A template (saved) rendered against a record the caller sees, never stored:
    (content type, content) of its PDF, or of its HTML (or e-mail text)."""
    target = _entity(entity)
    check_operation(ENTITIES["templates"], caller, write=False)
    check_operation(target, caller, write=False)
    async with db.read() as conn:
        template = await templates.template_record(conn, template_id)
        row = await records.load(conn, target, caller, record_id)
        document, dunning = await _document(conn, entity, row)
        if template.format == EMAIL:
            subject, body = _email(document, dunning, template)
            return "text/plain; charset=utf-8", f"{subject}\n\n{body}".encode()
        if html:
            page = render_html(document, template, logo=await logo_of(conn, document.company),
                               dunning=dunning)
            return "text/html; charset=utf-8", page.encode()
        return "application/pdf", await _rendered(conn, document, dunning, template,
                                                  template.language)


def _email(document: rules.Document, dunning: Mapping[str, Any] | None,
           template: Template) -> tuple[str, str]:
    context = placeholders.context_of(document, dunning=dict(dunning or {}),
                                      language=template.language)
    subject = templates.render_text(template.subject, context, html=False, field="subject")
    body = templates.render_text(template.body, context, html=False)
    return " ".join(subject.split()), body.strip() + "\n"


async def email_text(db: Database, caller: Caller, entity: str, record_id: int,
                     language: str | None = None,
                     template_id: int | None = None) -> tuple[str, str]:
    """(subject, body) of the e-mail sending a document: the EMAIL template given, else the
    default of its kind and language (the document's language by default)."""
    target = _entity(entity)
    check_operation(target, caller, write=False)
    if language is not None and language not in placeholders.LANGUAGES:
        raise InvalidFieldError("language", f"must be one of {', '.join(placeholders.LANGUAGES)}")
    async with db.read() as conn:
        row = await records.load(conn, target, caller, record_id)
        document, dunning = await _document(conn, entity, row)
        if template_id is not None:
            template = await templates.template_record(conn, template_id)
            if template.format != EMAIL:
                raise InvalidFieldError("template", f"template {template_id} is not an "
                                        "e-mail template")
        else:
            template = await templates.resolve(conn, document.kind, EMAIL,
                                               language or document.language, document.company)
    return _email(document, dunning, template)


async def document_pdf_ws(db: Database, caller: Caller, text_id: str,
                          dunning: str) -> dict[str, Any]:
    """`document_pdf` of the webservice: `id` a document's webservice id (Quotes,
    SalesOrder, Invoice, PurchaseOrder: `16x5`), or `dunning` a dunning letter's ID; the
    PDF as `files_retrieve` shows a file (base64 contents)."""
    if dunning:
        field = dataclasses.replace(DUNNING.id_field, name="dunning", nullable=False)
        filename, pdf = await document_pdf(db, caller, "dunning",
                                           int(to_storage(field, dunning)))
    else:
        if not text_id:
            raise MissingFieldError("id", "is required (a document's id), or dunning (a "
                                    "letter's)")
        module, data = await modules.load_record(db, caller, text_id)
        if module.name not in sales_modules.DOCUMENT_MODULES:
            raise InvalidIdError(f"Id specified is incorrect: {text_id} is not a Quotes, "
                                 "SalesOrder, Invoice or PurchaseOrder id")
        filename, pdf = await document_pdf(db, caller, "transactions", int(data["ID"]))
    return {"filename": filename, "filetype": "application/pdf", "filesize": len(pdf),
            "filecontents": base64.b64encode(pdf).decode()}
