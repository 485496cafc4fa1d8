"""The sales and purchasing cycle: issue, convert and cancel documents (`transactions`).

    await issue_document(db, caller, 12, {"date": "2026-12-07"})
    await convert_document(db, caller, 12, {"type": "BILLING_INVOICE",
                                            "lines": [{"line": 31, "quantity": "2"}]})
    await cancel_document(db, caller, 14, {})

Each action is one transaction: the checks of a record update (function permission,
visibility, owner group), then the rule (`domain/invoicing.py`, `services/issuing.py`),
then the writes and their events (`transactions.issued`, `.converted`, `.cancelled`, with
the `updated` and `created` events of what changed).  The conversions, the quantities
that may still be taken and the statuses they give the source: `docs/sales.md`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from comptoir.domain import invoicing
from comptoir.errors import ConflictError, InvalidFieldError
from comptoir.events import outbox
from comptoir.schema.registry import ENTITIES
from comptoir.services import derived, issuing, records, settlement
from comptoir.services.access import Caller
from comptoir.services.issuing import CANCELLED, DRAFT, stored
from comptoir.storage import rows
from comptoir.storage.database import Connection, Database, Row
from comptoir.wire.module_values import parse_decimal
from comptoir.wire.values import render_record, stored_decimal

TRANSACTIONS, LINEITEMS = ENTITIES["transactions"], ENTITIES["lineitems"]
TYPES = dict(TRANSACTIONS.by_name["type"].choices)
TYPE_VALUES: dict[str, int] = {label: value for value, label in TYPES.items()}
STATUSES = {label: value for value, label in TRANSACTIONS.by_name["status"].choices.items()}
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


async def load_document(conn: Connection, caller: Caller, record_id: int) -> Row:
    """A document the caller may change, locked for this transaction."""
    return await records.load_writable(conn, TRANSACTIONS, caller, record_id)


# --- issue ---------------------------------------------------------------------------------


async def issue_document(db: Database, caller: Caller, record_id: int,
                         body: Mapping[str, Any]) -> records.Record:
    """Issue a draft: checked, totalled, numbered (`services/issuing.py`).  `body`: an
    optional `date` (the issue date, today by default)."""
    _only(body, ("date",))
    async with db.write() as conn:
        row = await load_document(conn, caller, record_id)
        if row["status"] != DRAFT:
            raise ConflictError(f"transaction {record_id} is not a draft: it was issued as "
                                f"{row['transactionnum']}", code="already_issued")
        issued = await issuing.issue_in(conn, row, actor=caller.user, date=body.get("date"))
        after = await derived.update(conn, TRANSACTIONS, row, issued, actor=caller.user)
        await outbox.emit(conn, TRANSACTIONS, record_id, "issued", actor=caller.user,
                          record=render_record(TRANSACTIONS, after))
        return await records.current(conn, TRANSACTIONS, caller, record_id)


def _only(body: Mapping[str, Any], allowed: Sequence[str]) -> None:
    for key in body:
        if key not in allowed:
            raise InvalidFieldError(str(key)[:60], f"unknown parameter; expected "
                                    f"{', '.join(allowed) or 'none'}")


# --- what was taken from a document's lines --------------------------------------------------


async def _taken_lines(conn: Connection, line_ids: Sequence[int]) -> list[tuple[Row, Row]]:
    """The lines converted from `line_ids` (their `sourceline`) with their documents, but
    those of cancelled documents."""
    found = await rows.select_rows_in(conn, LINEITEMS, "sourceline", line_ids)
    documents = {row["ID"]: row for row in await rows.select_rows_in(
        conn, TRANSACTIONS, "ID", sorted({line["transaction"] for line in found}))}
    return [(line, documents[line["transaction"]]) for line in found
            if documents[line["transaction"]]["status"] != CANCELLED]


async def progress_of(conn: Connection, lines: Sequence[Row]) -> dict[int, invoicing.Progress]:
    """Per line of a document: its quantity, how much of it was delivered, and how much
    was invoiced net of credit notes (for a quote: ordered or invoiced; for an invoice:
    credited)."""
    taken = await _taken_lines(conn, [line["ID"] for line in lines])
    credited = await _taken_lines(conn, [line["ID"] for line, doc in taken
                                         if doc["type"] in INVOICES])
    credit_of: dict[int, Decimal] = {}
    for line, _ in credited:
        credit_of[line["sourceline"]] = (credit_of.get(line["sourceline"], Decimal(0))
                                         + stored_decimal(line["quantity"]))
    delivered: dict[int, Decimal] = {}
    invoiced: dict[int, Decimal] = {}
    for line, doc in taken:
        source, quantity = line["sourceline"], stored_decimal(line["quantity"])
        if doc["type"] in DELIVERIES:
            delivered[source] = delivered.get(source, Decimal(0)) + quantity
        else:  # orders, invoices and credit notes made from the line
            quantity -= credit_of.get(line["ID"], Decimal(0)) if doc["type"] in INVOICES else 0
            invoiced[source] = invoiced.get(source, Decimal(0)) + quantity
    return {line["ID"]: invoicing.Progress(stored_decimal(line["quantity"]),
                                           delivered.get(line["ID"], Decimal(0)),
                                           invoiced.get(line["ID"], Decimal(0)))
            for line in lines}


def _source_status(source: Row, progress: Mapping[int, invoicing.Progress]) -> int | None:
    """The status the source takes from what was made from it (None: it keeps its own)."""
    lines = list(progress.values())
    if source["type"] == 0:
        label = invoicing.quote_status([(p.ordered, p.invoiced) for p in lines])
    elif source["type"] in (1, 6):
        label = invoicing.order_status(lines)
    else:
        return None
    return int(STATUSES[label])


# --- convert -------------------------------------------------------------------------------


def _target_type(value: Any) -> int:
    if isinstance(value, str) and value.strip().upper() in TYPE_VALUES:
        return TYPE_VALUES[value.strip().upper()]
    if isinstance(value, int) and not isinstance(value, bool) and value in TYPES:
        return value
    raise InvalidFieldError("type", "must be a document type (BILLING_ORDER, "
                            "BILLING_INVOICE, BILLING_CREDIT, ... or its number)")


def _wanted(body: Mapping[str, Any], lines: Sequence[Row],
            progress: Mapping[int, invoicing.Progress], target: int) -> list[tuple[Row, Decimal]]:
    """The lines to convert and their quantities: those asked for, or every line's rest."""
    def left(line: Row) -> Decimal:
        p = progress[line["ID"]]
        return p.ordered - (p.delivered if target in DELIVERIES else p.invoiced)

    by_id = {line["ID"]: line for line in lines}
    asked = body.get("lines")
    if asked is None:
        chosen = [(line, left(line)) for line in lines if left(line) != 0]
        if not chosen:
            raise ConflictError("nothing is left to convert: every line was taken in full",
                                code="nothing_left")
        return chosen
    if not isinstance(asked, list) or not asked:
        raise InvalidFieldError("lines", "must be a non-empty list of {line, quantity}")
    chosen = []
    for n, entry in enumerate(asked, 1):
        where = f"lines[{n}]"
        line_id = entry.get("line") if isinstance(entry, dict) else None
        if isinstance(line_id, bool) or not isinstance(line_id, int) or line_id not in by_id:
            raise InvalidFieldError(f"{where}.line", "must be the ID of a line of the document")
        line = by_id[line_id]
        p = progress[line["ID"]]
        done = p.ordered - left(line)
        quantity = (left(line) if entry.get("quantity") is None
                    else parse_decimal(f"{where}.quantity", entry["quantity"]))
        invoicing.check_take(f"{where}.quantity", quantity, p.ordered, done)
        chosen.append((line, quantity))
    if len({line["ID"] for line, _ in chosen}) != len(chosen):
        raise InvalidFieldError("lines", "names a line twice")
    return chosen


async def convert_document(db: Database, caller: Caller, record_id: int,
                           body: Mapping[str, Any]) -> records.Record:
    """Make a new draft document of `type` from an issued one, with all its lines or the
    `lines` chosen (`[{"line": ID, "quantity": q}]`, quantity defaulting to what is left).
    No line is taken beyond its quantity; the source's status follows (ORDERED,
    PARTLYDELIVERED, INVOICED, ...)."""
    _only(body, ("type", "lines"))
    target = _target_type(body.get("type"))
    async with db.write() as conn:
        source = await load_document(conn, caller, record_id)
        if target not in CONVERSIONS.get(source["type"], ()):
            raise ConflictError(f"a {TYPES[source['type']]} does not convert into a "
                                f"{TYPES[target]}", code="not_convertible")
        if source["status"] in (DRAFT, CANCELLED):
            state = "a draft: issue it first" if source["status"] == DRAFT else "cancelled"
            raise ConflictError(f"transaction {record_id} is {state}", code="not_convertible")
        lines = await issuing.document_lines(conn, record_id)
        progress = await progress_of(conn, lines)
        chosen = _wanted(body, lines, progress, target)
        whole = all(quantity == progress[line["ID"]].ordered for line, quantity in chosen) \
            and len(chosen) == len(lines)
        values = _header(source, target, whole)
        new_lines = [{**{name: line[name] for name in LINE_COPIED}, "sourceline": line["ID"],
                      "quantity": stored(quantity)} for line, quantity in chosen]
        values.update(issuing.total_fields(values, issuing.totals_of(values, new_lines)))

        async def write_lines(conn: Connection, document: int) -> None:
            for sequence, line in enumerate(new_lines, 1):
                await derived.insert(conn, LINEITEMS, {
                    **line, "transaction": document, "sequence": sequence}, actor=caller.user)

        made = await records.create_record(db, caller, "transactions", values,
                                           after=write_lines)
        status = _source_status(source, await progress_of(conn, lines))
        if status is not None:
            source = await derived.update(conn, TRANSACTIONS, source, {"status": status},
                                          actor=caller.user)
        await outbox.emit(conn, TRANSACTIONS, record_id, "converted", actor=caller.user,
                          record=render_record(TRANSACTIONS, source),
                          changes={"document": {"before": None, "after": made.data["ID"]}})
        return await records.current(conn, TRANSACTIONS, caller, made.data["ID"])


def _header(source: Row, target: int, whole: bool) -> dict[str, Any]:
    values = {name: source[name] for name in COPIED + (COPIED_WHOLE if whole else ())
              if source[name] is not None}
    values.update(type=target, status=DRAFT, source=source["ID"])
    if source["type"] == 0:
        values["quote"] = source["ID"]
    elif source["quote"] is not None:
        values["quote"] = source["quote"]
    if source["type"] in (1, 6):
        values["salesorder"] = source["ID"]
    elif source["salesorder"] is not None:
        values["salesorder"] = source["salesorder"]
    return values


# --- cancel --------------------------------------------------------------------------------


async def cancel_document(db: Database, caller: Caller, record_id: int,
                          body: Mapping[str, Any]) -> records.Record:
    """Cancel a document.  A draft, or an issued quote or order nothing was made from, is
    marked CANCELLED.  An issued invoice is never edited: it is cancelled by a credit note
    of everything not yet credited, issued at once and allocated to the invoice's balance
    (`body`: the credit note's `date`); the invoice is then CANCELLED."""
    _only(body, ("date",))
    async with db.write() as conn:
        row = await load_document(conn, caller, record_id)
        if row["status"] == CANCELLED:
            raise ConflictError(f"transaction {record_id} is already cancelled",
                                code="cancelled")
        if row["type"] in CREDITS and row["status"] != DRAFT:
            raise ConflictError("an issued credit note is not cancelled: issue an invoice",
                                code="not_cancellable")
        if row["type"] in INVOICES and row["status"] != DRAFT:
            credit = await convert_document(db, caller, record_id,
                                            {"type": TYPES[row["type"] + 1]})
            credit_id = credit.data["ID"]
            await issue_document(db, caller, credit_id, {"date": body.get("date")})
            current = await records.load(conn, TRANSACTIONS, caller, record_id, lock=True)
            balance = stored_decimal(current["balance"])
            if balance > 0:
                await settlement.allocate_credit(db, caller, credit_id, {
                    "transaction": record_id, "amount": str(balance)})
        else:
            made = await rows.select_rows_where(conn, TRANSACTIONS, {"source": record_id})
            if any(doc["status"] != CANCELLED for doc in made):
                raise ConflictError(f"transaction {record_id} has documents made from it: "
                                    "cancel them first", code="has_documents")
        current = await records.load(conn, TRANSACTIONS, caller, record_id, lock=True)
        after = await derived.update(conn, TRANSACTIONS, current, {"status": CANCELLED},
                                     actor=caller.user)
        await outbox.emit(conn, TRANSACTIONS, record_id, "cancelled", actor=caller.user,
                          record=render_record(TRANSACTIONS, after))
        return await records.current(conn, TRANSACTIONS, caller, record_id)


