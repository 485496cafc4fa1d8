"""The CA3 VAT return (form 3310-CA3-SD) from VAT movements: the line of every kind and
rate, credit notes and regularisations, rounding to the euro, the credit carried forward
and refunded, and the movements whose VAT disagrees with their base, as tables of cases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.domain.vat import (
    ACQUISITION_INTRA_EU,
    FORM_LINES,
    IMPORT,
    KIND_LABELS,
    PURCHASE_ASSETS,
    PURCHASE_GOODS_SERVICES,
    RATES,
    SALE,
    SALE_EXEMPT,
    SALE_EXPORT,
    SALE_INTRA_EU_GOODS,
    SALE_INTRA_EU_SERVICES,
    SERVICES_FROM_EU,
    Ca3Return,
    VatMovement,
    ca3_return,
    expected_vat,
    vat_disagreements,
)
from comptoir.errors import InvalidFieldError

D = Decimal


def mv(kind: str, rate: str, base: str, vat: str) -> VatMovement:
    return VatMovement(kind, D(rate), D(base), D(vat))


def filed(result: Ca3Return) -> dict[str, tuple[str | None, str | None]]:
    """The return as {code: (base, vat)}, amounts as strings, None for a missing column."""
    return {line.code: (None if line.base is None else str(line.base),
                        None if line.vat is None else str(line.vat))
            for line in result.lines}


# (id, movements, every filed line)
ONE_KIND = [
    ("sale 20 %", [mv(SALE, "20", "1000", "200")],
     {"A1": ("1000", None), "08": ("1000", "200"), "16": (None, "200"),
      "TD": (None, "200"), "28": (None, "200"), "32": (None, "200")}),
    ("sale 10 %", [mv(SALE, "10", "500", "50")],
     {"A1": ("500", None), "9B": ("500", "50"), "16": (None, "50"), "TD": (None, "50"),
      "28": (None, "50"), "32": (None, "50")}),
    ("sale 5.5 %", [mv(SALE, "5.5", "200", "11")],
     {"A1": ("200", None), "09": ("200", "11"), "16": (None, "11"), "TD": (None, "11"),
      "28": (None, "11"), "32": (None, "11")}),
    ("sale 2.1 %", [mv(SALE, "2.1", "1000", "21")],
     {"A1": ("1000", None), "T6": ("1000", "21"), "16": (None, "21"), "TD": (None, "21"),
      "28": (None, "21"), "32": (None, "21")}),
    ("sale 8.5 % DOM", [mv(SALE, "8.5", "100", "8.50")],
     {"A1": ("100", None), "10": ("100", "9"), "16": (None, "9"), "TD": (None, "9"),
      "28": (None, "9"), "32": (None, "9")}),
    ("sale 1.05 % DOM", [mv(SALE, "1.05", "1000", "10.50")],
     {"A1": ("1000", None), "T2": ("1000", "11"), "16": (None, "11"), "TD": (None, "11"),
      "28": (None, "11"), "32": (None, "11")}),
    ("credit note at a former rate", [mv(SALE, "19.6", "100", "19.60")],
     {"A1": ("100", None), "13": ("100", "20"), "16": (None, "20"), "TD": (None, "20"),
      "28": (None, "20"), "32": (None, "20")}),
    ("rate written 20.00", [mv(SALE, "20.00", "10", "2")],
     {"A1": ("10", None), "08": ("10", "2"), "16": (None, "2"), "TD": (None, "2"),
      "28": (None, "2"), "32": (None, "2")}),
    ("intra-EU supply of goods", [mv(SALE_INTRA_EU_GOODS, "0", "3000", "0")],
     {"F2": ("3000", None)}),
    ("intra-EU services", [mv(SALE_INTRA_EU_SERVICES, "0", "800", "0")],
     {"E2": ("800", None)}),
    ("export", [mv(SALE_EXPORT, "0", "1200", "0")], {"E1": ("1200", None)}),
    ("exempt", [mv(SALE_EXEMPT, "0", "90", "0")], {"E2": ("90", None)}),
    ("purchase", [mv(PURCHASE_GOODS_SERVICES, "20", "100", "20")],
     {"20": (None, "20"), "23": (None, "20"), "25": (None, "20"), "27": (None, "20")}),
    ("fixed asset", [mv(PURCHASE_ASSETS, "20", "5000", "1000")],
     {"19": (None, "1000"), "23": (None, "1000"), "25": (None, "1000"),
      "27": (None, "1000")}),
    ("intra-EU acquisition: due and deductible cancel", [mv(ACQUISITION_INTRA_EU, "20", "1000", "200")],
     {"B2": ("1000", None), "08": ("1000", "200"), "16": (None, "200"), "17": (None, "200"),
      "20": (None, "200"), "23": (None, "200")}),
    ("intra-EU acquisition 5.5 %", [mv(ACQUISITION_INTRA_EU, "5.5", "100", "5.50")],
     {"B2": ("100", None), "09": ("100", "6"), "16": (None, "6"), "17": (None, "6"),
      "20": (None, "6"), "23": (None, "6")}),
    ("services from the EU", [mv(SERVICES_FROM_EU, "20", "300", "60")],
     {"A3": ("300", None), "08": ("300", "60"), "16": (None, "60"), "20": (None, "60"),
      "23": (None, "60")}),
    ("import 20 %", [mv(IMPORT, "20", "2000", "400")],
     {"A4": ("2000", None), "I1": ("2000", "400"), "16": (None, "400"),
      "20": (None, "400"), "23": (None, "400"), "24": (None, "400")}),
    ("import 5.5 %", [mv(IMPORT, "5.5", "100", "5.50")],
     {"A4": ("100", None), "I4": ("100", "6"), "16": (None, "6"), "20": (None, "6"),
      "23": (None, "6"), "24": (None, "6")}),
    ("nothing: a 'néant' return", [], {}),
]


@pytest.mark.parametrize(("movements", "expected"), [case[1:] for case in ONE_KIND],
                         ids=[case[0] for case in ONE_KIND])
def test_the_lines_of_each_kind(movements: list[VatMovement],
                                expected: dict[str, tuple[str | None, str | None]]) -> None:
    assert filed(ca3_return(movements)) == expected


# (id, movements, the lines to check: {code: (base, vat)}, absent means not filed)
NETTING = [
    ("credit notes come off the sales of the period",
     [mv(SALE, "20", "1000", "200"), mv(SALE, "20", "-250", "-50")],
     {"A1": ("750", None), "08": ("750", "150"), "B5": None, "21": None}),
    ("more credit notes than sales: a regularisation",
     [mv(SALE, "20", "100", "20"), mv(SALE, "20", "-600", "-120")],
     {"A1": None, "08": None, "B5": ("500", None), "21": (None, "100"),
      "23": (None, "100"), "25": (None, "100")}),
    ("a regularisation at one rate, sales at another",
     [mv(SALE, "20", "1000", "200"), mv(SALE, "10", "-100", "-10")],
     {"A1": ("1000", None), "08": ("1000", "200"), "9B": None, "B5": ("100", None),
      "21": (None, "10"), "16": (None, "200"), "23": (None, "10"), "TD": (None, "190")}),
    ("supplier credit notes over the purchases: VAT to pay back",
     [mv(PURCHASE_GOODS_SERVICES, "20", "100", "20"),
      mv(PURCHASE_GOODS_SERVICES, "20", "-300", "-60")],
     {"20": None, "15": (None, "40"), "16": (None, "40"), "TD": (None, "40")}),
    ("purchases at two rates, one a net credit note",
     [mv(PURCHASE_GOODS_SERVICES, "20", "1000", "200"),
      mv(PURCHASE_GOODS_SERVICES, "5.5", "-100", "-5.50")],
     {"20": (None, "200"), "15": (None, "6"), "16": (None, "6"), "23": (None, "200"),
      "25": (None, "194")}),
    ("a cancelled intra-EU acquisition: 21 against 15",
     [mv(ACQUISITION_INTRA_EU, "20", "-500", "-100")],
     {"B5": ("500", None), "08": None, "17": None, "21": (None, "100"),
      "15": (None, "100"), "16": (None, "100"), "23": (None, "100"), "25": None,
      "TD": None}),
    ("a refunded export", [mv(SALE_EXPORT, "0", "1000", "0"), mv(SALE_EXPORT, "0", "-1500", "0")],
     {"E1": None, "F8": ("500", None)}),
    ("exempt kinds add up on one line",
     [mv(SALE_EXEMPT, "0", "100", "0"), mv(SALE_INTRA_EU_SERVICES, "0", "200", "0")],
     {"E2": ("300", None)}),
    ("sales and self-assessed purchases share the rate line",
     [mv(SALE, "20", "1000", "200"), mv(ACQUISITION_INTRA_EU, "20", "500", "100"),
      mv(SERVICES_FROM_EU, "20", "100", "20")],
     {"A1": ("1000", None), "B2": ("500", None), "A3": ("100", None),
      "08": ("1600", "320"), "17": (None, "100"), "20": (None, "120"),
      "TD": (None, "200")}),
]


@pytest.mark.parametrize(("movements", "expected"), [case[1:] for case in NETTING],
                         ids=[case[0] for case in NETTING])
def test_credit_notes_and_regularisations(
        movements: list[VatMovement],
        expected: dict[str, tuple[str | None, str | None] | None]) -> None:
    lines = filed(ca3_return(movements))
    assert {code: lines.get(code) for code in expected} == expected
    assert all(amount is None or not amount.startswith("-")
               for pair in lines.values() for amount in pair)


# (id, movements, the lines to check, collected, deductible)
ROUNDING = [
    ("0.49 down, 0.50 up", [mv(SALE, "20", "100.49", "20.10"), mv(SALE, "10", "100.50", "10.05")],
     {"08": ("100", "20"), "9B": ("101", "10"), "A1": ("201", None)}, "30", "0"),
    ("each line once from the cents, totals from the rounded lines",
     [mv(SALE, "20", "2.50", "0.50"), mv(SALE, "5.5", "9.09", "0.50")],
     {"08": ("3", "1"), "09": ("9", "1"), "A1": ("12", None)}, "2", "0"),
    ("the VAT filed is the VAT invoiced, not the rounded base x rate",
     [mv(SALE, "20", "10.40", "2.08")], {"08": ("10", "2")}, "2", "0"),
    ("deductible rounded per line", [mv(PURCHASE_GOODS_SERVICES, "20", "7.45", "1.49"),
                                     mv(PURCHASE_ASSETS, "20", "7.45", "1.49")],
     {"19": (None, "1"), "20": (None, "1")}, "0", "2"),
    ("many small movements summed before rounding",
     [mv(SALE, "20", "0.40", "0.08")] * 10, {"08": ("4", "1")}, "1", "0"),
]


@pytest.mark.parametrize(("movements", "expected", "collected", "deductible"),
                         [case[1:] for case in ROUNDING], ids=[case[0] for case in ROUNDING])
def test_rounding_to_the_euro(movements: list[VatMovement],
                              expected: dict[str, tuple[str | None, str | None]],
                              collected: str, deductible: str) -> None:
    result = ca3_return(movements)
    lines = filed(result)
    assert {code: lines.get(code) for code in expected} == expected
    assert (result.collected, result.deductible) == (D(collected), D(deductible))


def test_exact_amounts_for_the_liquidation_entry() -> None:
    result = ca3_return([mv(SALE, "20", "100.49", "20.10"),
                         mv(PURCHASE_GOODS_SERVICES, "20", "7.45", "1.49")])
    assert (result.collected, result.collected_exact) == (D("20"), D("20.10"))
    assert (result.deductible, result.deductible_exact) == (D("1"), D("1.49"))


def test_a_credit_carried_to_the_next_month() -> None:
    # given: a month of heavy purchases
    january = ca3_return([mv(SALE, "20", "1000", "200"),
                          mv(PURCHASE_ASSETS, "20", "4000", "800"),
                          mv(PURCHASE_GOODS_SERVICES, "20", "500", "100")])
    assert (january.collected, january.deductible) == (D("200"), D("900"))
    assert (january.credit, january.to_carry, january.net_due, january.to_pay) == (
        D("700"), D("700"), D("0"), D("0"))
    assert january.line("28") is None and january.line("TD") is None
    # when: the next month carries it on line 22
    february = ca3_return([mv(SALE, "20", "5000", "1000"),
                           mv(PURCHASE_GOODS_SERVICES, "20", "500", "100")],
                          credit_carried=january.to_carry)
    # then
    lines = filed(february)
    assert lines["22"] == (None, "700")
    assert lines["23"] == (None, "800")
    assert (february.credit, february.net_due, february.to_pay) == (D("0"), D("200"), D("200"))
    assert lines["TD"] == lines["28"] == lines["32"] == (None, "200")


def test_a_credit_carried_larger_than_the_vat_due() -> None:
    result = ca3_return([mv(SALE, "20", "1000", "200")], credit_carried=D("700"))
    assert (result.credit, result.to_carry, result.net_due) == (D("500"), D("500"), D("0"))


# (credit carried, refund, line 25, line 26, line 27)
REFUNDS = [
    ("1000", "0", "1000", None, "1000"),
    ("1000", "800", "1000", "800", "200"),
    ("1000", "1000", "1000", "1000", None),
    ("1000", "799.50", "1000", "800", "200"),
]


@pytest.mark.parametrize(("carried", "refund", "credit", "refunded", "to_carry"), REFUNDS)
def test_a_refund_requested(carried: str, refund: str, credit: str, refunded: str | None,
                            to_carry: str | None) -> None:
    result = ca3_return([], credit_carried=D(carried), refund_requested=D(refund))
    lines = filed(result)
    assert lines["25"] == (None, credit)
    assert lines.get("26") == (None if refunded is None else (None, refunded))
    assert lines.get("27") == (None if to_carry is None else (None, to_carry))
    assert result.refund == D(refunded or "0") and result.to_carry == D(to_carry or "0")


def test_the_lines_come_in_the_form_order() -> None:
    result = ca3_return([mv(PURCHASE_GOODS_SERVICES, "20", "10", "2"),
                         mv(IMPORT, "10", "100", "10"), mv(SALE_EXPORT, "0", "5", "0"),
                         mv(SALE, "2.1", "100", "2.10"), mv(SALE, "20", "100", "20")])
    order = [line.code for line in FORM_LINES]
    codes = [line.code for line in result.lines]
    assert codes == sorted(codes, key=order.index)
    assert codes == ["A1", "A4", "E1", "08", "T6", "I2", "16", "20", "23", "24", "TD", "28",
                     "32"]
    line = result.line("T6")
    assert line is not None and line.label.startswith("Opérations réalisées en France")
    assert result.line("09") is None


# (id, kwargs of ca3_return, the field named)
ERRORS = [
    ("unknown kind", {"movements": [mv("gift", "20", "1", "0.2")]}, "kind"),
    ("a 0 % taxable sale", {"movements": [mv(SALE, "0", "100", "0")]}, "rate"),
    ("a rate without a line", {"movements": [mv(SALE, "7.7", "100", "7.70")]}, "rate"),
    ("13 % is not an import rate", {"movements": [mv(IMPORT, "19.6", "100", "19.60")]}, "rate"),
    ("a rate over 100", {"movements": [mv(PURCHASE_GOODS_SERVICES, "120", "1", "1.2")]}, "rate"),
    ("a negative rate", {"movements": [mv(PURCHASE_GOODS_SERVICES, "-20", "1", "0")]}, "rate"),
    ("VAT on an exempt sale", {"movements": [mv(SALE_EXPORT, "0", "100", "20")]}, "vat"),
    ("an infinite base", {"movements": [mv(SALE, "20", "Infinity", "0")]}, "base"),
    ("a negative credit carried", {"movements": [], "credit_carried": D("-1")},
     "credit_carried"),
    ("a negative refund", {"movements": [], "refund_requested": D("-1")}, "refund_requested"),
    ("a refund without a credit", {"movements": [mv(SALE, "20", "100", "20")],
                                   "refund_requested": D("1")}, "refund_requested"),
    ("a refund over the credit", {"movements": [], "credit_carried": D("100"),
                                  "refund_requested": D("101")}, "refund_requested"),
]


@pytest.mark.parametrize(("kwargs", "field"), [case[1:] for case in ERRORS],
                         ids=[case[0] for case in ERRORS])
def test_errors_name_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidFieldError) as raised:
        ca3_return(**kwargs)  # type: ignore[arg-type]
    assert raised.value.field == field


# (id, movement, tolerance, flagged)
DISAGREEMENTS = [
    ("exact", mv(SALE, "20", "100", "20"), "0.01", False),
    ("rounded once per rate", mv(SALE, "5.5", "10.10", "0.56"), "0.01", False),
    ("a cent off, within the tolerance", mv(SALE, "20", "100", "20.01"), "0.01", False),
    ("two cents off", mv(SALE, "20", "100", "20.02"), "0.01", True),
    ("two cents off, a tolerance for two documents", mv(SALE, "20", "100", "20.02"), "0.02", False),
    ("a credit note", mv(SALE, "20", "-100", "-20"), "0.01", False),
    ("a credit note with the wrong sign", mv(SALE, "20", "-100", "20"), "0.01", True),
    ("the wrong rate", mv(PURCHASE_GOODS_SERVICES, "20", "100", "10"), "0.01", True),
    ("self-assessed", mv(ACQUISITION_INTRA_EU, "20", "1000", "200"), "0.01", False),
    ("exempt, no VAT", mv(SALE_INTRA_EU_GOODS, "0", "1000", "0"), "0.01", False),
    ("exempt, a rate but no VAT", mv(SALE_EXPORT, "20", "1000", "0"), "0.01", False),
    ("exempt with VAT", mv(SALE_EXEMPT, "0", "1000", "5"), "0.01", True),
    ("exact tolerance 0", mv(SALE, "5.5", "10.10", "0.56"), "0", True),
]


@pytest.mark.parametrize(("movement", "tolerance", "flagged"),
                         [case[1:] for case in DISAGREEMENTS],
                         ids=[case[0] for case in DISAGREEMENTS])
def test_vat_disagreements(movement: VatMovement, tolerance: str, flagged: bool) -> None:
    assert vat_disagreements([movement], tolerance=D(tolerance)) == (
        [movement] if flagged else [])


def test_vat_disagreements_keep_the_order() -> None:
    wrong = [mv(SALE, "20", "100", "21"), mv(PURCHASE_ASSETS, "20", "50", "1")]
    right = mv(SALE, "10", "100", "10")
    assert vat_disagreements([wrong[0], right, wrong[1]]) == wrong


@pytest.mark.parametrize(("movement", "expected"), [
    (mv(SALE, "5.5", "10.10", "0"), "0.56"),
    (mv(SALE, "20", "-12.345", "0"), "-2.47"),
    (mv(SALE_EXPORT, "20", "100", "0"), "0.00"),
])
def test_expected_vat(movement: VatMovement, expected: str) -> None:
    assert str(expected_vat(movement)) == expected


def test_vat_disagreements_errors() -> None:
    with pytest.raises(InvalidFieldError) as raised:
        vat_disagreements([], tolerance=D("-0.01"))
    assert raised.value.field == "tolerance"
    with pytest.raises(InvalidFieldError) as raised:
        vat_disagreements([mv("gift", "0", "1", "0")])
    assert raised.value.field == "kind"


def test_every_kind_is_labelled_and_every_standard_rate_filed() -> None:
    for kind in KIND_LABELS:
        rate = "0" if kind.startswith("sale_") else "20"
        vat = "0" if kind.startswith("sale_") else "20"
        assert ca3_return([mv(kind, rate, "100", vat)]).lines, kind
    for rate in RATES:
        result = ca3_return([VatMovement(SALE, rate, D(100), rate)])
        assert result.collected == rate.quantize(D(1), rounding="ROUND_HALF_UP")


_KINDS = sorted(KIND_LABELS)
_RATES = ["20", "10", "5.5", "2.1"]
_MOVEMENTS = st.lists(st.builds(
    lambda kind, rate, cents, sign: mv(
        kind, "0" if kind.startswith("sale_") else rate, str(D(cents * sign) / 100),
        "0" if kind.startswith("sale_") else str(D(cents * sign) * D(rate) / 10000)),
    st.sampled_from(_KINDS), st.sampled_from(_RATES), st.integers(0, 10**9),
    st.sampled_from([1, -1])), max_size=12)


@given(_MOVEMENTS, st.integers(0, 10**6))
def test_the_return_adds_up(movements: list[VatMovement], carried: int) -> None:
    result = ca3_return(movements, credit_carried=D(carried))
    lines = filed(result)
    assert all(amount is None or D(amount) >= 0 for pair in lines.values() for amount in pair)
    assert result.net_due - result.credit == result.collected - result.deductible
    assert result.credit == 0 or result.net_due == 0
    assert result.to_carry + result.refund == result.credit
    assert result.to_pay == result.net_due


@given(st.lists(st.builds(
    lambda kind, rate, cents: mv(kind, rate, str(D(cents) / 100),
                                 str(D(cents) * D(rate) / 10000)),
    st.sampled_from([ACQUISITION_INTRA_EU, SERVICES_FROM_EU, IMPORT]),
    st.sampled_from(_RATES), st.integers(-10**9, 10**9)), max_size=12))
def test_self_assessed_vat_cancels_out(movements: list[VatMovement]) -> None:
    # exactly in cents; on the form to within the rounding of each line it is filed on
    result = ca3_return(movements)
    assert result.collected_exact == result.deductible_exact
    rounded = sum(1 for line in result.lines if line.code in TAXED_LINES)
    assert abs(result.collected - result.deductible) <= D(rounded) / 2


TAXED_LINES = {"08", "09", "9B", "T6", "I1", "I2", "I4", "I5", "15", "20", "21"}
