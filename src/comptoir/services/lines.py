"""The lines of a draft document, edited as a whole (the web interface's line editor; any
door may call it): replace them all in one transaction, or compute what the totals would
be with lines not saved yet.

    await set_lines(db, caller, 12, [{"item": 3, "quantity": "2", "listprice": "9.99",
                                      "tax1": "20"}, {"description": "Travel", ...}])
    totals = await preview_totals(db, caller, 12, lines)

Each line is written by the record service (`records.create_record` of `lineitems`), so
it is checked, priced from its item when no price is given, and emits its event exactly as
a client's `PUT /lineitems`; the lines it replaces are deleted the same way.  The totals
are those issuing computes (`issuing.totals_of`, EN 16931): the draft shows the figures
its invoice will carry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from comptoir.domain import money
from comptoir.errors import ConflictError, InvalidFieldError
from comptoir.schema.registry import ENTITIES
from comptoir.services import derived, issuing, records
from comptoir.services.access import Caller, check_operation
from comptoir.storage.database import Database
from comptoir.wire.values import to_storage

TRANSACTIONS, LINEITEMS = ENTITIES["transactions"], ENTITIES["lineitems"]
#: what a line of the editor gives
LINE_FIELDS = ("item", "description", "comment", "quantity", "listprice", "discountpercent",
               "discountamount", "tax1")
MAX_LINES = 500
DRAFT = 0


def _checked(lines: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if len(lines) > MAX_LINES:
        raise InvalidFieldError("lines", f"at most {MAX_LINES} lines")
    checked = []
    for n, line in enumerate(lines, 1):
        for key in line:
            if key not in LINE_FIELDS:
                raise InvalidFieldError(f"lines[{n}].{key}", "unknown field of a line")
        checked.append({k: v for k, v in line.items() if v not in (None, "")})
    return checked


def _stored_line(n: int, line: Mapping[str, Any]) -> dict[str, Any]:
    """A line's values as stored, each coerced by the registry's field (errors name the
    line: `lines[2].quantity`)."""
    values: dict[str, Any] = {"quantity": 1.0, "listprice": 0.0}
    for key, value in line.items():
        try:
            values[key] = to_storage(LINEITEMS.by_name[key], value)
        except InvalidFieldError as exc:
            raise InvalidFieldError(f"lines[{n}].{key}", exc.details.get("problem",
                                                                         exc.message)) from None
    return values


async def preview_totals(db: Database, caller: Caller, transaction_id: int,
                         lines: Sequence[Mapping[str, Any]]) -> money.DocumentTotals:
    """The totals the document would have with these lines (nothing is written)."""
    check_operation(TRANSACTIONS, caller, write=False)
    async with db.read() as conn:
        header = await records.load(conn, TRANSACTIONS, caller, transaction_id)
    stored = [_stored_line(n, line) for n, line in enumerate(_checked(lines), 1)]
    return issuing.totals_of(header, stored)


async def set_lines(db: Database, caller: Caller, transaction_id: int,
                    lines: Sequence[Mapping[str, Any]]) -> records.Record:
    """Replace every line of a draft document; its totals follow.  Returns the document."""
    given = _checked(lines)
    async with db.write() as conn:
        header = await records.load_writable(conn, TRANSACTIONS, caller, transaction_id)
        if header["status"] != DRAFT:
            raise ConflictError(f"transaction {transaction_id} is issued: its lines cannot "
                                "change (make a credit note)", code="locked")
        for old in await issuing.document_lines(conn, transaction_id):
            await records.delete_record(db, caller, "lineitems", int(old["ID"]))
        for n, line in enumerate(given, 1):
            try:
                await records.create_record(db, caller, "lineitems", {
                    **line, "transaction": transaction_id, "sequence": n})
            except InvalidFieldError as exc:
                raise InvalidFieldError(f"lines[{n}].{exc.field}", exc.details.get(
                    "problem", exc.message)) from None
        written = await issuing.document_lines(conn, transaction_id)
        totals = issuing.totals_of(header, written)
        await issuing.write_line_nets(conn, written, totals, caller.user)
        await derived.update(conn, TRANSACTIONS, header, issuing.total_fields(header, totals),
                             actor=caller.user)
        return await records.current(conn, TRANSACTIONS, caller, transaction_id)
