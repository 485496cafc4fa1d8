"""`domain/placeholders.py`: how a line's unit prints."""

from __future__ import annotations

import pytest

from comptoir.domain.placeholders import printed_unit


@pytest.mark.parametrize(("unit", "language", "printed"), [
    ("C62", "fr", ""),          # "one": a count needs no unit
    ("HUR", "fr", "h"),
    ("DAY", "fr", "j"),
    ("DAY", "en", "d"),
    ("H87", "en", "pc"),
    ("KGM", "en", "kg"),
    ("h", "fr", "h"),           # a free unit prints as it is
    ("carton", "fr", "carton"),
    ("", "fr", ""),
    ("HUR", "de", "h"),         # another language: the French words
])
def test_a_line_unit_prints_as_people_write_it(unit: str, language: str, printed: str) -> None:
    assert printed_unit(unit, language) == printed
