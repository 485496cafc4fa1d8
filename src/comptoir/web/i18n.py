"""The languages of the web interface: French and English, from Babel catalogs.

Every string a person reads is an English msgid translated by `web/locale/<lang>/LC_MESSAGES/
messages.po` (English needs no catalog).  The catalogs are read from their `.po` source when
the package is imported, so there is nothing to compile at install; `python -m
comptoir.web.catalog` rewrites them from the templates and the registry's labels, and a test
fails while a string has no French translation.

The language of the request being answered is a context variable, set by the pages from the
user's preferences (else the browser's `Accept-Language`), so that the templates, the labels
and the number and date formats all read it.
"""

from __future__ import annotations

import gettext
import io
from contextvars import ContextVar
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

_language: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


def _load(language: str) -> gettext.NullTranslations:
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


TRANSLATIONS: dict[str, gettext.NullTranslations] = {lang: _load(lang) for lang in LANGUAGES}


def set_language(language: str) -> None:
    _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def language() -> str:
    return _language.get()


def gettext_(message: str) -> str:
    return TRANSLATIONS[_language.get()].gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    return TRANSLATIONS[_language.get()].ngettext(singular, plural, n)


def from_header(header: str) -> str:
    """The first of our languages that an `Accept-Language` header asks for."""
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return DEFAULT_LANGUAGE
