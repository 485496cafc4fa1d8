"""Dunning through the REST API: overdue invoices listed by account and age, letters of
increasing level sent by runs, a run repeated the same day sends nothing, bad parameters
are 400s naming them, and invoices the caller may not see are neither listed nor dunned.
Real server, real database (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from conftest import run_cli

from tests.api.samples import check
from tests.api.test_sales import account, document, issue

TODAY = dt.datetime.now(dt.UTC).date()


def ago(days: int) -> str:
    return (TODAY - dt.timedelta(days=days)).isoformat()


def company(admin: httpx.Client) -> int:
    """A company of its own: its numbers (invoices, letters) may be dated in the past."""
    made = check(admin.put("/companies", json={"name": "Dunning SAS", "paymentterms": 30}), 201)
    return int(made.json()["ID"])


def invoice(admin: httpx.Client, customer: int, firm: int, issued_days_ago: int,
            price: str = "100", **values: Any) -> dict[str, Any]:
    """An invoice of 100 + 20 % VAT issued `issued_days_ago`, due 30 days later."""
    draft = document(admin, customer, [("1", price, "20")], type_=3, company=firm, **values)
    return issue(admin, draft, date=ago(issued_days_ago))


def pay(admin: httpx.Client, customer: int, invoice_id: int, amount: float) -> None:
    payment = check(admin.put("/payments", json={"account": customer, "amount": amount}),
                    201).json()
    check(admin.post(f"/payments/{payment['ID']}/allocations",
                     json={"transaction": invoice_id}), 201)


def listed(client: httpx.Client, **params: Any) -> dict[str, Any]:
    return dict(check(client.get("/transactions/overdue", params=params), 200).json())


def run(client: httpx.Client, **body: Any) -> dict[str, Any]:
    return dict(check(client.post("/dunning/run", json=body), 200).json())


@pytest.fixture
def book(admin: httpx.Client) -> dict[str, Any]:
    """A customer's invoices: 70 and 15 days overdue, 1 day overdue and partly paid, paid,
    and not due yet."""
    firm, customer = company(admin), account(admin, "Dupont Industrie")
    old = invoice(admin, customer, firm, 100)
    paid = invoice(admin, customer, firm, 60)
    middle = invoice(admin, customer, firm, 45)
    partly = invoice(admin, customer, firm, 31)
    invoice(admin, customer, firm, 10)
    pay(admin, customer, paid["ID"], 120)
    pay(admin, customer, partly["ID"], 20)
    return {"company": firm, "account": customer, "old": old["ID"], "middle": middle["ID"],
            "partly": partly["ID"], "paid": paid["ID"]}


def test_overdue_invoices_are_listed_by_age_with_their_balance(
        admin: httpx.Client, book: dict[str, Any]) -> None:
    found = listed(admin, account=book["account"])
    assert found["date"] == TODAY.isoformat()
    (customer,) = found["accounts"]
    assert (customer["account"], customer["name"]) == (book["account"], "Dupont Industrie")
    rows = [(e["ID"], e["days_overdue"], e["bucket"], e["balance"], e["level"], e["next_level"])
            for e in customer["invoices"]]
    # the paid invoice and the one not due yet are not listed; the oldest comes first
    assert rows == [(book["old"], 70, "61-90", "120.00", 0, 1),
                    (book["middle"], 15, "1-30", "120.00", 0, 1),
                    (book["partly"], 1, "1-30", "100.00", 0, 1)]
    assert customer["balance"] == "340.00"
    assert customer["buckets"] == {"1-30": "220.00", "31-60": "0.00", "61-90": "120.00",
                                   "90+": "0.00"}
    first = customer["invoices"][0]
    # 120 x 12.15 % x 70 / 365 = 2.796..., the legal rate; 40 EUR indemnity (a company)
    assert (first["penaltyrate"], first["penalty"], first["indemnity"]) == \
        ("12.15", "2.80", "40.00")
    # by company, and as it was on a day in the past
    assert listed(admin, company=book["company"])["accounts"] == found["accounts"]
    earlier = listed(admin, account=book["account"], date=ago(20))["accounts"][0]
    assert [(e["ID"], e["days_overdue"]) for e in earlier["invoices"]] == [(book["old"], 50)]


def test_runs_send_letters_of_increasing_level_once_a_day(
        admin: httpx.Client, book: dict[str, Any]) -> None:
    # when: a run 20 days ago, when only the oldest invoice was overdue
    first = run(admin, account=book["account"], date=ago(20))
    # then: one reminder of level 1 for it, numbered, addressed, without fee
    (sent,) = first["letters"]
    letter = sent["letter"]
    assert (sent["level"], sent["fee"], letter["type"], letter["status"]) == (1, "0.00", 1, 1)
    assert letter["dunningnum"].startswith(f"RE-{(TODAY - dt.timedelta(days=20)).year}-")
    assert (letter["account"], letter["recipient"]) == (book["account"], "Dupont Industrie")
    assert [(e["ID"], e["level"]) for e in sent["transactions"]] == [(book["old"], 1)]
    # and the same run again sends nothing, and says so
    again = run(admin, account=book["account"], date=ago(20))
    assert (again["created"], again["letters"]) == (0, [])
    assert again["message"].startswith(f"nothing to dun on {ago(20)}")
    # when: a run today
    second = run(admin, account=book["account"])
    # then: one letter: the oldest at level 2 with its indemnity, the others at level 1
    (sent,) = second["letters"]
    assert [(e["ID"], e["level"], e["indemnity"]) for e in sent["transactions"]] == [
        (book["old"], 2, "40.00"), (book["middle"], 1, "0.00"), (book["partly"], 1, "0.00")]
    assert (sent["level"], sent["fee"], sent["letter"]["fee"]) == (2, "40.00", 40.0)
    links = check(admin.post("/dunning2transactions", json={
        "filter": {"dunning": sent["letter"]["ID"]}, "sort": ["transaction"]}), 200).json()
    assert [link["transaction"] for link in links] == sorted(
        [book["old"], book["middle"], book["partly"]])
    levels = [e["level"] for e in listed(admin, account=book["account"])["accounts"][0]
              ["invoices"]]
    assert levels == [2, 1, 1]
    assert run(admin, account=book["account"])["created"] == 0


def test_chosen_invoices_only_are_dunned(admin: httpx.Client, book: dict[str, Any]) -> None:
    done = run(admin, transactions=[book["middle"]])
    assert [e["ID"] for e in done["letters"][0]["transactions"]] == [book["middle"]]
    answer = admin.post("/dunning/run", json={"transactions": [book["old"], book["paid"]]})
    assert check(answer, 400).text == (f"Bad Request: transactions[2]: transaction "
                                       f"{book['paid']} is not an overdue invoice (issued, "
                                       "unpaid, past its due date)")
    # nothing was written: the oldest invoice was not dunned
    assert listed(admin, account=book["account"])["accounts"][0]["invoices"][0]["level"] == 0


@pytest.mark.parametrize(("params", "text"), [
    ({"date": "2026-02-30"}, "date: must be a date (YYYY-MM-DD) or a Unix time stamp"),
    ({"date": "2999-01-01"}, "date: 2999-01-01 is in the future"),
    ({"account": "abc"}, "account: must be an integer"),
    ({"account": str(10**17)}, "account: integer out of range"),
    ({"account": "999999999"}, "account: account 999999999 does not exist"),
    ({"company": "999999999"}, "company: company 999999999 does not exist"),
    ({"when": "today"}, "when: unknown parameter; expected date, account, company"),
])
def test_bad_parameters_are_400s_naming_them(admin: httpx.Client, params: dict[str, str],
                                             text: str) -> None:
    answer = admin.get("/transactions/overdue", params=params)
    assert check(answer, 400).text.startswith(f"Bad Request: {text}")
    answer = admin.post("/dunning/run", json=params)
    assert check(answer, 400).text.startswith(f"Bad Request: {next(iter(params))}: ")


@pytest.mark.parametrize(("body", "text"), [
    ({"transactions": []}, "transactions: must be a non-empty list of invoice IDs"),
    ({"transactions": "12"}, "transactions: must be a non-empty list of invoice IDs"),
    ({"transactions": [1, "x"]}, "transactions[2]: must be an integer"),
    ({"transactions": [None]}, "transactions[1]: must not be null"),
])
def test_bad_run_bodies_are_400s(admin: httpx.Client, body: dict[str, Any], text: str) -> None:
    assert check(admin.post("/dunning/run", json=body), 400).text == f"Bad Request: {text}"


def test_invisible_invoices_are_neither_listed_nor_dunned(
        admin: httpx.Client, alice: Any, bob: Any) -> None:
    # given: an overdue invoice of bob's group
    firm, customer = company(admin), account(admin, "Martin SA")
    hidden = invoice(admin, customer, firm, 50, ownergroup=bob.group_id)
    # then: alice does not see it, bob does
    assert listed(alice, account=customer)["accounts"] == []
    assert [e["ID"] for e in listed(bob, account=customer)["accounts"][0]["invoices"]] == \
        [hidden["ID"]]
    answer = alice.post("/dunning/run", json={"transactions": [hidden["ID"]]})
    assert check(answer, 400).text.startswith("Bad Request: transactions[1]: ")
    assert run(alice, account=customer)["created"] == 0
    # and bob's letter is his group's
    (sent,) = run(bob, account=customer)["letters"]
    assert sent["letter"]["ownergroup"] == bob.group_id


def test_without_permission_nothing_is_listed(nobody: Any) -> None:
    check(nobody.get("/transactions/overdue"), 403)
    check(nobody.post("/dunning/run", json={}), 403)


def test_the_cli_lists_and_runs(database_url: str, admin: httpx.Client,
                                book: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    customer = str(book["account"])
    run_cli(database_url, "dunning", "list", "--account", customer)
    out = capsys.readouterr().out
    assert out.startswith(f"account {customer} Dupont Industrie: 340.00 overdue\n")
    assert "70 days (61-90)\tbalance 120.00\tlevel 0\tnext 1" in out
    run_cli(database_url, "dunning", "run", "--account", customer, "--date", ago(20))
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"1 dunning letter(s) issued on {ago(20)}"
    assert out[1].endswith(f"to account {customer}: level 1, 1 invoice(s), fee 0.00")
