"""Checks of a whole record that need a business rule (`domain/`), run by every create
and update of its entity whichever door the change comes through (`records.py`): the
registry's rules (`schema/rules.py`) relate fields; these say what a value means.

    check_record(NUMBERINGS, {"pattern": "FA-{SEQ}", "reset": 1, ...})
    -> InvalidFieldError: pattern: a sequence restarting every year needs {YYYY} or {YY}...
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import orjson

from comptoir.domain import numbering
from comptoir.errors import InvalidFieldError
from comptoir.schema.entity import Entity

#: numberings.reset -> the rule's reset
RESETS = (numbering.Reset.NEVER, numbering.Reset.YEARLY, numbering.Reset.MONTHLY)


def shipping_percents(text: Any) -> dict[str, Decimal]:
    """The S&H taxes of a document (`transactions.shippingtaxes`, JSON text): tax name ->
    percent; anything else is an error naming the field."""
    if not text:
        return {}
    try:
        value = orjson.loads(text) if isinstance(text, str | bytes) else text
    except orjson.JSONDecodeError:
        value = None
    problem = "must be a JSON object of tax names to percents, e.g. {\"tax1\": 20}"
    if not isinstance(value, dict):
        raise InvalidFieldError("shippingtaxes", problem)
    percents = {}
    for name, percent in value.items():
        if isinstance(percent, bool) or not isinstance(percent, int | float) \
                or not 0 <= percent < 100:
            raise InvalidFieldError("shippingtaxes", f"{str(name)[:40]}: {problem}")
        percents[name] = Decimal(str(percent))
    return percents


def _shipping_taxes(record: Mapping[str, Any]) -> None:
    shipping_percents(record.get("shippingtaxes"))


def _numbering(record: Mapping[str, Any]) -> None:
    """A pattern that formats numbers, and that keeps them unique across its resets."""
    numbering.check_pattern(record["pattern"])
    numbering.check_reset(record["pattern"], RESETS[record["reset"]])


CHECKS: dict[str, tuple[Callable[[Mapping[str, Any]], None], ...]] = {
    "numberings": (_numbering,),
    "transactions": (_shipping_taxes,),
}


def check_record(entity: Entity, record: Mapping[str, Any]) -> None:
    for check in CHECKS.get(entity.name, ()):
        check(record)
