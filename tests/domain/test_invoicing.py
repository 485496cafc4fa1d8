"""Invoicing: quantities left to take, order and quote statuses (ZeyOS labels), progress
invoicing and advance invoices, as tables of cases with string Decimals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.domain.invoicing import (
    Advance,
    Progress,
    advance_lines,
    check_progress,
    check_take,
    deduct_advances,
    order_status,
    quote_status,
)
from comptoir.errors import ConflictError, InvalidFieldError

D = Decimal
FIELD = "lines[2].quantity"


def bases(*pairs: str) -> dict[Decimal, Decimal]:
    """{rate: base} from "rate:base" strings."""
    return {D(r): D(b) for r, b in (p.split(":") for p in pairs)}


def advance_list(advances: list[str]) -> list[Advance]:
    """Advances from "rate:base" strings (a rate may repeat)."""
    return [Advance(D(r), D(b)) for r, b in (a.split(":") for a in advances)]


def p(ordered: str, delivered: str = "0", invoiced: str = "0") -> Progress:
    return Progress(D(ordered), D(delivered), D(invoiced))


# (wanted, ordered, taken)
TAKES_ALLOWED = [
    ("5", "10", "5"),
    ("10", "10", "0"),
    ("0.5", "1", "0.5"),
    ("-2", "-5", "-3"),  # a negative line is mirrored
    ("-5", "-5", "0"),
]


@pytest.mark.parametrize(("wanted", "ordered", "taken"), TAKES_ALLOWED)
def test_check_take(wanted: str, ordered: str, taken: str) -> None:
    assert check_take(FIELD, D(wanted), D(ordered), D(taken)) == D(wanted)


# (wanted, ordered, taken, remaining)
TAKES_OVER = [
    ("6", "10", "5", "5"),
    ("1", "10", "10", "0"),
    ("1", "10", "12", "0"),  # already over-taken: nothing left, not a negative rest
    ("1", "0", "0", "0"),
    ("-3", "-5", "-3", "-2"),
    ("-1", "-5", "-6", "0"),
]


@pytest.mark.parametrize(("wanted", "ordered", "taken", "remaining"), TAKES_OVER)
def test_check_take_over_quantity(wanted: str, ordered: str, taken: str,
                                  remaining: str) -> None:
    with pytest.raises(ConflictError) as raised:
        check_take(FIELD, D(wanted), D(ordered), D(taken))
    assert raised.value.details == {"code": "over_quantity", "remaining": remaining}
    assert raised.value.message == f"{FIELD}: {wanted} is more than the {remaining} left"


@pytest.mark.parametrize(("wanted", "ordered", "problem"), [
    ("0", "10", "must be greater than 0"),
    ("-1", "10", "must be greater than 0"),
    ("0", "0", "must be greater than 0"),
    ("2", "-5", "must be less than 0 (the line is negative)"),
    ("0", "-5", "must be less than 0 (the line is negative)"),
])
def test_check_take_sign(wanted: str, ordered: str, problem: str) -> None:
    with pytest.raises(InvalidFieldError) as raised:
        check_take(FIELD, D(wanted), D(ordered), D("0"))
    assert raised.value.message == f"{FIELD}: {problem}"


# (id, lines, expected status)
ORDERS = [
    ("no lines", [], "BOOKED"),
    ("nothing done", [p("10"), p("5")], "BOOKED"),
    ("part delivered", [p("10", "5")], "PARTLYDELIVERED"),
    ("one line of two delivered", [p("10", "10"), p("5")], "PARTLYDELIVERED"),
    ("all delivered", [p("10", "10"), p("5", "5")], "DELIVERED"),
    ("over-delivered counts as delivered", [p("10", "12")], "DELIVERED"),
    ("invoicing wins over delivery", [p("10", "10", "5")], "PARTLYINVOICED"),
    ("one line of two invoiced", [p("10", "0", "10"), p("5")], "PARTLYINVOICED"),
    ("all invoiced, nothing delivered (services)", [p("10", "0", "10"), p("5", "0", "5")],
     "INVOICED"),
    ("invoiced then credited in full: back to delivered", [p("10", "10", "0")], "DELIVERED"),
    ("a negative line invoiced in full", [p("10", "10", "10"), p("-2", "-2", "-2")],
     "INVOICED"),
    ("a negative line not yet invoiced", [p("10", "10", "10"), p("-2", "-2", "0")],
     "PARTLYINVOICED"),
    ("a line of 0 is done", [p("10", "0", "10"), p("0")], "INVOICED"),
]


@pytest.mark.parametrize(("lines", "expected"), [c[1:] for c in ORDERS],
                         ids=[c[0] for c in ORDERS])
def test_order_status(lines: list[Progress], expected: str) -> None:
    assert order_status(lines) == expected


# (lines "quoted:ordered", expected status)
QUOTES = [
    ([], "BOOKED"),
    (["10:0", "5:0"], "BOOKED"),
    (["10:5"], "PARTLYORDERED"),
    (["10:10", "5:0"], "PARTLYORDERED"),
    (["10:10", "5:5"], "ORDERED"),
    (["10:12"], "ORDERED"),
    (["-1:-1", "2:2"], "ORDERED"),
    (["-1:0", "2:2"], "PARTLYORDERED"),
]


@pytest.mark.parametrize(("lines", "expected"), QUOTES)
def test_quote_status(lines: list[str], expected: str) -> None:
    pairs = [(D(q), D(o)) for q, o in (x.split(":") for x in lines)]
    assert quote_status(pairs) == expected


# (before, wanted cumulative, increment)
PROGRESS = [
    ("0", "30", "30"),
    ("30", "100", "70"),
    ("33.33", "66.67", "33.34"),
    ("99.99", "100", "0.01"),
]


@pytest.mark.parametrize(("before", "wanted", "increment"), PROGRESS)
def test_check_progress(before: str, wanted: str, increment: str) -> None:
    assert check_progress("percent", D(before), D(wanted)) == D(increment)


@pytest.mark.parametrize(("before", "wanted", "error"), [
    ("30", "30", ConflictError),
    ("50", "40", ConflictError),
    ("100", "100", ConflictError),
    ("0", "100.01", InvalidFieldError),
    ("0", "0", InvalidFieldError),
    ("0", "-5", InvalidFieldError),
])
def test_check_progress_refuses(before: str, wanted: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        check_progress("percent", D(before), D(wanted))


def test_progress_going_back_names_what_was_invoiced() -> None:
    with pytest.raises(ConflictError) as raised:
        check_progress("percent", D("50"), D("40"))
    assert raised.value.details == {"code": "not_progressing", "invoiced": "50"}


# (order bases, percent, amount, expected "rate:base" shares)
ADVANCES: list[tuple[dict[Decimal, Decimal], str | None, str | None, list[str]]] = [
    (bases("20:1000", "5.5:500"), "30", None, ["5.5:150.00", "20:300.00"]),
    (bases("20:1000", "5.5:500"), None, "100", ["5.5:33.33", "20:66.67"]),
    (bases("5.5:100", "10:100", "20:100"), None, "100",
     ["5.5:33.33", "10:33.33", "20:33.34"]),
    (bases("5.5:100", "10:100", "20:100"), "100", None,
     ["5.5:100.00", "10:100.00", "20:100.00"]),
    (bases("20:10.01"), "50", None, ["20:5.01"]),  # 5.005 -> 5.01
    (bases("20:1000.01"), "33.333", None, ["20:333.33"]),  # 333.3333...
    (bases("20:0.10"), "5", None, ["20:0.01"]),  # 0.005 -> 0.01
    (bases("5.5:0", "20:100"), "50", None, ["20:50.00"]),  # a rate without base is left out
    (bases("20:100"), None, "10.005", ["20:10.01"]),
    (bases("20:100"), None, "100", ["20:100.00"]),  # the whole net
    (bases("5.5:-20", "20:100"), "50", None, ["5.5:-10.00", "20:50.00"]),
]


@pytest.mark.parametrize(("order", "percent", "amount", "expected"), ADVANCES)
def test_advance_lines(order: dict[Decimal, Decimal], percent: str | None,
                       amount: str | None, expected: list[str]) -> None:
    got = advance_lines(order, percent=None if percent is None else D(percent),
                        amount=None if amount is None else D(amount))
    assert [f"{r}:{b}" for r, b in got.items()] == expected


@pytest.mark.parametrize(("order", "percent", "amount", "error", "field_or_code"), [
    (bases("20:100"), "10", "10", InvalidFieldError, "percent"),
    (bases("20:100"), None, None, InvalidFieldError, "percent"),
    (bases("20:100"), "0", None, InvalidFieldError, "percent"),
    (bases("20:100"), "-1", None, InvalidFieldError, "percent"),
    (bases("20:100"), "100.01", None, InvalidFieldError, "percent"),
    (bases("20:100"), None, "0", InvalidFieldError, "amount"),
    (bases("20:100"), None, "-5", InvalidFieldError, "amount"),
    (bases("20:100"), None, "100.01", ConflictError, "over_amount"),
    ({}, "10", None, ConflictError, "no_net"),
    (bases("20:-100"), "10", None, ConflictError, "no_net"),
])
def test_advance_lines_refuses(order: dict[Decimal, Decimal], percent: str | None,
                               amount: str | None, error: type[Exception],
                               field_or_code: str) -> None:
    with pytest.raises(error) as raised:
        advance_lines(order, percent=None if percent is None else D(percent),
                      amount=None if amount is None else D(amount))
    details = getattr(raised.value, "details", {})
    assert field_or_code in (details.get("field"), details.get("code"))


# (final bases, advances "rate:base", expected "rate:deduction")
DEDUCTIONS = [
    (bases("20:1000", "5.5:500"), ["20:300", "5.5:150"], ["5.5:-150", "20:-300"]),
    (bases("20:1000"), ["20:100", "20:200"], ["20:-300"]),
    (bases("20:300"), ["20:300"], ["20:-300"]),  # the whole base
    (bases("20:300"), [], []),
    (bases("20:300"), ["20:100", "20:-100"], []),  # an advance credited: nothing to deduct
]


@pytest.mark.parametrize(("final", "advances", "expected"), DEDUCTIONS)
def test_deduct_advances(final: dict[Decimal, Decimal], advances: list[str],
                         expected: list[str]) -> None:
    got = deduct_advances(final, advance_list(advances))
    assert [f"{r}:{b}" for r, b in got.items()] == expected


@pytest.mark.parametrize(("final", "advances", "details"), [
    (bases("20:100"), ["20:100.01"],
     {"code": "over_deduction", "rate": "20", "advanced": "100.01", "base": "100"}),
    (bases("20:100"), ["20:60", "20:60"],
     {"code": "over_deduction", "rate": "20", "advanced": "120", "base": "100"}),
    (bases("20:100"), ["10:5"],
     {"code": "over_deduction", "rate": "10", "advanced": "5", "base": "0"}),
])
def test_deduct_advances_refuses(final: dict[Decimal, Decimal], advances: list[str],
                                 details: dict[str, str]) -> None:
    with pytest.raises(ConflictError) as raised:
        deduct_advances(final, advance_list(advances))
    assert raised.value.details == details


order_bases = st.dictionaries(st.sampled_from([D("0"), D("5.5"), D("10"), D("20")]),
                              st.decimals(min_value="0", max_value="100000", places=2),
                              min_size=1, max_size=2)


@given(order_bases, st.decimals(min_value="0.01", max_value="100", places=2))
def test_an_advance_over_two_rates_is_deducted_in_full(order: dict[Decimal, Decimal],
                                        percent: Decimal) -> None:
    # with two rates, no share goes below 0 nor above its base; with three or more, the
    # last rate's remainder may be a cent off (see invoicing's docstring)
    net = sum(order.values(), D(0))
    if net <= 0:
        return
    shares = advance_lines(order, percent=percent)
    advance = sum(shares.values(), D(0))
    assert advance == (net * percent / 100).quantize(D("0.01"), rounding="ROUND_HALF_UP")
    deductions = deduct_advances(order, [Advance(r, b) for r, b in shares.items()])
    assert sum(deductions.values(), D(0)) == -advance
