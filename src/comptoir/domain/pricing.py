"""Pricing: the unit price of a document line from the price lists, the ZeyOS way.

A price list (`pricelists`) holds prices (`prices`): one row per item and quantity break.
A row gives a fixed unit price or none (the item's base price: its selling price for
billing, its purchase price for procurement), an absolute rebate per unit applied first,
then a discount in percent (negative: a surcharge), or none to use the list's default
discount:

    unit price = max(0, ((price or base) - rebate) x (1 - discount / 100))

rounded to 4 decimal places, ROUND_HALF_UP: a unit price may carry fractions of a cent
(0.0125 EUR a screw); only the line's net is rounded to the cent (`money.line_net`).

A list applies to a document when it is active, the document's date is within its dates,
its currency (if any) is the document's, and it is for every account or linked to the
document's account.  Within one list, the quantity break applies: of the rows whose
minimum quantity the line reaches, the one with the highest minimum.  Across the lists
that apply, the lowest unit price wins (BILLING_MIN, PROCUREMENT_MIN lists) or the highest
(the _MAX types); on a tie, the list with the smallest ID.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)
#: unit prices keep 4 decimal places
UNIT_PRICE_STEP = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class PriceRule:
    """One row of `prices` joined with its price list."""

    pricelist: int
    #: the fixed unit price; None: the item's base price
    price: Decimal | None
    #: absolute, per unit, applied before the discount
    rebate: Decimal
    #: percent off (negative: on top); None: the list's default discount
    discount: Decimal | None
    #: the price list's default discount
    list_discount: Decimal
    #: the quantity break: the row applies from this quantity
    min_quantity: Decimal


def unit_price(rule: PriceRule, base: Decimal) -> Decimal:
    """The unit price `rule` gives to an item whose base price is `base`: (price or base)
    less the rebate, less the discount, never below 0, rounded to 4 places."""
    price = base if rule.price is None else rule.price
    discount = rule.list_discount if rule.discount is None else rule.discount
    value = max((price - rule.rebate) * (HUNDRED - discount) / HUNDRED, ZERO)
    return value.quantize(UNIT_PRICE_STEP, rounding=ROUND_HALF_UP)


def best_price(rules: Sequence[PriceRule], base: Decimal, quantity: Decimal, *,
               lowest: bool = True) -> tuple[Decimal, int | None]:
    """The unit price of `quantity` (its absolute value: a credit line is priced like a
    sale) and the price list that gives it, among `rules` (the rows of the item in the
    lists that apply): the lowest price, or the highest when not `lowest`; on a tie the
    smallest price list ID.  No row reached: (base, None)."""
    size = abs(quantity)
    reached = [rule for rule in rules if rule.min_quantity <= size]
    breaks: dict[int, Decimal] = {}
    for rule in reached:
        breaks[rule.pricelist] = max(breaks.get(rule.pricelist, rule.min_quantity),
                                     rule.min_quantity)
    offers = [(unit_price(rule, base), rule.pricelist) for rule in reached
              if rule.min_quantity == breaks[rule.pricelist]]
    if not offers:
        return base, None
    sign = 1 if lowest else -1
    return min(offers, key=lambda offer: (sign * offer[0], offer[1]))


def list_applies(*, active: bool, date_from: int | None, date_to: int | None, when: int,
                 currency: str | None, document_currency: str | None, for_everyone: bool,
                 linked: bool) -> bool:
    """Whether a price list applies to a document: `active`, `when` (a Unix time stamp)
    within [date_from, date_to] (None: open), the list's currency None or the document's,
    and the list for every account (`applytoall`) or `linked` to the document's account."""
    return (active
            and (date_from is None or date_from <= when)
            and (date_to is None or when <= date_to)
            and (currency is None or currency == document_currency)
            and (for_everyone or linked))
