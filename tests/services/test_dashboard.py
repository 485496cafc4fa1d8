"""The dashboard metrics on SQLite and PostgreSQL, from documents issued, paid and
cancelled by the sales services: turnover is invoices issued less credit notes (HT) by
month, overdue invoices are those dunning lists, drafts and quotes count nowhere, and each
caller sees only what they may list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from comptoir.errors import InvalidFieldError, PermissionDeniedError
from comptoir.services import auth, dashboard, records, sales, settlement
from comptoir.services.access import Caller
from comptoir.services.dashboard import MonthTurnover, StageTotal, StatusCount
from comptoir.storage.database import Database, run_with_database
from tests.conftest import database_with_admin

ADMIN = Caller(user=1, name="admin", admin=True)
TODAY = dt.date(2026, 1, 31)
T = TypeVar("T")


def D(text: str) -> Decimal:  # noqa: N802 (reads as a literal)
    return Decimal(text)


async def _create(db: Database, name: str, values: dict[str, Any]) -> int:
    return int((await records.create_record(db, ADMIN, name, values)).data["ID"])


async def _document(db: Database, kind: int, account: int, company: int,
                    lines: list[tuple[float, float]], issued: str | None,
                    group: int | None = None) -> int:
    draft = await _create(db, "transactions", {
        "type": kind, "account": account, "company": company, "currency": "EUR",
        "ownergroup": group, "date": int(dt.datetime(2026, 1, 15, tzinfo=dt.UTC).timestamp())})
    for quantity, price in lines:
        await _create(db, "lineitems", {"transaction": draft, "quantity": quantity,
                                        "listprice": price, "tax1": 20})
    if issued is not None:
        await sales.issue_document(db, ADMIN, draft, {"date": issued})
    return draft


async def _pay(db: Database, account: int, company: int, invoice: int, amount: str) -> None:
    payment = await _create(db, "payments", {"account": account, "company": company,
                                             "amount": float(amount), "currency": "EUR"})
    await settlement.allocate_payment(db, ADMIN, payment, {
        "allocations": [{"transaction": invoice, "amount": amount}]})


async def _scenario(db: Database) -> dict[str, int]:
    await auth.create_group(db, "sales", (("billing", False),))
    other = await auth.create_group(db, "other", (("billing", False),))
    await auth.create_group(db, "support", (("tickets", False),))
    await auth.create_user(db, "seller", "pw-seller-1", group_names=("sales",))
    await auth.create_user(db, "helper", "pw-helper-1", group_names=("support",))
    first = await _create(db, "companies", {"name": "Première SAS", "paymentterms": 30})
    second = await _create(db, "companies", {"name": "Seconde SARL", "paymentterms": 30})
    acme = await _create(db, "accounts", {"lastname": "ACME", "currency": "EUR"})
    # invoices of the first company, issued in date order; due 30 days later
    overdue = await _document(db, 3, acme, first, [(1, 100)], "2025-11-20")  # 120 due
    paid = await _document(db, 3, acme, first, [(1, 10)], "2025-11-25")
    await _pay(db, acme, first, paid, "12")
    partly = await _document(db, 3, acme, first, [(1, 250)], "2025-12-15", group=other)
    await _pay(db, acme, first, partly, "100")  # 200 of its 300 left
    cancelled = await _document(db, 3, acme, first, [(1, 40)], "2026-01-10")
    await sales.cancel_document(db, ADMIN, cancelled, {"date": "2026-01-12"})  # a credit note
    # neither a draft nor a quote is turnover
    await _document(db, 3, acme, first, [(1, 999)], None)
    await _document(db, 0, acme, first, [(1, 500)], "2026-01-20")
    # the second company's invoice: 3 x 0.10, not due before February
    await _document(db, 3, acme, second, [(3, 0.1)], "2026-01-05")
    for status, amount, visibility in ((3, 1000.1, 0), (3, 2000.2, 0), (5, 500, 0),
                                       (0, 99, 1)):
        await _create(db, "opportunities", {"name": f"deal {status}", "status": status,
                                            "mostlikely": amount, "visibility": visibility,
                                            "probability": 100 if status == 5 else 50})
    for status, visibility in ((0, 0), (0, 0), (4, 0), (9, 0), (8, 0), (0, 1)):
        await _create(db, "tickets", {"name": f"ticket {status}", "status": status,
                                      "visibility": visibility})
    return {"first": first, "second": second, "acme": acme, "overdue": overdue,
            "partly": partly}


class Scenario:
    def __init__(self, url: str) -> None:
        self.url = url
        self.ids: dict[str, int] = {}

    def run(self, work: Callable[[Database], Awaitable[T]]) -> T:
        return run_with_database(self.url, work)

    def caller(self, name: str) -> Caller:
        async def load(db: Database) -> Caller:
            user = await auth.find_user(db, name)
            assert user is not None
            async with db.read() as conn:
                return await auth.load_caller(conn, user)

        return self.run(load)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    with database_with_admin(tmp_path_factory.mktemp("dashboard"), "dashboard") as url:
        made = Scenario(url)
        made.ids = made.run(_scenario)
        yield made


@pytest.mark.parametrize(("company", "expected"), [
    (None, [("2025-11", "110.00", "0.00", "110.00"), ("2025-12", "250.00", "0.00", "250.00"),
            ("2026-01", "40.30", "40.00", "0.30")]),
    ("first", [("2025-11", "110.00", "0.00", "110.00"),
               ("2025-12", "250.00", "0.00", "250.00"), ("2026-01", "40.00", "40.00", "0.00")]),
    ("second", [("2025-11", "0.00", "0.00", "0.00"), ("2025-12", "0.00", "0.00", "0.00"),
                ("2026-01", "0.30", "0.00", "0.30")]),
])
def test_turnover_is_invoices_less_credit_notes_by_month(
        scenario: Scenario, company: str | None, expected: list[tuple[str, ...]]) -> None:
    chosen = None if company is None else scenario.ids[company]
    found = scenario.run(lambda db: dashboard.turnover_by_month(
        db, ADMIN, 3, company=chosen, today=TODAY))
    assert found == [MonthTurnover(m, D(i), D(c), D(t)) for m, i, c, t in expected]


def test_turnover_lists_every_month_asked(scenario: Scenario) -> None:
    found = scenario.run(lambda db: dashboard.turnover_by_month(db, ADMIN, today=TODAY))
    assert [m.month for m in found] == [f"2025-{n:02}" for n in range(2, 13)] + ["2026-01"]
    assert sum((m.turnover for m in found), D("0")) == D("360.30")
    with pytest.raises(InvalidFieldError) as caught:
        scenario.run(lambda db: dashboard.turnover_by_month(db, ADMIN, 0, today=TODAY))
    assert caught.value.field == "months"


def test_overdue_invoices(scenario: Scenario) -> None:
    found = scenario.run(lambda db: dashboard.overdue_invoices(db, ADMIN, today=TODAY))
    assert (found.count, found.outstanding) == (2, D("320.00"))
    assert [(o.id, o.account_name, o.duedate, o.days_overdue, o.balance)
            for o in found.oldest] == [
        (scenario.ids["overdue"], "ACME", dt.date(2025, 12, 20), 42, D("120.00")),
        (scenario.ids["partly"], "ACME", dt.date(2026, 1, 14), 17, D("200.00"))]
    assert all(o.number for o in found.oldest)
    # the day before the first due date, nothing is overdue; the second company has none
    early = scenario.run(lambda db: dashboard.overdue_invoices(
        db, ADMIN, today=dt.date(2025, 12, 20)))
    assert (early.count, early.outstanding, early.oldest) == (0, D("0.00"), ())
    second = scenario.run(lambda db: dashboard.overdue_invoices(
        db, ADMIN, company=scenario.ids["second"], today=dt.date(2026, 3, 1)))
    assert (second.count, second.outstanding) == (1, D("0.36"))


def test_pipeline_by_stage(scenario: Scenario) -> None:
    found = scenario.run(lambda db: dashboard.pipeline_by_stage(db, ADMIN))
    assert [s.label for s in found] == ["UNEVALUATED", "ELIGIBLE", "FEEDBACKREQUIRED",
                                        "INNEGOTIATION", "OFFERED", "ACCEPTED", "REJECTED"]
    assert found[3] == StageTotal(3, "INNEGOTIATION", True, 2, D("3000.30"))
    assert found[5] == StageTotal(5, "ACCEPTED", False, 1, D("500.00"))
    assert found[0] == StageTotal(0, "UNEVALUATED", True, 0, D("0.00"))  # the archived one


def test_open_tickets(scenario: Scenario) -> None:
    found = scenario.run(lambda db: dashboard.open_tickets(db, ADMIN))
    assert [(s.label, s.count) for s in found if s.count] == [("NOTSTARTED", 2), ("ACTIVE", 1)]
    assert {s.label for s in found} == {"NOTSTARTED", "AWAITINGACCEPTANCE", "ACCEPTED",
                                        "ACTIVE", "INACTIVE", "FEEDBACKREQUIRED", "TESTING"}


def test_each_caller_sees_their_own_dashboard(scenario: Scenario) -> None:
    helper = scenario.caller("helper")
    with pytest.raises(PermissionDeniedError):
        scenario.run(lambda db: dashboard.overdue_invoices(db, helper, today=TODAY))
    board = scenario.run(lambda db: dashboard.dashboard(db, helper, today=TODAY))
    assert (board.turnover, board.pipeline, board.overdue) == (None, None, None)
    assert board.tickets is not None and StatusCount(0, "NOTSTARTED", 2) in board.tickets
    # the invoice of the group "other" is not the seller's: neither turnover nor overdue
    seller = scenario.caller("seller")
    board = scenario.run(lambda db: dashboard.dashboard(db, seller, today=TODAY))
    assert board.pipeline is None and board.tickets is None
    assert board.turnover is not None and board.overdue is not None
    assert [m.turnover for m in board.turnover[-3:]] == [D("110.00"), D("0.00"), D("0.30")]
    assert (board.overdue.count, board.overdue.outstanding) == (1, D("120.00"))
    # the seller may not read accounts: the invoice is shown, its account unnamed
    assert [(o.id, o.account_name) for o in board.overdue.oldest] == [
        (scenario.ids["overdue"], None)]
