"""Issuing a document, inside a write transaction: check it, total it the French way, give
it its legal number, and fix its dates.  Called by the `issue` action
(`services/sales.py`) and by the record operations when an invoice or a credit note
leaves DRAFT through any door (a vtiger client setting `invoicestatus`), so that an issued
invoice always has a legal number, checked totals and a due date.

    changes = await issue_in(conn, row, actor=caller.user, day=None)

The lines are the document's `lineitems`; a document written through the REST API with
the ZeyOS `items` JSON gets line items made from it at issue.  A line's VAT rate is the sum
of its taxes (French documents use tax1 alone); in group tax mode a line without taxes
takes the first line's rate, as vtiger computes group taxes.  Totals: `domain/money.py`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import orjson

from comptoir.domain import money
from comptoir.errors import ConflictError, InvalidFieldError, MissingFieldError
from comptoir.schema.entity import Entity
from comptoir.schema.registry import ENTITIES
from comptoir.services import checks, derived, numbering, pricing
from comptoir.storage import rows
from comptoir.storage.database import Connection, Row
from comptoir.wire.values import stored_decimal, stored_decimal_or_none, to_storage

TRANSACTIONS, LINEITEMS = ENTITIES["transactions"], ENTITIES["lineitems"]
ACCOUNTS = ENTITIES["accounts"]
TAXES = ("tax1", "tax2", "tax3")
#: transactions.type -> the kind of document numbered (production is never issued)
KIND_OF_TYPE = {0: "quote", 1: "order", 2: "delivery", 3: "invoice", 4: "credit",
                5: "supplierorder", 6: "supplierorder", 7: "receipt", 8: "supplierinvoice",
                9: "suppliercredit"}
#: invoices and credit notes: settled by payments, locked once issued
SETTLED_TYPES = frozenset({3, 4, 8, 9})
CREDIT_TYPES = frozenset({4, 9})
DRAFT, BOOKED, CANCELLED = 0, 1, 3
#: days a quote is valid when it names no date
QUOTE_VALIDITY_DAYS = 30
DAY = 86400


def stored(value: Decimal) -> float:
    """An amount as stored (a double: exact for cents below 10^13)."""
    return float(value)


def vat_rate(line: Mapping[str, Any]) -> Decimal:
    return sum((stored_decimal(line.get(name)) for name in TAXES), Decimal(0))


def _has_taxes(line: Mapping[str, Any]) -> bool:
    return any(line.get(name) is not None for name in TAXES)


def sale_lines(header: Mapping[str, Any], lines: Sequence[Mapping[str, Any]]) -> list[money.SaleLine]:
    group = header.get("taxtype", 0) == 0
    first = vat_rate(lines[0]) if lines else Decimal(0)
    return [money.SaleLine(stored_decimal(line["quantity"]), stored_decimal(line["listprice"]),
                           first if group and not _has_taxes(line) else vat_rate(line),
                           stored_decimal_or_none(line.get("discountpercent")),
                           stored_decimal_or_none(line.get("discountamount"))) for line in lines]


def totals_of(header: Mapping[str, Any], lines: Sequence[Mapping[str, Any]]) -> money.DocumentTotals:
    shipping_taxes = checks.shipping_percents(header.get("shippingtaxes"))
    shipping_rate = sum(shipping_taxes.values(), Decimal(0)) if shipping_taxes else None
    return money.document_totals(
        sale_lines(header, lines), discount_percent=stored_decimal_or_none(header.get("discountpercent")),
        discount_amount=stored_decimal_or_none(header.get("discountamount")),
        shipping=stored_decimal(header.get("shippingamount")), shipping_vat_rate=shipping_rate,
        adjustment=stored_decimal(header.get("adjustment")))


def total_fields(header: Mapping[str, Any], totals: money.DocumentTotals) -> dict[str, Any]:
    """The stored total fields of a document with these totals."""
    rate = stored_decimal(header.get("exchangerate") or 1)
    fields = {"subtotal": stored(totals.lines_net), "discount": stored(totals.discount),
              "pretaxtotal": stored(totals.net), "netamount": stored(totals.net),
              "tax": stored(totals.tax), "grandtotal": stored(totals.total),
              "companytotal": stored(money.convert(totals.total, rate))}
    if header.get("type") in SETTLED_TYPES:
        fields["balance"] = stored(totals.total - stored_decimal(header.get("paidamount")))
    return fields


async def document_lines(conn: Connection, transaction: int) -> list[Row]:
    return await rows.select_rows_where(conn, LINEITEMS, {"transaction": transaction},
                                        ("sequence", "ID"))


async def write_line_nets(conn: Connection, lines: Sequence[Row],
                          totals: money.DocumentTotals, actor: int | None) -> None:
    for line, net in zip(lines, totals.line_nets, strict=True):
        await derived.update(conn, LINEITEMS, line, {"netamount": stored(net)}, actor=actor)


#: ZeyOS `items` JSON key -> the line item field it fills
JSON_ITEM_FIELDS = {"item": "item", "amount": "quantity", "sellingprice": "listprice",
                    "discount": "discountpercent", "taxrate": "tax1", "name": "comment",
                    "description": "description"}


def _json_line(entry: Mapping[str, Any], n: int) -> dict[str, Any]:
    """The line item values of one entry of `items`, each coerced by its line item field
    (a wrong value is an error naming `items[n].<key>`)."""
    values: dict[str, Any] = {}
    for key, name in JSON_ITEM_FIELDS.items():
        if entry.get(key) is not None:
            f = dataclasses.replace(LINEITEMS.by_name[name], name=f"items[{n}].{key}",
                                    max_length=None)
            values[name] = to_storage(f, entry[key])
    return values


async def _lines_from_json(conn: Connection, row: Row, actor: int | None) -> list[Row]:
    """Line items made from the ZeyOS `items` JSON of a document that has none (entries
    that are not objects are not lines)."""
    try:
        items = orjson.loads(row["items"]) if row.get("items") else []
    except orjson.JSONDecodeError:
        items = []
    entries = [entry for entry in items if isinstance(entry, dict)] if isinstance(
        items, list) else []
    for n, entry in enumerate(entries, 1):
        values = {"quantity": 1.0, **_json_line(entry, n), "transaction": row["ID"],
                  "sequence": n}
        if values.get("item") is not None and not await rows.exists(conn, ENTITIES["items"],
                                                                    values["item"]):
            raise InvalidFieldError(f"items[{n}].item", f"item {values['item']} does not exist")
        values.update(await pricing.price_new_record(conn, LINEITEMS, values, values))
        await derived.insert(conn, LINEITEMS, values, actor=actor)
    return await document_lines(conn, row["ID"])


def check_lines(lines: Sequence[Mapping[str, Any]]) -> None:
    if not lines:
        raise MissingFieldError("lines", "a document is issued with at least one line")
    for n, line in enumerate(lines, 1):
        if stored_decimal(line["quantity"]) == 0:
            raise InvalidFieldError(f"lines[{n}].quantity", "must not be zero")
        if stored_decimal(line["listprice"]) < 0:
            raise InvalidFieldError(f"lines[{n}].listprice", "must not be negative "
                                    "(a credit is a credit note, a rebate a discount)")
        rate = vat_rate(line)
        if not 0 <= rate < 100:
            raise InvalidFieldError(f"lines[{n}].tax1", f"a VAT rate of {rate} % is not one")
        percent = stored_decimal_or_none(line.get("discountpercent"))
        if percent is not None and not 0 <= percent <= 100:
            raise InvalidFieldError(f"lines[{n}].discountpercent", "must be 0 to 100")
        for name in ("quantity", "listprice", "discountamount"):
            if line.get(name) is not None:
                money.check_amount(f"lines[{n}].{name}", stored_decimal(line[name]))


def issues(entity: Entity, before: Mapping[str, Any] | None,
           after: Mapping[str, Any]) -> bool:
    """Does this write (a create: `before` None) issue a document?  It does when the record
    leaves its lock's unlocked values (an invoice leaving DRAFT), unless it is cancelled:
    a draft cancelled is never numbered."""
    lock = entity.lock
    return (lock is not None and lock.locks(after) and after.get("status") != CANCELLED
            and (before is None or not lock.locks(before)))


def draft_reference(record_id: int, record: Mapping[str, Any]) -> dict[str, Any]:
    """The reference a new document shows until it is issued: the number its client gave,
    else a provisional `PROV-<ID>` (never a legal number)."""
    return {"draftnum": record.get("transactionnum") or f"PROV-{record_id}"}


def document_day(value: Any) -> dt.date:
    """The issue date: today (UTC), or the date given (`YYYY-MM-DD` or a Unix time), never
    in the future (a document dated ahead would hold back the numbers of every document
    issued until then)."""
    today = dt.datetime.now(dt.UTC).date()
    if value is None or value == "":
        return today
    day = None
    try:
        if isinstance(value, int) and not isinstance(value, bool):
            day = numbering.utc_day(value)
        elif isinstance(value, str):
            day = dt.date.fromisoformat(value.strip())
    except (ValueError, OverflowError, OSError):
        day = None
    if day is None:
        raise InvalidFieldError("date", "must be a date (YYYY-MM-DD) or a Unix time stamp")
    if day > today:
        raise InvalidFieldError("date", f"{day.isoformat()} is in the future: a document "
                                "is dated the day it is issued, or before")
    return day


async def _terms(conn: Connection, row: Mapping[str, Any], company: Row) -> int:
    account = await rows.select_row(conn, ACCOUNTS, row["account"]) if row["account"] else None
    if account is not None and account["paymentterms"] is not None:
        return int(account["paymentterms"])
    return int(company["paymentterms"])


async def issue_in(conn: Connection, row: Row, *, actor: int | None,
                   date: Any = None) -> dict[str, Any]:
    """The changes that issue the draft `row` (not written: the caller writes them with the
    rest of its change).  Raises, numbering nothing, when the document cannot be issued."""
    day = document_day(date)
    kind = KIND_OF_TYPE.get(row["type"])
    if kind is None:
        raise ConflictError("production orders are not issued", code="not_issuable")
    if row["status"] == CANCELLED:
        raise ConflictError(f"transaction {row['ID']} is cancelled", code="cancelled")
    if row["account"] is None:
        raise MissingFieldError("account", "a document is issued to an account")
    account = await rows.select_row(conn, ACCOUNTS, row["account"])
    if account is not None and account["locked"]:
        raise ConflictError(f"account {row['account']} is locked: no document may be "
                            "issued to it", code="account_locked")
    lines = await document_lines(conn, row["ID"]) or await _lines_from_json(conn, row, actor)
    check_lines(lines)
    company = await numbering.company_of(conn, row["company"])
    header = {**row, "currency": row["currency"] or company["currency"]}
    if stored_decimal(header.get("exchangerate") or 1) <= 0:
        raise InvalidFieldError("exchangerate", "must be greater than 0")
    for name in ("shippingamount", "discountamount", "adjustment", "exchangerate"):
        if header.get(name) is not None:
            money.check_amount(name, stored_decimal(header[name]))
    totals = totals_of(header, lines)
    if totals.total < 0:
        raise ConflictError(f"the total is {totals.total}: a negative document is a credit "
                            "note (convert the invoice)", code="negative_total")
    number = await numbering.take_number(conn, company["ID"], kind, day, actor=actor)
    await write_line_nets(conn, lines, totals, actor)
    now = int(time.time())
    when = int(dt.datetime.combine(day, dt.time(12), dt.UTC).timestamp())
    issued: dict[str, Any] = {
        "transactionnum": number,
        "draftnum": row["draftnum"] or row["transactionnum"] or f"PROV-{row['ID']}",
        "status": row["status"] if row["status"] != DRAFT else BOOKED,
        "issued": now, "date": when, "company": company["ID"], "currency": header["currency"],
        **total_fields(header, totals)}
    if row["duedate"] is None or row["duedate"] < when:
        days = (QUOTE_VALIDITY_DAYS if kind == "quote" else 0 if row["type"] in CREDIT_TYPES
                else await _terms(conn, row, company))
        issued["duedate"] = when + days * DAY
    # the legal copy, rendered in this transaction (printing reads the document through
    # document_data, which reads this module: imported here, not at the top)
    from comptoir.services import posting, printing

    issued["pdf"] = await printing.legal_copy(conn, {**row, **issued})
    # the books post themselves: the entry of an invoice or credit note (`posting.py`)
    await posting.post_document(conn, {**row, **issued}, lines, totals, actor=actor)
    return issued
