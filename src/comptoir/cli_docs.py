"""The command reference (docs/cli.md), rendered from the `comptoir` argument parser and
the settings.  `python -m comptoir.cli_docs > docs/cli.md` regenerates it; a test fails when
the committed page is stale."""

from __future__ import annotations

import argparse
import os

from comptoir.cli import build_parser
from comptoir.config import Settings


def _commands(parser: argparse.ArgumentParser, prefix: str) -> list[tuple[str, str]]:
    found = [(prefix, parser.format_help())]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _commands(sub, f"{prefix} {name}")
    return found


def render() -> str:
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # argparse wraps help at the terminal width
    try:
        return _render()
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns


def _render() -> str:
    lines = ["# The `comptoir` command", "",
             "Generated from the parser (`src/comptoir/cli.py`) by "
             "`python -m comptoir.cli_docs > docs/cli.md`; do not edit by hand.", "",
             "## Settings", "",
             "Every setting can also be given in the environment as `COMPTOIR_<NAME>`.", "",
             "| setting | default | meaning |", "|---|---|---|"]
    lines += [f"| `{name}` | `{default}` | {help_} |" for name, default, help_ in Settings.describe()]
    for command, text in _commands(build_parser(), "comptoir"):
        lines += ["", f"## {command}", "", "```", text.rstrip(), "```"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
