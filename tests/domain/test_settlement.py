"""Settlement: payment states, allocations, ageing, dunning and late-payment penalties
(Code de commerce L441-10, D441-5), as tables of cases with string Decimals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.domain.settlement import (
    RECOVERY_INDEMNITY,
    DunningLevel,
    PaymentState,
    ageing_bucket,
    auto_allocate,
    check_allocation,
    dunning_level,
    late_penalty,
    payment_state,
)
from comptoir.errors import ConflictError, InvalidFieldError

D = Decimal
TODAY = date(2026, 3, 15)

# (total, paid, due, expected)
STATES = [
    ("100", "100", None, PaymentState.PAID),
    ("100", "120", date(2026, 1, 1), PaymentState.PAID),  # overpaid, and past due
    ("0", "0", date(2026, 1, 1), PaymentState.PAID),
    ("-50", "0", date(2026, 1, 1), PaymentState.PAID),  # a credit note
    ("100", "99.99", date(2026, 3, 14), PaymentState.OVERDUE),
    ("100", "0", date(2026, 3, 14), PaymentState.OVERDUE),
    ("100", "40", date(2026, 3, 15), PaymentState.PARTLY_PAID),  # due today: not yet late
    ("100", "40", None, PaymentState.PARTLY_PAID),
    ("100", "0", date(2026, 4, 1), PaymentState.UNPAID),
    ("100", "0", None, PaymentState.UNPAID),
]


@pytest.mark.parametrize(("total", "paid", "due", "expected"), STATES)
def test_payment_state(total: str, paid: str, due: date | None,
                       expected: PaymentState) -> None:
    assert payment_state(D(total), D(paid), due, TODAY) is expected


# (amount, unallocated, balance)
ALLOWED = [
    ("10", "10", "10"),
    ("0.01", "100", "100"),
    ("50", "100", "50"),
    ("50", "50", "100"),
]


@pytest.mark.parametrize(("amount", "unallocated", "balance"), ALLOWED)
def test_check_allocation(amount: str, unallocated: str, balance: str) -> None:
    assert check_allocation(D(amount), unallocated=D(unallocated), balance=D(balance)) \
        == D(amount)


@pytest.mark.parametrize("amount", ["0", "-1", "-0.01"])
def test_allocation_must_be_positive(amount: str) -> None:
    with pytest.raises(InvalidFieldError) as raised:
        check_allocation(D(amount), unallocated=D("100"), balance=D("100"))
    assert raised.value.message == "amount: must be greater than 0"


# (amount, unallocated, balance, code, available); the payment is checked first
OVER = [
    ("100.01", "100", "500", "over_allocated", "100"),
    ("10", "0", "500", "over_allocated", "0"),
    ("10", "-5", "500", "over_allocated", "0"),
    ("80", "50", "60", "over_allocated", "50"),
    ("60.01", "100", "60", "over_balance", "60"),
    ("1", "100", "0", "over_balance", "0"),
]


@pytest.mark.parametrize(("amount", "unallocated", "balance", "code", "available"), OVER)
def test_over_allocation(amount: str, unallocated: str, balance: str, code: str,
                         available: str) -> None:
    with pytest.raises(ConflictError) as raised:
        check_allocation(D(amount), unallocated=D(unallocated), balance=D(balance))
    assert raised.value.details == {"code": code, "available": available}
    assert raised.value.message.startswith("over-allocation: ")
    assert f"only {available} left" in raised.value.message


def test_over_allocation_message() -> None:
    with pytest.raises(ConflictError) as raised:
        check_allocation(D("150"), unallocated=D("100"), balance=D("500"))
    assert raised.value.message == \
        "over-allocation: cannot allocate 150, only 100 left on the payment"


# (unallocated, balances "id:balance", expected "id:amount")
AUTO = [
    ("100", ["1:30", "2:50", "3:40"], ["1:30", "2:50", "3:20"]),
    ("200", ["1:30", "2:50"], ["1:30", "2:50"]),
    ("30", ["1:30", "2:50"], ["1:30"]),
    ("10", ["1:0", "2:-5", "3:25"], ["3:10"]),  # nothing owed on 1 and 2
    ("0", ["1:30"], []),
    ("-5", ["1:30"], []),
    ("50", [], []),
    ("0.01", ["7:99.99", "3:1"], ["7:0.01"]),
]


@pytest.mark.parametrize(("unallocated", "balances", "expected"), AUTO)
def test_auto_allocate(unallocated: str, balances: list[str], expected: list[str]) -> None:
    pairs = [(int(i), D(b)) for i, b in (x.split(":") for x in balances)]
    got = auto_allocate(D(unallocated), pairs)
    assert [f"{i}:{a}" for i, a in got] == expected


@given(st.decimals(min_value="-100", max_value="10000", places=2),
       st.lists(st.decimals(min_value="-100", max_value="1000", places=2), max_size=10))
def test_auto_allocate_never_over_allocates(unallocated: Decimal,
                                            balances: list[Decimal]) -> None:
    pairs = list(enumerate(balances))
    allocations = auto_allocate(unallocated, pairs)
    allocated = sum((a for _, a in allocations), D(0))
    assert allocated <= max(unallocated, D(0))
    owed = sum((b for b in balances if b > 0), D(0))
    assert allocated == min(max(unallocated, D(0)), owed)
    for invoice, amount in allocations:
        check_allocation(amount, unallocated=unallocated, balance=balances[invoice])


# (due, expected bucket) on TODAY
BUCKETS = [
    (date(2026, 4, 1), "not_due"),
    (date(2026, 3, 15), "not_due"),
    (date(2026, 3, 14), "1-30"),
    (date(2026, 2, 13), "1-30"),  # 30 days
    (date(2026, 2, 12), "31-60"),
    (date(2026, 1, 14), "31-60"),  # 60 days
    (date(2026, 1, 13), "61-90"),
    (date(2025, 12, 15), "61-90"),  # 90 days
    (date(2025, 12, 14), "90+"),
    (date(2020, 1, 1), "90+"),
]


@pytest.mark.parametrize(("due", "expected"), BUCKETS)
def test_ageing_bucket(due: date, expected: str) -> None:
    assert ageing_bucket(due, TODAY) == expected


# (days overdue, previous level, expected level)
DUNNING = [
    (0, 0, 0),
    (-5, 0, 0),
    (1, 0, 1),
    (14, 0, 1),
    (14, 1, 1),  # no new letter yet
    (15, 1, 2),
    (29, 2, 2),
    (30, 2, 3),
    (400, 3, 3),
    # letters escalate one at a time: no formal notice without the reminders
    (45, 0, 1),
    (45, 1, 2),
    (20, 0, 1),
]


@pytest.mark.parametrize(("days", "previous", "expected"), DUNNING)
def test_dunning_level(days: int, previous: int, expected: int) -> None:
    assert dunning_level(days, previous) == expected


def test_dunning_levels_are_named() -> None:
    assert dunning_level(30, 2) is DunningLevel.NOTICE
    with pytest.raises(InvalidFieldError):
        dunning_level(30, 4)
    with pytest.raises(InvalidFieldError):
        dunning_level(30, -1)


# (amount, annual rate, days, expected penalty)
PENALTIES = [
    ("1000", "12.15", 30, "9.99"),  # 1000 x 12.15 % x 30 / 365 = 9.9863
    ("1000", "10", 365, "100.00"),
    ("1000", "10", 0, "0.00"),
    ("36.50", "10", 5, "0.05"),  # exactly 0.05
    ("73", "5", 1, "0.01"),  # 0.01 exactly
    ("365", "0.5", 1, "0.01"),  # 0.005 rounds half up
    ("1", "10", 1, "0.00"),
    ("-1000", "10", 365, "-100.00"),
]


@pytest.mark.parametrize(("amount", "rate", "days", "expected"), PENALTIES)
def test_late_penalty(amount: str, rate: str, days: int, expected: str) -> None:
    assert str(late_penalty(D(amount), D(rate), days)) == expected


def test_late_penalty_refuses_negative_days() -> None:
    with pytest.raises(InvalidFieldError):
        late_penalty(D("100"), D("10"), -1)


def test_recovery_indemnity() -> None:
    assert RECOVERY_INDEMNITY == D("40")
