"""Reports: the records of an entity grouped by one or two fields, with counts and sums,
within the caller's rights exactly as the list operation (`POST /{entity}`) reads them.

    report = await group_report(db, caller, "transactions", {
        "group": ["account", "date:month"],           # 1 or 2 fields; time stamps :day|:month|:year
        "measures": ["count", "sum:netamount"],       # count, sum|avg|min|max:<numeric field>
        "filters": {"type": 3, "status": {"!=": 0}},  # the ZeyOS JSON query filter
        "sort": ["-sum:netamount"],                   # optional: columns, `-` descending
        "limit": 100})                                # groups, 1 to 10000 (default 1000)
    report.columns  # ("account", "date:month", "count", "sum:netamount")
    report.rows     # [(12, "2026-01", 3, Decimal("1250.00")), ...]
    report.labels   # {"account": {12: "ACME"}}
    report.to_csv() # RFC 4180 text with a header row

Every name is resolved through the registry (the filter by the query parser, which the
list operation uses too); a wrong spec is an `InvalidFieldError` naming its key (`group`,
`measures[2]`, `filters: ...`).  Amounts are `Decimal`: a sum or an average of a number
field is taken in whole cents (`storage/buckets.cents`), exactly, on both databases; a
minimum or maximum is the stored value as written.  Time buckets are UTC.  Docs:
`docs/reports.md`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa

from comptoir.errors import InvalidFieldError
from comptoir.query import compiler, json_query
from comptoir.query.ast import FieldRef, Filter, Query, Selected, walk
from comptoir.query.operators import REGEX_TIMEOUT, Family
from comptoir.schema.entity import Entity, Op
from comptoir.schema.fields import Field, Kind, Managed
from comptoir.schema.modules import OF_ENTITY
from comptoir.schema.registry import ENTITIES
from comptoir.services.access import Caller, check_operation, view_of, visible_on
from comptoir.services.queries import csv_cell
from comptoir.services.records import entity_for
from comptoir.storage.buckets import UNITS, cents, time_bucket
from comptoir.storage.database import Connection, Database
from comptoir.storage.tables import TABLES
from comptoir.wire.values import stored_decimal

SPEC_KEYS = ("group", "measures", "filters", "sort", "limit")
AGGREGATES = ("sum", "avg", "min", "max")
DEFAULT_LIMIT = 1000
MAX_LIMIT = 10000
MAX_MEASURES = 10
CENT = Decimal("0.01")
#: the kinds a report groups by (a time stamp only in buckets), and aggregates
_GROUPABLE = frozenset({Kind.ENUM, Kind.REF, Kind.TEXT, Kind.ENTITY, Kind.INT, Kind.BIGINT})
_NUMERIC = frozenset({Kind.NUMBER, Kind.INT, Kind.BIGINT})
#: IDs looked up per statement when labelling references (padded: one statement shape)
_LABEL_BATCH = 100


@dataclass(frozen=True, slots=True)
class Grouping:
    token: str  # as written: "date:month"
    ref: FieldRef
    field: Field
    unit: str | None = None  # a time bucket


@dataclass(frozen=True, slots=True)
class Measure:
    token: str  # as written: "sum:netamount"
    function: str  # count, sum, avg, min, max
    ref: FieldRef | None = None
    field: Field | None = None


@dataclass(frozen=True, slots=True)
class ReportSpec:
    """A report spec checked against the registry."""

    entity: str
    group: tuple[Grouping, ...]
    measures: tuple[Measure, ...]
    where: Filter | None = None
    #: (column index, descending); empty: the groups in ascending order
    sort: tuple[tuple[int, bool], ...] = ()
    limit: int = DEFAULT_LIMIT

    @property
    def columns(self) -> tuple[str, ...]:
        return (*(g.token for g in self.group), *(m.token for m in self.measures))


@dataclass(frozen=True)
class Report:
    """The groups of a report: one row per group, the group values first (enum values and
    reference IDs as stored, time buckets as ISO text), then the measures."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    #: group column -> value -> label (enum labels; the referenced records' names)
    labels: Mapping[str, Mapping[Any, str]] = field(default_factory=dict)
    #: more groups matched than the limit: the rows are the first `limit` of them
    truncated: bool = False

    def label(self, column: str, value: Any) -> str | None:
        return self.labels.get(column, {}).get(value)

    def to_csv(self) -> str:
        """CSV text (RFC 4180: comma, CRLF, a header row); a labelled group column is
        followed by `<column>:label`; amounts are exact decimal strings; null is empty."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        labelled = [c in self.labels for c in self.columns]
        header: list[str] = []
        for name, has in zip(self.columns, labelled, strict=True):
            header.extend((name, f"{name}:label") if has else (name,))
        writer.writerow([csv_cell(h) for h in header])
        for row in self.rows:
            cells: list[Any] = []
            for name, has, value in zip(self.columns, labelled, row, strict=True):
                cells.append("" if value is None else format(value, "f")
                             if isinstance(value, Decimal) else csv_cell(value))
                if has:
                    cells.append(csv_cell(self.label(name, value) or ""))
            writer.writerow(cells)
        return buffer.getvalue()


# --- the spec ------------------------------------------------------------------------------


def _show(token: Any) -> str:
    text = token if isinstance(token, str) else repr(token)
    return text if len(text) <= 80 else text[:77] + "..."


def _tokens(value: Any, key: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InvalidFieldError(key, "must be an array of names")
    if len(set(value)) != len(value):
        raise InvalidFieldError(key, "names a column twice")
    return value


def _grouping(entity: Entity, token: str, key: str) -> Grouping:
    name, colon, unit = token.partition(":")
    ref = json_query.resolve(entity, name, key)
    f = json_query.field_of(entity, ref)
    if f is None:
        raise InvalidFieldError(key, f"{token}: custom fields are not grouped by")
    if f.kind not in _GROUPABLE:
        raise InvalidFieldError(key, f"{token}: {f.kind.value} fields are not grouped by")
    if colon and not f.is_timestamp:
        raise InvalidFieldError(key, f"{token}: only a time stamp takes a bucket")
    if colon and unit not in UNITS:
        raise InvalidFieldError(key, f"{token}: the bucket is one of {', '.join(UNITS)}")
    if f.is_timestamp and not colon:
        raise InvalidFieldError(key, f"{token}: a time stamp is grouped by "
                                f"{name}:day, {name}:month or {name}:year")
    return Grouping(token, ref, f, unit or None)


def _measure(entity: Entity, token: str, key: str) -> Measure:
    if token == "count":
        return Measure(token, "count")
    function, colon, name = token.partition(":")
    if not colon or function not in AGGREGATES:
        raise InvalidFieldError(key, f"{token}: a measure is count or "
                                f"{'|'.join(AGGREGATES)}:<field>")
    ref = json_query.resolve(entity, name, key)
    f = json_query.field_of(entity, ref)
    if f is None or f.kind not in _NUMERIC or f.managed is Managed.ID or (
            function in ("sum", "avg") and f.is_timestamp):
        raise InvalidFieldError(key, f"{token}: {function} applies to number fields only")
    return Measure(token, function, ref, f)


def _limit(value: Any) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIMIT:
        raise InvalidFieldError("limit", f"must be an integer from 1 to {MAX_LIMIT}")
    return value


def parse_spec(entity: Entity, spec: Mapping[str, Any]) -> ReportSpec:
    """A report spec checked: every name through the registry, every value by its field."""
    if not isinstance(spec, Mapping):
        raise InvalidFieldError("spec", "must be an object")
    for key in spec:
        if key not in SPEC_KEYS:
            raise InvalidFieldError(_show(key), "unknown report parameter")
    names = _tokens(spec.get("group"), "group")
    if not 1 <= len(names) <= 2:
        raise InvalidFieldError("group", "groups by one or two fields")
    group = tuple(_grouping(entity, t, f"group[{n}]") for n, t in enumerate(names, 1))
    tokens = _tokens(spec.get("measures") or ["count"], "measures")
    if len(tokens) > MAX_MEASURES:
        raise InvalidFieldError("measures", f"at most {MAX_MEASURES} measures")
    measures = tuple(_measure(entity, t, f"measures[{n}]") for n, t in enumerate(tokens, 1))
    where = None
    if spec.get("filters") not in (None, "", [], {}):
        where = json_query.parse(entity, {"filters": spec["filters"]})[0].where
    columns = (*names, *tokens)
    sort = []
    for n, token in enumerate(_tokens(spec.get("sort") or [], "sort"), 1):
        descending = token.startswith("-")
        name = token[1:] if token[:1] in "+-" else token
        if name not in columns:
            raise InvalidFieldError(f"sort[{n}]", f"{name} is not a column of the report")
        sort.append((columns.index(name), descending))
    return ReportSpec(entity.name, group, measures, where, tuple(sort), _limit(spec.get("limit")))


# --- the statement -------------------------------------------------------------------------


def _query(spec: ReportSpec) -> Query:
    """The fields a report reads, as a list query (for its joins, filter and visibility)."""
    refs = [*(g.ref for g in spec.group), *(m.ref for m in spec.measures if m.ref)]
    return Query(spec.entity, fields=tuple(Selected(f"f{i}", r) for i, r in enumerate(refs)),
                 where=spec.where, limit=None)


def _aggregates(m: Measure, column: sa.ColumnElement[Any] | None) -> list[sa.ColumnElement[Any]]:
    """The SQL of a measure: one column, or two for an average (its sum and count)."""
    if column is None:
        return [sa.func.count()]
    assert m.field is not None
    exact = cents(column) if m.field.kind is Kind.NUMBER else column
    if m.function == "sum":
        return [sa.func.sum(exact)]
    if m.function == "avg":
        return [sa.func.sum(exact), sa.func.count(column)]
    return [sa.func.min(column) if m.function == "min" else sa.func.max(column)]


def _statement(spec: ReportSpec, caller: Caller) -> sa.Select[Any]:
    source = compiler.compile_source(_query(spec), lambda e, table, prefix: visible_on(
        e, caller, table, prefix))
    keys = [time_bucket(source.column(g.ref), g.unit) if g.unit else source.column(g.ref)
            for g in spec.group]
    measures = [_aggregates(m, None if m.ref is None else source.column(m.ref))
                for m in spec.measures]
    selected = [k.label(f"g{i}") for i, k in enumerate(keys)]
    for i, parts in enumerate(measures):
        selected.extend(p.label(f"m{i}{'n' if j else ''}") for j, p in enumerate(parts))
    # a column sorts by its value (an average: by its sum over its count)
    by_column = [*keys, *(p[0] if len(p) == 1 else p[0] * 1.0 / sa.func.nullif(p[1], 0)
                          for p in measures)]
    order = [by_column[i].desc().nulls_first() if descending else by_column[i].asc().nulls_last()
             for i, descending in spec.sort]
    order.extend(k.asc().nulls_last() for k in keys)
    return (sa.select(*selected).select_from(source.from_).where(*source.where)
            .group_by(*keys).order_by(*order).limit(sa.bindparam("limit")))


def _value(m: Measure, row: Mapping[str, Any], i: int) -> Any:
    value = row[f"m{i}"]
    if m.function == "count":
        return int(value)
    assert m.field is not None
    number = m.field.kind is Kind.NUMBER
    if m.function == "sum":
        return Decimal(value or 0).scaleb(-2).quantize(CENT) if number else int(value or 0)
    if m.function == "avg":
        count = int(row[f"m{i}n"])
        if not count:
            return None
        total = Decimal(value).scaleb(-2) if number else Decimal(value)
        return (total / count).quantize(CENT, rounding=ROUND_HALF_UP)
    if value is None:
        return None
    return stored_decimal(value) if number else int(value)


async def group_report(db: Database, caller: Caller, entity_name: str,
                       spec: Mapping[str, Any]) -> Report:
    """The groups of the records of `entity_name` the caller may list (module docstring)."""
    entity = entity_for(entity_name, Op.LIST)
    check_operation(entity, caller, write=False)
    checked = parse_spec(entity, spec)
    query = _query(checked)
    key = ("report", query.shape(), checked.columns, checked.sort,
           view_of(caller, compiler.joined_entities(query)))
    params = compiler.bind(query)
    params.update(limit=checked.limit + 1, caller=caller.user)
    regex = any(c.op.family is Family.REGEX for c in walk(query.where))
    async with db.read() as conn:
        found = await conn.all(lambda: _statement(checked, caller), params, key=key,
                               timeout=REGEX_TIMEOUT if regex else None)
        rows = [(*(row[f"g{i}"] for i in range(len(checked.group))),
                 *(_value(m, row, i) for i, m in enumerate(checked.measures)))
                for row in found[:checked.limit]]
        labels: dict[str, Mapping[Any, str]] = {}
        for i, g in enumerate(checked.group):
            values = {row[i] for row in rows if row[i] is not None}
            if g.field.kind is Kind.ENUM:
                labels[g.token] = {v: g.field.choices[v] for v in sorted(values)
                                   if v in g.field.choices}
            elif g.field.kind is Kind.REF and g.field.ref in ENTITIES:
                names = await reference_labels(conn, caller, ENTITIES[g.field.ref], values)
                if names is not None:
                    labels[g.token] = names
    return Report(checked.columns, rows, labels, truncated=len(found) > checked.limit)


# --- labels of referenced records ----------------------------------------------------------


def label_fields(entity: Entity) -> tuple[str, ...]:
    """The text fields whose values, joined by a space, name a record: those of its
    webservice module (`Accounts`: accountname, that is `lastname`), else its name."""
    for module in OF_ENTITY.get(entity.name, ()):
        sources = {f.name: f.source for f in module.fields}
        names = tuple(sources[n] for n in module.label_fields if n in sources)
        if names and all((f := entity.field(n)) is not None and f.kind is Kind.TEXT
                         and not f.hidden for n in names):
            return names
    for name in ("name", "lastname", "subject", "title"):
        f = entity.field(name)
        if f is not None and f.kind is Kind.TEXT and not f.hidden:
            return (name,)
    return ()


def _label_statement(entity: Entity, caller: Caller, names: Sequence[str]) -> sa.Select[Any]:
    table = TABLES[entity.name]
    where: list[sa.ColumnElement[bool]] = [
        table.c.ID.in_([sa.bindparam(f"i{n}") for n in range(_LABEL_BATCH)])]
    if (rule := visible_on(entity, caller, table)) is not None:
        where.append(rule)
    return sa.select(table.c.ID, *(table.c[n] for n in names)).where(*where)


async def reference_labels(conn: Connection, caller: Caller, entity: Entity,
                           ids: set[Any]) -> dict[Any, str] | None:
    """The labels of the records of `entity` with these IDs that the caller may see
    (None: the entity has no label fields); the others have none."""
    names = label_fields(entity)
    if not names:
        return None
    wanted = sorted(ids)
    key = ("report-labels", entity.name, view_of(caller, [entity]))
    found: dict[Any, str] = {}
    for start in range(0, len(wanted), _LABEL_BATCH):
        batch = wanted[start:start + _LABEL_BATCH]
        params: dict[str, Any] = {f"i{n}": batch[min(n, len(batch) - 1)]
                                  for n in range(_LABEL_BATCH)}
        params["caller"] = caller.user
        for row in await conn.all(lambda: _label_statement(entity, caller, names), params,
                                  key=key):
            found[row["ID"]] = " ".join(str(row[n]) for n in names if row[n]).strip()
    return found
