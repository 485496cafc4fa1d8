"""The document as sent (`domain.documents.Document`), read from the stored records: the
one view the PDF templates, the Factur-X and UBL files and the e-mails are made from.

    document = await document_of(conn, row)          # row: a transactions row
    document = await load(db, caller, record_id)     # the caller must see the document

The seller of a sale is its company and the buyer its account; a purchase is the other
way round.  The billing and shipping addresses are the document's own, else the address
of the account's contact.  The totals are recomputed from the lines by the rules that
issued the document (`issuing.totals_of`), so the PDF and its XML show the same amounts
as the stored totals.  The delivery date is the date of the delivery note the invoice was
made from, else the document's date (the invoice is issued on delivery).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from comptoir.domain import documents as rules
from comptoir.schema.registry import ENTITIES
from comptoir.services import issuing, numbering, records
from comptoir.services.access import Caller, check_operation
from comptoir.storage import rows
from comptoir.storage.database import Connection, Database, Row
from comptoir.wire.values import stored_decimal, stored_decimal_or_none

TRANSACTIONS, ACCOUNTS, CONTACTS = (ENTITIES["transactions"], ENTITIES["accounts"],
                                    ENTITIES["contacts"])
ITEMS = ENTITIES["items"]
PROFILES = {0: "EN16931", 1: "BASIC", 2: "MINIMUM"}
#: transactions.type of a delivery note (a sale's, a purchase's)
DELIVERY_TYPES = frozenset({2, 7})


def _day(stamp: int | None) -> dt.date | None:
    return None if stamp is None else numbering.utc_day(int(stamp))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def company_party(company: Mapping[str, Any]) -> rules.Party:
    """A company as a seller (or the buyer of a purchase)."""
    return rules.Party(
        name=_text(company["name"]),
        address=rules.Address("", _text(company["address"]), _text(company["postalcode"]),
                              _text(company["city"]), "", _text(company["country"])),
        siren=_text(company["siren"]), siret=_text(company["siret"]),
        vatid=_text(company["vatid"]), email=_text(company["email"]),
        phone=_text(company["phone"]), website=_text(company["website"]),
        legalform=_text(company["legalform"]),
        capital=stored_decimal_or_none(company["capital"]), rcs=_text(company["rcs"]),
        iban=_text(company["iban"]), bic=_text(company["bic"]),
        bankname=_text(company["bankname"]), record=int(company["ID"]))


def _identifiers(taxid: str) -> dict[str, str]:
    """An account's free `taxid` read as what it looks like: a VAT number (two letters
    then digits or letters), a SIRET (14 digits) or a SIREN (9 digits)."""
    compact = taxid.replace(" ", "").upper()
    if len(compact) > 2 and compact[:2].isalpha() and compact[2:].isalnum():
        siren = compact[4:] if compact.startswith("FR") and len(compact) == 13 else ""
        return {"vatid": compact, "siren": siren}
    if compact.isdigit() and len(compact) == 14:
        return {"siret": compact, "siren": compact[:9]}
    if compact.isdigit() and len(compact) == 9:
        return {"siren": compact}
    return {}


def account_party(account: Mapping[str, Any] | None,
                  contact: Mapping[str, Any] | None) -> rules.Party:
    """An account (customer or supplier) with the address of its contact."""
    if account is None:
        return rules.Party(name="")
    name = rules.person_name(account["firstname"], account["lastname"])
    address = rules.Address()
    if contact is not None:
        address = rules.Address("", _text(contact["address"]), _text(contact["postalcode"]),
                                _text(contact["city"]), _text(contact["region"]),
                                _text(contact["country"]))
    ids = _identifiers(_text(account["taxid"]))
    return rules.Party(name=name, address=address, email=_text(account["email"]) or (
        _text(contact["email"]) if contact is not None else ""),
        phone=_text(account["phone"]), website=_text(account["website"]),
        record=int(account["ID"]), siren=ids.get("siren", ""), siret=ids.get("siret", ""),
        vatid=ids.get("vatid", ""))


def _address(row: Mapping[str, Any], prefix: str, fallback: rules.Address,
             recipient: str) -> rules.Address:
    """The document's billing or shipping address, else the party's."""
    if not any(row[f"{prefix}{part}"] for part in ("address", "city", "postalcode")):
        return rules.Address(recipient or fallback.recipient, fallback.street,
                             fallback.postalcode, fallback.city, fallback.region,
                             fallback.country)
    return rules.Address(_text(row[f"{prefix}recipient"]) or recipient,
                         _text(row[f"{prefix}address"]), _text(row[f"{prefix}postalcode"]),
                         _text(row[f"{prefix}city"]), _text(row[f"{prefix}region"]),
                         _text(row[f"{prefix}country"]) or fallback.country)


def _line(line: Mapping[str, Any], item: Mapping[str, Any] | None, net: Decimal,
          rate: Decimal) -> rules.Line:
    quantity, price = stored_decimal(line["quantity"]), stored_decimal(line["listprice"])
    name = _text(item["name"]) if item is not None else ""
    description = _text(line["description"])
    if not name:
        name, description = (description.splitlines() or [""])[0], "\n".join(
            description.splitlines()[1:])
    comment = _text(line["comment"])
    # a description or comment that only repeats the item's name is printed once
    description, comment = (("" if text.strip() == name.strip() else text)
                            for text in (description, comment))
    return rules.Line(
        sequence=int(line["sequence"] or 0), name=name, description=description,
        itemnum=_text(item["itemnum"]) if item is not None else "", quantity=quantity,
        unit=_text(item["unit"]) if item is not None else "", unit_price=price,
        discount=(quantity * price - net), net=net, vat_rate=rate,
        comment=comment)


async def _account(conn: Connection, account_id: int | None) -> tuple[Row | None, Row | None]:
    account = await rows.select_row(conn, ACCOUNTS, account_id) if account_id else None
    contact = (await rows.select_row(conn, CONTACTS, account["contact"])
               if account is not None and account["contact"] else None)
    return account, contact


async def _delivery_date(conn: Connection, row: Mapping[str, Any]) -> dt.date | None:
    source = (await rows.select_row(conn, TRANSACTIONS, row["source"])
              if row["source"] else None)
    if source is not None and source["type"] in DELIVERY_TYPES:
        return _day(source["issued"] or source["date"])
    return _day(row["issued"] or row["date"])


async def _corrects(conn: Connection, row: Mapping[str, Any]) -> str:
    if row["type"] not in issuing.CREDIT_TYPES or not row["source"]:
        return ""
    source = await rows.select_row(conn, TRANSACTIONS, row["source"])
    return _text(source["transactionnum"]) if source is not None else ""


async def document_of(conn: Connection, row: Row) -> rules.Document:
    """The document `row` (a transaction) as it is sent, read in `conn`."""
    company = await numbering.company_of(conn, row["company"])
    account, contact = await _account(conn, row["account"])
    lines = await issuing.document_lines(conn, row["ID"])
    totals = issuing.totals_of(row, lines)
    item_ids = sorted({line["item"] for line in lines if line["item"]})
    items = {item["ID"]: item for item in await rows.select_rows_in(conn, ITEMS, "ID", item_ids)}
    sale_lines = issuing.sale_lines(row, lines)
    own, other = company_party(company), account_party(account, contact)
    seller, buyer = (own, other) if row["type"] <= 4 else (other, own)
    customer = own if row["type"] > 4 else other
    recipient = _text(row["billingrecipient"]) or customer.name
    paid = stored_decimal(row["paidamount"])
    terms = (int(account["paymentterms"]) if account is not None
             and account["paymentterms"] is not None else int(company["paymentterms"]))
    kind = issuing.KIND_OF_TYPE.get(row["type"], "order")
    return rules.Document(
        id=int(row["ID"]), kind=kind, type=int(row["type"]),
        number=_text(row["transactionnum"]) or _text(row["draftnum"]) or f"PROV-{row['ID']}",
        draft=row["issued"] is None, date=_day(row["issued"] or row["date"]) or dt.date.today(),
        duedate=_day(row["duedate"]), deliverydate=await _delivery_date(conn, row),
        currency=_text(row["currency"]) or _text(company["currency"]) or "EUR",
        subject=_text(row["subject"]), buyer_reference=_text(row["purchaseorder"]),
        seller=seller, buyer=buyer,
        billing=_address(row, "billing", customer.address, recipient),
        shipping=_address(row, "shipping", customer.address,
                          _text(row["shippingrecipient"]) or customer.name),
        lines=tuple(_line(line, items.get(line["item"]), net, sale.vat_rate)
                    for line, net, sale in zip(lines, totals.line_nets, sale_lines, strict=True)),
        totals=totals, paid=paid, due=totals.total - paid, terms_days=terms,
        penalty_rate=rules.penalty_rate(stored_decimal_or_none(company["latepenaltyrate"])),
        vat_mention=_text(company["vatmention"]), corrects=await _corrects(conn, row),
        invoicekind=int(row["invoicekind"] or 0),
        einvoice_profile=PROFILES.get(int(company["einvoiceprofile"] or 0), "EN16931"),
        company=int(company["ID"]))


async def load(db: Database, caller: Caller, record_id: int) -> rules.Document:
    """The document `record_id` as sent, if the caller may read it (NotFoundError else)."""
    check_operation(TRANSACTIONS, caller, write=False)
    async with db.read() as conn:
        row = await records.load(conn, TRANSACTIONS, caller, record_id)
        return await document_of(conn, row)
