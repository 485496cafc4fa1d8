"""Money: rounding, document totals (EN 16931 BR-CO rules), conversion and bounds, as
tables of cases with string Decimals, and the invariants of the totals as properties."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.domain.money import (
    CENT,
    SaleLine,
    check_amount,
    convert,
    document_totals,
    line_net,
    round_money,
    share_out,
)
from comptoir.errors import InvalidFieldError

D = Decimal


def line(qty: str, price: str, rate: str = "0", *, pct: str | None = None,
         amount: str | None = None) -> SaleLine:
    return SaleLine(D(qty), D(price), D(rate), None if pct is None else D(pct),
                    None if amount is None else D(amount))


# (value, places, expected, written exactly so: the exponent counts too)
ROUNDING = [
    ("0.005", 2, "0.01"),
    ("-0.005", 2, "-0.01"),
    ("0.0049999", 2, "0.00"),
    ("2.675", 2, "2.68"),  # 2.67 in binary floating point
    ("1.005", 2, "1.01"),
    ("0.125", 2, "0.13"),  # half up, not half even
    ("-0.001", 2, "0.00"),  # no negative zero
    ("7", 2, "7.00"),
    ("12.34565", 4, "12.3457"),
    ("2.5", 0, "3"),
    ("-2.5", 0, "-3"),
]


@pytest.mark.parametrize(("value", "places", "expected"), ROUNDING)
def test_round_money(value: str, places: int, expected: str) -> None:
    assert str(round_money(D(value), places)) == expected


def test_cent() -> None:
    assert round_money(D("1.234")) == D("1.23") and CENT == D("0.01")


# (id, line, expected net)
LINE_NETS = [
    ("rounded once: 3 x 0.335 = 1.005", line("3", "0.335"), "1.01"),
    ("a quantity with decimals", line("0.333", "3"), "1.00"),
    ("discount percent", line("1", "10", pct="10"), "9.00"),
    ("discount amount wins over percent", line("1", "10", pct="10", amount="3"), "7.00"),
    ("discount amount 0 leaves the percent", line("1", "10", pct="10", amount="0"), "9.00"),
    ("credit line", line("-2", "19.99"), "-39.98"),
    ("credit line: the percent follows the sign", line("-1", "100", pct="10"), "-90.00"),
    ("credit line: the amount is subtracted as given", line("-1", "100", amount="-10"),
     "-90.00"),
    ("negative unit price (a rebate line)", line("1", "-5.555"), "-5.56"),
]


@pytest.mark.parametrize(("sale_line", "expected"), [c[1:] for c in LINE_NETS],
                         ids=[c[0] for c in LINE_NETS])
def test_line_net(sale_line: SaleLine, expected: str) -> None:
    assert str(line_net(sale_line)) == expected


# (id, lines, options, (lines_net, discount, shipping, net, tax, gross, total),
#  VAT rows "rate base vat")
TOTALS: list[tuple[str, list[SaleLine], dict[str, Any], tuple[str, ...], list[str]]] = [
    ("one line", [line("2", "9.99", "20")], {},
     ("19.98", "0.00", "0.00", "19.98", "4.00", "23.98", "23.98"), ["20 19.98 4.00"]),
    # per line 0.005 -> 0.01 three times = 0.03; per rate 0.015 -> 0.02
    ("VAT rounded once per rate, not per line",
     [line("1", "0.05", "10"), line("1", "0.05", "10"), line("1", "0.05", "10")], {},
     ("0.15", "0.00", "0.00", "0.15", "0.02", "0.17", "0.17"), ["10 0.15 0.02"]),
    # shares 33.33, 33.33 and 33.34 on the last rate; VAT 3.66685, 6.667, 13.332
    ("three rates share a discount amount, the last taking the remainder",
     [line("1", "100", "5.5"), line("1", "100", "10"), line("1", "100", "20")],
     {"discount_amount": D("100")},
     ("300.00", "100.00", "0.00", "200.00", "23.67", "223.67", "223.67"),
     ["5.5 66.67 3.67", "10 66.67 6.67", "20 66.66 13.33"]),
    ("a one-cent discount over three rates",
     [line("1", "1", "5.5"), line("1", "1", "10"), line("1", "1", "20")],
     {"discount_amount": D("0.01")},
     ("3.00", "0.01", "0.00", "2.99", "0.36", "3.35", "3.35"),
     ["5.5 1.00 0.06", "10 1.00 0.10", "20 0.99 0.20"]),
    # 15 % of 150: 5.00 on 5.5 %, 10.00 on 20 %; VAT 2.475 -> 2.48
    ("discount percent shared in proportion",
     [line("1", "100", "20"), line("1", "50", "5.5")], {"discount_percent": D("10")},
     ("150.00", "15.00", "0.00", "135.00", "20.48", "155.48", "155.48"),
     ["5.5 45.00 2.48", "20 90.00 18.00"]),
    ("discount percent rounded half up: 1.005 -> 1.01",
     [line("1", "10.05", "20")], {"discount_percent": D("10")},
     ("10.05", "1.01", "0.00", "9.04", "1.81", "10.85", "10.85"), ["20 9.04 1.81"]),
    ("discount amount wins over percent", [line("2", "100", "20")],
     {"discount_percent": D("10"), "discount_amount": D("15")},
     ("200.00", "15.00", "0.00", "185.00", "37.00", "222.00", "222.00"), ["20 185.00 37.00"]),
    ("discount amount 0 leaves the percent", [line("2", "100")],
     {"discount_percent": D("25"), "discount_amount": D("0")},
     ("200.00", "50.00", "0.00", "150.00", "0.00", "150.00", "150.00"), ["0 150.00 0.00"]),
    ("the remainder skips a highest rate whose base is 0",
     [line("1", "100", "5.5"), line("0", "10", "20")], {"discount_amount": D("10")},
     ("100.00", "10.00", "0.00", "90.00", "4.95", "94.95", "94.95"),
     ["5.5 90.00 4.95", "20 0.00 0.00"]),
    ("shipping follows the highest rate", [line("1", "100", "5.5"), line("1", "100", "20")],
     {"shipping": D("10")},
     ("200.00", "0.00", "10.00", "210.00", "27.50", "237.50", "237.50"),
     ["5.5 100.00 5.50", "20 110.00 22.00"]),
    ("shipping at a rate of its own", [line("1", "100", "20")],
     {"shipping": D("10"), "shipping_vat_rate": D("10")},
     ("100.00", "0.00", "10.00", "110.00", "21.00", "131.00", "131.00"),
     ["10 10.00 1.00", "20 100.00 20.00"]),
    ("shipping is not in the discount", [line("1", "100", "20")],
     {"shipping": D("10"), "discount_percent": D("50")},
     ("100.00", "50.00", "10.00", "60.00", "12.00", "72.00", "72.00"), ["20 60.00 12.00"]),
    ("only shipping", [], {"shipping": D("5"), "shipping_vat_rate": D("20")},
     ("0.00", "0.00", "5.00", "5.00", "1.00", "6.00", "6.00"), ["20 5.00 1.00"]),
    ("shipping 0 adds no row for its rate", [line("1", "10", "20")],
     {"shipping_vat_rate": D("10")},
     ("10.00", "0.00", "0.00", "10.00", "2.00", "12.00", "12.00"), ["20 10.00 2.00"]),
    # VAT -1.0989 -> -1.10 (half away from zero)
    ("credit note", [line("-1", "100", "20"), line("-2", "9.99", "5.5")], {},
     ("-119.98", "0.00", "0.00", "-119.98", "-21.10", "-141.08", "-141.08"),
     ["5.5 -19.98 -1.10", "20 -100.00 -20.00"]),
    ("credit note with a discount percent", [line("-1", "100", "20")],
     {"discount_percent": D("10")},
     ("-100.00", "-10.00", "0.00", "-90.00", "-18.00", "-108.00", "-108.00"),
     ["20 -90.00 -18.00"]),
    ("a credit line inside an invoice", [line("2", "50", "20"), line("-1", "50", "20")], {},
     ("50.00", "0.00", "0.00", "50.00", "10.00", "60.00", "60.00"), ["20 50.00 10.00"]),
    ("a rate with a 0 base keeps its row", [line("0", "10", "5.5"), line("1", "10", "20")], {},
     ("10.00", "0.00", "0.00", "10.00", "2.00", "12.00", "12.00"),
     ["5.5 0.00 0.00", "20 10.00 2.00"]),
    ("rates 20 and 20.0 are one rate", [line("1", "10", "20"), line("1", "10", "20.0")], {},
     ("20.00", "0.00", "0.00", "20.00", "4.00", "24.00", "24.00"), ["20 20.00 4.00"]),
    ("adjustment after tax", [line("3", "19.99")], {"adjustment": D("-0.97")},
     ("59.97", "0.00", "0.00", "59.97", "0.00", "59.97", "59.00"), ["0 59.97 0.00"]),
    ("no lines", [], {}, ("0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00"), []),
    ("four places", [line("1", "0.33333", "20")], {"places": 4},
     ("0.3333", "0.0000", "0.0000", "0.3333", "0.0667", "0.4000", "0.4000"),
     ["20 0.3333 0.0667"]),
]


@pytest.mark.parametrize(("lines", "options", "expected", "rows"), [c[1:] for c in TOTALS],
                         ids=[c[0] for c in TOTALS])
def test_document_totals(lines: list[SaleLine], options: dict[str, Any],
                         expected: tuple[str, ...], rows: list[str]) -> None:
    totals = document_totals(lines, **options)
    got = (totals.lines_net, totals.discount, totals.shipping, totals.net, totals.tax,
           totals.gross, totals.total)
    assert tuple(str(v) for v in got) == expected
    assert [f"{row.rate} {row.base} {row.vat}" for row in totals.vat] == rows
    assert sum((row.base for row in totals.vat), D(0)) == totals.net


def test_line_nets_and_adjustment() -> None:
    totals = document_totals([line("3", "0.335", "20"), line("1", "2")],
                             adjustment=D("0.004"))
    assert totals.line_nets == (D("1.01"), D("2.00"))
    assert totals.adjustment == D("0.00")


@pytest.mark.parametrize(("lines", "options", "field"), [
    ([line("1", "100", "20"), line("-1", "100", "20")], {"discount_amount": D("10")},
     "discount_amount"),
    ([], {"discount_amount": D("10")}, "discount_amount"),
    ([], {"shipping": D("5")}, "shipping_vat_rate"),
])
def test_document_totals_refuses(lines: list[SaleLine], options: dict[str, Any],
                                 field: str) -> None:
    with pytest.raises(InvalidFieldError) as raised:
        document_totals(lines, **options)
    assert raised.value.field == field


# (amount, bases "key:base", expected shares)
SHARES = [
    ("100", ["5.5:100", "10:100", "20:100"], ["33.33", "33.33", "33.34"]),
    ("0.02", ["5.5:1", "10:1", "20:1"], ["0.01", "0.01", "0.00"]),
    ("10", ["5.5:100", "20:0"], ["10.00", "0.00"]),
    ("0", ["20:0"], ["0.00"]),
    ("-10", ["5.5:-50", "20:-150"], ["-2.50", "-7.50"]),
    ("9", ["5.5:200", "20:-100"], ["18.00", "-9.00"]),
]


@pytest.mark.parametrize(("amount", "bases", "expected"), SHARES)
def test_share_out(amount: str, bases: list[str], expected: list[str]) -> None:
    parsed = {D(k): D(v) for k, v in (b.split(":") for b in bases)}
    assert [str(s) for s in share_out(D(amount), parsed).values()] == expected


def test_share_out_over_nothing() -> None:
    with pytest.raises(InvalidFieldError):
        share_out(D("1"), {D("20"): D("10"), D("5.5"): D("-10")})


money = st.decimals(min_value="-100000", max_value="100000", places=2, allow_nan=False,
                    allow_infinity=False)
rates = st.sampled_from([D("0"), D("2.1"), D("5.5"), D("10"), D("20")])


@given(st.decimals(min_value="-100000", max_value="100000", places=2),
       st.dictionaries(rates, money, min_size=1, max_size=5))
def test_shares_always_sum_to_the_amount(amount: Decimal, bases: dict[Decimal, Decimal]) -> None:
    if sum(bases.values()) == 0:
        amount = D(0)
    shares = share_out(amount, bases)
    assert sum(shares.values()) == amount
    assert shares.keys() == bases.keys()


sale_lines = st.builds(
    SaleLine,
    quantity=st.decimals(min_value="-50", max_value="50", places=3),
    unit_price=st.decimals(min_value="0", max_value="1000", places=4),
    vat_rate=rates,
    discount_percent=st.none() | st.decimals(min_value="0", max_value="100", places=2))


@given(st.lists(sale_lines, min_size=1, max_size=8),
       st.none() | st.decimals(min_value="0", max_value="100", places=2),
       st.none() | st.decimals(min_value="0", max_value="500", places=2),
       st.decimals(min_value="0", max_value="100", places=2),
       st.decimals(min_value="-1", max_value="1", places=2))
def test_totals_are_consistent(lines: list[SaleLine], percent: Decimal | None,
                               amount: Decimal | None, shipping: Decimal,
                               adjustment: Decimal) -> None:
    try:
        totals = document_totals(lines, discount_percent=percent, discount_amount=amount,
                                 shipping=shipping, adjustment=adjustment)
    except InvalidFieldError as error:
        assert error.field == "discount_amount"
        return
    assert totals.lines_net == sum(totals.line_nets)  # BR-CO-10
    assert totals.net == totals.lines_net - totals.discount + totals.shipping  # BR-CO-13
    assert sum(row.base for row in totals.vat) == totals.net  # the shares sum exactly
    assert totals.tax == sum(row.vat for row in totals.vat)  # BR-CO-14
    assert totals.gross == totals.net + totals.tax  # BR-CO-15
    assert totals.total == totals.gross + totals.adjustment
    assert [row.rate for row in totals.vat] == sorted({ln.vat_rate for ln in lines})
    for row in totals.vat:
        assert row.vat == round_money(row.base * row.rate / 100)
    for value in (*totals.line_nets, totals.net, totals.tax, totals.total):
        assert value == round_money(value)


# (amount, rate, expected)
CONVERSIONS = [
    ("108.50", "1.085", "100.00"),
    ("100", "3", "33.33"),
    ("200", "3", "66.67"),
    ("100", "0.9", "111.11"),
    ("-0.005", "1", "-0.01"),
    ("1", "1", "1.00"),
    ("1234.5678", "1", "1234.57"),
]


@pytest.mark.parametrize(("amount", "rate", "expected"), CONVERSIONS)
def test_convert(amount: str, rate: str, expected: str) -> None:
    assert str(convert(D(amount), D(rate))) == expected


@pytest.mark.parametrize("rate", ["0", "-1", "NaN", "Infinity"])
def test_convert_refuses_a_rate(rate: str) -> None:
    with pytest.raises(InvalidFieldError) as raised:
        convert(D("1"), D(rate))
    assert raised.value.field == "exchangerate"


@pytest.mark.parametrize("value", ["0", "-0", "9999999999999.99999999",
                                   "-9999999999999.99999999", "1.500000000000", "1E+3",
                                   "0.00000001"])
def test_check_amount_accepts(value: str) -> None:
    assert check_amount("price", D(value)) == D(value)


@pytest.mark.parametrize(("value", "problem"), [
    ("NaN", "must be a finite number"),
    ("sNaN", "must be a finite number"),
    ("Infinity", "must be a finite number"),
    ("-Infinity", "must be a finite number"),
    ("10000000000000", "must be less than 10^13 in absolute value"),
    ("-1E13", "must be less than 10^13 in absolute value"),
    ("1E+100", "must be less than 10^13 in absolute value"),
    ("0.000000001", "must have at most 8 decimal places"),
    ("1.0000000000000000000000000000001", "must have at most 8 decimal places"),
])
def test_check_amount_refuses(value: str, problem: str) -> None:
    with pytest.raises(InvalidFieldError) as raised:
        check_amount("price", D(value))
    assert (raised.value.field, raised.value.details["problem"]) == ("price", problem)
