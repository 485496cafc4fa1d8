"""Inventory totals (reference §6.3) as a table of cases, string Decimals throughout."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from comptoir.domain.inventory import (
    DEFAULT_TAXES,
    Header,
    Line,
    Tax,
    TaxMethod,
    TaxType,
    compute_totals,
)

D = Decimal
GROUP, INDIVIDUAL = TaxType.GROUP, TaxType.INDIVIDUAL
COMPOUND = (Tax("tax1"), Tax("tax2", TaxMethod.COMPOUND, ("tax1",)))
DEDUCTED = (Tax("tax1"), Tax("tax3", TaxMethod.DEDUCTED))

#: the request of reference §6.1: 2 x 100 less 10 %, and 1 x 50 less 5
LINES_61 = [Line(D("100"), D("2"), discount_percent=D("10"), taxes={"tax1": D("4.5")}),
            Line(D("50"), D("1"), discount_amount=D("5"))]


def line(price: str, qty: str = "1", *, pct: str | None = None, amount: str | None = None,
         **taxes: str) -> Line:
    return Line(D(price), D(qty), None if pct is None else D(pct),
                None if amount is None else D(amount), {k: D(v) for k, v in taxes.items()})


# (id, lines, header, taxes, expected subtotal, discount, pre_tax_total, tax, grand total)
CASES: list[tuple[str, list[Line], Header, Any, str, str, str, str, str]] = [
    # nets 180 + 45 = 225; group tax1 4.5 % of 225 = 10.125; S&H tax 4.5 % of 10 = 0.45;
    # grand 225 + 10 + 10.125 + 0.45 - 2 = 243.575
    ("reference 6.1, group", LINES_61,
     Header(GROUP, shipping=D("10"), shipping_taxes={"tax1": D("4.5")}, adjustment=D("-2")),
     DEFAULT_TAXES, "225", "0", "235", "10.575", "243.575"),
    # line 1 pays 4.5 % of 180 = 8.1: subtotal 233.1 includes it; pre-tax 225 + 10 = 235;
    # grand 233.1 + 10 + 0.45 - 2 = 241.55
    ("reference 6.1, individual", LINES_61,
     Header(INDIVIDUAL, shipping=D("10"), shipping_taxes={"tax1": D("4.5")},
            adjustment=D("-2")),
     DEFAULT_TAXES, "233.1", "0", "235", "8.55", "241.55"),
    ("group without taxes on the lines: no tax", [line("100", "3")], Header(GROUP),
     DEFAULT_TAXES, "300", "0", "300", "0", "300"),
    ("group taxes come from the first line", [line("100", tax2="10"), line("100", tax1="50")],
     Header(GROUP), DEFAULT_TAXES, "200", "0", "200", "20", "220"),
    # 10 % of 200 = 20; 180 + 10 % tax = 198
    ("header discount percent", [line("100", "2", tax1="10")],
     Header(GROUP, discount_percent=D("10")), DEFAULT_TAXES, "200", "20", "180", "18", "198"),
    ("header discount amount wins over percent", [line("100", "2")],
     Header(GROUP, discount_percent=D("10"), discount_amount=D("15")), DEFAULT_TAXES,
     "200", "15", "185", "0", "185"),
    ("header discount amount 0 leaves the percent", [line("100", "2")],
     Header(GROUP, discount_percent=D("25"), discount_amount=D("0")), DEFAULT_TAXES,
     "200", "50", "150", "0", "150"),
    # subtotal 110 includes the line tax; discount 10 % of it = 11; pre-tax 100 - 11 = 89
    ("individual: the header discount is on the subtotal with taxes",
     [line("100", tax1="10")], Header(INDIVIDUAL, discount_percent=D("10")), DEFAULT_TAXES,
     "110", "11", "89", "10", "99"),
    ("line discount amount wins over percent", [line("100", pct="50", amount="10")],
     Header(GROUP), DEFAULT_TAXES, "90", "0", "90", "0", "90"),
    ("line discount amount 0 leaves the percent", [line("100", pct="50", amount="0")],
     Header(GROUP), DEFAULT_TAXES, "50", "0", "50", "0", "50"),
    # tax1 10 % of 100 = 10; tax2 compounds: 5 % of (100 + 10) = 5.5
    ("compound group tax", [line("100", tax1="10", tax2="5")], Header(GROUP), COMPOUND,
     "100", "0", "100", "15.5", "115.5"),
    ("compound individual tax", [line("100", tax1="10", tax2="5")], Header(INDIVIDUAL),
     COMPOUND, "115.5", "0", "100", "15.5", "115.5"),
    ("compound S&H tax", [line("0")],
     Header(GROUP, shipping=D("100"), shipping_taxes={"tax1": D("10"), "tax2": D("5")}),
     COMPOUND, "0", "0", "100", "15.5", "115.5"),
    ("deducted group tax is subtracted", [line("100", tax1="10", tax3="12.5")],
     Header(GROUP), DEDUCTED, "100", "0", "100", "-2.5", "97.5"),
    ("negative adjustment", [line("19.99", "3")], Header(GROUP, adjustment=D("-0.97")),
     DEFAULT_TAXES, "59.97", "0", "59.97", "0", "59.00"),
    ("decimals stay exact", [line("0.1", "3", tax1="4.5")], Header(GROUP), DEFAULT_TAXES,
     "0.3", "0", "0.3", "0.0135", "0.3135"),
    ("no lines", [], Header(GROUP, shipping=D("5")), DEFAULT_TAXES, "0", "0", "5", "0", "5"),
]


@pytest.mark.parametrize(("lines", "header", "taxes", "subtotal", "discount", "pre_tax",
                          "tax", "grand"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_totals(lines: list[Line], header: Header, taxes: Any, subtotal: str, discount: str,
                pre_tax: str, tax: str, grand: str) -> None:
    totals = compute_totals(lines, header, taxes)
    assert totals.subtotal == D(subtotal)
    assert totals.discount == D(discount)
    assert totals.pre_tax_total == D(pre_tax)
    assert totals.tax == D(tax)
    assert totals.grand_total == D(grand)
    assert all(isinstance(v, Decimal) for v in (totals.subtotal, totals.grand_total))


def test_line_amounts() -> None:
    totals = compute_totals(LINES_61, Header(INDIVIDUAL), DEFAULT_TAXES)
    first, second = totals.lines
    assert (first.gross, first.discount, first.net) == (D("200"), D("20"), D("180"))
    assert first.taxes == {"tax1": D("8.100")}
    assert (second.gross, second.discount, second.net, second.taxes) == \
        (D("50"), D("5"), D("45"), {})
    assert compute_totals(LINES_61, Header(GROUP)).group_taxes == {"tax1": D("10.125")}
