"""The ZeyOS JSON query language (the body of `POST /{entity}`) parsed into a `Query`.

    parse(ENTITIES["accounts"], {"fields": {"Name": "lastname", "Town": "contact.city"},
                                 "filter": {"contact.country": {"IN": ["DE", "AT"]}},
                                 "sort": ["-lastname"], "limit": 3})

Every name is resolved through the registry here; anything the registry does not know is
an `InvalidFieldError` naming the parameter and the token (`sort: unknown field foo`).
Values are checked and converted to the field's type, so the compiler only binds them.
Bodies may come from forms, where every value is a string: numbers, booleans and lists are
accepted in their string forms too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from comptoir.errors import InvalidFieldError
from comptoir.query import patterns
from comptoir.query.ast import Compare, FieldRef, Filter, Group, Query, Selected, SortKey, walk
from comptoir.query.operators import BY_SYMBOL, GROUPS, Family, Operator
from comptoir.schema.entity import Entity
from comptoir.schema.fields import Field, Kind
from comptoir.schema.registry import ENTITIES
from comptoir.wire.values import EXTDATA_NAME, in_range

MAX_LIMIT = 10000
DEFAULT_LIMIT = 1000
#: bounds of one query: nesting of groups, comparisons, values of one IN list, search words
MAX_DEPTH = 16
MAX_COMPARISONS = 200
MAX_LIST = 1000
MAX_WORDS = 10
MAX_SORT = 10
MAX_FIELDS = 500
MAX_TEXT = 10000
MAX_PATTERN = 1000

PARAMETERS = frozenset({"fields", "filter", "filters", "query", "sort", "limit", "offset",
                        "count", "distinct", "export", "expand"})

#: kinds that compare as integers, as numbers, as text; the others only with null
_INTEGER = frozenset({Kind.INT, Kind.BIGINT, Kind.ENUM, Kind.REF, Kind.BINFILE})
_TEXT = frozenset({Kind.TEXT, Kind.ENTITY})
_INTEGER_RE = re.compile(r"^[+-]?[0-9]{1,20}$")
_NUMBER_RE = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")


def _show(token: Any) -> str:
    text = token if isinstance(token, str) else repr(token)
    return text if len(text) <= 80 else text[:77] + "..."


def parse(entity: Entity, body: Mapping[str, Any]) -> tuple[Query, bool]:
    """The query of a list request, and whether it asks for a CSV export."""
    for key in body:
        if key not in PARAMETERS:
            raise InvalidFieldError(_show(key), "unknown query parameter")
    count = _flag(body, "count")
    export = _flag(body, "export")
    where = _filters(entity, body)
    query = Query(
        entity=entity.name,
        fields=_fields(entity, body.get("fields")),
        where=where,
        search=_search(entity, body.get("query")),
        sort=_sort(entity, body.get("sort")),
        limit=_limit(body, export),
        offset=_integer(body, "offset", 0, 0, 2**62),
        count=count,
        distinct=_flag(body, "distinct"),
        expand=expand_names(entity, body.get("expand")),
    )
    if query.distinct and not query.count:
        _check_distinct_sort(query)
    return query, export


# --- parameters ----------------------------------------------------------------------------


def _flag(body: Mapping[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if value in (True, 1, "1", "true", "True"):
        return True
    if value in (False, 0, None, "0", "false", "False", ""):
        return False
    raise InvalidFieldError(name, "must be a boolean (true, false, 1 or 0)")


def _integer(body: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = body.get(name, default)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidFieldError(name, f"must be an integer from {low} to {high}")
    return value


def _limit(body: Mapping[str, Any], export: bool) -> int | None:
    if export and body.get("limit") in (None, ""):
        return None  # an export is unbounded unless it says otherwise
    return _integer(body, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)


def _names(value: Any, parameter: str) -> list[str]:
    """A list of names: a JSON array, or one string (comma-separated)."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, Mapping):  # a PHP-style form list: {"0": "a", "1": "b"}
        value = list(value.values())
    if not isinstance(value, list):
        raise InvalidFieldError(parameter, "must be an array of strings")
    for item in value:
        if not isinstance(item, str):
            raise InvalidFieldError(parameter, f"{_show(item)} is not a string")
    return value


# --- names ---------------------------------------------------------------------------------


def resolve(entity: Entity, token: Any, parameter: str) -> FieldRef:
    """The field a dotted name stands for: `name`, `reference.name`, `extdata.name`."""
    if not isinstance(token, str) or not token:
        raise InvalidFieldError(parameter, f"{_show(token)} is not a field name")
    first, dot, rest = token.partition(".")
    if not dot:
        _own_field(entity, token, parameter)
        return FieldRef(token)
    if first == "extdata":
        if not entity.extdata:
            raise InvalidFieldError(parameter, f"{entity.name} has no custom fields ({_show(token)})")
        if not EXTDATA_NAME.match(rest):
            raise InvalidFieldError(parameter, f"invalid custom field name {_show(token)}")
        return FieldRef(rest, extdata=True)
    via = entity.field(first)
    target = ENTITIES.get(via.ref or "") if via is not None and not via.hidden else None
    if via is None or via.kind not in (Kind.REF, Kind.BINFILE) or target is None:
        raise InvalidFieldError(parameter, f"{_show(first)} is not a reference of {entity.name} "
                                f"(in {_show(token)})")
    if "." in rest:
        raise InvalidFieldError(parameter, f"only first-degree joins are possible ({_show(token)})")
    _own_field(target, rest, parameter, token)
    return FieldRef(rest, via=first)


def _own_field(entity: Entity, name: str, parameter: str, token: str | None = None) -> Field:
    f = entity.field(name)
    if f is None or f.hidden:
        where = f" (in {_show(token)})" if token else ""
        raise InvalidFieldError(parameter, f"unknown field {_show(name)} of {entity.name}{where}")
    return f


def field_of(entity: Entity, ref: FieldRef) -> Field | None:
    """The registry field of a resolved reference (None for a custom field)."""
    if ref.extdata:
        return None
    if ref.via is None:
        return entity.by_name[ref.name]
    target = ENTITIES[entity.by_name[ref.via].ref or ""]
    return target.by_name[ref.name]


def _fields(entity: Entity, value: Any) -> tuple[Selected, ...]:
    if value is None or value == "" or value == [] or value == {}:
        return ()
    if isinstance(value, str):
        value = _names(value, "fields")
    if isinstance(value, list):
        pairs: list[tuple[str | None, Any]] = [(None, v) for v in value]
    elif isinstance(value, Mapping):
        pairs = [(None if k.isdigit() else k, v) for k, v in value.items()]
    else:
        raise InvalidFieldError("fields", "must be an array or an object of field names")
    if len(pairs) > MAX_FIELDS:
        raise InvalidFieldError("fields", f"at most {MAX_FIELDS} fields")
    selected: dict[str, Selected] = {}
    for alias, token in pairs:
        ref = resolve(entity, token, "fields")
        key = alias if alias is not None else token
        if len(key) > 200:
            raise InvalidFieldError("fields", f"alias {_show(key)} is too long")
        known = selected.get(key)
        if known is not None and known.field != ref:
            raise InvalidFieldError("fields", f"{_show(key)} is selected twice")
        selected[key] = Selected(key, ref)
    return tuple(selected.values())


def _sort(entity: Entity, value: Any) -> tuple[SortKey, ...]:
    keys = []
    names = _names(value, "sort")
    if len(names) > MAX_SORT:
        raise InvalidFieldError("sort", f"at most {MAX_SORT} sort keys")
    for name in names:
        descending = name.startswith("-")
        token = name[1:] if name[:1] in ("+", "-") else name
        keys.append(SortKey(resolve(entity, token, "sort"), descending))
    return tuple(keys)


def expand_names(entity: Entity, value: Any) -> tuple[str, ...]:
    """The fields to expand (binfile, JSON, arrays), each once; also for GET /{entity}/{ID}."""
    names = _names(value, "expand")
    for name in names:
        f = entity.field(name)
        if f is None or f.hidden or f.kind not in (Kind.BINFILE, Kind.JSON, Kind.TEXT_ARRAY,
                                                   Kind.INT_ARRAY):
            raise InvalidFieldError("expand", f"{_show(name)} is not an expandable field of "
                                    f"{entity.name}")
    return tuple(dict.fromkeys(names))


def _search(entity: Entity, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidFieldError("query", "must be a string")
    if not value.strip():
        return None
    if not any(f.kind in _TEXT for f in entity.searchable):
        raise InvalidFieldError("query", f"{entity.name} has no searchable fields")
    if len(value) > 200 or len(value.split()) > MAX_WORDS or "\x00" in value:
        raise InvalidFieldError("query", f"at most 200 characters and {MAX_WORDS} words")
    return value


def _check_distinct_sort(query: Query) -> None:
    # without fields, every own field is selected; joined and custom fields are not
    chosen = ({s.field for s in query.fields} if query.fields else
              {FieldRef(f.name) for f in ENTITIES[query.entity].public_fields})
    for key in query.sort:
        if key.field not in chosen:
            raise InvalidFieldError("sort", f"{key.field.token}: with distinct, only selected "
                                    "fields can be sorted on")


# --- filters -------------------------------------------------------------------------------


def _filters(entity: Entity, body: Mapping[str, Any]) -> Filter | None:
    items: list[Filter] = []
    for name in ("filter", "filters"):
        value = body.get(name)
        if value is None or value == "" or value == [] or value == {}:
            continue
        items.extend(_object(entity, value, name, 1))
    where = None if not items else items[0] if len(items) == 1 else Group("AND", tuple(items))
    if len(walk(where)) > MAX_COMPARISONS:
        raise InvalidFieldError("filter", f"at most {MAX_COMPARISONS} comparisons")
    return where


def _object(entity: Entity, value: Any, path: str, depth: int) -> list[Filter]:
    """The conditions of a filter object (its entries AND together)."""
    if depth > MAX_DEPTH:
        raise InvalidFieldError(path, f"filters nest at most {MAX_DEPTH} deep")
    if isinstance(value, list) and _is_group(value):  # a bare group where an object goes
        return [_group(entity, value, path, depth)]
    if not isinstance(value, Mapping):
        raise InvalidFieldError(path, "must be an object of conditions")
    found: list[Filter] = []
    for key, condition in value.items():
        if isinstance(condition, list) and _is_group(condition):
            found.append(_group(entity, condition, f"{path}.{_show(key)}", depth))
            continue
        if key == TAGS and entity.tags and entity.field(TAGS) is None:
            found.append(_tag_condition(condition, f"{path}: tags"))
            continue
        ref = resolve(entity, key, path)
        found.extend(_conditions(entity, ref, condition, path))
    return found


#: the filter key of a record's tags (an extension of the ZeyOS language): `"tags": "vip"`
#: (has this tag), `["a", "b"]` (has one of them), `{"!IN": [...]}` (has none of them)
TAGS = "tags"
_TAG_OPERATORS = ("=", "IN", "!IN")


def _tag_condition(condition: Any, where: str) -> Compare:
    if isinstance(condition, Mapping):
        if len(condition) != 1 or next(iter(condition)) not in _TAG_OPERATORS:
            raise InvalidFieldError(where, "compare tags with =, IN or !IN only")
        symbol, value = next(iter(condition.items()))
    else:
        symbol, value = ("IN", condition) if isinstance(condition, list) else ("=", condition)
    op = BY_SYMBOL[symbol]
    values = value if isinstance(value, list) else [value]
    if op.family is not Family.MEMBER and len(values) != 1:
        raise InvalidFieldError(where, "= takes one tag")
    if len(values) > MAX_LIST or not all(isinstance(v, str) and v.strip() for v in values):
        raise InvalidFieldError(where, f"tags are 1 to {MAX_LIST} non-empty strings")
    texts = tuple(v.strip() for v in values)
    return Compare(FieldRef(TAGS, tag=True), op, texts if op.family is Family.MEMBER
                   else texts[0])


def _is_group(value: list[Any]) -> bool:
    return bool(value) and isinstance(value[0], str) and value[0].upper() in GROUPS


def _group(entity: Entity, value: list[Any], path: str, depth: int) -> Filter:
    kind = value[0].upper()
    if len(value) < 2:
        raise InvalidFieldError(path, f"{kind} needs at least one filter")
    items: list[Filter] = []
    for item in value[1:]:
        conditions = _object(entity, item, path, depth + 1)
        if not conditions:
            raise InvalidFieldError(path, f"{kind}: empty filter")
        items.append(conditions[0] if len(conditions) == 1 else Group("AND", tuple(conditions)))
    return Group(kind, tuple(items))


def _conditions(entity: Entity, ref: FieldRef, condition: Any, path: str) -> list[Compare]:
    """`"f": value` (equals), `"f": [values]` (IN), `"f": {"op": value, ...}`."""
    if isinstance(condition, Mapping):
        if not condition:
            raise InvalidFieldError(path, f"{ref.token}: empty operator object")
        return [_compare(entity, ref, op, v, path) for op, v in condition.items()]
    if isinstance(condition, list):
        return [_compare(entity, ref, "IN", condition, path)]
    return [_compare(entity, ref, "=", condition, path)]


def _compare(entity: Entity, ref: FieldRef, symbol: Any, value: Any, path: str) -> Compare:
    op = BY_SYMBOL.get(symbol) if isinstance(symbol, str) else None
    if op is None:
        raise InvalidFieldError(path, f"{ref.token}: unknown operator {_show(symbol)}")
    f = field_of(entity, ref)
    where = f"{path}: {ref.token} {op.symbol}"
    if op.family is Family.MEMBER:
        if isinstance(value, Mapping):  # a PHP-style form list
            value = list(value.values())
        if not isinstance(value, list):
            value = [value]
        if len(value) > MAX_LIST:
            raise InvalidFieldError(where, f"at most {MAX_LIST} values")
        if any(v is None for v in value):
            raise InvalidFieldError(where, "null is not a value of a list (use = null)")
        return Compare(ref, op, tuple(comparison_value(f, op, v, where) for v in value))
    if value is None:
        if op.family is not Family.COMPARE or op.comparison not in ("=", "!="):
            raise InvalidFieldError(where, "null can only be compared with = and !=")
        return Compare(ref, op, None)
    return Compare(ref, op, comparison_value(f, op, value, where))


def comparison_value(f: Field | None, op: Operator, value: Any, where: str) -> Any:
    """A comparison value converted to the field's type (None: a custom field), as both
    query languages compare it: integers within their column's range, LIKE patterns that
    both databases read alike."""
    if isinstance(value, Mapping | list):
        raise InvalidFieldError(where, "the value must be a string or a number")
    if op.text_only:
        if f is not None and f.kind not in _TEXT:
            raise InvalidFieldError(where, "this operator applies to text fields only")
        text = _as_text(value, where)
        if op.family is Family.REGEX:
            _check_pattern(text, where)
        elif (len(text) - len(text.rstrip("\\"))) % 2:
            # PostgreSQL refuses it (when a match reaches it), SQLite matches nothing
            raise InvalidFieldError(where, "a LIKE pattern must not end with the escape "
                                    "character \\ (write \\\\ for a backslash)")
        return text
    if f is None:  # a custom field: numbers compare with numbers, strings with strings
        if isinstance(value, bool):
            return float(value)  # a number (an int would be compared with the text)
        if isinstance(value, int | float):
            if not math.isfinite(value):
                raise InvalidFieldError(where, "must be a finite number")
            return float(value)
        return _as_text(value, where)
    if f.kind in _INTEGER:
        return _as_integer(f, value, where)
    if f.kind is Kind.NUMBER:
        return _as_number(value, where)
    if f.kind in _TEXT:
        return _as_text(value, where)
    raise InvalidFieldError(where, f"{f.kind.value} fields can only be compared with null")


def _as_integer(f: Field, value: Any, where: str) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and _INTEGER_RE.match(value.strip()):
        value = int(value.strip())
    if not isinstance(value, int):
        raise InvalidFieldError(where, f"{_show(value)} is not an integer")
    if not in_range(f, value):
        raise InvalidFieldError(where, "integer out of range")
    return value


def _as_number(value: Any, where: str) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and _NUMBER_RE.match(value.strip()):
        value = float(value.strip())
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidFieldError(where, f"{_show(value)} is not a number")
    return float(value)


def _as_text(value: Any, where: str) -> str:
    if isinstance(value, bool):
        raise InvalidFieldError(where, "must be a string, not a boolean")
    text = value if isinstance(value, str) else repr(value)
    if "\x00" in text:
        raise InvalidFieldError(where, "must not contain NUL characters")
    if len(text) > MAX_TEXT:
        raise InvalidFieldError(where, f"at most {MAX_TEXT} characters")
    return text


def _check_pattern(pattern: str, where: str) -> None:
    if len(pattern) > MAX_PATTERN:
        raise InvalidFieldError(where, f"regular expressions have at most {MAX_PATTERN} "
                                "characters")
    problem = patterns.problem(pattern)
    if problem is not None:
        raise InvalidFieldError(where, problem)
