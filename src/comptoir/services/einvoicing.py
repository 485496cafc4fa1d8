"""Electronic invoices: the Factur-X PDF of an issued invoice, its CII or UBL XML, and a
received Factur-X (or bare CII XML) read into a draft supplier invoice.

    pdf = embed(document, pdf)                               # sync: run it in a thread
    filename, xml = await invoice_xml(db, caller, 12, syntax="ubl")
    created = await receive(db, caller, "facture.pdf", content)

Receiving, in one transaction (all of it is written or nothing): the XML is taken out of
the PDF (`facturx.get_xml_from_pdf`) or is the file; it must be a CII invoice that
validates against its Factur-X XSD and whose amounts obey EN 16931's rules
(`wire.received.parse_cii`); it must be addressed to the company (when both name a VAT
number or SIREN); the supplier is the account whose `taxid` is the seller's VAT number,
SIRET or SIREN, else a new SUPPLIER account; the same supplier's invoice number received
twice is refused; our own totals of the new draft (`issuing.totals_of`) must equal the
XML's net, VAT and gross totals, and each line's net its BT-131.  The original file is
kept on the new document (a feed `records` entry with a `files` record).

The formats are `wire/einvoice.py` (written) and `wire/received.py` (read), the calculation rules `domain/einvoice.py`; what the
XML carries and the receiving rules: `docs/einvoicing.md`.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import orjson

from comptoir.domain import money
from comptoir.domain.documents import Document
from comptoir.errors import (
    BadRequestError,
    ConflictError,
    InvalidFieldError,
    InvalidIdError,
    NotFoundError,
)
from comptoir.schema.modules import MODULES
from comptoir.schema.registry import ENTITIES
from comptoir.services import (
    conversion,
    document_data,
    documents,
    issuing,
    modules,
    numbering,
    records,
)
from comptoir.services.access import Caller, check_operation
from comptoir.storage import rows
from comptoir.storage.database import Connection, Database, Row
from comptoir.wire import einvoice as formats
from comptoir.wire import module_values as mv
from comptoir.wire import received as incoming

TRANSACTIONS, ACCOUNTS = ENTITIES["transactions"], ENTITIES["accounts"]
#: the name of the XML a Factur-X PDF carries (Factur-X 1.0.07, section 6.2.2)
FACTURX_FILENAME = "factur-x.xml"
SYNTAXES = ("cii", "ubl")
PROCUREMENT_INVOICE, PROCUREMENT_CREDIT = 8, 9
SUPPLIER, DELETED = 2, 2
#: a received file is at most this large (a Factur-X PDF is a few hundred kilobytes)
MAX_BYTES = 20 * 1024 * 1024


def embed(document: Document, pdf: bytes) -> bytes:
    """The Factur-X PDF/A-3 of `document`: `pdf` (the rendered legal copy) with the CII
    XML of the company's profile attached as factur-x.xml, checked against the XSD.  CPU
    bound and synchronous: an async caller runs it in a thread."""
    from facturx import generate_from_binary

    profile = formats.effective_profile(document)
    xml = formats.to_cii(document, profile)
    out: bytes = generate_from_binary(
        pdf, xml, flavor="factur-x", level=formats.LEVELS[profile], check_xsd=True,
        check_schematron=False, lang="fr-FR" if document.language == "fr" else "en-GB",
        pdf_metadata={"author": document.seller.name, "keywords": "Factur-X",
                      "title": f"{document.seller.name}: {document.number}",
                      "subject": f"Factur-X {document.number}"})
    return out


# --- the XML of an issued invoice ----------------------------------------------------------


def check_sendable(document: Document) -> None:
    """An e-invoice is made of an issued invoice or credit note only."""
    if not document.is_invoice:
        raise ConflictError(f"transaction {document.id} is a {document.kind}, not an invoice "
                            "or a credit note: it has no e-invoice", code="not_an_invoice")
    if document.draft:
        raise ConflictError(f"transaction {document.id} is a draft: its e-invoice is made "
                            "once it is issued", code="not_issued")


def xml_of(document: Document, syntax: str = "cii") -> tuple[str, bytes]:
    """(filename, bytes) of the CII (the company's profile) or UBL 2.1 XML of `document`."""
    if syntax not in SYNTAXES:
        raise InvalidFieldError("syntax", "must be cii (Factur-X) or ubl (UBL 2.1)")
    check_sendable(document)
    safe = "".join(c if (c.isascii() and c.isalnum()) or c in "-_." else "_"
                   for c in document.number) or f"transaction-{document.id}"
    if syntax == "ubl":
        return f"{safe}.ubl.xml", formats.to_ubl(document)
    return f"{safe}.factur-x.xml", formats.to_cii(document)


async def invoice_xml(db: Database, caller: Caller, record_id: int,
                      syntax: str = "cii") -> tuple[str, bytes]:
    """(filename, bytes): the Factur-X CII or the UBL 2.1 XML of the issued invoice or
    credit note `record_id` the caller may read."""
    if syntax not in SYNTAXES:
        raise InvalidFieldError("syntax", "must be cii (Factur-X) or ubl (UBL 2.1)")
    document = await document_data.load(db, caller, record_id)
    return xml_of(document, syntax)


# --- receiving -----------------------------------------------------------------------------


def xml_in(filename: str, content: bytes) -> bytes:
    """The CII XML of a received file: the file itself, or the XML a PDF carries."""
    if not content:
        raise BadRequestError("content: the file is empty")
    if len(content) > MAX_BYTES:
        raise BadRequestError(f"content: the file is larger than {MAX_BYTES} bytes")
    if content.lstrip()[:5] == b"%PDF-":
        from facturx import get_xml_from_pdf

        try:
            _name, xml = get_xml_from_pdf(content, check_xsd=False)
        except Exception as exc:  # pypdf raises many kinds on a broken PDF
            raise incoming.not_einvoice("not_pdf", f"{filename}: the PDF cannot be read "
                                       f"({str(exc)[:200]})") from None
        if not xml:
            raise incoming.not_einvoice("no_xml", f"{filename}: the PDF carries no Factur-X "
                                       "or ZUGFeRD XML (it is not an e-invoice)")
        return bytes(xml)
    start = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start != b"<":
        raise incoming.not_einvoice("not_xml", f"{filename}: the file is neither a PDF nor "
                                   "an XML file")
    return content


def _compact(value: str) -> str:
    return value.replace(" ", "").replace(".", "").replace("-", "").upper()


def _identifiers(party: incoming.ReceivedParty) -> list[str]:
    found = [party.vatid, party.siret, party.siren]
    if not party.siren and party.vatid.startswith("FR") and len(party.vatid) == 13:
        found.append(party.vatid[4:])
    return list(dict.fromkeys(_compact(value) for value in found if value))


def _check_addressee(received: incoming.Received, company: Mapping[str, Any]) -> None:
    ours = {_compact(str(company[name] or "")) for name in ("vatid", "siren", "siret")} - {""}
    theirs = set(_identifiers(received.buyer))
    if ours and theirs and not ours & theirs:
        raise ConflictError(f"invoice {received.number} is addressed to "
                            f"{received.buyer.name or 'another buyer'} "
                            f"({', '.join(sorted(theirs))}), not to {company['name']}",
                            code="not_addressed_to_us")


async def _find_supplier(conn: Connection, caller: Caller,
                         party: incoming.ReceivedParty) -> Row | None:
    for value in _identifiers(party):
        for row in await rows.select_rows_where(conn, ACCOUNTS, {"taxid": value}):
            if row["visibility"] == DELETED:
                continue
            try:
                return await records.load(conn, ACCOUNTS, caller, int(row["ID"]))
            except NotFoundError:
                continue
    return None


async def _create_supplier(db: Database, caller: Caller, party: incoming.ReceivedParty,
                           currency: str) -> int:
    address = party.address
    contact = await records.create_record(db, caller, "contacts", {
        "type": 0, "lastname": party.name, "email": party.email, "address": address.street,
        "postalcode": address.postalcode, "city": address.city, "region": address.region,
        "country": address.country[:2] or None})
    account = await records.create_record(db, caller, "accounts", {
        "type": SUPPLIER, "lastname": party.name, "email": party.email,
        "taxid": party.vatid or party.siret or party.siren, "currency": currency or None,
        "contact": contact.data["ID"]})
    return int(account.data["ID"])


def _stored(value: Decimal) -> float:
    return float(value)


def _lines(received: incoming.Received) -> list[dict[str, Any]]:
    """Our line items of a received invoice; one line per VAT rate when the profile
    carries no lines (BASIC WL), one line of the totals when it carries no VAT breakdown
    either (MINIMUM: its rate is tax / net)."""
    if received.lines:
        made = []
        for line in received.lines:
            text = "\n".join(part for part in (line.name, line.description) if part)
            made.append({"description": text or f"Ligne {line.id}",
                         "quantity": _stored(line.quantity),
                         "listprice": _stored(line.unit_price), "tax1": _stored(line.vat_rate),
                         **({"discountamount": _stored(line.discount)} if line.discount
                            else {}),
                         **({"comment": f"Réf. {line.itemnum}"} if line.itemnum else {})})
        return made
    amounts = received.amounts
    if amounts.vat:
        return [{"description": f"Facture {received.number} : base à {row.rate.normalize():f} %",
                 "quantity": 1.0, "listprice": _stored(row.base), "tax1": _stored(row.rate)}
                for row in amounts.vat]
    rate = _single_rate(received)
    return [{"description": f"Facture {received.number}", "quantity": 1.0,
             "listprice": _stored(amounts.net), "tax1": _stored(rate)}]


def _single_rate(received: incoming.Received) -> Decimal:
    """The one VAT rate of an invoice without VAT breakdown (MINIMUM): tax / net, when a
    rate of at most 2 decimals gives the VAT exactly; else ConflictError: the invoice has
    several rates and cannot be entered from its totals alone."""
    amounts = received.amounts
    if amounts.net == 0:
        return Decimal(0)
    rate = money.round_money(amounts.tax * money.HUNDRED / amounts.net).normalize()
    if money.round_money(amounts.net * rate / money.HUNDRED) != amounts.tax:
        raise ConflictError(f"invoice {received.number} ({received.profile}) has no VAT "
                            f"breakdown and its VAT ({amounts.tax} on {amounts.net}) is not "
                            "that of one rate: ask the supplier for a BASIC or EN16931 "
                            "Factur-X", code="no_vat_breakdown")
    return rate


def _stamp(day: dt.date | None) -> int | None:
    if day is None:
        return None
    return int(dt.datetime.combine(day, dt.time(12), dt.UTC).timestamp())


def _header(received: incoming.Received, account: int, company: int) -> dict[str, Any]:
    amounts = received.amounts
    values: dict[str, Any] = {
        "type": PROCUREMENT_CREDIT if received.is_credit else PROCUREMENT_INVOICE,
        "status": issuing.DRAFT, "account": account, "company": company,
        "currency": received.currency or None, "transactionnum": received.number,
        "date": _stamp(received.date), "duedate": _stamp(received.duedate),
        "taxtype": 1,
        "subject": f"{'Avoir' if received.is_credit else 'Facture'} {received.number} "
                   f"de {received.seller.name}"[:250],
    }
    if received.buyer_reference:
        values["purchaseorder"] = received.buyer_reference
    if received.lines:  # without lines, the allowances and charges are in the bases
        if amounts.allowance_total:
            values["discountamount"] = _stored(amounts.allowance_total)
        if amounts.charge_total:
            values["shippingamount"] = _stored(amounts.charge_total)
            rates = {charge.rate for charge in amounts.charges}
            if len(rates) == 1:
                values["shippingtaxes"] = orjson.dumps({"tax1": float(rates.pop())}).decode()
    if amounts.rounding:
        values["adjustment"] = _stored(amounts.rounding)
    return values


def check_totals(received: incoming.Received, values: Mapping[str, Any],
                 lines: Sequence[Mapping[str, Any]]) -> None:
    """Our totals of the new draft must be the XML's: each line net (BT-131), the total
    without VAT (BT-109), the VAT (BT-110) and the total with VAT (BT-112)."""
    try:
        totals = issuing.totals_of(values, lines)
    except InvalidFieldError as exc:
        raise ConflictError(f"invoice {received.number}: its amounts cannot be computed "
                            f"by our rules ({exc.message})", code="totals_differ") from None
    for n, (line, net) in enumerate(zip(received.lines, totals.line_nets, strict=False), 1):
        if line.net != net:
            raise ConflictError(f"invoice {received.number}: line {n} ({line.name[:60]}) "
                                f"has a net of {line.net} (BT-131), we compute {net}",
                                code="totals_differ", total="BT-131", line=n)
    amounts = received.amounts
    for code, name, stated, ours in (("BT-109", "total without VAT", amounts.net, totals.net),
                                     ("BT-110", "VAT total", amounts.tax, totals.tax),
                                     ("BT-112", "total with VAT", amounts.gross,
                                      totals.gross)):
        if stated != ours:
            raise ConflictError(f"invoice {received.number}: its {name} ({code}) is "
                                f"{stated}, we compute {ours}", code="totals_differ",
                                total=code)


async def _check_duplicate(conn: Connection, received: incoming.Received, account: int) -> None:
    for name in ("transactionnum", "draftnum"):
        for row in await rows.select_rows_where(conn, TRANSACTIONS,
                                                {"account": account, name: received.number}):
            if (row["type"] in (PROCUREMENT_INVOICE, PROCUREMENT_CREDIT)
                    and row["status"] != issuing.CANCELLED):
                raise ConflictError(f"invoice {received.number} of account {account} was "
                                    f"received before: transaction {row['ID']}",
                                    code="already_received", transaction=int(row["ID"]))


def _mimetype(content: bytes) -> str:
    return "application/pdf" if content.lstrip()[:5] == b"%PDF-" else "application/xml"


async def _attach(db: Database, caller: Caller, document: int, filename: str,
                  content: bytes) -> int:
    entry = await records.create_record(db, caller, "records", {
        "entity": "transactions", "index": document,
        "text": f"Facture électronique reçue : {filename}"})
    file = await records.create_record(db, caller, "files", {
        "record": entry.data["ID"], "filename": filename, "mimetype": _mimetype(content),
        "binfile": {"content": base64.b64encode(content).decode()}})
    return int(file.data["ID"])


def _filename(filename: str) -> str:
    name = filename.strip().replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in name if c.isprintable())[:200] or "facture"


async def receive(db: Database, caller: Caller, filename: str, content: bytes,
                  company: int | None = None) -> dict[str, Any]:
    """A received Factur-X / ZUGFeRD PDF or CII XML made a draft supplier invoice (or
    credit note) of `company` (the default one); the rules in the module's docstring.
    Returns the new document, its supplier (and whether it was created) and the file."""
    check_operation(TRANSACTIONS, caller, write=True)
    filename = _filename(filename)
    received = incoming.parse_cii(xml_in(filename, content))
    async with db.write() as conn:
        own = await numbering.company_of(conn, company)
        _check_addressee(received, own)
        supplier = await _find_supplier(conn, caller, received.seller)
        if supplier is not None:
            await _check_duplicate(conn, received, int(supplier["ID"]))
        lines = _lines(received)
        # the totals are checked before anything is written (with a stand-in account)
        check_totals(received, _header(received, 0, int(own["ID"])), lines)
        account = (int(supplier["ID"]) if supplier is not None else
                   await _create_supplier(db, caller, received.seller, received.currency))
        values = _header(received, account, int(own["ID"]))
        made = await conversion.make_document(db, conn, caller, values, lines)
        file = await _attach(db, caller, int(made.data["ID"]), filename, content)
    return {"transaction": made.data, "account": account, "created_account": supplier is None,
            "file": file, "profile": received.profile, "number": received.number}


# --- the webservice's view (Comptoir extensions, docs/webservice.md) -----------------------


async def _ws_document(db: Database, caller: Caller, text_id: str) -> int:
    """The transaction of an Invoice id (`7x12`), or a bare transaction ID (a credit note
    has no module)."""
    if text_id.isascii() and text_id.isdigit() and len(text_id) <= 18:
        return int(text_id)
    module, data = await modules.load_record(db, caller, text_id)
    if module.entity != "transactions":
        raise InvalidIdError(f"Id specified is incorrect: {text_id[:40]} is not an Invoice id")
    return int(data["ID"])


async def xml_ws(db: Database, caller: Caller, text_id: str, syntax: str) -> dict[str, Any]:
    """`einvoice_xml`: the XML as `files_retrieve` shows a file (base64 contents)."""
    filename, xml = await invoice_xml(db, caller, await _ws_document(db, caller, text_id),
                                      syntax or "cii")
    return {"filename": filename, "filetype": "application/xml", "filesize": len(xml),
            "filecontents": base64.b64encode(xml).decode()}


async def receive_ws(db: Database, caller: Caller, filename: str, contents: str,
                     company: str, max_bytes: int) -> dict[str, Any]:
    """`einvoice_receive`: `fileContents` base64 as FileUpload takes it; the supplier as a
    Vendors (or Accounts) id, the new draft in its canonical form under `record` (no
    module shows supplier invoices)."""
    content = documents.decode_contents(contents, max_bytes)
    if company and not (company.isascii() and company.isdigit() and len(company) <= 18):
        raise InvalidFieldError("company", "must be a company ID")
    created = await receive(db, caller, filename, content, int(company) if company else None)
    account = await records.get_record(db, caller, "accounts", created["account"])
    vendors = MODULES["Vendors"]
    module = vendors if vendors.shows(account.data) else MODULES["Accounts"]
    return {"record": created["transaction"], "account": mv.ws_id(module.prefix,
                                                                   created["account"]),
            "created_account": created["created_account"], "file": str(created["file"]),
            "profile": created["profile"], "number": created["number"]}
