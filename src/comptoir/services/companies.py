"""Companies and their numbering formats, as administrators see them: the formats of a
company per kind of document with the number the next document would get, and changing
one (`comptoir numbering list|set`, REST `/numberings`).  Taking a number is
`services/numbering.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from comptoir.domain import numbering as rules
from comptoir.errors import InvalidFieldError, NotFoundError
from comptoir.services import records
from comptoir.services.access import Caller, check_operation
from comptoir.services.checks import RESETS
from comptoir.services.numbering import KIND_VALUES, NUMBERINGS, company_of, counter_of
from comptoir.storage import rows
from comptoir.storage.database import Database
from comptoir.wire.values import to_storage


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


#: what `set_numbering` takes, besides the kind and the company
FORMAT_FIELDS = ("pattern", "reset", "nextvalue")


async def set_numbering(db: Database, caller: Caller, body: Mapping[str, Any]) -> dict[str, Any]:
    """Change the format of `kind` (created if missing) of `company` (default: the default
    company): its `pattern`, `reset` (never, yearly, monthly) and `nextvalue`, checked as
    any write of a numbering format is (the registry's fields, then `checks.py`)."""
    check_operation(NUMBERINGS, caller, write=True)
    for key in body:
        if key not in ("kind", "company", *FORMAT_FIELDS):
            raise InvalidFieldError(str(key)[:60], "unknown parameter; expected kind, "
                                    f"company, {', '.join(FORMAT_FIELDS)}")
    kind = body.get("kind")
    if not isinstance(kind, str) or kind not in KIND_VALUES:
        raise InvalidFieldError("kind", f"must be one of {', '.join(KIND_VALUES)}")
    values = {name: body[name] for name in FORMAT_FIELDS if body.get(name) is not None}
    names = [reset.value for reset in RESETS]
    if isinstance(values.get("reset"), str):
        if values["reset"] not in names:
            raise InvalidFieldError("reset", f"must be one of {', '.join(names)}")
        values["reset"] = names.index(values["reset"])
    company = body.get("company")
    if company is not None:
        company = to_storage(NUMBERINGS.by_name["company"], company)
    async with db.write() as conn:
        found = await company_of(conn, company)
        existing = await rows.select_rows_where(
            conn, NUMBERINGS, {"company": found["ID"], "kind": KIND_VALUES[kind]})
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
