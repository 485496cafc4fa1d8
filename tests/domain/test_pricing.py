"""Pricing from price lists (the ZeyOS model): unit prices, quantity breaks, the best price
across lists, and when a list applies, as tables of cases with string Decimals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.domain.pricing import PriceRule, best_price, list_applies, unit_price

D = Decimal


def rule(pricelist: int, price: str | None, *, rebate: str = "0", discount: str | None = None,
         list_discount: str = "0", min_quantity: str = "0") -> PriceRule:
    return PriceRule(pricelist, None if price is None else D(price), D(rebate),
                     None if discount is None else D(discount), D(list_discount),
                     D(min_quantity))


# (id, rule, base price, expected unit price, written exactly)
UNIT_PRICES = [
    ("fixed price", rule(1, "100"), "80", "100.0000"),
    ("no price: the item's base price", rule(1, None), "80", "80.0000"),
    ("the rebate comes before the discount: (100 - 10) x 0.9",
     rule(1, "100", rebate="10", discount="10"), "0", "81.0000"),
    ("no discount: the list's default", rule(1, "100", list_discount="5"), "0", "95.0000"),
    ("a discount of 0 overrides the list's", rule(1, "100", discount="0", list_discount="5"),
     "0", "100.0000"),
    ("a negative discount is a surcharge", rule(1, "100", discount="-10"), "0", "110.0000"),
    ("rebate and list discount on the base price",
     rule(1, None, rebate="2.5", list_discount="20"), "12.5", "8.0000"),
    ("never below 0: rebate above the price", rule(1, "5", rebate="6"), "0", "0.0000"),
    ("never below 0: surcharge on a negative", rule(1, "5", rebate="6", discount="-50"), "0",
     "0.0000"),
    ("a discount of 100 %", rule(1, "42", discount="100"), "0", "0.0000"),
    ("4 places: 0.0125 less 3 % = 0.012125", rule(1, "0.0125", discount="3"), "0", "0.0121"),
    ("4 places, half up: 0.00005", rule(1, "0.00005"), "0", "0.0001"),
    ("4 places, half up: 1 less 33.335 %", rule(1, "1", discount="33.335"), "0", "0.6667"),
]


@pytest.mark.parametrize(("price_rule", "base", "expected"), [c[1:] for c in UNIT_PRICES],
                         ids=[c[0] for c in UNIT_PRICES])
def test_unit_price(price_rule: PriceRule, base: str, expected: str) -> None:
    assert str(unit_price(price_rule, D(base))) == expected


#: list 1 has three quantity breaks; lists 2 and 3 one each
BREAKS = [
    rule(1, "10"), rule(1, "9", min_quantity="10"), rule(1, "8", min_quantity="100"),
    rule(2, "9.5"),
    rule(3, "8.5", min_quantity="50"),
]

# (id, rules, base, quantity, lowest, expected price, expected list)
BEST: list[tuple[str, list[PriceRule], str, str, bool, str, int | None]] = [
    ("one piece", BREAKS, "12", "1", True, "9.5000", 2),
    ("just below a break", BREAKS, "12", "9.99", True, "9.5000", 2),
    ("the break at 10 reached", BREAKS, "12", "10", True, "9.0000", 1),
    ("a third list from 50", BREAKS, "12", "50", True, "8.5000", 3),
    ("the break at 100", BREAKS, "12", "100", True, "8.0000", 1),
    ("a credit line is priced on its size", BREAKS, "12", "-100", True, "8.0000", 1),
    # list 1 gives 9 from 10 (its break), not 10: the highest of the breaks reached applies
    ("highest price: per list, the break applies first", BREAKS, "12", "10", False,
     "9.5000", 2),
    ("highest price, one piece", BREAKS, "12", "1", False, "10.0000", 1),
    ("a tie goes to the smallest list ID", [rule(5, "9"), rule(4, "9"), rule(6, "9.5")],
     "12", "1", True, "9.0000", 4),
    ("a tie on the highest price too", [rule(5, "9"), rule(4, "9"), rule(6, "8")],
     "12", "1", False, "9.0000", 4),
    ("a tie after rounding to 4 places", [rule(2, "1.00004"), rule(1, "1")], "0", "1",
     True, "1.0000", 1),
    ("no price: the base price of the item", [rule(7, None, list_discount="10")], "20", "3",
     True, "18.0000", 7),
    ("no break reached: the base price", [rule(1, "9", min_quantity="10")], "12", "5",
     True, "12", None),
    ("no rules at all", [], "12.345", "1", True, "12.345", None),
    ("two rows at one break of one list: the better one", [
        rule(1, "9", min_quantity="10"), rule(1, "7", min_quantity="10"), rule(1, "5")],
     "12", "10", True, "7.0000", 1),
]


@pytest.mark.parametrize(("rules", "base", "quantity", "lowest", "price", "pricelist"),
                         [c[1:] for c in BEST], ids=[c[0] for c in BEST])
def test_best_price(rules: list[PriceRule], base: str, quantity: str, lowest: bool,
                    price: str, pricelist: int | None) -> None:
    got = best_price(rules, D(base), D(quantity), lowest=lowest)
    assert (str(got[0]), got[1]) == (price, pricelist)


prices = st.decimals(min_value="0", max_value="1000", places=4)
rules = st.builds(PriceRule, pricelist=st.integers(1, 5), price=st.none() | prices,
                  rebate=st.decimals(min_value="0", max_value="10", places=2),
                  discount=st.none() | st.decimals(min_value="-100", max_value="100",
                                                   places=2),
                  list_discount=st.decimals(min_value="-100", max_value="100", places=2),
                  min_quantity=st.decimals(min_value="0", max_value="100", places=0))


@given(st.lists(rules, max_size=12), prices, st.decimals(min_value="-200", max_value="200",
                                                          places=1))
def test_lowest_is_never_above_highest(rules: list[PriceRule], base: Decimal,
                                       quantity: Decimal) -> None:
    low, low_list = best_price(rules, base, quantity)
    high, high_list = best_price(rules, base, quantity, lowest=False)
    assert low <= high
    assert (low_list is None) == (high_list is None)
    assert low >= 0 or low_list is None


#: a list that applies: active, no dates, no currency, for everyone
APPLIES: dict[str, Any] = {"active": True, "date_from": None, "date_to": None, "when": 1000,
                           "currency": None, "document_currency": "EUR",
                           "for_everyone": True, "linked": False}

# (id, what changes from APPLIES, expected)
LISTS: list[tuple[str, dict[str, Any], bool]] = [
    ("open list", {}, True),
    ("deactivated", {"active": False}, False),
    ("from a date reached", {"date_from": 1000}, True),
    ("from a date not reached", {"date_from": 1001}, False),
    ("to a date not passed", {"date_to": 1000}, True),
    ("to a date passed", {"date_to": 999}, False),
    ("within both dates", {"date_from": 0, "date_to": 2000}, True),
    ("the document's currency", {"currency": "EUR"}, True),
    ("another currency", {"currency": "USD"}, False),
    ("a currency, the document none", {"currency": "EUR", "document_currency": None}, False),
    ("no currency, the document none", {"document_currency": None}, True),
    ("for the linked accounts, linked", {"for_everyone": False, "linked": True}, True),
    ("for the linked accounts, not linked", {"for_everyone": False}, False),
]


@pytest.mark.parametrize(("changes", "expected"), [c[1:] for c in LISTS],
                         ids=[c[0] for c in LISTS])
def test_list_applies(changes: dict[str, Any], expected: bool) -> None:
    assert list_applies(**{**APPLIES, **changes}) is expected
