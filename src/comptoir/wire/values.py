"""Client values -> stored values, and back: pure, one function per direction.

`to_storage(field, value)` checks and coerces one value a client sent (JSON or form
strings) and raises `InvalidFieldError` naming the field; `to_wire(field, value)` turns a
stored value into what the REST API shows.  Binfile content is not handled here: a binfile
field takes `{"content": base64}` or `{"uri": data-URI}`, decoded by `decode_binfile`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import unquote_to_bytes

import orjson

from comptoir.errors import InvalidFieldError
from comptoir.schema.entity import Entity
from comptoir.schema.fields import Field, Kind
from comptoir.schema.registry import ENTITIES

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
_INT_RE = re.compile(r"^[+-]?[0-9]+$")
N = TypeVar("N", int, float)
EXTDATA_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")


def _int(f: Field, value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidFieldError(f.name, "must be an integer, not a boolean")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and _INT_RE.match(value.strip()):
        value = int(value.strip())
    if not isinstance(value, int):
        raise InvalidFieldError(f.name, "must be an integer")
    if not in_range(f, value):
        raise InvalidFieldError(f.name, "integer out of range")
    return value


def in_range(f: Field, value: int) -> bool:
    """Does the integer `value` fit the column of field `f` (32 or 64 bits)?"""
    low, high = INT64 if f.wide or f.kind is Kind.BIGINT else INT32
    return low <= value <= high


def record_id(field: str, value: Any, entity: Entity) -> int:
    """A record ID of `entity` given as an integer or its digits (a query parameter),
    within the range of its column; InvalidFieldError naming `field` otherwise."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0 \
            or not in_range(entity.id_field, value):
        raise InvalidFieldError(field, f"must be a record ID ({entity.singular})")
    return value


#: the days a date given as text may name: the years a business document is dated in
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def parse_day(field: str, value: Any, default: dt.date | None = None) -> dt.date:
    """A `YYYY-MM-DD` date from 1900 to 2999 (`default` when absent, if given)."""
    if value in (None, "") and default is not None:
        return default
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidFieldError(field, "must be a date (YYYY-MM-DD)") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidFieldError(field, f"must be from {FIRST_DAY} to {LAST_DAY}")
    return day


def day_stamp(day: dt.date) -> int:
    """The Unix time of a day's start (UTC): how dates without a time are stored."""
    return int(dt.datetime.combine(day, dt.time(), dt.UTC).timestamp())


def _number(f: Field, value: Any) -> float:
    if isinstance(value, bool):
        raise InvalidFieldError(f.name, "must be a number, not a boolean")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise InvalidFieldError(f.name, "must be a number") from None
    if not isinstance(value, int | float):
        raise InvalidFieldError(f.name, "must be a number")
    number = float(value)
    if not math.isfinite(number):
        raise InvalidFieldError(f.name, "must be a finite number")
    return number


def _text(f: Field, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidFieldError(f.name, "must be a string")
    text = value if isinstance(value, str) else str(value)
    if "\x00" in text:
        raise InvalidFieldError(f.name, "must not contain NUL characters")
    if f.max_length is not None and len(text) > f.max_length:
        raise InvalidFieldError(f.name, f"must be at most {f.max_length} characters long")
    if f.min_length is not None and len(text) < f.min_length:
        raise InvalidFieldError(f.name, f"must be at least {f.min_length} characters long")
    if f.choices and text not in f.choices:
        raise InvalidFieldError(f.name, f"must be one of {', '.join(map(str, f.choices))}")
    return text


def _json(f: Field, value: Any) -> str:
    if isinstance(value, str):  # a JSON-encoded document, as the API returns it
        try:
            orjson.loads(value)
        except orjson.JSONDecodeError:
            raise InvalidFieldError(f.name, "must be valid JSON") from None
        return value
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        raise InvalidFieldError(f.name, "must be a JSON value") from None


def _array(f: Field, value: Any) -> str:
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            raise InvalidFieldError(f.name, "must be an array") from None
    if not isinstance(value, list):
        raise InvalidFieldError(f.name, "must be an array")
    if f.kind is Kind.INT_ARRAY:
        item = Field(f.name, Kind.BIGINT)
        items: list[Any] = [_int(item, v) for v in value]
    else:
        item = Field(f.name, Kind.TEXT)
        items = [_text(item, v) for v in value]
    return orjson.dumps(items).decode()


def _choice(f: Field, value: Any) -> Any:
    if f.kind is Kind.ENUM:
        if isinstance(value, bool):
            value = int(value)
        value = _int(f, value)
    elif not isinstance(value, str):
        raise InvalidFieldError(f.name, "must be a string")
    if value not in f.choices:
        allowed = ", ".join(str(c) for c in f.choices)
        raise InvalidFieldError(f.name, f"must be one of {allowed}")
    return value


def _bounded(f: Field, number: N) -> N:
    """`number` within the field's minimum and maximum, else an error naming the field."""
    if f.minimum is not None and number < f.minimum:
        raise InvalidFieldError(f.name, f"must be at least {f.minimum:g}")
    if f.maximum is not None and number > f.maximum:
        raise InvalidFieldError(f.name, f"must be at most {f.maximum:g}")
    return number


def to_storage(f: Field, value: Any) -> Any:
    """The stored form of a client value for field `f` (None stays None if allowed)."""
    if value is None:
        if not f.nullable:
            raise InvalidFieldError(f.name, "must not be null")
        return None
    match f.kind:
        case Kind.INT | Kind.BIGINT | Kind.REF:
            return _bounded(f, _int(f, value))
        case Kind.NUMBER:
            return _bounded(f, _number(f, value))
        case Kind.TEXT:
            return _text(f, value)
        case Kind.ENUM | Kind.ENTITY:
            return _choice(f, value)
        case Kind.JSON:
            return _json(f, value)
        case Kind.TEXT_ARRAY | Kind.INT_ARRAY:
            return _array(f, value)
        case _:
            raise InvalidFieldError(f.name, "is read-only")


#: the kinds whose REST form differs from their stored form (all others: the same value)
WIRE_CONVERTED = frozenset({Kind.TEXT_ARRAY, Kind.INT_ARRAY, Kind.HEXBYTES})


def to_wire(f: Field, value: Any) -> Any:
    """The REST form of a stored value."""
    if value is None:
        return None
    match f.kind:
        case Kind.TEXT_ARRAY | Kind.INT_ARRAY:
            return orjson.loads(value)
        case Kind.HEXBYTES:
            return "\\x" + bytes(value).hex()
        case _:
            return value


@functools.cache
def _layout(name: str) -> tuple[tuple[str, ...], tuple[Field, ...]]:
    """The shown field names of an entity, and the fields whose stored form differs from
    their REST form (arrays, bytes): rendering touches only those."""
    entity = ENTITIES[name]
    special = tuple(f for f in entity.public_fields if f.kind in WIRE_CONVERTED)
    return tuple(f.name for f in entity.public_fields), special


def render_record(entity: Entity, row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored row as the REST API shows it (no extdata, no tags); fields missing from
    `row` are null."""
    names, special = _layout(entity.name)
    data = {name: row.get(name) for name in names}
    for f in special:
        data[f.name] = to_wire(f, data[f.name])
    return data


def stored_decimal(value: Any) -> Decimal:
    """A stored number (a double, an integer, or null for 0) as the exact Decimal it was
    written as: `Decimal(str(value))`, a whole float without its `.0` (4, not 4.0)."""
    if value is None:
        return Decimal(0)
    if isinstance(value, float) and value.is_integer():
        return Decimal(int(value))
    return Decimal(str(value))


def stored_decimal_or_none(value: Any) -> Decimal | None:
    return None if value is None else stored_decimal(value)


def decode_binfile(name: str, value: Any) -> bytes:
    """The bytes of a binfile write: `{"content": base64}` or `{"uri": "data:..."}`."""
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            raise InvalidFieldError(name, "must be an object with content or uri") from None
    if not isinstance(value, Mapping):
        raise InvalidFieldError(name, "must be an object with content or uri")
    content, uri = value.get("content"), value.get("uri")
    if (content is None) == (uri is None):
        raise InvalidFieldError(name, "exactly one of content or uri is required")
    if content is not None:
        if not isinstance(content, str):
            raise InvalidFieldError(name, "content must be a base64 string")
        try:
            data = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidFieldError(name, "content must be valid base64") from None
    else:
        data = _data_uri(name, uri)
    if not data:
        raise InvalidFieldError(name, "content must not be empty")
    return data


def _data_uri(name: str, uri: Any) -> bytes:
    if not isinstance(uri, str) or not uri.startswith("data:") or "," not in uri:
        raise InvalidFieldError(name, "uri must be a data URI (RFC 2397)")
    header, payload = uri[5:].split(",", 1)
    if header.endswith(";base64"):
        try:
            return base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidFieldError(name, "uri has invalid base64 data") from None
    return unquote_to_bytes(payload)


def extdata_to_storage(name: Any, value: Any) -> tuple[str | None, float | None]:
    """(textvalue, numvalue) for one custom field value; numbers keep both."""
    if not isinstance(name, str) or not EXTDATA_NAME.match(name):
        raise InvalidFieldError(f"extdata.{name}", "invalid custom field name")
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int | float):
        if not math.isfinite(value) or abs(value) > 1e300:
            raise InvalidFieldError(f"extdata.{name}", "must be a finite number")
        return repr(value), float(value)
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidFieldError(f"extdata.{name}", "must not contain NUL characters")
        return value, None
    raise InvalidFieldError(f"extdata.{name}", "must be a string or a number")


def extdata_to_wire(textvalue: str | None, numvalue: float | None) -> Any:
    if numvalue is None:
        return textvalue
    if textvalue is not None and _INT_RE.match(textvalue):
        return int(textvalue)
    return numvalue
