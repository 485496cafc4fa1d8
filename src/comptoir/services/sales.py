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
from comptoir.errors import ConflictError, InvalidFieldError, NotFoundError
from comptoir.events import outbox
from comptoir.schema.registry import ENTITIES
from comptoir.services import conversion, derived, issuing, pricing, records, settlement
from comptoir.services.access import Caller
from comptoir.services.conversion import (
    CREDITS,
    DELIVERIES,
    INVOICES,
    TRANSACTIONS,
    TYPE_VALUES,
    TYPES,
    load_document,
    only,
)
from comptoir.services.invoicing import day_start
from comptoir.services.issuing import CANCELLED, DRAFT
from comptoir.storage import rows
from comptoir.storage.database import Database, Row
from comptoir.wire.module_values import parse_decimal
from comptoir.wire.values import render_record, stored_decimal

ITEMS, ACCOUNTS = ENTITIES["items"], ENTITIES["accounts"]


# --- issue ---------------------------------------------------------------------------------


async def issue_document(db: Database, caller: Caller, record_id: int,
                         body: Mapping[str, Any]) -> records.Record:
    """Issue a draft: checked, totalled, numbered (`services/issuing.py`).  `body`: an
    optional `date` (the issue date, today by default)."""
    only(body, ("date",))
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
    PARTLYDELIVERED, INVOICED, ...).  The invoice completing an order deducts its
    advances (`services/conversion.with_deductions`)."""
    only(body, ("type", "lines"))
    target = _target_type(body.get("type"))
    async with db.write() as conn:
        source = await load_document(conn, caller, record_id)
        conversion.check_source(source, target)
        lines = await issuing.document_lines(conn, record_id)
        progress = await conversion.progress_of(conn, source, lines)
        chosen = _wanted(body, lines, progress, target)
        whole = all(quantity == progress[line["ID"]].ordered for line, quantity in chosen) \
            and len(chosen) == len(lines)
        values = conversion.header(source, target, whole)
        new_lines = [conversion.taken_line(line, quantity) for line, quantity in chosen]
        await conversion.with_deductions(conn, source, lines, values, new_lines)
        made = await conversion.make_document(db, conn, caller, values, new_lines)
        await conversion.made_from(conn, caller, source, lines, made)
        return await records.current(conn, TRANSACTIONS, caller, made.data["ID"])


# --- cancel --------------------------------------------------------------------------------


async def cancel_document(db: Database, caller: Caller, record_id: int,
                          body: Mapping[str, Any]) -> records.Record:
    """Cancel a document.  A draft, or an issued quote or order nothing was made from, is
    marked CANCELLED.  An issued invoice is never edited: it is cancelled by a credit note
    of everything not yet credited, issued at once and allocated to the invoice's balance
    (`body`: the credit note's `date`); the invoice is then CANCELLED."""
    only(body, ("date",))
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




# --- prices --------------------------------------------------------------------------------


async def item_price(db: Database, caller: Caller, item_id: int,
                     params: Mapping[str, Any]) -> dict[str, Any]:
    """The price a line of `quantity` (default 1) of the item takes on a document of `type`
    (default BILLING_QUOTE) for `account`, dated `date` (YYYY-MM-DD, default today), in
    `currency`: what a line added without a price gets (`services/pricing.py`)."""
    only(params, ("account", "quantity", "date", "currency", "type"))
    kind = params.get("type") or "BILLING_QUOTE"
    currency = params.get("currency") or None
    if currency is not None and not (isinstance(currency, str) and len(currency) == 3
                                     and currency.isascii() and currency.isalpha()
                                     and currency.isupper()):
        raise InvalidFieldError("currency", "must be an ISO 4217 code (EUR)")
    if isinstance(kind, str) and kind.isascii() and kind.isdigit() and len(kind) < 3:
        kind = int(kind)
    header: dict[str, Any] = {"type": _target_type(kind),
                              "currency": currency}
    quantity = parse_decimal("quantity", params.get("quantity") or "1")
    async with db.read() as conn:
        item = await records.load(conn, ITEMS, caller, item_id)
        if params.get("account"):
            text = str(params["account"])
            if not text.isdigit() or len(text) > 10:
                raise InvalidFieldError("account", "must be an account ID")
            try:
                header["account"] = (await records.load(conn, ACCOUNTS, caller, int(text)))["ID"]
            except NotFoundError:
                raise InvalidFieldError("account", f"account {text} does not exist") from None
        if params.get("date"):
            header["date"] = day_start("date", params["date"])
        price, pricelist = await pricing.line_price(conn, header, item, quantity)
    return {"item": item_id, "quantity": str(quantity), "price": str(price),
            "pricelist": pricelist,
            "base": str(pricing.base_price(item, header["type"]))}
