"""Companies and their numbering formats, as administrators see them: the formats of a
company per kind of document with the number the next document would get, and changing
one (`comptoir numbering list|set`, REST `/numberings`).  Taking a number is
`services/numbering.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from comptoir.domain import numbering as rules
from comptoir.errors import InvalidFieldError, NotFoundError
from comptoir.services import records
from comptoir.services.access import Caller, check_operation
from comptoir.services.numbering import KIND_VALUES, NUMBERINGS, RESETS, company_of, counter_of
from comptoir.storage import rows
from comptoir.storage.database import Database


async def list_numberings(db: Database, caller: Caller,
                          company: int | None = None) -> list[dict[str, Any]]:
    """Every kind's format of a company (the default company when None), with the number
    the next document would get today; kinds never used show their default pattern."""
    check_operation(NUMBERINGS, caller, write=False)
    today = dt.datetime.now(dt.UTC).date()
    async with db.read() as conn:
        found = await company_of(conn, company)
        stored = {row["kind"]: row for row in
                  await rows.select_rows_where(conn, NUMBERINGS, {"company": found["ID"]})}
    listed = []
    for kind, value in KIND_VALUES.items():
        row = stored.get(value)
        pattern = row["pattern"] if row else rules.KINDS[kind]
        counter = counter_of(row) if row else rules.Counter(1, "")
        reset = RESETS[row["reset"]] if row else rules.Reset.YEARLY
        listed.append({"company": found["ID"], "kind": kind, "ID": row["ID"] if row else None,
                       "pattern": pattern, "reset": reset.value,
                       "nextvalue": counter.next_value, "lastnumber": row["lastnumber"] if row
                       else "", "next": rules.preview(pattern, counter, reset, today)})
    return listed


async def set_numbering(db: Database, caller: Caller, kind: str, *, company: int | None = None,
                        pattern: str | None = None, reset: str | None = None,
                        nextvalue: int | None = None) -> dict[str, Any]:
    """Change a kind's format (created if missing); administrators only."""
    check_operation(NUMBERINGS, caller, write=True)
    if kind not in KIND_VALUES:
        raise InvalidFieldError("kind", f"must be one of {', '.join(KIND_VALUES)}")
    values: dict[str, Any] = {}
    if pattern is not None:
        values["pattern"] = rules.check_pattern(pattern)
    if reset is not None:
        names = [r.value for r in RESETS]
        if reset not in names:
            raise InvalidFieldError("reset", f"must be one of {', '.join(names)}")
        values["reset"] = names.index(reset)
    if nextvalue is not None:
        values["nextvalue"] = nextvalue
    async with db.write() as conn:
        found = await company_of(conn, company)
        existing = await rows.select_rows_where(
            conn, NUMBERINGS, {"company": found["ID"], "kind": KIND_VALUES[kind]})
        pattern_now = values.get("pattern", existing[0]["pattern"] if existing
                                 else rules.KINDS[kind])
        reset_now = values.get("reset", existing[0]["reset"] if existing else 1)
        rules.check_reset(str(pattern_now), RESETS[int(reset_now or 0)])  # else they repeat
        if existing:
            await records.update_record(db, caller, "numberings", existing[0]["ID"], values)
        else:
            await records.create_record(db, caller, "numberings", {
                "company": found["ID"], "kind": KIND_VALUES[kind],
                "pattern": rules.KINDS[kind], **values})
    for entry in await list_numberings(db, caller, found["ID"]):
        if entry["kind"] == kind:
            return entry
    raise NotFoundError(f"numbering format {kind} not found")  # pragma: no cover
