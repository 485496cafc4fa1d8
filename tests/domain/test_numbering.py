"""Legal document numbers (CGI ann. II art. 242 nonies A): patterns, periods, counters."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.domain.numbering import (
    KINDS,
    Counter,
    Reset,
    check_pattern,
    check_reset,
    format_number,
    period_of,
    preview,
    take,
)
from comptoir.errors import ConflictError, InvalidFieldError

DAY = date(2026, 3, 7)

# (pattern, value, day, expected number)
FORMATS = [
    ("FA-{YYYY}-{SEQ:5}", 42, DAY, "FA-2026-00042"),
    ("{YY}{MM}{DD}-{SEQ}", 7, DAY, "260307-7"),
    ("{SEQ}", 1, DAY, "1"),
    ("{SEQ:1}", 9, DAY, "9"),
    ("{SEQ:12}", 3, DAY, "000000000003"),
    ("F{SEQ:05}", 3, DAY, "F00003"),
    ("AV {YYYY}/{MM}.{SEQ:3}_x", 12, DAY, "AV 2026/03.012_x"),
    ("{YY}-{SEQ:2}", 5, date(2005, 1, 1), "05-05"),
    ("{YYYY}-{SEQ:2}", 5, date(987, 12, 31), "0987-05"),
    ("{DD}/{MM}/{YYYY}-{SEQ}", 1, date(2026, 12, 31), "31/12/2026-1"),
    # overflow: a value wider than the width is written in full, never truncated
    ("FA-{SEQ:3}", 1000, DAY, "FA-1000"),
    ("FA-{SEQ:5}", 1234567, DAY, "FA-1234567"),
]


@pytest.mark.parametrize(("pattern", "value", "day", "expected"), FORMATS)
def test_format_number(pattern: str, value: int, day: date, expected: str) -> None:
    assert check_pattern(pattern) == pattern
    assert format_number(pattern, value, day) == expected


@pytest.mark.parametrize("pattern", KINDS.values())
def test_default_patterns_are_valid_and_yearly(pattern: str) -> None:
    assert check_reset(pattern, Reset.YEARLY) == pattern


def test_kinds() -> None:
    assert list(KINDS) == ["quote", "order", "delivery", "invoice", "credit",
                           "supplierorder", "receipt", "supplierinvoice", "suppliercredit",
                           "payment", "dunning"]
    assert format_number(KINDS["invoice"], 1, DAY) == "FA-2026-00001"


# (pattern, problem)
BAD_PATTERNS = [
    ("FA-{XYZ}-{SEQ}",
     "unknown placeholder {XYZ}; use {YYYY}, {YY}, {MM}, {DD}, {SEQ} or {SEQ:n}"),
    ("FA-{seq}", "unknown placeholder {seq}; use {YYYY}, {YY}, {MM}, {DD}, {SEQ} or {SEQ:n}"),
    ("FA-{SEQ:}", "unknown placeholder {SEQ:}; use {YYYY}, {YY}, {MM}, {DD}, {SEQ} or {SEQ:n}"),
    ("FA-{}{SEQ}", "unknown placeholder {}; use {YYYY}, {YY}, {MM}, {DD}, {SEQ} or {SEQ:n}"),
    ("FA-{SEQ:0}", "{SEQ:0}: the width n of {SEQ:n} must be from 1 to 12"),
    ("FA-{SEQ:13}", "{SEQ:13}: the width n of {SEQ:n} must be from 1 to 12"),
    ("FA-{SEQ}-{SEQ:3}", "needs exactly one {SEQ} or {SEQ:n}, not 2"),
    ("FA-{YYYY}", "needs exactly one {SEQ} or {SEQ:n}, not 0"),
    ("", "needs exactly one {SEQ} or {SEQ:n}, not 0"),
    ("FA-{SEQ", "has a { without its closing }"),
    ("FA-{{SEQ}", "has a { without its closing }"),
    ("FA-SEQ}", "has a } without its opening {"),
    ("FA-{SEQ}}", "has a } without its opening {"),
    ("FA-{YYYY-{SEQ}", "has a { without its closing }"),
    ("FÉ-{SEQ}", "character 'É' is not allowed; use letters A-Z, digits, space and _ . / -"),
    ("FA#{SEQ}", "character '#' is not allowed; use letters A-Z, digits, space and _ . / -"),
    ("FA\n{SEQ}", "character '\\n' is not allowed; use letters A-Z, digits, space and _ . / -"),
    ("X" * 36 + "{SEQ}", "must be at most 40 characters long, not 41"),
]


@pytest.mark.parametrize(("pattern", "problem"), BAD_PATTERNS)
def test_check_pattern_refuses(pattern: str, problem: str) -> None:
    with pytest.raises(InvalidFieldError) as raised:
        check_pattern(pattern)
    assert (raised.value.field, raised.value.details["problem"]) == ("pattern", problem)


def test_forty_characters_are_fine() -> None:
    assert check_pattern("X" * 35 + "{SEQ}")


@pytest.mark.parametrize(("pattern", "reset", "ok"), [
    ("FA-{SEQ}", Reset.NEVER, True),
    ("FA-{SEQ}", Reset.YEARLY, False),
    ("FA-{YY}-{SEQ}", Reset.YEARLY, True),
    ("FA-{YYYY}-{SEQ}", Reset.MONTHLY, False),
    ("FA-{MM}-{SEQ}", Reset.MONTHLY, False),
    ("FA-{YYYY}{MM}-{SEQ}", Reset.MONTHLY, True),
])
def test_check_reset(pattern: str, reset: Reset, ok: bool) -> None:
    if ok:
        assert check_reset(pattern, reset) == pattern
    else:
        with pytest.raises(InvalidFieldError):
            check_reset(pattern, reset)


@pytest.mark.parametrize(("reset", "day", "expected"), [
    (Reset.NEVER, DAY, ""),
    (Reset.YEARLY, DAY, "2026"),
    (Reset.MONTHLY, DAY, "2026-03"),
    (Reset.MONTHLY, date(2026, 12, 31), "2026-12"),
    (Reset.YEARLY, date(999, 1, 1), "0999"),
])
def test_period_of(reset: Reset, day: date, expected: str) -> None:
    assert period_of(reset, day) == expected


# (counter value, counter period, reset, day, value taken, counter period after)
TAKES = [
    (1, "", Reset.NEVER, DAY, 1, ""),
    (42, "", Reset.NEVER, DAY, 42, ""),
    (1, "", Reset.YEARLY, DAY, 1, "2026"),  # a new counter
    (42, "2026", Reset.YEARLY, date(2026, 12, 31), 42, "2026"),
    (42, "2026", Reset.YEARLY, date(2027, 1, 1), 1, "2027"),  # a new year restarts
    (42, "2025", Reset.YEARLY, date(2030, 1, 1), 1, "2030"),
    (42, "2026-03", Reset.MONTHLY, date(2026, 3, 31), 42, "2026-03"),
    (42, "2026-03", Reset.MONTHLY, date(2026, 4, 1), 1, "2026-04"),
    (42, "2026-12", Reset.MONTHLY, date(2027, 1, 1), 1, "2027-01"),
    # the reset changed: the sequence goes on while the coarser period is the same
    (42, "", Reset.YEARLY, DAY, 42, "2026"),
    (42, "2026", Reset.MONTHLY, DAY, 42, "2026-03"),
    (42, "2026-03", Reset.YEARLY, DAY, 42, "2026"),
    (42, "2026-03", Reset.NEVER, DAY, 42, ""),
    (42, "2025", Reset.MONTHLY, DAY, 1, "2026-03"),
]


@pytest.mark.parametrize(("value", "period", "reset", "day", "taken", "after"), TAKES)
def test_take(value: int, period: str, reset: Reset, day: date, taken: int,
              after: str) -> None:
    assert take(Counter(value, period), reset, day) == (taken, Counter(taken + 1, after))


@pytest.mark.parametrize(("period", "reset", "day"), [
    ("2026", Reset.YEARLY, date(2025, 12, 31)),
    ("2026-03", Reset.MONTHLY, date(2026, 2, 28)),
    ("2026-03", Reset.MONTHLY, date(2025, 4, 1)),
    ("2026-03", Reset.YEARLY, date(2025, 12, 31)),
    ("2026", Reset.MONTHLY, date(2025, 12, 1)),
])
def test_take_refuses_an_earlier_period(period: str, reset: Reset, day: date) -> None:
    with pytest.raises(ConflictError) as raised:
        take(Counter(5, period), reset, day)
    assert raised.value.details["period"] == period
    assert raised.value.details["code"] == "period_passed"


def test_counter_starts_at_1() -> None:
    with pytest.raises(InvalidFieldError):
        Counter(0, "")


def test_format_number_refuses_0() -> None:
    with pytest.raises(InvalidFieldError):
        format_number("{SEQ}", 0, DAY)


@pytest.mark.parametrize(("counter", "reset", "day", "expected"), [
    (Counter(42, "2026"), Reset.YEARLY, DAY, "FA-2026-00042"),
    (Counter(42, "2026"), Reset.YEARLY, date(2027, 1, 2), "FA-2027-00001"),
    (Counter(100000, "2026"), Reset.YEARLY, DAY, "FA-2026-100000"),
])
def test_preview(counter: Counter, reset: Reset, day: date, expected: str) -> None:
    assert preview("FA-{YYYY}-{SEQ:5}", counter, reset, day) == expected
    assert preview("FA-{YYYY}-{SEQ:5}", counter, reset, day) == expected  # nothing taken


def test_preview_refuses_an_earlier_period() -> None:
    with pytest.raises(ConflictError):
        preview("FA-{YYYY}-{SEQ}", Counter(2, "2026"), Reset.YEARLY, date(2025, 6, 1))


@given(st.sampled_from(list(Reset)), st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
       st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=60))
def test_chronological_days_never_get_the_same_number(reset: Reset, start: date,
                                                      steps: list[int]) -> None:
    pattern = "FA-{YYYY}{MM}-{SEQ:3}"
    check_reset(pattern, reset)
    counter, numbers, day = Counter(1, ""), [], start
    for step in steps:
        day += timedelta(days=step)
        value, after = take(counter, reset, day)
        assert value == (counter.next_value if after.period == counter.period
                         or not counter.period else 1)
        numbers.append(format_number(pattern, value, day))
        counter = after
    assert len(set(numbers)) == len(numbers)
