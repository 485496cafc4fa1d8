"""The postings of documents and payments, VAT on payments, the rules every entry obeys,
fiscal years, lettering codes and the choice of an accounting strategy (`domain/postings.py`),
as tables of cases with string Decimals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from comptoir.domain import money, postings
from comptoir.domain.documents import person_name
from comptoir.domain.postings import BaseLine, Posting
from comptoir.errors import InvalidFieldError


def totals(lines: list[tuple[str, str, str]], **kw: D) -> money.DocumentTotals:
    return money.document_totals([money.SaleLine(D(q), D(p), D(r)) for q, p, r in lines],
                                 **kw)  # type: ignore[arg-type]


def entry(lines: list[tuple[str, str, str, str, bool]], doc: money.DocumentTotals, *,
          purchase: bool = False, credit_note: bool = False, pending: str | None = None,
          exchange_rate: D = D(1)) -> list[tuple[str, str, str, str]]:
    base = [BaseLine(account, D(rate), net, kind, services)
            for (account, _q, rate, kind, services), net in zip(lines, doc.line_nets,
                                                                 strict=True)]
    made = postings.document_postings(
        base, doc, purchase=purchase, credit_note=credit_note,
        third_party="401" if purchase else "411",
        vat_account=lambda kind, rate: "44566" if purchase else "44571",
        pending_account=pending, shipping_account="7085", rounding_accounts=("758", "658"),
        exchange_rate=exchange_rate)
    postings.check_balanced(made)
    return [(p.account, str(p.debit), str(p.credit), p.vat_role) for p in made]


SALE = [("706", "1", "20", "sale", True)]


@pytest.mark.parametrize(("purchase", "credit_note", "expected"), [
    # the customer first, then each rate in ascending order: its bases, then its VAT
    (False, False, [("411", "188.00", "0", ""), ("707", "0", "64.00", "base"),
                    ("44571", "0", "4.00", "tax"), ("706", "0", "100.00", "base"),
                    ("44571", "0", "20.00", "tax")]),
    (False, True, [("411", "0", "188.00", ""), ("707", "64.00", "0", "base"),
                   ("44571", "4.00", "0", "tax"), ("706", "100.00", "0", "base"),
                   ("44571", "20.00", "0", "tax")]),
    (True, False, [("401", "0", "188.00", ""), ("707", "64.00", "0", "base"),
                   ("44566", "4.00", "0", "tax"), ("706", "100.00", "0", "base"),
                   ("44566", "20.00", "0", "tax")]),
])
def test_a_document_posts_its_total_bases_and_vat(purchase: bool, credit_note: bool,
                                                  expected: list[tuple[str, ...]]) -> None:
    # 100 at 20 % (a service) and 2 x 32 at 6.25 % (goods): VAT 20.00 and 4.00
    doc = totals([("1", "100", "20"), ("2", "32", "6.25")])
    lines = [SALE[0], ("707", "2", "6.25", "sale", False)]
    assert entry(lines, doc, purchase=purchase, credit_note=credit_note) == expected


def test_the_document_discount_is_deducted_from_the_bases_and_shipping_posted_apart() -> None:
    doc = totals([("1", "100", "20"), ("1", "100", "20")], discount_percent=D(10),
                 shipping=D("15"))
    lines = [("706", "1", "20", "sale", True), ("707", "1", "20", "sale", False)]
    assert entry(lines, doc) == [
        ("411", "234.00", "0", ""), ("706", "0", "90.00", "base"),
        ("707", "0", "90.00", "base"), ("7085", "0", "15.00", "base"),
        ("44571", "0", "39.00", "tax")]


@pytest.mark.parametrize(("adjustment", "account", "side"), [
    ("0.03", "758", "credit"), ("-0.02", "658", "debit")])
def test_the_rounding_amount_goes_to_758_or_658(adjustment: str, account: str,
                                                side: str) -> None:
    doc = totals([("1", "10", "20")], adjustment=D(adjustment))
    made = entry([SALE[0]], doc)
    rounding = next(line for line in made if line[0] == account)
    assert rounding[1 if side == "debit" else 2] == str(abs(D(adjustment)))


def test_vat_of_services_waits_under_vat_on_payments_and_goods_do_not() -> None:
    doc = totals([("1", "100", "20"), ("1", "50", "20")])
    lines = [("706", "1", "20", "sale", True), ("707", "1", "20", "sale", False)]
    made = entry(lines, doc, pending="44574")
    assert ("44574", "0", "20.00", "pending") in made
    assert ("44571", "0", "10.00", "tax") in made


def test_a_foreign_document_is_posted_in_the_company_currency() -> None:
    doc = totals([("1", "108.50", "20")])
    made = entry([SALE[0]], doc, exchange_rate=D("1.085"))
    assert made == [("411", "120.00", "0", ""), ("706", "0", "100.00", "base"),
                    ("44571", "0", "20.00", "tax")]


@pytest.mark.parametrize(("paid_before", "paid", "moved"), [
    ("0", "60", "10.00"), ("60", "60", "10.00"), ("0", "120", "20.00"),
    ("0", "40", "6.67"), ("40", "40", "6.66"), ("80", "40", "6.67"), ("100", "50", "3.33")])
def test_vat_on_payment_moves_the_share_paid_exactly(paid_before: str, paid: str,
                                                     moved: str) -> None:
    pending = [Posting("44574", credit=D("20.00"), vat_kind="sale", vat_rate=D(20),
                       vat_role="pending", vat_base=D("100.00"))]
    made = postings.vat_on_payment(pending, total=D("120"), paid_before=D(paid_before),
                                   paid=D(paid), collected_account=lambda k, r: "44571")
    assert [(p.account, p.debit, p.credit) for p in made] == [
        ("44574", D(moved), D(0)), ("44571", D(0), D(moved))]


@pytest.mark.parametrize(("lines", "field"), [
    ([Posting("6226", debit=D(1))], "lines"),
    ([Posting("6226", debit=D(1)), Posting("401", credit=D("0.99"))], "lines"),
    ([Posting("6226", debit=D("1.001")), Posting("401", credit=D("1.001"))], "lines[1].debit"),
    ([Posting("6226", debit=D(1), credit=D(1)), Posting("401")], "lines[1]"),
    ([Posting("6226", debit=D(-1)), Posting("401", credit=D(-1))], "lines[1].debit"),
])
def test_an_entry_must_balance(lines: list[Posting], field: str) -> None:
    with pytest.raises(InvalidFieldError) as caught:
        postings.check_balanced(lines)
    assert caught.value.field == field


def test_a_reversal_swaps_the_sides() -> None:
    original = [Posting("512", debit=D(5)), Posting("411", credit=D(5), third_party=True)]
    assert postings.reversal(original) == [
        Posting("512", credit=D(5)), Posting("411", debit=D(5), third_party=True)]


@pytest.mark.parametrize(("day", "start_month", "expected"), [
    ("2026-12-07", 1, ("2026-01-01", "2026-12-31")),
    ("2026-03-31", 4, ("2025-04-01", "2026-03-31")),
    ("2026-04-01", 4, ("2026-04-01", "2027-03-31")),
    ("2024-02-29", 3, ("2023-03-01", "2024-02-29")),
])
def test_fiscal_year_of_a_day(day: str, start_month: int, expected: tuple[str, str]) -> None:
    start, end = postings.fiscal_year_of(dt.date.fromisoformat(day), start_month)
    assert (start.isoformat(), end.isoformat()) == expected


def test_periods_are_the_months_and_a_year_lasts_at_most_24_months() -> None:
    periods = postings.month_periods(dt.date(2026, 1, 15), dt.date(2026, 3, 10))
    assert [(a.isoformat(), b.isoformat()) for a, b in periods] == [
        ("2026-01-15", "2026-01-31"), ("2026-02-01", "2026-02-28"), ("2026-03-01", "2026-03-10")]
    with pytest.raises(InvalidFieldError):
        postings.check_fiscal_year(dt.date(2026, 1, 1), dt.date(2028, 1, 31))
    postings.check_fiscal_year(dt.date(2026, 1, 1), dt.date(2027, 12, 31))  # 24 months
    with pytest.raises(InvalidFieldError):
        postings.check_fiscal_year(dt.date(2026, 1, 2), dt.date(2026, 1, 1))


@pytest.mark.parametrize(("n", "code"), [(1, "A"), (26, "Z"), (27, "AA"), (52, "AZ"),
                                         (53, "BA"), (702, "ZZ"), (703, "AAA")])
def test_lettering_codes(n: int, code: str) -> None:
    assert postings.lettering_code(n) == code
    assert postings.lettering_number(code) == n


def test_the_most_specific_strategy_wins_then_priority() -> None:
    rules = [
        {"ID": 1, "target": 0, "account": 10, "priority": 0, "vatrate": None, "goods": 0},
        {"ID": 2, "target": 0, "account": 11, "priority": 0, "vatrate": 20.0, "goods": 0},
        {"ID": 3, "target": 0, "account": 12, "priority": 0, "vatrate": 20.0, "goods": 2},
        {"ID": 4, "target": 0, "account": 13, "priority": 5, "vatrate": None, "goods": 2},
        {"ID": 5, "target": 0, "account": 14, "priority": 0, "itemtag": "vin", "goods": 0},
    ]
    def chosen(**context: object) -> int | None:
        rule = postings.choose_rule(rules, 0, context)
        return None if rule is None else int(rule["account"])

    assert chosen(vatrate=D(20), goods=2) == 12
    assert chosen(vatrate=D(20), goods=1) == 11
    assert chosen(vatrate=D(10), goods=2) == 13
    assert chosen(vatrate=D(10), goods=1, itemtags=("vin",)) == 14
    assert chosen(vatrate=D(10), goods=1) == 10
    assert postings.choose_rule(rules, 1, {}) is None


@pytest.mark.parametrize(("first", "last", "name"), [
    ("Jean", "Dupont", "Jean Dupont"), (None, "ACME", "ACME"), ("", "ACME", "ACME"),
    ("Jean", None, "Jean"), (None, None, "")])
def test_person_name(first: str | None, last: str | None, name: str) -> None:
    assert person_name(first, last) == name
