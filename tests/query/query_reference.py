"""A reference model of the query semantics, in Python, for `test_differential.py`: which
records a query finds, and in which order, computed from the records themselves.

- SQL's three-valued logic: a comparison with a null field is unknown, NOT unknown is
  unknown, and only records for which the filter is true are found; `!=` and `!IN` do not
  match nulls; an empty IN list matches nothing, an empty !IN list everything.
- A custom field compares as a number (its numeric value) with a number and as text with
  a string; `= null` means the record has no such field.
- LIKE: `%`, `_` and `\\` escapes; case-insensitive: both sides in lower case
  (`str.lower()`).  Regular expressions: RE2's `search`, `.` matching a newline too (as
  PostgreSQL's), `(?i)` for the case-insensitive operators.
- A search finds records where every word occurs, in lower case, in one searchable text.
- The caller sees records by function permission and ownership (`services/access.py`);
  a joined record the caller may not see is all nulls.
- Order: the sort keys (a custom field by its number, then its text), nulls last ascending
  and first descending, then the ID.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import re2

from comptoir.query.ast import Compare, FieldRef, Filter, Query
from comptoir.query.operators import Family
from comptoir.schema.entity import Entity, Ownership
from comptoir.schema.fields import Kind
from comptoir.schema.registry import ENTITIES
from comptoir.services.access import Caller


@dataclass
class World:
    """Every record a query may read: entity -> ID -> row, and the custom fields."""

    records: dict[str, dict[int, dict[str, Any]]]
    #: entity -> record ID -> custom field name -> (textvalue, numvalue)
    custom: dict[str, dict[int, dict[str, tuple[str | None, float | None]]]]


Truth = bool | None  # SQL's three values: None is unknown


def _and(values: Sequence[Truth]) -> Truth:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _or(values: Sequence[Truth]) -> Truth:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def _not(value: Truth) -> Truth:
    return None if value is None else not value


@functools.lru_cache(maxsize=1024)
def _regex(pattern: str, ignore_case: bool) -> Any:
    """A regular expression as RE2 reads it, `.` matching a newline too (as PostgreSQL
    reads it); `(?i)`: case-insensitive."""
    return re2.compile(("(?is)" if ignore_case else "(?s)") + pattern)


@functools.lru_cache(maxsize=1024)
def like_regex(pattern: str) -> re.Pattern[str]:
    """A LIKE pattern (`%`, `_`, `\\` escapes) as a Python regular expression."""
    out, chars = [], iter(pattern)
    for c in chars:
        if c == "\\":
            out.append(re.escape(next(chars)))
        elif c == "%":
            out.append(".*")
        elif c == "_":
            out.append(".")
        else:
            out.append(re.escape(c))
    return re.compile("".join(out), re.DOTALL)


class Reference:
    """What a query should answer, computed from the records in Python."""

    def __init__(self, world: World, caller: Caller) -> None:
        self.world, self.caller = world, caller

    def visible(self, entity: Entity, record: Mapping[str, Any]) -> bool:
        caller = self.caller
        if caller.admin:
            return True
        if not caller.may(entity.read, write=False):
            return False
        if entity.ownership is Ownership.NONE:
            return True
        group, user = record.get("ownergroup"), record.get("owneruser")
        if group is not None and group in caller.groups:
            return True
        if entity.ownership is Ownership.USER_OR_GROUP and user == caller.user:
            return True
        public = group is None and (entity.ownership is Ownership.GROUP or user is None)
        return public and not caller.nopublic

    def record(self, name: str, rid: int | None) -> Mapping[str, Any] | None:
        if rid is None:
            return None
        found = self.world.records.get(name, {}).get(rid)
        if found is None or not self.visible(ENTITIES[name], found):
            return None
        return found

    def value(self, entity: Entity, row: Mapping[str, Any], ref: FieldRef) -> Any:
        """A field's value (a custom field: (textvalue, numvalue), or None)."""
        if ref.extdata:
            return self.world.custom[entity.name][row["ID"]].get(ref.name)
        if ref.via is None:
            return row[ref.name]
        target = self.record(entity.by_name[ref.via].ref or "", row[ref.via])
        return None if target is None else target[ref.name]

    def compare(self, entity: Entity, row: Mapping[str, Any], c: Compare) -> Truth:
        v = self.value(entity, row, c.field)
        op = c.op
        if c.field.extdata:
            text, number = v if v is not None else (None, None)
            if c.value is None:
                missing = text is None and number is None
                return missing if op.comparison == "=" else not missing
            if op.family is Family.MEMBER:
                numbers = [x for x in c.value if isinstance(x, float)]
                strings = [x for x in c.value if not isinstance(x, float)]
                member = _or([self.member(number, numbers) if numbers else False,
                              self.member(text, strings) if strings else False])
                return _not(member) if op.negated else member
            v = number if isinstance(c.value, float) else text
        if op.family is Family.COMPARE:
            if c.value is None:
                return (v is None) if op.comparison == "=" else (v is not None)
            if v is None:
                return None
            return {"=": v == c.value, "!=": v != c.value, "<": v < c.value,
                    "<=": v <= c.value, ">": v > c.value, ">=": v >= c.value}[op.comparison]
        if op.family is Family.MEMBER:
            if not c.value:
                return op.negated
            member = self.member(v, list(c.value))
            return _not(member) if op.negated else member
        if v is None:
            return None
        if op.family is Family.REGEX:
            match = _regex(c.value, op.ignore_case).search(v) is not None
        else:
            if op.ignore_case:  # both sides in lower case
                match = like_regex(c.value.lower()).fullmatch(v.lower()) is not None
            else:
                match = like_regex(c.value).fullmatch(v) is not None
        return not match if op.negated else match

    @staticmethod
    def member(v: Any, values: list[Any]) -> Truth:
        return None if v is None else v in values

    def where(self, entity: Entity, row: Mapping[str, Any], node: Filter | None) -> Truth:
        if node is None:
            return True
        if isinstance(node, Compare):
            return self.compare(entity, row, node)
        items = [self.where(entity, row, item) for item in node.items]
        if node.kind == "OR":
            return _or(items)
        return _not(_and(items)) if node.kind == "NOT" else _and(items)

    def found(self, entity: Entity, row: Mapping[str, Any], query: Query) -> bool:
        if not self.visible(entity, row) or self.where(entity, row, query.where) is not True:
            return False
        searchable = [f.name for f in entity.searchable if f.kind is Kind.TEXT]
        return all(any(word.lower() in row[f].lower() for f in searchable)
                   for word in (query.search or "").split())

    def ids(self, query: Query) -> list[int]:
        """The IDs of the records a query finds, in order, paged."""
        entity = ENTITIES[query.entity]
        rows = [row for row in self.world.records[entity.name].values()
                if self.found(entity, row, query)]

        def order(a: Mapping[str, Any], b: Mapping[str, Any]) -> int:
            for key in query.sort:
                va, vb = self.value(entity, a, key.field), self.value(entity, b, key.field)
                pairs = list(zip(va or (None, None), vb or (None, None), strict=True)
                             )[::-1] if key.field.extdata else [(va, vb)]
                for x, y in pairs:
                    found = _compare_sorted(x, y, key.descending)
                    if found:
                        return found
            return (a["ID"] > b["ID"]) - (a["ID"] < b["ID"])

        rows.sort(key=functools.cmp_to_key(order))
        ids = [row["ID"] for row in rows]
        end = None if query.limit is None else query.offset + query.limit
        return ids[query.offset:end]


def _compare_sorted(x: Any, y: Any, descending: bool) -> int:
    """Ascending: nulls last; descending: nulls first."""
    if x is None or y is None:
        if x is None and y is None:
            return 0
        first = -1 if descending else 1  # where a null goes
        return first if x is None else -first
    found = (x > y) - (x < y)
    return -found if descending else found
