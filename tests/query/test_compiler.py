"""Golden tests of the query compiler: the SQL and the parameters of a table of queries, on
each dialect, compared with `tests/query/golden/<dialect>.sql`.

After an intended change of the SQL, regenerate the files and review the diff:
    COMPTOIR_GOLDEN=write .venv/bin/pytest tests/query/test_compiler.py
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from comptoir.query import compiler
from comptoir.query.json_query import parse
from comptoir.schema.entity import Entity
from comptoir.schema.registry import ENTITIES
from comptoir.services.access import Caller, visible_on
from comptoir.storage.database import PostgresDatabase, SqliteDatabase, compile_sql

GOLDEN = Path(__file__).parent / "golden"
ADMIN = Caller(user=1, name="admin", admin=True)
MEMBER = Caller(user=7, name="member", groups={3: True},
                permissions={"accounts": True, "contacts": False})

#: name -> (entity, body, caller)
QUERIES: dict[str, tuple[str, dict[str, Any], Caller]] = {
    "everything": ("accounts", {}, ADMIN),
    "count": ("accounts", {"count": 1}, ADMIN),
    "seed example": ("accounts", {
        "fields": {"Id": "ID", "Name": "lastname", "Nickname": "extdata.nickname",
                   "Town": "contact.city", "SalesAgent": "assigneduser.name"},
        "filters": {"visibility": 0, "contact.country": {"IN": ["DE", "AT", "GB"]},
                    "2": ["OR", {"lastmodified": {">": 1524472045}},
                          {"contact.lastmodified": {">": 1524472045}}]},
        "sort": ["+lastname", "-contact.country"], "limit": 3, "offset": 0}, ADMIN),
    "seed example as a member": ("accounts", {
        "fields": {"Name": "lastname", "Town": "contact.city", "SalesAgent": "assigneduser.name"},
        "filters": {"contact.country": {"IN": ["DE", "AT"]}}, "sort": ["-contact.country"]},
        MEMBER),
    "count with a joined filter": ("accounts", {
        "count": 1, "fields": ["assigneduser.name"], "sort": ["lastname"],
        "filter": {"contact.country": "DE"}}, MEMBER),
    "every operator": ("contacts", {"fields": ["ID"], "filter": {
        "lastname": {"=": "a", "!=": "b", "<>": "c", "<": "d", "<=": "e", ">": "f", ">=": "g",
                     "IN": ["h", "i"], "!IN": ["j"], "~": "^k", "~*": "l", "!~": "m",
                     "!~*": "n", "~~": "o%", "~~*": "p_", "!~~": "q", "!~~*": "r"}}}, ADMIN),
    "nulls and empty lists": ("accounts", {"fields": ["ID"], "filter": {
        "contact": None, "assigneduser": {"!=": None}, "type": {"IN": []},
        "visibility": {"!IN": []}}}, ADMIN),
    "groups": ("accounts", {"fields": ["ID"], "filter": {"0": [
        "NOT", {"visibility": 1}, {"1": ["OR", {"type": 1}, {"type": 2}]}]}}, ADMIN),
    "custom fields": ("accounts", {
        "fields": {"level": "extdata.level"},
        "filter": {"extdata.level": {">": 2, "IN": [1, "one"]}, "extdata.code": None},
        "sort": ["-extdata.level"]}, ADMIN),
    "search": ("accounts", {"fields": ["ID"], "query": "dupont 50%"}, ADMIN),
    "distinct": ("contacts", {"fields": ["country", "city"], "distinct": 1,
                              "sort": ["-country"]}, ADMIN),
    "export": ("accounts", {"export": 1, "fields": ["ID", "lastname"], "offset": 10}, ADMIN),
}

DIALECTS = {"sqlite": SqliteDatabase.dialect, "postgresql": PostgresDatabase.dialect}


def _render(dialect: str) -> str:
    parts = []
    for name, (entity_name, body, caller) in QUERIES.items():
        query, _ = parse(ENTITIES[entity_name], body)

        def visibility(e: Entity, table: sa.FromClause, prefix: str, who: Caller = caller) -> Any:
            return visible_on(e, who, table, prefix)

        sql = compile_sql(compiler.compile_query(query, visibility), DIALECTS[dialect],
                          reusable=True)
        params = {**compiler.bind(query), "caller": caller.user}
        parts.append(f"-- {name}\n{sql.sql};\n-- parameters: "
                     f"{[(n, params.get(n, sql.defaults.get(n))) for n in sql.names]}\n")
    return "\n".join(parts)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_golden_sql(dialect: str) -> None:
    path = GOLDEN / f"{dialect}.sql"
    rendered = _render(dialect)
    if os.environ.get("COMPTOIR_GOLDEN") == "write":
        path.parent.mkdir(exist_ok=True)
        path.write_text(rendered)
    assert rendered == path.read_text(), "SQL changed: review, then COMPTOIR_GOLDEN=write"


def test_every_value_is_a_bound_parameter() -> None:
    """No value of any query of the table appears in its SQL text."""
    for name, (entity_name, body, caller) in QUERIES.items():
        query, _ = parse(ENTITIES[entity_name], body)
        sql = compile_sql(compiler.compile_query(
            query, lambda e, t, p, who=caller: visible_on(e, who, t, p)),
            DIALECTS["postgresql"], reusable=True).sql
        for value in compiler.bind(query).values():
            if isinstance(value, str) and len(value) > 1:
                assert f"'{value}'" not in sql, name


def test_one_statement_per_shape() -> None:
    """Queries that differ only in their values have the same shape (one compiled SQL)."""
    one, _ = parse(ENTITIES["accounts"], {"filter": {"lastname": {"~~": "a%"}}, "limit": 5})
    other, _ = parse(ENTITIES["accounts"], {"filter": {"lastname": {"~~": "b%"}}, "limit": 9})
    assert one.shape() == other.shape()
    longer, _ = parse(ENTITIES["accounts"], {"filter": {"type": [1, 2]}})
    shorter, _ = parse(ENTITIES["accounts"], {"filter": {"type": [1]}})
    assert longer.shape() != shorter.shape()
