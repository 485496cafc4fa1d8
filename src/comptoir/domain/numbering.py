"""Legal document numbers: patterns, counters and the numbers they give.

French law wants every invoice to carry "un numéro unique basé sur une séquence
chronologique et continue" (CGI, annexe II, art. 242 nonies A, I-7°): no gap, no
duplicate, never out of date order.  Separate series are allowed (one per kind of document
here, see KINDS), and a series may restart each year or month as long as the number stays
unique, that is as long as the period is part of it (see `check_reset`).

A pattern is literal text and placeholders:

    {YYYY} year, {YY} year on 2 digits, {MM} month, {DD} day (of the document's date)
    {SEQ} the sequence value, {SEQ:n} the value zero-padded to n digits (n from 1 to 12);
          a value wider than n digits is written in full, never truncated

exactly one sequence placeholder, literal text from [A-Za-z0-9 _./-], 40 characters at
most: "FA-{YYYY}-{SEQ:5}" gives FA-2026-00042.

A counter holds the next value and the period it is in ("" when it never restarts,
"2026" yearly, "2026-12" monthly).  Taking a number for a document dated in a later
period restarts at 1; in an earlier period it is refused: the numbers would no longer be
chronological.  Within a period the caller keeps documents in date order (it knows the
date of the last one).  When the reset of a counter changes, the sequence continues while
the coarser of the two periods is the same, so no number is given twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from comptoir.errors import ConflictError, InvalidFieldError

MAX_LENGTH = 40
MAX_WIDTH = 12
PLACEHOLDERS = "use {YYYY}, {YY}, {MM}, {DD}, {SEQ} or {SEQ:n}"

#: the kinds of document numbered, and their default patterns
KINDS: dict[str, str] = {
    "quote": "DE-{YYYY}-{SEQ:5}",
    "order": "CO-{YYYY}-{SEQ:5}",
    "delivery": "BL-{YYYY}-{SEQ:5}",
    "invoice": "FA-{YYYY}-{SEQ:5}",
    "credit": "AV-{YYYY}-{SEQ:5}",
    "supplierorder": "CF-{YYYY}-{SEQ:5}",
    "receipt": "BR-{YYYY}-{SEQ:5}",
    "supplierinvoice": "FF-{YYYY}-{SEQ:5}",
    "suppliercredit": "AF-{YYYY}-{SEQ:5}",
    "payment": "RG-{YYYY}-{SEQ:5}",
    "dunning": "RE-{YYYY}-{SEQ:5}",
}

_DATE_PARTS: dict[str, Callable[[date], str]] = {
    "{YYYY}": lambda day: f"{day.year:04d}",
    "{YY}": lambda day: f"{day.year % 100:02d}",
    "{MM}": lambda day: f"{day.month:02d}",
    "{DD}": lambda day: f"{day.day:02d}",
}
#: a placeholder, a lone brace, or a run of literal text
_PIECES = re.compile(r"\{[^{}]*\}|[{}]|[^{}]+")
_LITERAL = re.compile(r"[A-Za-z0-9 _./-]*")
_SEQ = re.compile(r"\{SEQ(?::([0-9]+))?\}")


class Reset(StrEnum):
    NEVER = "never"
    YEARLY = "yearly"
    MONTHLY = "monthly"


@dataclass(frozen=True, slots=True)
class _Seq:
    #: 0: as many digits as the value has
    width: int


def _parse(pattern: str) -> list[str | _Seq]:
    """The pieces of a pattern: literal text, date placeholders ("{YYYY}") and the
    sequence; InvalidFieldError("pattern") for the first problem found."""
    if len(pattern) > MAX_LENGTH:
        raise InvalidFieldError("pattern", f"must be at most {MAX_LENGTH} characters long, "
                                f"not {len(pattern)}")
    pieces: list[str | _Seq] = []
    for piece in _PIECES.findall(pattern):
        if piece == "{":
            raise InvalidFieldError("pattern", "has a { without its closing }")
        if piece == "}":
            raise InvalidFieldError("pattern", "has a } without its opening {")
        if seq := _SEQ.fullmatch(piece):
            width = int(seq.group(1) or 0)
            if seq.group(1) is not None and not 1 <= width <= MAX_WIDTH:
                raise InvalidFieldError("pattern", f"{piece}: the width n of {{SEQ:n}} must "
                                        f"be from 1 to {MAX_WIDTH}")
            pieces.append(_Seq(width))
        elif piece.startswith("{"):
            if piece not in _DATE_PARTS:
                raise InvalidFieldError("pattern", f"unknown placeholder {piece}; "
                                        f"{PLACEHOLDERS}")
            pieces.append(piece)
        else:
            if not _LITERAL.fullmatch(piece):
                bad = next(c for c in piece if not _LITERAL.fullmatch(c))
                raise InvalidFieldError("pattern", f"character {bad!r} is not allowed; "
                                        "use letters A-Z, digits, space and _ . / -")
            pieces.append(piece)
    count = sum(isinstance(piece, _Seq) for piece in pieces)
    if count != 1:
        raise InvalidFieldError("pattern", "needs exactly one {SEQ} or {SEQ:n}, "
                                f"not {count}")
    return pieces


def check_pattern(pattern: str) -> str:
    """`pattern` when it is a valid numbering pattern, else InvalidFieldError("pattern")."""
    _parse(pattern)
    return pattern


def check_reset(pattern: str, reset: Reset) -> str:
    """`pattern` when its numbers stay unique under `reset`: a sequence restarting every
    year needs the year in the number ({YYYY} or {YY}), every month the year and {MM};
    else InvalidFieldError("pattern")."""
    pieces = _parse(pattern)
    has_year = "{YYYY}" in pieces or "{YY}" in pieces
    if reset is Reset.YEARLY and not has_year:
        raise InvalidFieldError("pattern", "a sequence restarting every year needs {YYYY} "
                                "or {YY}, else its numbers repeat")
    if reset is Reset.MONTHLY and not (has_year and "{MM}" in pieces):
        raise InvalidFieldError("pattern", "a sequence restarting every month needs {MM} "
                                "and {YYYY} or {YY}, else its numbers repeat")
    return pattern


def period_of(reset: Reset, day: date) -> str:
    """The period `day` is in: "" (never restarts), "2026" (yearly), "2026-12" (monthly)."""
    if reset is Reset.YEARLY:
        return f"{day.year:04d}"
    if reset is Reset.MONTHLY:
        return f"{day.year:04d}-{day.month:02d}"
    return ""


@dataclass(frozen=True, slots=True)
class Counter:
    #: the value the next document takes, at least 1
    next_value: int
    #: the period the counter is in ("" when it never restarts, or has not started)
    period: str

    def __post_init__(self) -> None:
        if self.next_value < 1:
            raise InvalidFieldError("next_value", "must be at least 1")


def _compare(period: str, other: str) -> int:
    """-1, 0 or 1 as `period` is before, in or after `other`, compared on the coarser of
    the two ("2026-03" is in "2026"); "" is in every period."""
    if not period or not other:
        return 0
    size = min(len(period), len(other))
    return (period[:size] > other[:size]) - (period[:size] < other[:size])


def take(counter: Counter, reset: Reset, day: date) -> tuple[int, Counter]:
    """The value for a document dated `day` and the counter after it.  A day in a later
    period restarts the sequence at 1; in an earlier period -> ConflictError."""
    period = period_of(reset, day)
    order = _compare(period, counter.period)
    if order < 0:
        raise ConflictError(
            f"the numbering is already in period {counter.period}: a document dated "
            f"{day.isoformat()} would break the chronological sequence",
            code="period_passed", period=counter.period, day=day.isoformat())
    value = 1 if order > 0 else counter.next_value
    return value, Counter(value + 1, period)


def format_number(pattern: str, value: int, day: date) -> str:
    """The number `value` written with `pattern` for a document dated `day`."""
    if value < 1:
        raise InvalidFieldError("value", "must be at least 1")
    parts = []
    for piece in _parse(pattern):
        if isinstance(piece, _Seq):
            parts.append(f"{value:0{piece.width}d}" if piece.width else str(value))
        elif piece in _DATE_PARTS:
            parts.append(_DATE_PARTS[piece](day))
        else:
            parts.append(piece)
    return "".join(parts)


def preview(pattern: str, counter: Counter, reset: Reset, day: date) -> str:
    """The number the next document dated `day` would get, without taking it."""
    value, _ = take(counter, reset, day)
    return format_number(pattern, value, day)
