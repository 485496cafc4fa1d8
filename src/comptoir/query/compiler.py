"""A `Query` compiled to one SQLAlchemy Core statement, for SQLite and PostgreSQL alike.

    statement = compile_query(query, visibility)     # built once per query shape
    params = bind(query)                             # the values, on every request
    outputs = columns(query)                         # how to read the rows back

- Every value is a bound parameter with a name given by its position in the query (`p3`,
  `p3_0` for the items of an IN list, `x0` for custom field names, `s0` for search words),
  so that one compiled statement serves every query of the same `Query.shape()`.
- A joined entity (`contact.city`) is a LEFT OUTER JOIN whose ON clause carries the
  caller's visibility rule for that entity: the fields of a record the caller may not read
  come back as null, and filters on them match nothing.
- A custom field (`extdata.nickname`) is a LEFT OUTER JOIN on the entity's extdata table;
  it compares as a number with numbers and as text with strings.
- Sorting puts nulls last (first when descending), as PostgreSQL does, on both databases,
  then orders by ID (or, with `distinct`, by every selected column) so that pages are
  stable.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from comptoir.query.ast import Compare, FieldRef, Filter, Group, Query, walk
from comptoir.query.json_query import field_of
from comptoir.query.operators import Family
from comptoir.schema.entity import Entity
from comptoir.schema.fields import Field, Kind
from comptoir.schema.registry import ENTITIES
from comptoir.storage.database import fold
from comptoir.storage.tables import EXTDATA, TABLES, TAGS

#: the row rule of an entity in a table or alias (its own aliases start with the prefix);
#: None: every record
Visibility = Callable[[Entity, sa.FromClause, str], sa.ColumnElement[bool] | None]

_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge,
}
_TEXT = (Kind.TEXT, Kind.ENTITY)


@dataclass(frozen=True, slots=True)
class Output:
    """One key of an answer row: its label(s) in the SQL, and its field (None: custom)."""

    key: str
    label: str
    field: Field | None


def columns(query: Query) -> tuple[Output, ...]:
    entity = ENTITIES[query.entity]
    if not query.fields:
        return tuple(Output(f.name, f"c{i}", f) for i, f in enumerate(entity.public_fields))
    return tuple(Output(s.key, f"c{i}", field_of(entity, s.field))
                 for i, s in enumerate(query.fields))


def _refs(query: Query) -> Iterator[FieldRef]:
    """The fields a query's SQL touches (a count: only those of its filter)."""
    for c in walk(query.where):
        yield c.field
    if not query.count:
        yield from (s.field for s in query.fields)
        yield from (k.field for k in query.sort)


def _joined(query: Query) -> list[str]:
    return sorted({r.via for r in _refs(query) if r.via is not None})


def _custom(query: Query) -> list[str]:
    return sorted({r.name for r in _refs(query) if r.extdata})


def _required(where: Filter | None) -> set[str]:
    """The joins a filter needs a record on the other side of: those with a comparison
    in the filter's top-level AND that no null passes.  In a count they compile to inner
    joins, which let SQLite start from the joined table's index (PostgreSQL finds that by
    itself)."""
    if where is None or isinstance(where, Group) and where.kind != "AND":
        return set()
    if isinstance(where, Group):
        return set().union(*(_required(item) for item in where.items))
    c = where
    passes_null = ((c.value is None and c.op.comparison == "=")
                   or (c.op.family is Family.MEMBER and c.op.negated and not c.value))
    return set() if c.field.via is None or passes_null else {c.field.via}


def joined_entities(query: Query) -> list[Entity]:
    """The entities a query reads, the queried one first."""
    entity = ENTITIES[query.entity]
    return [entity, *(ENTITIES[entity.by_name[via].ref or ""] for via in _joined(query))]


def search_words(query: Query) -> list[str]:
    return query.search.split() if query.search else []


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def bind(query: Query) -> dict[str, Any]:
    """The bound values of a query, named as `compile_query` names them."""
    params: dict[str, Any] = {}
    for i, c in enumerate(walk(query.where)):
        if c.op.family is Family.MEMBER:
            params.update((f"p{i}_{j}", v) for j, v in enumerate(c.value))
        elif c.op.family is Family.REGEX:
            # `.` matches a newline too, as in PostgreSQL (RE2: (?s)); (?i): ignore case
            params[f"p{i}"] = ("(?is)" if c.op.ignore_case else "(?s)") + c.value
        elif c.value is not None:
            params[f"p{i}"] = c.value
    params.update((f"x{k}", name) for k, name in enumerate(_custom(query)))
    params.update((f"s{i}", f"%{_like_escape(w.lower())}%")
                  for i, w in enumerate(search_words(query)))
    if not query.count:
        if query.limit is not None:
            params["limit"] = query.limit
        params["offset"] = query.offset
    return params


class _Compiler:
    def __init__(self, query: Query, visibility: Visibility) -> None:
        self.query = query
        self.entity = ENTITIES[query.entity]
        self.base = TABLES[self.entity.name]
        self.source: sa.FromClause = self.base
        self.joins: dict[str, sa.FromClause] = {}
        # a count may start from a joined table (an inner join lets SQLite do that); a
        # list is best driven by the queried table, in the order of its sort and limit
        required = _required(query.where) if query.count else set()
        for via in _joined(query):
            target = ENTITIES[self.entity.by_name[via].ref or ""]
            alias = TABLES[target.name].alias(f"j_{via}")
            on: sa.ColumnElement[bool] = alias.c.ID == self.base.c[via]
            rule = visibility(target, alias, f"j_{via}_")
            if rule is not None:
                on = sa.and_(on, rule)
            self.source = self.source.join(alias, on, isouter=via not in required)
            self.joins[via] = alias
        self.custom: dict[str, sa.FromClause] = {}
        for k, name in enumerate(_custom(query)):
            table = EXTDATA[self.entity.name].alias(f"x{k}")
            on = sa.and_(table.c.record == self.base.c.ID, table.c.name == sa.bindparam(f"x{k}"))
            self.source = self.source.outerjoin(table, on)
            self.custom[name] = table
        self.rule = visibility(self.entity, self.base, "")

    def column(self, ref: FieldRef) -> sa.ColumnElement[Any]:
        if ref.via is not None:
            return self.joins[ref.via].c[ref.name]
        return self.base.c[ref.name]

    def where(self) -> list[sa.ColumnElement[bool]]:
        found = []
        if self.rule is not None:
            found.append(self.rule)
        if self.query.where is not None:
            self.numbered = 0  # comparisons are numbered in the order of `walk`
            found.append(self.condition(self.query.where))
        words = search_words(self.query)
        if words:
            fields = [f for f in self.entity.searchable if f.kind in _TEXT]
            found.extend(sa.or_(*(fold(self.base.c[f.name]).like(sa.bindparam(f"s{i}"),
                                                                   escape="\\")
                                  for f in fields))
                         for i in range(len(words)))
        return found

    def condition(self, node: Filter) -> sa.ColumnElement[bool]:
        if isinstance(node, Group):
            items = [self.condition(item) for item in node.items]
            if node.kind == "OR":
                return sa.or_(*items)
            both = sa.and_(*items)
            return sa.not_(both) if node.kind == "NOT" else both
        self.numbered += 1
        return self.compare(node, self.numbered - 1)

    def compare(self, c: Compare, i: int) -> sa.ColumnElement[bool]:
        if c.field.extdata:
            return self.compare_custom(c, i)
        if c.field.tag:
            return self.compare_tags(c, i)
        return _compare(self.column(c.field), c, i)

    def compare_tags(self, c: Compare, i: int) -> sa.ColumnElement[bool]:
        """Has a tag that compares (=, IN), or none that does (!IN): an EXISTS over the
        entity's tags table, served by its (tag, record) index."""
        tags = TAGS[self.entity.name]
        wanted: sa.ColumnElement[bool]
        if c.op.family is Family.MEMBER:
            wanted = tags.c.tag.in_([sa.bindparam(f"p{i}_{j}") for j in range(len(c.value))])
        else:
            wanted = tags.c.tag == sa.bindparam(f"p{i}")
        found = sa.exists().where(tags.c.record == self.base.c.ID, wanted)
        return sa.not_(found) if c.op.negated else found

    def compare_custom(self, c: Compare, i: int) -> sa.ColumnElement[bool]:
        table = self.custom[c.field.name]
        text, number = table.c.textvalue, table.c.numvalue
        if c.op.family is Family.MEMBER:
            numbers: list[sa.BindParameter[Any]] = [sa.bindparam(f"p{i}_{j}") for j, v in enumerate(c.value)
                       if isinstance(v, float)]
            texts: list[sa.BindParameter[Any]] = [sa.bindparam(f"p{i}_{j}") for j, v in enumerate(c.value)
                     if not isinstance(v, float)]
            member = sa.or_(number.in_(numbers) if numbers else sa.false(),
                            text.in_(texts) if texts else sa.false())
            return sa.not_(member) if c.op.negated else member
        if c.value is None:
            missing = sa.and_(text.is_(None), number.is_(None))
            return missing if c.op.comparison == "=" else sa.not_(missing)
        return _compare(number if isinstance(c.value, float) else text, c, i)

    def order(self) -> list[sa.ColumnElement[Any]]:
        keys: list[sa.ColumnElement[Any]] = []
        for key in self.query.sort:
            exprs = ([self.custom[key.field.name].c.numvalue,
                      self.custom[key.field.name].c.textvalue]
                     if key.field.extdata else [self.column(key.field)])
            for e in exprs:
                keys.append(e.desc().nulls_first() if key.descending else e.asc().nulls_last())
        if self.query.distinct:
            keys.extend(e.asc().nulls_last() for e in self.selected())
        else:
            keys.append(self.base.c.ID.asc())
        return keys

    def selected(self) -> list[sa.ColumnElement[Any]]:
        if not self.query.fields:
            return [self.base.c[f.name] for f in self.entity.public_fields]
        found: list[sa.ColumnElement[Any]] = []
        for s in self.query.fields:
            if s.field.extdata:
                table = self.custom[s.field.name]
                found.extend((table.c.textvalue, table.c.numvalue))
            else:
                found.append(self.column(s.field))
        return found

    def labelled(self) -> list[sa.ColumnElement[Any]]:
        if not self.query.fields:
            return [self.base.c[f.name].label(f"c{i}")
                    for i, f in enumerate(self.entity.public_fields)]
        found: list[sa.ColumnElement[Any]] = []
        for i, s in enumerate(self.query.fields):
            if s.field.extdata:
                table = self.custom[s.field.name]
                found.extend((table.c.textvalue.label(f"c{i}"),
                              table.c.numvalue.label(f"c{i}n")))
            else:
                found.append(self.column(s.field).label(f"c{i}"))
        return found

    def statement(self) -> sa.Select[Any]:
        if self.query.count:
            return sa.select(sa.func.count()).select_from(self.source).where(*self.where())
        stmt = sa.select(*self.labelled()).select_from(self.source).where(*self.where())
        if self.query.distinct:
            stmt = stmt.distinct()
        stmt = stmt.order_by(*self.order())
        if self.query.limit is not None:
            stmt = stmt.limit(sa.bindparam("limit"))
        return stmt.offset(sa.bindparam("offset"))


def _compare(column: sa.ColumnElement[Any], c: Compare, i: int) -> sa.ColumnElement[bool]:
    op = c.op
    if op.family is Family.COMPARE:
        if c.value is None:
            return column.is_(None) if op.comparison == "=" else column.is_not(None)
        return _COMPARISONS[op.comparison](column, sa.bindparam(f"p{i}"))  # type: ignore[no-any-return]
    if op.family is Family.MEMBER:
        if not c.value:
            return sa.true() if op.negated else sa.false()
        values: list[sa.BindParameter[Any]] = [sa.bindparam(f"p{i}_{j}") for j in range(len(c.value))]
        return column.not_in(values) if op.negated else column.in_(values)
    value: sa.BindParameter[Any] = sa.bindparam(f"p{i}")
    if op.family is Family.REGEX:
        match = column.regexp_match(value)
    elif op.ignore_case:
        match = fold(column).like(fold(value), escape="\\")
    else:
        match = column.like(value, escape="\\")
    return sa.not_(match) if op.negated else match


def compile_query(query: Query, visibility: Visibility) -> sa.Select[Any]:
    """The statement of a query (a list, or a count)."""
    return _Compiler(query, visibility).statement()


@dataclass(frozen=True, slots=True)
class Source:
    """What a statement other than a list or a count (a grouped report) is built on: the
    FROM clause of a query with its joins, its WHERE conditions (the caller's visibility,
    the filter, the search words) and the column of each of its fields."""

    from_: sa.FromClause
    where: tuple[sa.ColumnElement[bool], ...]
    column: Callable[[FieldRef], sa.ColumnElement[Any]]


def compile_source(query: Query, visibility: Visibility) -> Source:
    """The source of a query whose selected fields (`Query.fields`, without custom
    fields) are the columns a caller's own statement groups or aggregates; its values are
    bound by `bind` as for a list."""
    compiled = _Compiler(query, visibility)
    return Source(compiled.source, tuple(compiled.where()), compiled.column)
