"""The query AST: what a list query asks for, whichever language it was written in.

The ZeyOS JSON query (`json_query.py`) and VTQL (the webservice) both parse into a `Query`;
`compiler.py` turns a `Query` into one SQL statement.  Every name in the AST has already
been resolved through the registry by the parser: a `FieldRef` always names a real,
visible field (or a custom field), so the compiler never meets an unknown name.

    Query("accounts",
          fields=(Selected("Name", FieldRef("lastname")),
                  Selected("Town", FieldRef("city", via="contact"))),
          where=Group("AND", (Compare(FieldRef("country", via="contact"), IN, ("DE", "AT")),)),
          sort=(SortKey(FieldRef("lastname")),), limit=3)

`shape()` of a query is its structure without its values: two queries of one shape compile
to the same SQL, so the compiled statement is cached under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from comptoir.query.operators import Family, Operator


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A field of the queried entity (`lastname`), of the record one of its references
    points to (`contact.city`: `via="contact"`), or a custom field (`extdata.nickname`:
    `extdata=True`, `name="nickname"`)."""

    name: str
    via: str | None = None
    extdata: bool = False
    #: the record's tags (`"filter": {"tags": "vip"}`): true when one of them compares
    tag: bool = False

    @property
    def token(self) -> str:
        """As written in a query."""
        prefix = f"{self.via}." if self.via else ""
        return prefix + ("extdata." if self.extdata else "") + self.name


@dataclass(frozen=True, slots=True)
class Selected:
    """A selected field and the key it has in the answer."""

    key: str
    field: FieldRef


@dataclass(frozen=True, slots=True)
class Compare:
    """`field <op> value`; for IN/!IN `value` is a tuple; `None` compares as IS NULL."""

    field: FieldRef
    op: Operator
    value: Any

    def shape(self) -> tuple[Any, ...]:
        if self.op.family is Family.MEMBER and self.field.extdata:  # numbers, then texts
            detail: Any = tuple(type(v).__name__ for v in self.value)
        elif self.op.family is Family.MEMBER:
            detail = len(self.value)
        elif self.field.extdata:  # a number compares with numvalue, text with textvalue
            detail = type(self.value).__name__
        else:
            detail = self.value is None
        return ("cmp", self.field, self.op.symbol, detail)


@dataclass(frozen=True, slots=True)
class Group:
    """AND / OR of its items; NOT is the negation of the AND of its items."""

    kind: Literal["AND", "OR", "NOT"]
    items: tuple[Filter, ...]

    def shape(self) -> tuple[Any, ...]:
        return (self.kind, *(item.shape() for item in self.items))


Filter = Compare | Group


@dataclass(frozen=True, slots=True)
class SortKey:
    field: FieldRef
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    entity: str
    #: empty: every field of the entity, in declaration order
    fields: tuple[Selected, ...] = ()
    where: Filter | None = None
    #: a search string, matched against the entity's searchable text fields
    search: str | None = None
    sort: tuple[SortKey, ...] = ()
    #: None: no limit (an export)
    limit: int | None = 1000
    offset: int = 0
    count: bool = False
    distinct: bool = False
    #: binfile and JSON fields whose content the answer carries
    expand: tuple[str, ...] = ()

    def shape(self) -> tuple[Any, ...]:
        """Everything that decides the SQL text, nothing that is only a bound value."""
        where = None if self.where is None else self.where.shape()
        words = len(self.search.split()) if self.search else 0  # one condition per word
        if self.count:
            return ("count", self.entity, where, words)
        return (self.entity, self.fields, where, words, self.sort, self.limit is None,
                self.distinct)


def walk(node: Filter | None) -> list[Compare]:
    """The comparisons of a filter tree, in order."""
    if node is None:
        return []
    if isinstance(node, Compare):
        return [node]
    return [c for item in node.items for c in walk(item)]
