"""Legal document numbers: each company's numbering format per kind of document, and the
next number taken inside the transaction that issues the document.

    number = await take_number(conn, company, "invoice", date(2026, 12, 7), actor=1)
    -> "FA-2026-00042"

Gapless and unique by construction: the format's row is locked (PostgreSQL `FOR UPDATE`;
SQLite has one writer at a time) from the moment the number is read until the issuing
transaction ends, so concurrent issues wait for each other, and a failed or rolled-back
issue takes its number back with everything else it wrote.  A company without a format
for a kind gets the default pattern (`domain.numbering.KINDS`) the first time.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from typing import Any

from comptoir.domain import numbering as rules
from comptoir.errors import ConflictError, InvalidFieldError
from comptoir.schema.entities.companies import NUMBERING_KINDS
from comptoir.schema.entity import Entity
from comptoir.schema.registry import ENTITIES
from comptoir.services import derived
from comptoir.services.checks import RESETS
from comptoir.storage import rows
from comptoir.storage.database import Connection, Row
from comptoir.wire.values import day_stamp, in_range

COMPANIES, NUMBERINGS = ENTITIES["companies"], ENTITIES["numberings"]
#: numberings.kind value of each kind name ("invoice" -> 3)
KIND_VALUES = {label.lower(): value for value, label in NUMBERING_KINDS.items()}


def utc_day(timestamp: int) -> dt.date:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).date()


async def default_company(conn: Connection) -> Row:
    """The default company: the first marked default, else the first company."""
    found = await rows.select_rows_where(conn, COMPANIES, {"isdefault": 1})
    if not found:
        found = await rows.select_rows_where(conn, COMPANIES, {})
    if not found:
        raise ConflictError("No company: create one first (PUT /companies)", code="no_company")
    return found[0]


async def company_of(conn: Connection, company: int | None) -> Row:
    if company is None:
        return await default_company(conn)
    row = (await rows.select_row(conn, COMPANIES, company)
           if in_range(COMPANIES.id_field, company) else None)
    if row is None:
        raise InvalidFieldError("company", f"company {company} does not exist")
    return row


def counter_of(row: Row) -> rules.Counter:
    return rules.Counter(int(row["nextvalue"]), str(row["period"] or ""))


async def _format_row(conn: Connection, company: int, kind: str) -> Row:
    """The format of `kind` for `company`, created with the default pattern if missing,
    locked until the end of the transaction."""
    now = int(time.time())
    await rows.insert_missing(conn, NUMBERINGS, {
        "company": company, "kind": KIND_VALUES[kind], "pattern": rules.KINDS[kind],
        "reset": 1, "nextvalue": 1, "period": "", "lastnumber": "", "creationdate": now,
        "lastmodified": now}, ("company", "kind"))
    found = await rows.select_rows_where(conn, NUMBERINGS,
                                         {"company": company, "kind": KIND_VALUES[kind]})
    row = await rows.select_row(conn, NUMBERINGS, found[0]["ID"], for_update=True)
    assert row is not None
    return row


async def take_number(conn: Connection, company: int, kind: str, day: dt.date, *,
                      actor: int | None) -> str:
    """The next number of `kind` for a document of `company` dated `day`, taken in the
    caller's transaction.  A day before the last numbered document's is refused: numbers
    follow the chronological order of the documents (CGI art. 242 nonies A)."""
    row = await _format_row(conn, company, kind)
    if row["lastdate"] is not None and day < utc_day(row["lastdate"]):
        raise ConflictError(
            f"date: {day.isoformat()} is before {utc_day(row['lastdate']).isoformat()}, the "
            f"date of {row['lastnumber']}: {kind} numbers must follow the order of their dates",
            code="not_chronological")
    value, counter = rules.take(counter_of(row), RESETS[row["reset"]], day)
    number = rules.format_number(row["pattern"], value, day)
    when = day_stamp(day)
    await derived.update(conn, NUMBERINGS, row, {
        "nextvalue": counter.next_value, "period": counter.period, "lastnumber": number,
        "lastdate": max(when, row["lastdate"] or 0)}, actor=actor)
    return number


async def number_at_create(conn: Connection, entity: Entity, record: Mapping[str, Any], *,
                           actor: int | None) -> str:
    """The number a record of a numbered entity (`Entity.numbered`) takes when created: its
    company's next, in the order the records are recorded (today's date: a payment
    received last week and recorded now is numbered now)."""
    assert entity.numbered is not None
    company = await company_of(conn, record.get("company"))
    return await take_number(conn, company["ID"], entity.numbered[1],
                             dt.datetime.now(dt.UTC).date(), actor=actor)
