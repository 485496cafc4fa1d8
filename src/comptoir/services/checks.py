"""Checks of a whole record that need a business rule (`domain/`), run by every create
and update of its entity whichever door the change comes through (`records.py`): the
registry's rules (`schema/rules.py`) relate fields; these say what a value means.

    check_record(NUMBERINGS, {"pattern": "FA-{SEQ}", "reset": 1, ...})
    -> InvalidFieldError: pattern: a sequence restarting every year needs {YYYY} or {YY}...
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from comptoir.domain import numbering
from comptoir.schema.entity import Entity

#: numberings.reset -> the rule's reset
RESETS = (numbering.Reset.NEVER, numbering.Reset.YEARLY, numbering.Reset.MONTHLY)


def _numbering(record: Mapping[str, Any]) -> None:
    """A pattern that formats numbers, and that keeps them unique across its resets."""
    numbering.check_pattern(record["pattern"])
    numbering.check_reset(record["pattern"], RESETS[record["reset"]])


CHECKS: dict[str, tuple[Callable[[Mapping[str, Any]], None], ...]] = {
    "numberings": (_numbering,),
}


def check_record(entity: Entity, record: Mapping[str, Any]) -> None:
    for check in CHECKS.get(entity.name, ()):
        check(record)
