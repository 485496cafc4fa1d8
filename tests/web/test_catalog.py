"""The French catalog covers every string of the interface, with the same placeholders."""

from __future__ import annotations

import re

from comptoir.web import catalog, i18n

_PLACEHOLDER = re.compile(r"%(\([a-z_]+\))?[sd%]")


def test_every_string_has_a_french_translation() -> None:
    _catalog, missing, untranslated = catalog.updated("fr")
    assert missing == [], "run python -m comptoir.web.catalog and translate: " + repr(missing)
    assert untranslated == [], repr(untranslated)


def test_translations_keep_the_placeholders() -> None:
    translated, _missing, _untranslated = catalog.updated("fr")
    for message in translated:
        if message.id:
            assert sorted(_PLACEHOLDER.findall(message.id)) == sorted(
                _PLACEHOLDER.findall(message.string)), message.id


def test_the_language_of_a_request_is_its_own() -> None:
    i18n.set_language("fr")
    assert i18n.gettext_("Log out") == "Se déconnecter"
    i18n.set_language("en")
    assert i18n.gettext_("Log out") == "Log out"
    i18n.set_language("xx")  # not ours: the default, French
    assert i18n.language() == "fr"
    assert i18n.from_header("de-DE,de;q=0.9,en;q=0.8") == "en"
    assert i18n.from_header("") == "fr"
