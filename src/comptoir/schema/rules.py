"""Field rules that span more than one field, declared on entities.

Each rule is a small frozen dataclass with a pure `check(record)` that returns the
first violation as `(field, message)` or `None`.  `record` is the full record as it will be
stored (the existing row with the client's changes applied), so rules hold on create and on
update alike.  Uniqueness is not here: it is a property of the field (`Field.unique`) and is
enforced by a unique index.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Violation = tuple[str, str] | None


def _empty(value: Any) -> bool:
    return value is None or value == ""


@dataclass(frozen=True, slots=True)
class RequiredIfEmpty:
    """`field` is required if `other` is empty (accounts: firstname / lastname)."""

    field: str
    other: str

    def check(self, record: Mapping[str, Any]) -> Violation:
        if _empty(record.get(self.field)) and _empty(record.get(self.other)):
            return self.field, f"is required if {self.other} is empty"
        return None


@dataclass(frozen=True, slots=True)
class MutuallyExclusive:
    """At most one of `fields` may be set."""

    fields: tuple[str, ...]

    def check(self, record: Mapping[str, Any]) -> Violation:
        given = [f for f in self.fields if not _empty(record.get(f))]
        if len(given) > 1:
            others = " and ".join(given[1:])
            return given[0], f"is mutually exclusive to {others}"
        return None


@dataclass(frozen=True, slots=True)
class OneOfRequired:
    """At least one of `fields` must be set."""

    fields: tuple[str, ...]

    def check(self, record: Mapping[str, Any]) -> Violation:
        if all(_empty(record.get(f)) for f in self.fields):
            return self.fields[0], f"one of {', '.join(self.fields)} is required"
        return None


@dataclass(frozen=True, slots=True)
class NotAfter:
    """`field` <= `other` when both are set (datefrom <= dateto)."""

    field: str
    other: str

    def check(self, record: Mapping[str, Any]) -> Violation:
        a, b = record.get(self.field), record.get(self.other)
        if a is not None and b is not None and a > b:
            return self.field, f"must not be greater than {self.other}"
        return None


@dataclass(frozen=True, slots=True)
class DistinctFrom:
    """`field` must differ from `other` when set (components: component != item)."""

    field: str
    other: str

    def check(self, record: Mapping[str, Any]) -> Violation:
        value = record.get(self.field)
        if value is not None and value == record.get(self.other):
            return self.field, f"must be distinct from {self.other}"
        return None


@dataclass(frozen=True, slots=True)
class NonZero:
    field: str

    def check(self, record: Mapping[str, Any]) -> Violation:
        if record.get(self.field) == 0:
            return self.field, "must not be zero"
        return None


@dataclass(frozen=True, slots=True)
class RequiredIffSet:
    """`field` is required if and only if `other` is set (records: index / entity)."""

    field: str
    other: str

    def check(self, record: Mapping[str, Any]) -> Violation:
        has_other = not _empty(record.get(self.other))
        has_field = not _empty(record.get(self.field))
        if has_other and not has_field:
            return self.field, f"is required if {self.other} is set"
        if has_field and not has_other:
            return self.field, f"must be null if {self.other} is null"
        return None


@dataclass(frozen=True, slots=True)
class RequiredForValue:
    """`field` is required when `selector` has one of `values`, and null otherwise
    (`null_otherwise`), e.g. transactions: `item` for PRODUCTION only."""

    field: str
    selector: str
    values: tuple[Any, ...]
    label: str
    null_otherwise: bool = False

    def check(self, record: Mapping[str, Any]) -> Violation:
        selected = record.get(self.selector) in self.values
        if selected and _empty(record.get(self.field)):
            return self.field, f"is required for {self.label}"
        if self.null_otherwise and not selected and not _empty(record.get(self.field)):
            return self.field, f"must be null unless {self.selector} is {self.label}"
        return None


@dataclass(frozen=True, slots=True)
class NullForValue:
    """`field` must be null when `selector` has one of `values`."""

    field: str
    selector: str
    values: tuple[Any, ...]
    label: str

    def check(self, record: Mapping[str, Any]) -> Violation:
        if record.get(self.selector) in self.values and not _empty(record.get(self.field)):
            return self.field, f"must be null for {self.label}"
        return None


Rule = (RequiredIfEmpty | MutuallyExclusive | OneOfRequired | NotAfter | DistinctFrom
        | NonZero | RequiredIffSet | RequiredForValue | NullForValue)
