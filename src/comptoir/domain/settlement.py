"""Settlement: payments and credit notes allocated over invoices, the payment state of an
invoice, ageing, dunning, and the late-payment penalties of French law.

Between professionals, a late payment costs, from the day after the due date and without
any reminder being needed (Code de commerce L441-10):

- penalties at the rate the terms of sale state, at least three times the legal interest
  rate (by default the ECB's refinancing rate plus 10 points), prorated by the day:
  amount x annual rate / 100 x days late / 365, rounded once to the cent;
- a fixed indemnity for recovery costs of 40 EUR per invoice (RECOVERY_INDEMNITY,
  Code de commerce D441-5), due to a professional creditor only.

Dunning escalates one letter at a time: a reminder from 1 day overdue, a second reminder
from 15 days, a formal notice (mise en demeure, the step before legal action) from 30 days.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum, StrEnum

from comptoir.errors import ConflictError, InvalidFieldError

ZERO = Decimal(0)
#: the recovery indemnity per invoice paid late by a professional (D441-5 C. com.)
RECOVERY_INDEMNITY = Decimal("40")
#: days of the year the penalty rate is prorated over
DAYS_PER_YEAR = 365


class PaymentState(StrEnum):
    UNPAID = "unpaid"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    OVERDUE = "overdue"


class DunningLevel(IntEnum):
    NONE = 0
    REMINDER = 1
    SECOND_REMINDER = 2
    #: the formal notice (mise en demeure)
    NOTICE = 3


#: (days overdue from which the level is due, level), highest first
DUNNING_STEPS = ((30, DunningLevel.NOTICE), (15, DunningLevel.SECOND_REMINDER),
                 (1, DunningLevel.REMINDER))
#: (upper bound in days past due, bucket), the last bucket takes the rest
AGEING_BUCKETS = ((0, "not_due"), (30, "1-30"), (60, "31-60"), (90, "61-90"))


def payment_state(total: Decimal, paid: Decimal, due: date | None,
                  today: date) -> PaymentState:
    """PAID when `paid` covers `total` (a total of 0 or less is PAID); else OVERDUE when
    the due date has passed; else PARTLY_PAID when something is paid; else UNPAID."""
    if total <= 0 or paid >= total:
        return PaymentState.PAID
    if due is not None and due < today:
        return PaymentState.OVERDUE
    if paid > 0:
        return PaymentState.PARTLY_PAID
    return PaymentState.UNPAID


def check_allocation(amount: Decimal, *, unallocated: Decimal, balance: Decimal) -> Decimal:
    """`amount` when it may be allocated from a payment (or credit note) with `unallocated`
    left to an invoice with `balance` left to pay; else InvalidFieldError("amount") when
    not above 0, or ConflictError (code over_allocated or over_balance, with `available`)."""
    if amount <= 0:
        raise InvalidFieldError("amount", "must be greater than 0")
    if amount > unallocated:
        available = max(unallocated, ZERO)
        raise ConflictError(f"over-allocation: cannot allocate {amount}, only {available} "
                            "left on the payment", code="over_allocated",
                            available=str(available))
    if amount > balance:
        available = max(balance, ZERO)
        raise ConflictError(f"over-allocation: cannot allocate {amount}, only {available} "
                            "left to pay on the invoice", code="over_balance",
                            available=str(available))
    return amount


def auto_allocate(unallocated: Decimal,
                  balances: Sequence[tuple[int, Decimal]]) -> list[tuple[int, Decimal]]:
    """`unallocated` spread over the invoices (id, balance), in the order given (oldest
    first): each invoice's balance is filled until the money runs out.  Balances of 0 or
    less are skipped; the allocations are all above 0 and sum to at most `unallocated`."""
    left = unallocated
    allocations: list[tuple[int, Decimal]] = []
    for invoice, balance in balances:
        if left <= 0:
            break
        if balance <= 0:
            continue
        amount = min(balance, left)
        allocations.append((invoice, amount))
        left -= amount
    return allocations


def ageing_bucket(due: date, today: date) -> str:
    """The ageing bucket of an invoice due on `due`: "not_due", "1-30", "31-60", "61-90"
    or "90+" days past due."""
    days = (today - due).days
    for bound, bucket in AGEING_BUCKETS:
        if days <= bound:
            return bucket
    return "90+"


def dunning_level(days_overdue: int, previous_level: int) -> int:
    """The dunning level (a DunningLevel) an invoice `days_overdue` days overdue is at,
    but at most one above `previous_level`, the last letter sent: letters escalate one at
    a time.  A level above `previous_level` means a letter is due."""
    if not DunningLevel.NONE <= previous_level <= DunningLevel.NOTICE:
        raise InvalidFieldError("previous_level", "must be from 0 to 3")
    level = next((lvl for days, lvl in DUNNING_STEPS if days_overdue >= days),
                 DunningLevel.NONE)
    return DunningLevel(min(level, previous_level + 1))


def late_penalty(amount: Decimal, annual_rate: Decimal, days: int) -> Decimal:
    """The late-payment penalty on `amount` at `annual_rate` percent a year for `days` days
    late (L441-10 C. com.): amount x rate / 100 x days / 365, rounded to the cent."""
    if days < 0:
        raise InvalidFieldError("days", "must not be negative")
    penalty = amount * annual_rate * days / (100 * DAYS_PER_YEAR)
    rounded = penalty.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded
