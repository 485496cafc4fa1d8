"""Rendering: the Jinja2 environment of the web interface, the security headers of every
page, and how a stored value is shown to a person (dates in their time zone, numbers and
amounts in their language, enum labels, links that can only be http, https or mailto).

Templates are autoescaped: a value typed into a field (`<script>`) is shown as text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from markupsafe import Markup, escape
from starlette.responses import HTMLResponse

from comptoir import __version__
from comptoir.schema.fields import Field, Kind
from comptoir.web import i18n
from comptoir.web.screens import Screen, humanize

TEMPLATES = Path(__file__).parent / "templates"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
       "object-src 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY",
           "Cache-Control": "no-store"}
_SAFE_LINK = re.compile(r"^(https?://|mailto:)[^\s\"'<>]+$", re.IGNORECASE)


@dataclass(frozen=True)
class Prefs:
    """How a user reads values: language, time zone, date style."""

    language: str = i18n.DEFAULT_LANGUAGE
    timezone: str = "Europe/Paris"
    #: Babel date format: "short" (07/12/2026), "medium" (7 déc. 2026), or "iso"
    dates: str = "short"

    @property
    def zone(self) -> dt.tzinfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return dt.UTC


def day_of(timestamp: int, prefs: Prefs) -> dt.date:
    return dt.datetime.fromtimestamp(timestamp, prefs.zone).date()


def show_date(timestamp: int | None, prefs: Prefs, *, with_time: bool) -> str:
    if timestamp is None:
        return ""
    try:
        moment = dt.datetime.fromtimestamp(int(timestamp), prefs.zone)
    except (OverflowError, OSError, ValueError):
        return str(timestamp)
    if prefs.dates == "iso":
        return moment.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
    if with_time:
        return format_datetime(moment, prefs.dates, locale=prefs.language)
    return format_date(moment.date(), prefs.dates, locale=prefs.language)


def show_number(value: Any, prefs: Prefs, places: int | None = None) -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
        return format_decimal(number, format="#,##0." + "0" * places, locale=prefs.language)
    return format_decimal(number, locale=prefs.language)


def enum_label(f: Field, value: Any) -> str:
    label = f.choices.get(value)
    if label is None:
        return "" if value is None else str(value)
    return i18n.gettext_(humanize(label.lower()))


def show_value(screen: Screen, f: Field, value: Any, prefs: Prefs,
               reference: str | None = None) -> Markup | str:
    """A stored value as the screens show it (escaped text or safe markup)."""
    if value is None or value == "":
        return ""
    if f.kind is Kind.ENUM:
        return enum_label(f, value)
    if f.is_timestamp:
        return show_date(value, prefs, with_time=f.name not in screen.date_only)
    if f.kind is Kind.NUMBER:
        return show_number(value, prefs, 2 if screen.entity.name in (
            "transactions", "lineitems", "payments", "allocations") else None)
    if f.kind is Kind.REF:
        return reference if reference else f"#{value}"
    if f.kind is Kind.TEXT and isinstance(value, str):
        if f.name in ("website", "url") and _SAFE_LINK.match(value):
            return Markup('<a href="{0}" rel="noopener noreferrer nofollow">{0}</a>').format(
                value)
        if "email" in f.name and "@" in value and _SAFE_LINK.match("mailto:" + value):
            return Markup('<a href="mailto:{0}">{0}</a>').format(value)
    if isinstance(value, (list, dict)):
        return str(value)
    return str(value)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             extensions=["jinja2.ext.i18n"], auto_reload=False)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext_, i18n.ngettext_, newstyle=True)
    env.globals.update(version=__version__, escape=escape)
    return env


ENV = _environment()


def page(template: str, context: dict[str, Any], status: int = 200,
         headers: dict[str, str] | None = None) -> HTMLResponse:
    body = ENV.get_template(template).render(context)
    return HTMLResponse(body, status_code=status, headers={**HEADERS, **(headers or {})})
