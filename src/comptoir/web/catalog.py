"""The message catalog of the web interface: every string a person can read, gathered from
the templates, the Python of `web/` and the registry (screen names, field labels, enum
labels, sections, menu families, actions), and the French catalog brought up to date.

    python -m comptoir.web.catalog          # rewrite web/locale/fr/LC_MESSAGES/messages.po
    python -m comptoir.web.catalog --check  # exit 1 when a string is missing or untranslated

New strings are added with an empty translation, strings no longer used are dropped;
translations already made are kept.  `tests/web/test_catalog.py` runs the check.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.pofile import read_po, write_po
from jinja2.ext import babel_extract

from comptoir.events import outbox
from comptoir.web import actions, context, pages
from comptoir.web.i18n import LOCALE_DIR
from comptoir.web.screens import MENU, SCREENS, humanize

WEB = Path(__file__).parent
KEYWORDS = {"_": None, "gettext": None, "gettext_": None, "ngettext": (1, 2),
            "ngettext_": (1, 2)}


def _from_sources() -> Iterator[str]:
    for path in sorted((WEB / "templates").glob("*.html")):
        with path.open("rb") as source:
            for _line, message, _comments, _context in extract(
                    babel_extract, source, KEYWORDS,  # type: ignore[arg-type]
                    options={"extensions": "jinja2.ext.i18n"}):
                yield from (message if isinstance(message, tuple) else (message,))
    for path in sorted(WEB.glob("*.py")):
        with path.open("rb") as source:
            for _line, message, _comments, _context in extract("python", source, KEYWORDS):
                yield from (message if isinstance(message, tuple) else (message,))


def _from_registry() -> Iterator[str]:
    for family, _slugs in MENU:
        yield family
    for screen in SCREENS.values():
        yield screen.label
        yield screen.singular
        yield from screen.labels.values()
        yield from (section.name for section in screen.sections)
        yield from (related.label for related in screen.related)
        for f in screen.fields:
            yield from (humanize(label.lower()) for label in f.choices.values()
                        if f.kind.value == "enum")
    for offered in actions.ACTIONS.values():
        yield from (a.label for a in offered)
    yield from (title for _status, title in context.STATUS.values())
    yield from pages.DATE_STYLES
    yield from get_args(outbox.Action)  # the history's "created", "issued", ...
    yield "Other"


def messages() -> list[str]:
    """Every msgid of the interface, sorted, without empty or placeholder-only strings."""
    found = {m for m in (*_from_sources(), *_from_registry()) if m and m.strip()}
    return sorted(found)


def _read(language: str) -> Catalog:
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return Catalog(locale=language, project="Comptoir", fuzzy=False)
    with path.open("rb") as source:
        return read_po(source, locale=language)


def updated(language: str) -> tuple[Catalog, list[str], list[str]]:
    """The catalog with exactly the current messages; (catalog, missing, untranslated)."""
    old = _read(language)
    new = Catalog(locale=language, project="Comptoir", fuzzy=False)
    missing, untranslated = [], []
    for msgid in messages():
        known = old.get(msgid)
        text = known.string if known is not None else ""
        if known is None:
            missing.append(msgid)
        elif not text:
            untranslated.append(msgid)
        new.add(msgid, text)
    return new, missing, untranslated


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m comptoir.web.catalog")
    parser.add_argument("--check", action="store_true",
                        help="only check: exit 1 if a string is missing or untranslated")
    args = parser.parse_args(argv)
    catalog, missing, untranslated = updated("fr")
    if args.check:
        for msgid in missing + untranslated:
            print(f"fr: no translation of {msgid!r}")
        return 1 if missing or untranslated else 0
    path = LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as target:
        write_po(target, catalog, width=0, omit_header=False, sort_output=True)
    print(f"{path}: {len(catalog)} messages, {len(missing)} new, "
          f"{len(missing) + len(untranslated)} to translate")
    return 0



if __name__ == "__main__":
    sys.exit(main())
