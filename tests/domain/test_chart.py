"""The French chart of accounts (PCG, ANC 2014-03 as amended by ANC 2022-06) and the
2033-A / 2033-B aggregates: the chart's shape, account numbers, parents, the line of each
balance (tables with string Decimals) and the balance of the balance sheet (a property)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.domain.chart import (
    LINES,
    PCG,
    STATEMENT_MAP,
    ChartAccount,
    account_class,
    check_number,
    parent_of,
    statement_line,
    statements,
)
from comptoir.errors import InvalidFieldError

D = Decimal
NUMBERS = frozenset(account.number for account in PCG)
BY_NUMBER = {account.number: account for account in PCG}


# --- the chart -------------------------------------------------------------------------

def test_pcg_is_in_number_order_without_duplicates() -> None:
    numbers = [account.number for account in PCG]
    assert numbers == sorted(numbers)
    assert len(numbers) == len(NUMBERS)


def test_every_account_has_a_valid_number_a_name_and_a_parent() -> None:
    for account in PCG:
        assert check_number(account.number) == account.number
        assert account.name.strip() == account.name != ""
        assert "’" not in account.name and "–" not in account.name
        if len(account.number) > 2:
            assert parent_of(account.number, NUMBERS) is not None, account.number


def test_the_chart_covers_classes_1_to_7_only() -> None:
    assert {account_class(account.number) for account in PCG} == {1, 2, 3, 4, 5, 6, 7}


@pytest.mark.parametrize("number", [
    "101", "1061", "1063", "1068", "108", "110", "119", "120", "129", "164",
    "201", "205", "207", "211", "213", "2154", "2183", "2184", "280", "2805", "281",
    "2818", "28183", "31", "33", "35", "37", "401", "4011", "404", "408", "4091", "411",
    "413", "416", "418", "4191", "421", "425", "431", "437", "4452", "44551", "44562",
    "44566", "44567", "44571", "44574", "44583", "44584", "44586", "44587", "455", "467",
    "471", "472", "486", "487", "491", "512", "5112", "514", "530", "580", "601", "602",
    "6037", "604", "6061", "6063", "6064", "607", "6091", "6097", "611", "6132", "6135",
    "615", "616", "618", "6226", "6227", "6231", "6241", "6251", "6256", "626", "627",
    "628", "631", "6351", "641", "645", "657", "661", "665", "666", "6671", "681", "686",
    "687", "695", "701", "702", "703", "704", "705", "706", "707", "7085", "7091", "7096",
    "7097", "713", "721", "722", "74", "747", "757", "758", "7587", "76", "766", "7671",
    "772", "778", "781", "786", "787",
])
def test_the_accounts_a_small_business_posts_to_are_there(number: str) -> None:
    assert number in NUMBERS


@pytest.mark.parametrize("number", ["671", "675", "771", "775", "777", "79", "791", "73"])
def test_the_accounts_ANC_2022_06_removed_are_not(number: str) -> None:
    assert number not in NUMBERS


@pytest.mark.parametrize(("number", "name"), [
    ("70", "Ventes de produits fabriqués, prestations de services, marchandises"),
    ("401", "Fournisseurs"),
    ("411", "Clients"),
    ("445", "État - Taxes sur le chiffre d'affaires"),
    ("44566", "TVA sur autres biens et services"),
    ("44571", "TVA collectée"),
    ("44574", "TVA collectée sur encaissements (en attente)"),
    ("512", "Banques"),
    ("6037", "Variation des stocks de marchandises"),
    ("657", "Valeurs comptables des immobilisations incorporelles et corporelles cédées"),
    ("706", "Prestations de services"),
])
def test_official_names(number: str, name: str) -> None:
    assert BY_NUMBER[number].name == name


def test_auxiliary_and_lettering_flags() -> None:
    assert {a.number: a.auxiliary for a in PCG if a.auxiliary} == {
        "401": "suppliers", "411": "customers"}
    assert {a.number for a in PCG if a.lettering} == {
        "401", "411", "4091", "4191", "467", "471", "472", "580"}
    assert BY_NUMBER["512"] == ChartAccount("512", "Banques")


# --- account numbers -------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("411", "411"),
    (" 44571 ", "44571"),
    ("10", "10"),
    ("512000000001", "512000000001"),
    ("80", "80"),
])
def test_check_number_accepts(raw: str, expected: str) -> None:
    assert check_number(raw) == expected


@pytest.mark.parametrize(("raw", "problem"), [
    ("", "must be digits only"),
    ("41A", "must be digits only"),
    ("411 1", "must be digits only"),
    ("-411", "must be digits only"),
    ("٤١١", "must be digits only"),  # Arabic-Indic digits
    ("4", "must have 2 to 12 digits"),
    ("5120000000001", "must have 2 to 12 digits"),
    ("0411", "must start with the class of the account, 1 to 8"),
    ("901", "must start with the class of the account, 1 to 8"),
])
def test_check_number_refuses(raw: str, problem: str) -> None:
    with pytest.raises(InvalidFieldError) as caught:
        check_number(raw, "compte")
    assert caught.value.field == "compte"
    assert caught.value.details["problem"] == problem


@pytest.mark.parametrize(("number", "expected"), [("101", 1), ("28183", 2), ("44571", 4),
                                                  ("801", 8)])
def test_account_class(number: str, expected: int) -> None:
    assert account_class(number) == expected


def test_account_class_refuses_what_is_not_a_number() -> None:
    with pytest.raises(InvalidFieldError):
        account_class("x1")


@pytest.mark.parametrize(("number", "expected"), [
    ("44571", "4457"),
    ("4457", "445"),
    ("445", "44"),
    ("44", None),
    ("4457100", "44571"),
    ("41100042", "411"),
    ("6063", "606"),
    ("28183", "2818"),
    ("99", None),
])
def test_parent_of(number: str, expected: str | None) -> None:
    assert parent_of(number, NUMBERS) == expected


def test_parent_of_takes_any_collection() -> None:
    assert parent_of("41100042", ["4", "41", "4110"]) == "4110"
    assert parent_of("411", ("411",)) is None  # a strict prefix only


# --- statement lines -------------------------------------------------------------------

@pytest.mark.parametrize(("number", "balance", "code"), [
    ("512", "100", "084"),
    ("512", "-100", "156"),  # an overdraft is a borrowing
    ("5121", "0", "084"),
    ("519", "-5", "156"),
    ("530", "10", "084"),
    ("411", "120", "068"),
    ("41100042", "-30", "172"),  # a customer in credit: another debt
    ("4191", "-50", "164"),
    ("491", "-20", "068"),
    ("401", "-120", "166"),
    ("401", "15", "072"),  # a supplier in debit: another receivable
    ("4091", "40", "064"),
    ("404", "-1000", "172"),
    ("44566", "20", "072"),
    ("44571", "-20", "172"),
    ("44551", "-300", "172"),
    ("44567", "300", "072"),  # a VAT credit
    ("444", "-10", "172"),
    ("444", "10", "072"),
    ("455", "-500", "156"),
    ("455", "500", "072"),
    ("421", "-1500", "172"),
    ("486", "60", "092"),
    ("487", "-60", "174"),
    ("488", "-1", "174"),
    ("101", "-1000", "120"),
    ("1061", "-100", "126"),
    ("1068", "-100", "132"),
    ("119", "50", "134"),
    ("120", "-50", "136"),
    ("131", "-70", "140"),
    ("151", "-70", "154"),
    ("164", "-7000", "156"),
    ("207", "5000", "010"),
    ("2183", "1200", "028"),
    ("28183", "-400", "028"),
    ("2807", "-1", "010"),
    ("205", "1", "014"),
    ("275", "900", "040"),
    ("37", "800", "060"),
    ("397", "-80", "060"),
    ("31", "10", "050"),
    ("355", "10", "050"),
    ("503", "10", "080"),
    ("590", "-1", "080"),
    ("707", "-1000", "210"),
    ("7097", "30", "210"),
    ("701", "-1", "214"),
    ("706", "-1000", "218"),
    ("7085", "-10", "218"),
    ("713", "-5", "222"),
    ("722", "-5", "224"),
    ("741", "-5", "226"),
    ("747", "-5", "230"),
    ("757", "-5", "230"),
    ("7815", "-5", "230"),
    ("607", "400", "234"),
    ("6097", "-4", "234"),
    ("6037", "-40", "236"),
    ("601", "10", "238"),
    ("6031", "10", "240"),
    ("6063", "10", "242"),
    ("626", "10", "242"),
    ("6351", "10", "244"),
    ("641", "10", "250"),
    ("645", "10", "252"),
    ("6811", "10", "254"),
    ("6817", "10", "256"),
    ("657", "10", "262"),
    ("661", "10", "294"),
    ("6671", "10", "294"),
    ("686", "10", "294"),
    ("678", "10", "300"),
    ("687", "10", "300"),
    ("695", "10", "306"),
    ("691", "10", "306"),
    ("766", "-10", "280"),
    ("786", "-10", "280"),
    ("778", "-10", "290"),
    ("787", "-10", "290"),
    ("675", "10", "300"),  # removed by ANC 2022-06: still under 67
    ("791", "-10", "230"),  # removed by ANC 2022-06: caught by class 7
    ("3999", "1", "050"),
])
def test_statement_line(number: str, balance: str, code: str) -> None:
    line = statement_line(number, D(balance))
    assert line is not None
    assert line.code == code


def test_class_8_has_no_statement_line() -> None:
    assert statement_line("801", D("10")) is None


def test_every_account_of_the_chart_has_a_line_for_both_signs() -> None:
    for account in PCG:
        for balance in (D("1"), D("-1")):
            line = statement_line(account.number, balance)
            assert line is not None, account.number


def test_the_map_names_existing_lines_and_respects_the_statements() -> None:
    codes = {line.code: line for line in LINES}
    for prefix, (debit, credit) in STATEMENT_MAP.items():
        assert debit in codes and credit in codes, prefix
        income = prefix[0] in "67"
        assert (codes[debit].statement == "income_statement") is income, prefix
        if not income:
            assert codes[debit].statement != "balance_sheet_liabilities" or debit == credit


@pytest.mark.parametrize(("code", "side"), [("084", "debit"), ("172", "credit"),
                                            ("210", "credit"), ("242", "debit")])
def test_sides(code: str, side: str) -> None:
    line = next(line for line in LINES if line.code == code)
    assert line.side == side
    assert line.shown(D("-5")) == (D("-5") if side == "debit" else D("5"))


# --- statements ------------------------------------------------------------------------

def test_a_small_year() -> None:
    # given: capital paid in, a sale (with its VAT, paid), a purchase (owed), a computer
    # and its depreciation, an overdraft at another bank
    balances = {
        "101": D("-1000.00"),
        "5121": D("1400.00"),
        "5124": D("-100.00"),
        "411001": D("200.00"),
        "411002": D("-30.00"),
        "706": D("-1500.00"),
        "44571": D("-300.00"),
        "44566": D("80.00"),
        "401": D("-480.00"),
        "6063": D("400.00"),
        "2183": D("1500.00"),
        "28183": D("-300.00"),
        "6811": D("300.00"),
        "164": D("-170.00"),
    }
    assert sum(balances.values()) == 0
    # when
    result = statements(balances)
    # then
    assert result.operating_revenue == D("1500.00")
    assert result.operating_expenses == D("700.00")
    assert result.operating_result == D("800.00")
    assert result.financial_result == result.exceptional_result == result.income_tax == 0
    assert result.result == D("800.00")
    assert result.line("136").amount == D("800.00")
    assert result.line("084").amount == D("1400.00")
    assert result.line("156").amount == D("270.00")  # the overdraft and the loan
    assert result.line("156").accounts == (("164", D("-170.00")), ("5124", D("-100.00")))
    assert result.line("068").amount == D("200.00")
    assert result.line("172").amount == D("330.00")  # the VAT and the customer in credit
    assert result.line("072").amount == D("80.00")
    assert result.line("028").amount == D("1200.00")
    assert result.line("028").depreciation == D("300.00")
    assert result.line("028").gross == D("1500.00")
    assert result.line("166").amount == D("480.00")
    assert result.equity == D("1800.00")
    assert result.debts == D("1080.00")
    assert result.total_assets == result.total_liabilities == D("2880.00")
    assert result.balanced


def test_a_loss_and_the_other_results() -> None:
    balances = {"101": D("-100"), "512": D("-50"), "661": D("30"), "678": D("10"),
                "778": D("-5"), "695": D("15"), "766": D("-2"), "12": D("0"),
                "119": D("102")}
    result = statements(balances)
    assert result.financial_result == D("-28")
    assert result.exceptional_result == D("-5")
    assert result.income_tax == D("15")
    assert result.result == D("-48")
    assert result.line("136").amount == D("-48")
    assert result.line("134").amount == D("-102")
    assert result.total_assets == 0
    assert result.total_liabilities == 0


def test_every_line_is_there_in_the_forms_order_even_when_empty() -> None:
    result = statements({})
    codes = [amount.line.code for amount in (*result.assets, *result.liabilities,
                                             *result.income)]
    assert codes == [line.code for line in LINES]
    assert all(amount.amount == 0 and amount.accounts == () for amount in result.assets)
    assert result.total_assets == result.total_liabilities == result.result == 0


def test_class_8_is_left_out() -> None:
    result = statements({"801": D("10"), "802": D("-10")})
    assert result.unmapped == (("801", D("10")), ("802", D("-10")))
    assert result.total_assets == 0


def test_a_bad_number_is_refused() -> None:
    with pytest.raises(InvalidFieldError) as caught:
        statements({"41X": D("1")})
    assert caught.value.field == "account"


def test_line_of_an_unknown_code() -> None:
    with pytest.raises(KeyError):
        statements({}).line("999")


_extra = {"41100042", "40100007", "675", "791"}
_numbers = st.sampled_from(sorted(NUMBERS | _extra | {"801"}))
_closing = st.sampled_from(sorted(NUMBERS | _extra))
_amounts = st.decimals(min_value=D("-100000"), max_value=D("100000"), places=2,
                       allow_nan=False, allow_infinity=False)


@given(st.lists(st.tuples(_numbers, _amounts), max_size=40), _closing)
def test_the_balance_sheet_balances_when_the_balances_sum_to_zero(
        movements: list[tuple[str, Decimal]], closing: str) -> None:
    # given balances of classes 1-7 that sum to 0 (`closing` takes the difference)
    balances: dict[str, Decimal] = {}
    for number, amount in movements:
        balances[number] = balances.get(number, D(0)) + amount
    general = sum((b for n, b in balances.items() if not n.startswith("8")), D(0))
    balances[closing] = balances.get(closing, D(0)) - general
    # when
    result = statements(balances)
    # then
    assert result.total_assets == result.total_liabilities
    assert result.result == -sum((b for n, b in balances.items() if n[0] in "67"), D(0))
    assert result.line("136").amount == result.result - sum(
        (b for n, b in balances.items() if n.startswith("12")), D(0))
    summed = sum(len(amount.accounts) for amount in (*result.assets, *result.liabilities,
                                                     *result.income))
    assert summed + len(result.unmapped) == len(balances)
