"""The generated entity reference is up to date."""

from __future__ import annotations

from pathlib import Path

from comptoir.schema.docs import render

DOC = Path(__file__).parents[2] / "docs" / "entities.md"


def test_entities_page_is_current() -> None:
    assert DOC.read_text() == render(), "run: python -m comptoir.schema.docs > docs/entities.md"


def test_command_page_is_current() -> None:
    from comptoir.cli_docs import render as render_cli

    page = Path(__file__).parents[2] / "docs" / "cli.md"
    assert page.read_text() == render_cli(), "run: python -m comptoir.cli_docs > docs/cli.md"
