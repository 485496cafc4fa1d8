"""The generated entity reference is up to date."""

from __future__ import annotations

from pathlib import Path

from comptoir.schema.docs import render

DOC = Path(__file__).parents[2] / "docs" / "entities.md"


def test_entities_page_is_current() -> None:
    assert DOC.read_text() == render(), "run: python -m comptoir.schema.docs > docs/entities.md"
