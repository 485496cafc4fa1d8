"""What the sales actions share: which document converts into which, what of a source's
lines was already delivered, invoiced or credited, the header a new document takes from
its source, the advances an order's final invoice deducts, and writing the new document.

Used by `services/sales.py` (issue, convert, cancel) and `services/invoicing.py` (advance,
progress and consumption invoices).  The rules themselves: `domain/invoicing.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from comptoir.domain import invoicing
from comptoir.errors import ConflictError, InvalidFieldError
from comptoir.events import outbox
from comptoir.schema.registry import ENTITIES
from comptoir.services import derived, issuing, records
from comptoir.services.access import Caller
from comptoir.services.issuing import CANCELLED, DRAFT, stored
from comptoir.storage import rows
from comptoir.storage.database import Connection, Database, Row
from comptoir.wire.values import render_record, stored_decimal

TRANSACTIONS, LINEITEMS = ENTITIES["transactions"], ENTITIES["lineitems"]
TYPES = dict(TRANSACTIONS.by_name["type"].choices)
TYPE_VALUES: dict[str, int] = {label: value for value, label in TYPES.items()}
STATUSES = {label: value for value, label in TRANSACTIONS.by_name["status"].choices.items()}
KINDS = {label: value for value, label in TRANSACTIONS.by_name["invoicekind"].choices.items()}
QUOTE, ORDER, INVOICE = 0, 1, 3
#: source type -> the types it converts into (quote -> order, invoice; order -> delivery,
#: invoice; invoice -> credit note; the same on the supplier side)
CONVERSIONS: dict[int, tuple[int, ...]] = {0: (1, 3), 1: (2, 3), 3: (4,), 6: (7, 8), 7: (8,),
                                           8: (9,)}
#: types that take quantities from an order's lines as deliveries, as invoices, as credits
DELIVERIES, INVOICES, CREDITS = frozenset({2, 7}), frozenset({3, 8}), frozenset({4, 9})
#: header fields a converted document takes from its source
COPIED = ("account", "assigneduser", "billingaddress", "billingcity", "billingcountry",
          "billingpostalcode", "billingrecipient", "billingregion", "calculation", "company",
          "contract", "currency", "exchangerate", "ownergroup", "purchaseorder",
          "shippingaddress", "shippingcity", "shippingcountry", "shippingpostalcode",
          "shippingrecipient", "shippingregion", "subject", "taxid", "taxtype",
          "discountpercent")
#: copied too when every line is converted in full
COPIED_WHOLE = ("discountamount", "shippingamount", "shippingtaxes", "adjustment")
LINE_COPIED = ("item", "listprice", "discountpercent", "tax1", "tax2", "tax3", "comment",
               "description", "pricelist")


def only(body: Mapping[str, Any], allowed: Sequence[str], where: str = "") -> None:
    """InvalidFieldError naming the first key of `body` not in `allowed` (after `where`,
    the path of a nested object: `lines[2].`)."""
    for key in body:
        if key not in allowed:
            raise InvalidFieldError(where + str(key)[:60], f"unknown parameter; expected "
                                    f"{', '.join(allowed) or 'none'}")


async def load_document(conn: Connection, caller: Caller, record_id: int) -> Row:
    """A document the caller may change, locked for this transaction."""
    return await records.load_writable(conn, TRANSACTIONS, caller, record_id)


def check_source(source: Row, target: int) -> None:
    """ConflictError not_convertible unless `source` is issued and converts into `target`."""
    if target not in CONVERSIONS.get(source["type"], ()):
        raise ConflictError(f"a {TYPES[source['type']]} does not convert into a "
                            f"{TYPES[target]}", code="not_convertible")
    if source["status"] in (DRAFT, CANCELLED):
        state = "a draft: issue it first" if source["status"] == DRAFT else "cancelled"
        raise ConflictError(f"transaction {source['ID']} is {state}", code="not_convertible")


# --- what was taken from a document's lines --------------------------------------------------


async def taken_lines(conn: Connection, line_ids: Sequence[int]) -> list[tuple[Row, Row]]:
    """The lines converted from `line_ids` (their `sourceline`) with their documents, but
    those of cancelled documents."""
    found = await rows.select_rows_in(conn, LINEITEMS, "sourceline", line_ids)
    documents = {row["ID"]: row for row in await rows.select_rows_in(
        conn, TRANSACTIONS, "ID", sorted({line["transaction"] for line in found}))}
    return [(line, documents[line["transaction"]]) for line in found
            if documents[line["transaction"]]["status"] != CANCELLED]


async def progress_of(conn: Connection, source: Row,
                      lines: Sequence[Row]) -> dict[int, invoicing.Progress]:
    """Per line of the document `source`: its quantity, how much of it was delivered, and
    how much was invoiced net of credit notes (for a quote: ordered or invoiced; for an
    invoice: credited; an advance deducted by a final invoice is not credited)."""
    taken = await taken_lines(conn, [line["ID"] for line in lines])
    if source["type"] in INVOICES:
        taken = [(line, doc) for line, doc in taken if doc["type"] in CREDITS]
    credited = await taken_lines(conn, [line["ID"] for line, doc in taken
                                        if doc["type"] in INVOICES])
    credit_of: dict[int, Decimal] = {}
    for line, doc in credited:
        if doc["type"] in CREDITS:
            credit_of[line["sourceline"]] = (credit_of.get(line["sourceline"], Decimal(0))
                                             + stored_decimal(line["quantity"]))
    delivered: dict[int, Decimal] = {}
    invoiced: dict[int, Decimal] = {}
    for line, doc in taken:
        source_line, quantity = line["sourceline"], stored_decimal(line["quantity"])
        if doc["type"] in DELIVERIES:
            delivered[source_line] = delivered.get(source_line, Decimal(0)) + quantity
        else:  # orders, invoices and credit notes made from the line
            quantity -= credit_of.get(line["ID"], Decimal(0)) if doc["type"] in INVOICES else 0
            invoiced[source_line] = invoiced.get(source_line, Decimal(0)) + quantity
    return {line["ID"]: invoicing.Progress(stored_decimal(line["quantity"]),
                                           delivered.get(line["ID"], Decimal(0)),
                                           invoiced.get(line["ID"], Decimal(0)))
            for line in lines}


def source_status(source: Row, progress: Mapping[int, invoicing.Progress]) -> int | None:
    """The status the source takes from what was made from it (None: it keeps its own)."""
    lines = list(progress.values())
    if source["type"] == QUOTE:
        label = invoicing.quote_status([(p.ordered, p.invoiced) for p in lines])
    elif source["type"] in (ORDER, 6):
        label = invoicing.order_status(lines)
    else:
        return None
    return int(STATUSES[label])


def header(source: Row, target: int, whole: bool) -> dict[str, Any]:
    """The header of a new draft of type `target` made from `source`, with its links."""
    values = {name: source[name] for name in COPIED + (COPIED_WHOLE if whole else ())
              if source[name] is not None}
    values.update(type=target, status=DRAFT, source=source["ID"])
    if source["type"] == QUOTE:
        values["quote"] = source["ID"]
    elif source["quote"] is not None:
        values["quote"] = source["quote"]
    if source["type"] in (ORDER, 6):
        values["salesorder"] = source["ID"]
    elif source["salesorder"] is not None:
        values["salesorder"] = source["salesorder"]
    return values


def taken_line(line: Row, quantity: Decimal, **changes: Any) -> dict[str, Any]:
    """A new line taking `quantity` of the source `line`."""
    return {**{name: line[name] for name in LINE_COPIED}, "sourceline": line["ID"],
            "quantity": stored(quantity), **changes}


# --- advances and their deduction ----------------------------------------------------------


async def advance_invoices(conn: Connection, order_id: int) -> list[Row]:
    """The advance invoices of an order, but cancelled ones (drafts included)."""
    found = await rows.select_rows_where(conn, TRANSACTIONS, {
        "salesorder": order_id, "invoicekind": KINDS["ADVANCE"], "type": INVOICE})
    return [row for row in found if row["status"] != CANCELLED]


async def deductions(conn: Connection, order: Row) -> list[dict[str, Any]]:
    """The lines by which the invoice completing `order` deducts its advances: one negative
    line per advance line not yet deducted (its `sourceline` the advance's line, its VAT
    rate the advance's).  ConflictError advance_pending while an advance is a draft."""
    advances = await advance_invoices(conn, order["ID"])
    if any(row["status"] == DRAFT for row in advances):
        raise ConflictError(f"order {order['ID']} has a draft advance invoice: issue or "
                            "cancel it before the final invoice", code="advance_pending")
    lines = await rows.select_rows_in(conn, LINEITEMS, "transaction",
                                      [row["ID"] for row in advances])
    deducted = {line["sourceline"] for line, doc in await taken_lines(
        conn, [line["ID"] for line in lines]) if doc["type"] in INVOICES}
    number = {row["ID"]: row["transactionnum"] for row in advances}
    return [{"listprice": line["listprice"], "tax1": line["tax1"], "tax2": line["tax2"],
             "tax3": line["tax3"], "quantity": stored(-stored_decimal(line["quantity"])),
             "sourceline": line["ID"], "comment": "Acompte déduit",
             "description": f"Acompte {number[line['transaction']]} déduit"}
            for line in sorted(lines, key=lambda line: line["ID"]) if line["ID"] not in deducted]


def check_deductions(values: Mapping[str, Any], new_lines: Sequence[Mapping[str, Any]],
                     deducted: Sequence[Mapping[str, Any]]) -> None:
    """ConflictError over_deduction when the advances of a VAT rate exceed the final
    invoice's base at that rate (`domain/invoicing.deduct_advances`)."""
    bases = {row.rate: row.base for row in issuing.totals_of(values, new_lines).vat}
    invoicing.deduct_advances(bases, [
        invoicing.Advance(issuing.vat_rate(line), -stored_decimal(line["quantity"])
                          * stored_decimal(line["listprice"])) for line in deducted])


async def completes(conn: Connection, source: Row, lines: Sequence[Row],
                    taking: Mapping[int, Decimal]) -> bool:
    """Whether invoicing `taking` (line ID -> quantity) invoices the order in full."""
    progress = await progress_of(conn, source, lines)
    return all(p.invoiced + taking.get(line_id, Decimal(0)) == p.ordered
               for line_id, p in progress.items())


async def with_deductions(conn: Connection, source: Row, lines: Sequence[Row],
                          values: dict[str, Any], new_lines: list[dict[str, Any]]) -> None:
    """When the new invoice completes the order `source` and the order had advances, add
    their deductions to `new_lines` and make it its FINAL invoice."""
    if values["type"] != INVOICE or source["type"] != ORDER:
        return
    taking = {line["sourceline"]: stored_decimal(line["quantity"]) for line in new_lines
              if line.get("sourceline") is not None}
    if not await completes(conn, source, lines, taking):
        return
    deducted = await deductions(conn, source)
    if deducted:
        check_deductions(values, new_lines, deducted)
        new_lines.extend(deducted)
        values["invoicekind"] = KINDS["FINAL"]


# --- the new document ---------------------------------------------------------------------


async def make_document(db: Database, conn: Connection, caller: Caller, values: dict[str, Any],
                        new_lines: Sequence[Mapping[str, Any]], *,
                        computed: Mapping[str, Any] | None = None) -> records.Record:
    """Create the draft `values` with `new_lines`, totalled, through the record operations
    (its checks and `created` events); then write the `computed` values of fields no
    client writes (an `updated` event)."""
    values.update(issuing.total_fields(values, issuing.totals_of(values, new_lines)))

    async def write_lines(conn: Connection, document: int) -> None:
        for sequence, line in enumerate(new_lines, 1):
            await derived.insert(conn, LINEITEMS, {
                **line, "transaction": document, "sequence": sequence}, actor=caller.user)

    made = await records.create_record(db, caller, "transactions", values, after=write_lines)
    if computed:
        row = await rows.select_row(conn, TRANSACTIONS, made.data["ID"])
        assert row is not None
        await derived.update(conn, TRANSACTIONS, row, computed, actor=caller.user)
    return made


async def made_from(conn: Connection, caller: Caller, source: Row, lines: Sequence[Row],
                    made: records.Record) -> None:
    """After a document was made from `source`: its status follows (ORDERED, INVOICED,
    ...) and `transactions.converted` names the new document."""
    status = source_status(source, await progress_of(conn, source, lines))
    if status is not None and status != source["status"]:
        source = await derived.update(conn, TRANSACTIONS, source, {"status": status},
                                      actor=caller.user)
    await outbox.emit(conn, TRANSACTIONS, source["ID"], "converted", actor=caller.user,
                      record=render_record(TRANSACTIONS, source),
                      changes={"document": {"before": None, "after": made.data["ID"]}})
