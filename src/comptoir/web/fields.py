"""Form fields: which widget a registry field gets, what it shows for a stored value, and
what a typed value becomes for the services.

    widget(screen, field)                -> "select" | "reference" | "date" | "datetime" | ...
    shown_in_form(screen, field, value)  -> the text the input holds
    parse_value(screen, field, text, prefs) -> the value for `records.create_record`

The values the services receive are checked again there (one validation for every door);
here only what a browser sends differently from a JSON client is translated: a day in the
user's time zone, a decimal comma, a reference typed as "ACME #12".
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from babel.numbers import NumberFormatError, parse_decimal

from comptoir.errors import InvalidFieldError
from comptoir.schema.fields import Field, Kind
from comptoir.schema.module import WsType
from comptoir.schema.modules import OF_ENTITY
from comptoir.web.render import Prefs
from comptoir.web.screens import Screen

_REFERENCE = re.compile(r"#\s*([0-9]{1,18})\s*$")
_LONG_TEXT = frozenset({"description", "notes", "text", "answer", "question", "comment",
                        "billingaddress", "shippingaddress", "address", "body"})


def widget(screen: Screen, f: Field) -> str:
    if f.kind is Kind.ENUM:
        return "select"
    if f.kind is Kind.REF:
        return "reference"
    if f.is_timestamp:
        return "date" if f.name in screen.date_only else "datetime"
    if f.kind in (Kind.INT, Kind.BIGINT):
        return "integer"
    if f.kind is Kind.NUMBER:
        return "decimal"
    if f.kind is Kind.TEXT:
        textual = {wf.source for m in OF_ENTITY.get(screen.entity.name, ()) for wf in m.fields
                   if wf.type is WsType.TEXT}
        if f.name in _LONG_TEXT or f.name in textual:
            return "textarea"
        if "email" in f.name:
            return "email"
        return "text"
    return "readonly"


def shown_in_form(screen: Screen, f: Field, value: Any, prefs: Prefs,
                  label: str | None = None) -> str:
    if value is None:
        return ""
    kind = widget(screen, f)
    if kind == "reference":
        return f"{label} #{value}" if label else f"#{value}"
    if kind in ("date", "datetime"):
        try:
            moment = dt.datetime.fromtimestamp(int(value), prefs.zone)
        except (OverflowError, OSError, ValueError):
            return str(value)
        return moment.strftime("%Y-%m-%d" if kind == "date" else "%Y-%m-%dT%H:%M")
    if kind == "decimal":
        return format(Decimal(str(value)).normalize(), "f") if value != "" else ""
    return str(value)


def parse_value(screen: Screen, f: Field, text: str, prefs: Prefs) -> Any:
    """The service value of what was typed in the input of `f` (InvalidFieldError naming it)."""
    kind = widget(screen, f)
    text = text.replace("\r\n", "\n")
    if kind in ("text", "email", "textarea"):
        return text
    text = text.strip()
    if text == "":
        return None
    if kind in ("select", "integer"):
        if not re.fullmatch(r"[+-]?[0-9]{1,18}", text):
            raise InvalidFieldError(f.name, "must be a whole number")
        number = int(text)
        if kind == "select" and number not in f.choices:
            raise InvalidFieldError(f.name, "is not one of the choices")
        return number
    if kind == "reference":
        found = _REFERENCE.search(text) or re.fullmatch(r"([0-9]{1,18})", text)
        if found is None:
            raise InvalidFieldError(f.name, "pick a record from the suggestions")
        return int(found.group(1))
    if kind == "decimal":
        try:
            return str(parse_decimal(text.replace("\u202f", "").replace("\xa0", ""),
                                     locale=prefs.language, strict=False))
        except NumberFormatError:
            raise InvalidFieldError(f.name, "must be a number") from None
    if kind in ("date", "datetime"):
        try:
            moment = (dt.datetime.strptime(text, "%Y-%m-%d") if kind == "date"
                      else dt.datetime.strptime(text[:16], "%Y-%m-%dT%H:%M"))
            return int(moment.replace(tzinfo=prefs.zone).timestamp())
        except (ValueError, OverflowError):
            raise InvalidFieldError(f.name, "must be a date (YYYY-MM-DD)") from None
    raise InvalidFieldError(f.name, "cannot be changed here")
