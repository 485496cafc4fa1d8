"""VTQL -> the query AST: a parsed VTQL statement (`vtql.py`) resolved through a webservice
module (`schema/module.py`) into a `Query` on the module's canonical entity.

    build_query(MODULES["Accounts"], vtql.parse("SELECT accountname FROM Accounts "
                                                "WHERE assigned_user_id = '19x1';"))

Names are looked up in the module; values are converted to canonical ones (webservice ids
to record IDs, picklist values to enum values, dates to Unix times) and end up as bound
parameters.  The module's fixed filter (Invoice: `type` is BILLING_INVOICE) is always
ANDed in.  As in vtiger, at most 100 rows come back (`LIMIT` is capped at 100); a date
field compared with a day matches the whole day (UTC); `LIKE` ignores case, as MySQL does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from comptoir.errors import (
    ComptoirError,
    InvalidIdError,
    PermissionDeniedError,
    QuerySyntaxError,
)
from comptoir.query.ast import Compare, FieldRef, Filter, Group, Query, Selected, SortKey
from comptoir.query.json_query import comparison_value
from comptoir.query.operators import BY_SYMBOL, EQUALS, Operator
from comptoir.query.vtql import Condition, Logic, Node, Statement, Value
from comptoir.schema.module import TEXTUAL, Module, WsField, WsType
from comptoir.schema.registry import ENTITIES
from comptoir.wire import module_values as mv

#: vtiger answers at most this many rows per query
MAX_ROWS = 100
DAY = 86400
_NEGATED = {"=": "!=", "!=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
_SYMBOLS = {"=": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
            "LIKE": "~~*", "NOT LIKE": "!~~*", "IN": "IN", "NOT IN": "!IN"}


def _ref(name: str) -> FieldRef:
    return FieldRef(name)


def _compare(name: str, symbol: str, value: Any) -> Compare:
    return Compare(_ref(name), BY_SYMBOL[symbol], value)


def _field(module: Module, name: str) -> WsField | None:
    return module.field(name)


def _denied(module: Module, name: str) -> PermissionDeniedError:
    return PermissionDeniedError(f"Permission to access {name} attribute denied: "
                                 f"{module.name} has no field {name}")


def selected_fields(module: Module, stmt: Statement) -> tuple[str, ...]:
    """The webservice fields a statement selects (every field for `*`), `id` included."""
    if stmt.star or stmt.count:
        return (*(f.name for f in module.fields), "id")
    names: list[str] = []
    for column in stmt.columns:
        if column.name != "id" and module.field(column.name) is None:
            raise _denied(module, column.name)
        if column.name not in names:
            names.append(column.name)
    if "id" not in names:
        names.append("id")
    return tuple(names)


def _sources(module: Module, names: tuple[str, ...]) -> tuple[str, ...]:
    found = ["ID"]
    for name in names:
        f = module.field(name)
        if f is None:
            continue
        for source in (f.source, module.group_field if f.type is WsType.OWNER else None):
            if source and source not in found:
                found.append(source)
    return tuple(found)


def _like_regex(pattern: str) -> re.Pattern[str]:
    """A LIKE pattern (`%`, `_`, `\\` escapes) as a regular expression, case-insensitive."""
    parts, escaped = [], False
    for char in pattern:
        if escaped:
            parts.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _syntax(name: str, value: Value, exc: ComptoirError) -> QuerySyntaxError:
    detail = exc.details.get("problem", exc.message)
    return QuerySyntaxError(f"Syntax Error at position {value.position}: value "
                            f"{value.text[:40]!r} of {name}: {detail}")


class _Resolver:
    def __init__(self, module: Module) -> None:
        self.module = module
        self.entity = ENTITIES[module.entity]

    def convert(self, f: WsField, value: Value) -> dict[str, Any]:
        """Canonical field values of one VTQL value, checked as the JSON query checks its
        values (an integer out of its column's range is refused on both databases alike);
        conversion errors name the position (a reference to the wrong module:
        REFERENCE_INVALID, as on writes)."""
        if f.type is WsType.REFERENCE and value.text.strip():
            mv.parse_ws_id(value.text)  # as vtiger: a value that is no id is an invalid id
            values = {f.source: mv.parse_reference(self.module, f, value.text)}
        else:
            try:
                values = mv.parse_value(self.module, f, value.text)
            except ComptoirError as exc:
                raise _syntax(f.name, value, exc) from None
        return {name: v if v is None else self.coerce(f.name, value, name, EQUALS, v)
                for name, v in values.items()}

    def coerce(self, name: str, value: Value, source: str, op: Operator, raw: Any) -> Any:
        """`raw` as field `source` compares it (`json_query.comparison_value`)."""
        try:
            return comparison_value(self.entity.by_name[source], op, raw, name)
        except ComptoirError as exc:
            raise _syntax(name, value, exc) from None

    def condition(self, cond: Condition) -> Filter:
        if cond.column == "id":
            return self.id_condition(cond)
        f = self.module.field(cond.column)
        if f is None or not f.source:  # no source: kept by a service (inventory productid)
            raise _denied(self.module, cond.column)
        if cond.op in ("IS NULL", "IS NOT NULL"):
            return self.null_check(f, cond.op == "IS NULL")
        if cond.op in ("LIKE", "NOT LIKE"):
            return self.like(f, cond)
        if cond.op in ("IN", "NOT IN"):
            items = tuple(self.compare(f, "=", v) for v in cond.values)
            found: Filter = Group("OR", items)
            return Group("NOT", (found,)) if cond.op == "NOT IN" else found
        return self.compare(f, cond.op, cond.values[0])

    def id_condition(self, cond: Condition) -> Filter:
        if cond.op in ("IS NULL", "IS NOT NULL"):
            return _compare("ID", "=" if cond.op == "IS NULL" else "!=", None)
        if cond.op in ("LIKE", "NOT LIKE"):
            raise QuerySyntaxError(f"Syntax Error at position {cond.position}: "
                                   f"{cond.op} does not apply to id")
        ids = []
        for value in cond.values:
            prefix, record_id = mv.parse_ws_id(value.text)
            if prefix != self.module.prefix:
                raise InvalidIdError(f"Id specified is incorrect: {value.text!r} is not "
                                     f"a {self.module.name} id ({self.module.prefix}x...)")
            ids.append(self.coerce("id", value, "ID", EQUALS, record_id))
        if cond.op in ("IN", "NOT IN"):
            return _compare("ID", _SYMBOLS[cond.op], tuple(ids))
        return _compare("ID", cond.op, ids[0])

    def null_check(self, f: WsField, is_null: bool) -> Filter:
        names = [f.source]
        if f.type is WsType.OWNER and self.module.group_field:
            names.append(self.module.group_field)
        checks: list[Filter] = [_compare(n, "=" if is_null else "!=", None) for n in names]
        if f.type in TEXTUAL:  # texts are stored as '' when empty
            checks.append(_compare(f.source, "=" if is_null else "!=", ""))
        return Group("OR" if is_null else "AND", tuple(checks))

    def like(self, f: WsField, cond: Condition) -> Filter:
        pattern = cond.values[0].text
        if f.type is WsType.PICKLIST:  # the vtiger values that match, as enum values
            regex = _like_regex(pattern)
            values = mv.picklist_values(self.module, f)
            choices = list(self.entity.by_name[f.source].choices)
            hits = tuple(c for c, v in zip(choices, values, strict=True) if regex.fullmatch(v))
            return _compare(f.source, "!IN" if cond.op == "NOT LIKE" else "IN", hits)
        if f.type not in TEXTUAL:
            raise QuerySyntaxError(f"Syntax Error at position {cond.position}: {cond.op} "
                                   f"applies to text fields, not to {f.name} ({f.type})")
        symbol = _SYMBOLS[cond.op]
        checked = self.coerce(f.name, cond.values[0], f.source, BY_SYMBOL[symbol], pattern)
        return _compare(f.source, symbol, checked)

    def compare(self, f: WsField, op: str, value: Value) -> Filter:
        values = self.convert(f, value)
        if f.type is WsType.DATE and values[f.source] is not None:
            return self.day(f.source, op, values[f.source])
        items = tuple(_compare(name, op, v) for name, v in values.items())
        if f.type is WsType.OWNER and len(values) == 1:  # a user or a group, not both
            return items[0]
        return items[0] if len(items) == 1 else Group("AND" if op != "!=" else "OR", items)

    def day(self, name: str, op: str, start: int) -> Filter:
        """A date compared with a day: the whole day, midnight to midnight UTC."""
        end = start + DAY
        match op:
            case "=":
                return Group("AND", (_compare(name, ">=", start), _compare(name, "<", end)))
            case "!=":
                return Group("OR", (_compare(name, "<", start), _compare(name, ">=", end)))
            case "<":
                return _compare(name, "<", start)
            case "<=":
                return _compare(name, "<", end)
            case ">":
                return _compare(name, ">=", end)
            case _:
                return _compare(name, ">=", start)

    def node(self, node: Node) -> Filter:
        if isinstance(node, Condition):
            return self.condition(node)
        assert isinstance(node, Logic)
        return Group(node.kind, tuple(self.node(item) for item in node.items))


def module_filter(module: Module) -> Filter | None:
    items = tuple(_compare(name, "IN", tuple(values)) for name, values in module.where.items())
    return Group("AND", items) if items else None


def build_query(module: Module, stmt: Statement,
                extra: Callable[[], Filter | None] | None = None) -> tuple[Query, tuple[str, ...]]:
    """The AST query of a VTQL statement on `module`, and the webservice fields each row
    shows (`extra`: a further filter ANDed in, as query_related's related records)."""
    names = selected_fields(module, stmt)
    resolver = _Resolver(module)
    filters = [f for f in (module_filter(module), extra() if extra else None,
                           resolver.node(stmt.where) if stmt.where else None) if f is not None]
    where = None if not filters else filters[0] if len(filters) == 1 else Group("AND", tuple(filters))
    sort = []
    for order in stmt.order:
        if order.column.name == "id":
            sort.append(SortKey(_ref("ID"), order.descending))
            continue
        f = module.field(order.column.name)
        if f is None or not f.source:
            raise _denied(module, order.column.name)
        sort.append(SortKey(_ref(f.source), order.descending))
    limit = MAX_ROWS if stmt.limit is None else min(stmt.limit, MAX_ROWS)
    fields = tuple(Selected(name, _ref(name)) for name in _sources(module, names))
    query = Query(module.entity, fields=fields, where=where, sort=tuple(sort), limit=limit,
                  offset=stmt.offset or 0, count=stmt.count)
    return query, names
