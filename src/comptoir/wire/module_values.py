"""Webservice values: a canonical record shown as a vtiger module record, and vtiger values
turned back into canonical ones.  Pure: no I/O.

    render(ACCOUNTS, {"ID": 5, "lastname": "ACME", ...})
        -> {"accountname": "ACME", ..., "id": "11x5", "label": "ACME"}
    parse_value(ACCOUNTS, ACCOUNTS.by_name["assigned_user_id"], "19x1")
        -> {"assigneduser": 1}

On the wire every value is a string in vtiger's format (reference §7): numbers as decimal
strings, dates `YYYY-MM-DD` and times `YYYY-MM-DD HH:MM:SS` in UTC, booleans `"0"`/`"1"`,
picklists by their vtiger value, references and owners as webservice ids (`11x45`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from comptoir.errors import InvalidFieldError, InvalidIdError, InvalidReferenceError
from comptoir.schema.entity import Entity
from comptoir.schema.module import TEXTUAL, Module, WsField, WsType
from comptoir.schema.modules import BY_PREFIX, MODULES
from comptoir.schema.registry import ENTITIES

USERS_PREFIX = MODULES["Users"].prefix
GROUPS_PREFIX = MODULES["Groups"].prefix
_WS_ID = re.compile(r"^([0-9]{1,9})x([0-9]{1,18})$")
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?)?$")
#: the places of the decimal strings, as vtiger's columns have them
_PLACES = {WsType.CURRENCY: 8, WsType.DOUBLE: 3}
_TRUE = frozenset({"1", "true", "on", "yes"})


# --- webservice ids ------------------------------------------------------------------------


def ws_id(prefix: int, record_id: int) -> str:
    return f"{prefix}x{record_id}"


def parse_ws_id(text: Any) -> tuple[int, int]:
    """(prefix, record ID) of `12x5`; InvalidIdError for anything else."""
    found = _WS_ID.match(text.strip()) if isinstance(text, str) else None
    if found is None:
        raise InvalidIdError(f"Id specified is incorrect: {str(text)[:40]!r} is not <module>x<id>")
    return int(found[1]), int(found[2])


def module_of(text: Any) -> tuple[Module, int]:
    """The module and record ID of a webservice id; InvalidIdError for an unknown prefix."""
    prefix, record_id = parse_ws_id(text)
    module = BY_PREFIX.get(prefix)
    if module is None:
        raise InvalidIdError(f"Id specified is incorrect: no module has the prefix {prefix}")
    return module, record_id


def reference_module(f: WsField, entity: Entity) -> Module | None:
    """The module whose prefix a reference field shows: its first target module that views
    the entity the canonical reference points to."""
    target = entity.by_name[f.source].ref
    for name in f.refers_to:
        if MODULES[name].entity == target:
            return MODULES[name]
    return None


# --- canonical -> wire ---------------------------------------------------------------------


def decimal_text(value: Any, places: int) -> str:
    """A number as the webservice shows it: a decimal string of `places` places."""
    return f"{Decimal(str(value)):.{places}f}"


def _time(value: int, date_only: bool) -> str:
    moment = dt.datetime.fromtimestamp(value, dt.UTC)
    return moment.strftime("%Y-%m-%d" if date_only else "%Y-%m-%d %H:%M:%S")


def picklist_values(module: Module, f: WsField) -> list[str]:
    """The vtiger values of a picklist field, in the canonical enum's order."""
    choices = ENTITIES[module.entity].by_name[f.source].choices
    return [f.values.get(value, label) for value, label in choices.items()]


def to_ws(module: Module, f: WsField, row: Mapping[str, Any], blank: Any = "") -> Any:
    """The wire form of field `f` of a canonical record (`blank` for no value)."""
    value = row.get(f.source)
    if f.type is WsType.OWNER:
        if value is not None:
            return ws_id(USERS_PREFIX, value)
        group = row.get(module.group_field) if module.group_field else None
        return blank if group is None else ws_id(GROUPS_PREFIX, group)
    if value is None:
        return blank
    match f.type:
        case WsType.INTEGER:
            return str(int(value))
        case WsType.DOUBLE | WsType.CURRENCY:
            return decimal_text(value, _PLACES[f.type])
        case WsType.DATE | WsType.DATETIME:
            return _time(int(value), f.type is WsType.DATE)
        case WsType.BOOLEAN:
            return "1" if value else "0"
        case WsType.PICKLIST:
            label = ENTITIES[module.entity].by_name[f.source].choices.get(value, str(value))
            return f.values.get(value, label)
        case WsType.REFERENCE:
            target = reference_module(f, ENTITIES[module.entity])
            return blank if target is None else ws_id(target.prefix, value)
        case _:
            return str(value)


def render(module: Module, row: Mapping[str, Any], blank: Any = "") -> dict[str, Any]:
    """A canonical record (a mapping with at least `module.sources`) as a module record:
    every field, then `id` and `label`."""
    data = {f.name: to_ws(module, f, row, blank) for f in module.fields}
    data["id"] = ws_id(module.prefix, row["ID"])
    data["label"] = " ".join(str(data[name]) for name in module.label_fields
                             if data[name]).strip()
    return data


# --- wire -> canonical ---------------------------------------------------------------------


def _text(f: WsField, value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if not isinstance(value, str):
        raise InvalidFieldError(f.name, "must be a string")
    return value


def parse_time(name: str, value: Any, date_only: bool) -> int:
    """Unix time of `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DD HH:MM[:SS]` (UTC)."""
    found = _DATE.match(value.strip()) if isinstance(value, str) else None
    try:
        if found is None:
            raise ValueError
        year, month, day, hour, minute, second = (int(p) for p in found.groups(default="0"))
        moment = dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
    except ValueError:
        shape = "YYYY-MM-DD" if date_only else "YYYY-MM-DD HH:MM:SS"
        raise InvalidFieldError(name, f"must be a date {shape}, not {str(value)[:40]!r}") from None
    return int(moment.timestamp())


def parse_decimal(name: str, value: Any) -> Decimal:
    """A number as the webservice sends it (a JSON number or a numeric string), exactly."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidFieldError(name, "must be a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidFieldError(name, f"must be a number, not {str(value)[:40]!r}") from None
    if not number.is_finite():
        raise InvalidFieldError(name, "must be a finite number")
    return number


def parse_number(name: str, value: Any, integer: bool) -> int | float:
    number = parse_decimal(name, value)
    if integer:
        if number != number.to_integral_value():
            raise InvalidFieldError(name, f"must be an integer, not {value!r}")
        return int(number)
    return float(number)


def parse_picklist(module: Module, f: WsField, value: Any) -> Any:
    """The canonical value of a picklist value (vtiger's value or the canonical label, in
    any case)."""
    choices = ENTITIES[module.entity].by_name[f.source].choices
    wanted = str(value).strip().casefold()
    for canonical, label in choices.items():
        if wanted in (f.values.get(canonical, label).casefold(), label.casefold()):
            return canonical
    allowed = ", ".join(picklist_values(module, f))
    raise InvalidFieldError(f.name, f"{str(value)[:40]!r} is not one of: {allowed}")


def parse_reference(module: Module, f: WsField, value: Any) -> int:
    """The record ID of a reference value, which must be a webservice id of a module the
    field refers to."""
    try:
        target, record_id = module_of(value)
    except InvalidIdError:
        raise InvalidReferenceError(f.name, f"Invalid reference specified for {f.name}: "
                                            f"{str(value)[:40]!r} is not a webservice id") from None
    expected = ENTITIES[module.entity].by_name[f.source].ref
    if target.name not in f.refers_to or target.entity != expected:
        raise InvalidReferenceError(
            f.name, f"Invalid reference specified for {f.name}: {target.name} is not one of "
                    f"{', '.join(f.refers_to)}")
    return record_id


def parse_owner(module: Module, f: WsField, value: Any) -> dict[str, Any]:
    try:
        prefix, record_id = parse_ws_id(value)
    except InvalidIdError:
        prefix, record_id = 0, 0
    if prefix == USERS_PREFIX:
        return {f.source: record_id}
    if prefix == GROUPS_PREFIX and module.group_field:
        return {module.group_field: record_id}
    raise InvalidReferenceError(f.name, "Cannot assign record to the given user: "
                                        f"{str(value)[:40]!r} is not a user (19x) or group (20x)")


def parse_value(module: Module, f: WsField, value: Any) -> dict[str, Any]:
    """The canonical field values that a wire value of `f` writes (`""` and null clear
    the field)."""
    if f.type in TEXTUAL:
        canonical = ENTITIES[module.entity].field(f.source)
        if canonical is not None and canonical.nullable and value in (None, ""):
            return {f.source: None}  # a draft's number: none until it is issued
        return {f.source: "" if value is None else _text(f, value)}
    if value is None or (isinstance(value, str) and not value.strip()):
        if f.type is WsType.OWNER:
            return {f.source: None, **({module.group_field: None} if module.group_field else {})}
        return {f.source: None}
    match f.type:
        case WsType.INTEGER | WsType.DOUBLE | WsType.CURRENCY:
            return {f.source: parse_number(f.name, value, f.type is WsType.INTEGER)}
        case WsType.DATE | WsType.DATETIME:
            return {f.source: parse_time(f.name, value, f.type is WsType.DATE)}
        case WsType.BOOLEAN:
            return {f.source: int(str(value).strip().lower() in _TRUE)}
        case WsType.PICKLIST:
            return {f.source: parse_picklist(module, f, value)}
        case WsType.REFERENCE:
            return {f.source: parse_reference(module, f, value)}
        case WsType.OWNER:
            return parse_owner(module, f, value)
        case _:
            raise InvalidFieldError(f.name, "is read-only")
