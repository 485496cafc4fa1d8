"""Templates: an unknown placeholder is refused when saved, naming it; injection attempts
are refused at save time and at render time (the sandbox); the shipped defaults use only
documented placeholders; every change keeps the previous text as a version, and the last
template marked default of its kind, format, language and company is the only one."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from comptoir.domain import placeholders
from comptoir.errors import InvalidFieldError
from comptoir.services import records, templates
from comptoir.services.access import Caller
from comptoir.storage.database import open_database
from tests.conftest import database_with_admin

ADMIN = Caller(user=1, name="admin", admin=True)

UNKNOWN = [
    ("{{ company.nmae }}", "body: unknown placeholder company.nmae"),
    ("{{ custmer.name }}", "body: unknown placeholder custmer"),
    ("{{ company.address.citty }}", "body: unknown placeholder company.address.citty"),
    ("{% for line in lines %}{{ line.nett }}{% endfor %}", "body: unknown placeholder line.nett"),
    ("{% for l in lines %}{{ l.net|money }}{% endfor %}{{ lines.net }}",
     "body: unknown placeholder lines.net"),
    ("{{ totals['totl'] }}", "body: unknown placeholder totals.totl"),
    ("{% for v in vat %}{{ v.rate }}{% endfor %}{{ payment.ibna }}",
     "body: unknown placeholder payment.ibna"),
    ("{{ document.number", "body: line 1: unexpected end of template"),
]

INJECTIONS = [
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ self._TemplateReference__context }}",
    "{{ lipsum.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ company['__class__'] }}",
    "{{ company|attr('__class__') }}",
    "{{ request.application }}",
    "{% include '/etc/passwd' %}",
    "{% import 'os' as os %}",
    "{% from 'x' import y %}",
    "{% extends '/etc/hosts' %}",
    "{{ config }}",
]

VALID = [
    "<h1>{{ document.title }} {{ document.number }}</h1>{{ totals.total|money }}",
    "{% for line in lines %}{{ line.name|upper }} {{ line.vat_rate|percent }}{% endfor %}",
    "{% set n = namespace(count=0) %}{% for x in range(3) %}{% set n.count = n.count + 1 %}"
    "{% endfor %}{{ n.count }}",
    "{{ document.number.upper() }} {{ company.address.lines|join(', ') }}",
    "{% macro money2(v) %}{{ v|money }}{% endmacro %}{{ money2(totals.net) }}",
    "{% for invoice in dunning.invoices %}{{ invoice.days_late }}{% endfor %}",
]


def _record(body: str, format: int = 0) -> dict[str, Any]:
    return {"body": body, "format": format, "kind": 3, "language": "fr", "isdefault": 0}


@pytest.mark.parametrize(("body", "error"), UNKNOWN)
def test_an_unknown_placeholder_is_refused_naming_it(body: str, error: str) -> None:
    with pytest.raises(InvalidFieldError) as caught:
        templates.check_template(_record(body))
    assert str(caught.value).startswith(error)


@pytest.mark.parametrize("body", VALID)
def test_documented_placeholders_are_accepted(body: str) -> None:
    templates.check_template(_record(body))


@pytest.mark.parametrize("body", INJECTIONS)
def test_injection_attempts_are_refused_when_saved(body: str) -> None:
    with pytest.raises(InvalidFieldError, match=r"^body: "):
        templates.check_template(_record(body))


@pytest.mark.parametrize("html", [True, False])
@pytest.mark.parametrize("body", INJECTIONS)
def test_injection_attempts_fail_at_render_time_too(body: str, html: bool) -> None:
    """A template that never went through the check (written before a rule existed) is
    still rendered in the sandbox: it fails, naming the field, and reveals nothing."""
    context = {"company": {"name": "ACME"}}
    with pytest.raises(InvalidFieldError, match=r"^body: "):
        templates.render_text(body, context, html=html)


def test_the_subject_and_the_language_are_checked() -> None:
    with pytest.raises(InvalidFieldError, match=r"^subject: unknown placeholder document.numbr"):
        templates.check_template({**_record("Bonjour", 1), "subject": "{{ document.numbr }}"})
    with pytest.raises(InvalidFieldError, match=r"^language: must be one of fr, en"):
        templates.check_template({**_record("x"), "language": "de"})


@pytest.mark.parametrize("language", placeholders.LANGUAGES)
@pytest.mark.parametrize("format", [templates.DOCUMENT, templates.EMAIL])
def test_the_shipped_templates_use_documented_placeholders(format: int, language: str) -> None:
    shipped = templates.shipped("invoice", format, language)
    templates.check_template({**_record(shipped.body, format), "subject": shipped.subject,
                              "css": shipped.css, "language": language})


def test_rendering_is_strict_and_escapes_html() -> None:
    with pytest.raises(InvalidFieldError, match=r"^body: the template cannot be rendered: "
                       r"'types.SimpleNamespace object' has no attribute 'nope'"):
        from types import SimpleNamespace
        templates.render_text("{{ company.nope }}", {"company": SimpleNamespace(name="A")},
                              html=True)
    assert templates.render_text("{{ x }}", {"x": "<b>A&B</b>"}, html=True) \
        == "&lt;b&gt;A&amp;B&lt;/b&gt;"
    assert templates.render_text("{{ x }}", {"x": "<b>"}, html=False) == "<b>"


@pytest.mark.parametrize(("value", "language", "money", "percent"), [
    ("1234.5", "fr", "1\u202f234,50\u00a0€", "1\u202f234,5\u202f%"),
    ("1234.5", "en", "€1,234.50", "1,234.5%"),
    ("-0.5", "fr", "-0,50\u00a0€", "-0,5\u202f%"),
    ("-0.5", "en", "-€0.50", "-0.5%"),
    ("20.00", "fr", "20,00\u00a0€", "20\u202f%"),
    ("1000000", "en", "€1,000,000.00", "1,000,000%"),
])
def test_formatters_per_language(value: str, language: str, money: str, percent: str) -> None:
    from decimal import Decimal
    assert placeholders.format_money(Decimal(value), "EUR", language) == money
    assert placeholders.format_percent(Decimal(value), language) == percent


def test_dates_per_language() -> None:
    import datetime as dt
    day = dt.date(2026, 12, 7)
    assert placeholders.format_date(day, "fr") == "07/12/2026"
    assert placeholders.format_date(day, "en") == "7 Dec 2026"
    assert placeholders.format_date(None, "fr") == ""


def test_versions_are_kept_and_one_default_wins(tmp_path: Path) -> None:
    async def scenario(url: str) -> dict[str, Any]:
        db = open_database(url)
        await db.open()
        try:
            # given a template saved, then changed twice (and renamed once)
            first = await records.create_record(db, ADMIN, "templates", {
                "name": "Facture A", "body": "<p>{{ document.number }}</p>", "kind": 3,
                "language": "fr", "isdefault": 1})
            tid = int(first.data["ID"])
            await records.update_record(db, ADMIN, "templates", tid,
                                        {"body": "<p>{{ document.title }}</p>"})
            await records.update_record(db, ADMIN, "templates", tid, {"name": "Facture A2"})
            await records.update_record(db, ADMIN, "templates", tid, {"css": "p {color: red}"})
            # a bad change is refused and changes nothing
            with pytest.raises(InvalidFieldError, match="^body: unknown placeholder company.nmae"):
                await records.update_record(db, ADMIN, "templates", tid,
                                            {"body": "{{ company.nmae }}"})
            second = await records.create_record(db, ADMIN, "templates", {
                "name": "Facture B", "body": "<p>B</p>", "kind": 3, "language": "fr",
                "isdefault": 1})
            english = await records.create_record(db, ADMIN, "templates", {
                "name": "Invoice", "body": "<p>EN</p>", "kind": 3, "language": "en",
                "isdefault": 1})
            now = await records.get_record(db, ADMIN, "templates", tid)
            versions = await templates.template_versions(db, ADMIN, tid)
            listed = await templates.list_templates(db, ADMIN)
            async with db.read() as conn:
                chosen = await templates.resolve(conn, "invoice", 0, "fr", None)
                shipped = await templates.resolve(conn, "quote", 0, "fr", None)
            return {"now": now.data, "versions": versions, "listed": listed,
                    "chosen": chosen, "shipped": shipped, "second": second.data["ID"],
                    "english": english.data["ID"]}
        finally:
            await db.close()

    with database_with_admin(tmp_path, "templates") as url:
        found = asyncio.run(scenario(url))
    # then: version 3, the two earlier texts kept (the rename made no version)
    assert found["now"]["version"] == 3
    assert found["now"]["body"] == "<p>{{ document.title }}</p>"
    assert [(v["version"], v["body"], v["css"]) for v in found["versions"]] == [
        (1, "<p>{{ document.number }}</p>", ""), (2, "<p>{{ document.title }}</p>", "")]
    # the last marked default of (invoice, document, fr, every company) is the only one
    defaults = {row["ID"]: row["isdefault"] for row in found["listed"]}
    assert defaults == {found["now"]["ID"]: 0, found["second"]: 1, found["english"]: 1}
    assert found["chosen"].id == found["second"]
    assert found["shipped"].id is None and "document.title" in found["shipped"].body
