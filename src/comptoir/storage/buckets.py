"""SQL for grouped reports that the two databases spell differently, written once here.

    time_bucket(table.c.date, "month")   # '2026-01': the UTC month of a Unix time stamp
    cents(table.c.netamount)             # the amount in whole cents, as an integer

Both are SQL expressions compiled for whichever database runs them (as `fold` in
`database.py`): services build one statement and never ask which database they are on.
The format of a bucket is fixed by its unit, never taken from a request.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

#: unit -> (SQLite strftime format, PostgreSQL to_char format); the label of a bucket is
#: its first day written as ISO 8601 to the unit: '2026-01-31', '2026-01', '2026'
UNITS: dict[str, tuple[str, str]] = {
    "day": ("%Y-%m-%d", "YYYY-MM-DD"),
    "month": ("%Y-%m", "YYYY-MM"),
    "year": ("%Y", "YYYY"),
}


class time_bucket(sa.sql.functions.FunctionElement[str]):  # noqa: N801 (a SQL function)
    """The UTC day, month or year of a Unix time stamp (seconds), as ISO 8601 text: the
    buckets sort as text in time order.  Null stays null."""

    type = sa.Text()
    inherit_cache = True
    _traverse_internals = [
        *sa.sql.functions.FunctionElement._traverse_internals,
        ("unit", InternalTraversal.dp_string),
    ]

    def __init__(self, column: sa.ColumnElement[Any], unit: str) -> None:
        if unit not in UNITS:
            raise ValueError(f"unknown time bucket {unit!r}")
        self.unit = unit
        super().__init__(column)


@compiles(time_bucket, "sqlite")
def _bucket_sqlite(element: time_bucket, compiler: Any, **kw: Any) -> str:
    fmt = UNITS[element.unit][0]
    return f"strftime('{fmt}', {compiler.process(element.clauses, **kw)}, 'unixepoch')"


@compiles(time_bucket, "postgresql")
def _bucket_postgresql(element: time_bucket, compiler: Any, **kw: Any) -> str:
    fmt = UNITS[element.unit][1]
    value = compiler.process(element.clauses, **kw)
    return f"to_char(to_timestamp({value}) AT TIME ZONE 'UTC', '{fmt}')"


class cents(sa.sql.functions.FunctionElement[int]):  # noqa: N801 (a SQL function)
    """An amount stored as a double, in whole cents (half away from zero), as an exact
    integer: the sum of cents is exact on both databases, where a sum of doubles is not.
    Null stays null."""

    type = sa.BigInteger()
    inherit_cache = True


@compiles(cents, "sqlite")
def _cents_sqlite(element: cents, compiler: Any, **kw: Any) -> str:
    # SQLite's round() rounds half away from zero; the cast makes sum() add integers
    return f"CAST(round({compiler.process(element.clauses, **kw)} * 100) AS INTEGER)"


@compiles(cents, "postgresql")
def _cents_postgresql(element: cents, compiler: Any, **kw: Any) -> str:
    # through numeric: the double's shortest decimal form, rounded half away from zero
    value = compiler.process(element.clauses, **kw)
    return f"CAST(round(CAST({value} AS NUMERIC) * 100) AS BIGINT)"
