"""EN 16931's calculation rules (BR-CO-10 .. BR-CO-17, BR-S-08) and the VAT category of a
rate, as tables of cases with string Decimals."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from comptoir.domain.documents import Address, Party
from comptoir.domain.einvoice import (
    Amount,
    Amounts,
    VatRow,
    amounts_of,
    broken_rules,
    vat_category,
)
from tests.wire.einvoice_samples import BUYER, SELLER, sample_document

D = Decimal


def amounts(**changes: Any) -> Amounts:
    """100 at 20 % and 50 at 10 %, 10 of allowance at 20 %, 5 of charge at 20 %."""
    base = Amounts(
        lines=(Amount("S", D("20"), D("100.00")), Amount("S", D("10"), D("50.00"))),
        allowances=(Amount("S", D("20"), D("10.00")),),
        charges=(Amount("S", D("20"), D("5.00")),),
        vat=(VatRow("S", D("10"), D("50.00"), D("5.00")),
             VatRow("S", D("20"), D("95.00"), D("19.00"))),
        lines_net=D("150.00"), allowance_total=D("10.00"), charge_total=D("5.00"),
        net=D("145.00"), tax=D("24.00"), gross=D("169.00"), paid=D("20.00"),
        rounding=D("0.01"), due=D("149.01"))
    return replace(base, **changes)


def test_consistent_amounts_break_no_rule() -> None:
    assert broken_rules(amounts()) == []


MINIMUM: dict[str, Any] = {"lines": None, "lines_net": None, "vat": (), "allowances": (),
                           "charges": (), "allowance_total": D(0), "charge_total": D(0)}
# (changes, the codes of the rules broken)
CASES: list[tuple[dict[str, Any], list[str]]] = [
    ({"lines_net": D("151.00")}, ["BR-CO-10", "BR-CO-13"]),
    ({"allowance_total": D("11.00")}, ["BR-CO-11", "BR-CO-13"]),
    ({"charge_total": D("6.00")}, ["BR-CO-12", "BR-CO-13"]),
    ({"net": D("146.00")}, ["BR-CO-13", "BR-CO-15"]),
    ({"tax": D("25.00")}, ["BR-CO-14", "BR-CO-15"]),
    ({"gross": D("170.00")}, ["BR-CO-15", "BR-CO-16"]),
    ({"due": D("149.00")}, ["BR-CO-16"]),
    ({"paid": D("0")}, ["BR-CO-16"]),
    ({"vat": (VatRow("S", D("10"), D("50.00"), D("5.00")),
              VatRow("S", D("20"), D("96.00"), D("19.00")))}, ["BR-S-08", "BR-CO-17"]),
    ({"vat": (VatRow("S", D("10"), D("50.00"), D("4.00")),
              VatRow("S", D("20"), D("95.00"), D("20.00")))}, ["BR-CO-17", "BR-CO-17"]),
    ({"lines": (Amount("S", D("20"), D("100.00")), Amount("S", D("10"), D("49.00")))},
     ["BR-CO-10", "BR-S-08"]),
    # MINIMUM: neither lines nor VAT breakdown; only the totals are checked
    ({**MINIMUM}, []),
    ({**MINIMUM, "gross": D("168.00")}, ["BR-CO-15", "BR-CO-16"]),
]


@pytest.mark.parametrize(("changes", "codes"), CASES)
def test_each_rule_names_what_it_breaks(changes: dict[str, Any], codes: list[str]) -> None:
    assert [rule.code for rule in broken_rules(amounts(**changes))] == codes


def test_a_vat_amount_is_the_base_times_the_rate_rounded_half_up() -> None:
    # 0.25 x 5.5 % = 0.01375 -> 0.01; 0.10 x 5 % = 0.005 -> 0.01 (half up)
    rows = (VatRow("S", D("5.5"), D("0.25"), D("0.01")), VatRow("S", D("5"), D("0.10"),
                                                                 D("0.01")))
    given = amounts(lines=(Amount("S", D("5.5"), D("0.25")), Amount("S", D("5"), D("0.10"))),
                    allowances=(), charges=(), vat=rows, lines_net=D("0.35"),
                    allowance_total=D(0), charge_total=D(0), net=D("0.35"), tax=D("0.02"),
                    gross=D("0.37"), paid=D(0), rounding=D(0), due=D("0.37"))
    assert broken_rules(given) == []


def test_the_message_gives_the_stated_and_the_computed_amount() -> None:
    (rule,) = broken_rules(amounts(due=D("1.00")))
    assert rule.message == "the amount due (BT-115) is 1.00, the rule gives 149.01"


def test_our_documents_obey_every_rule() -> None:
    assert broken_rules(amounts_of(sample_document())) == []
    assert broken_rules(amounts_of(sample_document(paid=D("100")))) == []


GERMAN = Address("", "Hauptstraße 1", "10115", "Berlin", "", "DE")
SWISS = Address("", "Bahnhofstrasse 1", "8001", "Zürich", "", "CH")
# (buyer, its address, the VAT mention, the category expected)
CATEGORIES = [
    (BUYER, BUYER.address, "", "Z"),
    (BUYER, BUYER.address, "TVA non applicable, art. 293 B du CGI", "E"),
    (BUYER, BUYER.address, "Exonération de TVA, article 261-4-4° du CGI", "E"),
    (replace(BUYER, vatid="DE136695976"), GERMAN, "Autoliquidation", "AE"),
    (replace(BUYER, vatid="DE136695976"), GERMAN, "", "AE"),
    (replace(BUYER, vatid="DE136695976"), GERMAN,
     "Exonération de TVA, article 262 ter I du CGI", "K"),
    (replace(BUYER, vatid=""), GERMAN, "", "Z"),  # no VAT number: not reverse charged
    (replace(BUYER, vatid=""), SWISS, "", "G"),
]


@pytest.mark.parametrize(("buyer", "address", "mention", "code"), CATEGORIES)
def test_the_vat_category_of_a_zero_rate(buyer: Party, address: Address, mention: str,
                                         code: str) -> None:
    document = sample_document(buyer=replace(buyer, address=address), billing=address,
                               vat_mention=mention)
    category = vat_category(document, D(0))
    assert category.code == code
    assert bool(category.reason) == (code not in ("S", "Z"))
    if mention and code != "Z":
        assert category.reason == mention


def test_a_positive_rate_is_standard() -> None:
    assert vat_category(sample_document(seller=SELLER), D("5.5")).code == "S"
