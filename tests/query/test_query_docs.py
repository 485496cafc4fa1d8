"""The generated query language reference is up to date."""

from __future__ import annotations

from pathlib import Path

from comptoir.query.docs import render
from comptoir.query.operators import OPERATORS

DOC = Path(__file__).parents[2] / "docs" / "query.md"


def test_query_page_is_current() -> None:
    assert DOC.read_text() == render(), "run: python -m comptoir.query.docs > docs/query.md"


def test_every_operator_is_documented() -> None:
    page = DOC.read_text()
    for op in OPERATORS:
        assert f"| `{op.symbol}` | {op.description} |" in page
