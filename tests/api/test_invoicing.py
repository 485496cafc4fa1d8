"""Invoicing an order in stages (advance, progress, final with deductions) and invoicing
consumed work, through the REST API: the amounts, the limits (never more than the order,
never a percent backwards, never an action step twice), each refusal changing nothing.
Real server, real database (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from tests.api.samples import check
from tests.api.test_sales import account, document, issue, lines_of

ADVANCE, PROGRESS, FINAL, CONSUMPTION = 1, 2, 3, 4


def order(admin: httpx.Client, customer: int, lines: list[tuple[str, str, str]]) -> int:
    """An issued customer order."""
    made = document(admin, customer, lines, type_=1)
    issue(admin, made)
    return made


def post(admin: httpx.Client, path: str, status: int = 201, **body: Any) -> dict[str, Any]:
    return dict(check(admin.post(path, json=body), status).json())


def full_lines(admin: httpx.Client, record_id: int) -> list[dict[str, Any]]:
    return list(check(admin.post("/lineitems", json={
        "fields": ["ID", "quantity", "listprice", "tax1", "sourceline", "description"],
        "filter": {"transaction": record_id}, "sort": ["sequence"]}), 200).json())


def test_an_advance_is_spread_over_the_vat_rates_and_the_final_invoice_deducts_it(
        admin: httpx.Client) -> None:
    # given: an order of 1000.00 at 20 % and 500.00 at 5.5 %
    customer = account(admin)
    source = order(admin, customer, [("10", "100", "20"), ("5", "100", "5.5")])
    # when: an advance of 30 % is invoiced and issued
    advance = post(admin, f"/transactions/{source}/advance", percent="30")
    # then: one line per rate, in proportion to the bases (300.00 and 150.00)
    assert advance["invoicekind"] == ADVANCE and advance["status"] == 0
    assert advance["salesorder"] == source and advance["source"] == source
    lines = full_lines(admin, advance["ID"])
    assert [(line["quantity"], line["listprice"], line["tax1"]) for line in lines] == [
        (1.0, 150.0, 5.5), (1.0, 300.0, 20.0)]
    assert advance["netamount"] == 450.0 and advance["tax"] == 68.25
    issued = issue(admin, advance["ID"])
    assert issued["transactionnum"].startswith("FA-")
    # and: an advance beyond what is left of the order's net is refused, changing nothing
    refused = admin.post(f"/transactions/{source}/advance", json={"amount": "1050.01"})
    assert check(refused, 409).text.startswith("Conflict: the advances would be more than")
    check(admin.post(f"/transactions/{source}/advance", json={"percent": "0"}), 400)
    # when: the order is invoiced in full
    final = post(admin, f"/transactions/{source}/convert", type="BILLING_INVOICE")
    # then: the final invoice deducts the advance, rate by rate
    assert final["invoicekind"] == FINAL
    deductions = [line for line in full_lines(admin, final["ID"]) if line["quantity"] < 0]
    assert [(line["quantity"], line["listprice"], line["tax1"]) for line in deductions] == [
        (-1.0, 150.0, 5.5), (-1.0, 300.0, 20.0)]
    assert final["netamount"] == 1050.0
    # 700.00 x 20 % + 350.00 x 5.5 % = 140.00 + 19.25
    assert final["tax"] == 159.25
    assert check(admin.get(f"/transactions/{source}"), 200).json()["status"] == 16  # INVOICED


def test_a_final_invoice_waits_for_a_draft_advance(admin: httpx.Client) -> None:
    customer = account(admin)
    source = order(admin, customer, [("1", "100", "20")])
    advance = post(admin, f"/transactions/{source}/advance", amount="40")
    # when: the order is invoiced while its advance is a draft
    refused = admin.post(f"/transactions/{source}/convert", json={"type": "BILLING_INVOICE"})
    # then: refused, nothing made
    assert check(refused, 409).text.startswith("Conflict: order ")
    found = check(admin.post("/transactions", json={"filter": {"source": source}}), 200).json()
    assert [row["ID"] for row in found] == [advance["ID"]]
    # an advance is only taken from an issued customer order
    quote = document(admin, customer, [("1", "10", "20")])
    check(admin.post(f"/transactions/{quote}/advance", json={"percent": 10}), 409)


def test_progress_invoices_take_the_increment_and_never_pass_100(admin: httpx.Client) -> None:
    # given: an order of two lines
    customer = account(admin)
    source = order(admin, customer, [("4", "250", "20"), ("2", "100", "10")])
    first, second = (line["ID"] for line in lines_of(admin, source))
    # when: 40 % of the whole order is invoiced
    situation = post(admin, f"/transactions/{source}/progress", percent="40")
    # then: 40 % of every line, and the invoice says what was invoiced before
    lines = full_lines(admin, situation["ID"])
    assert [(line["sourceline"], line["quantity"]) for line in lines] == [
        (first, 1.6), (second, 0.8)]
    assert lines[0]["description"].endswith("cumulé 40 % (facturé précédemment 0 %)")
    assert situation["invoicekind"] == PROGRESS and situation["progress"] == 40.0
    issue(admin, situation["ID"])
    # when: the first line reaches 70 %
    step = post(admin, f"/transactions/{source}/progress",
                lines=[{"line": first, "percent": 70}])
    lines = full_lines(admin, step["ID"])
    assert [(line["sourceline"], line["quantity"]) for line in lines] == [(first, 1.2)]
    assert lines[0]["description"].endswith("cumulé 70 % (facturé précédemment 40 %)")
    # the order is at (700 + 80) / 1200 = 65 %
    assert step["progress"] == 65.0
    # then: going back, or past 100 %, is refused and makes nothing
    backwards = admin.post(f"/transactions/{source}/progress",
                           json={"lines": [{"line": first, "percent": 50}]})
    assert check(backwards, 409).text.startswith("Conflict: lines[1].percent: 50 % must be")
    beyond = admin.post(f"/transactions/{source}/progress", json={"percent": 101})
    assert check(beyond, 400).text == "Bad Request: percent: must be at most 100"
    check(admin.post(f"/transactions/{source}/progress", json={}), 400)
    # when: the rest, up to 100 %: every line is invoiced in full
    last = post(admin, f"/transactions/{source}/progress", percent=100)
    assert [line["quantity"] for line in full_lines(admin, last["ID"])] == [1.2, 1.2]
    assert last["progress"] == 100.0
    again = admin.post(f"/transactions/{source}/progress", json={"percent": 100})
    assert check(again, 409).text.startswith("Conflict: every line is invoiced at 100")


def test_the_last_progress_invoice_deducts_the_advance(admin: httpx.Client) -> None:
    customer = account(admin)
    source = order(admin, customer, [("1", "1000", "20")])
    issue(admin, post(admin, f"/transactions/{source}/advance", percent=10)["ID"])
    issue(admin, post(admin, f"/transactions/{source}/progress", percent=50)["ID"])
    # when
    last = post(admin, f"/transactions/{source}/progress", percent=100)
    # then: 500.00 of work less the 100.00 advance
    assert last["invoicekind"] == FINAL and last["netamount"] == 400.0


def _day(offset: int) -> int:
    today = dt.datetime.now(dt.UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    return int((today - dt.timedelta(days=offset)).timestamp())


def test_consumed_work_is_invoiced_once(admin: httpx.Client) -> None:
    # given: work logged on a project's task and directly on the account
    customer = account(admin)
    other = account(admin, "Other SAS")
    hourly = check(admin.put("/items", json={"name": "Conseil", "sellingprice": 80,
                                             "taxrate": 20}), 201).json()["ID"]
    project = check(admin.put("/projects", json={"name": "Site", "account": customer}),
                    201).json()["ID"]
    task = check(admin.put("/tasks", json={"name": "Maquettes", "project": project}),
                 201).json()["ID"]

    def step(minutes: int, status: int = 1, days: int = 3, **where: Any) -> int:
        return int(check(admin.put("/actionsteps", json={
            "name": f"{minutes} min", "effort": minutes, "status": status,
            "date": _day(days), **where}), 201).json()["ID"])

    steps = [step(90, task=task), step(20, account=customer, days=2)]
    step(60, status=0, task=task)  # a draft: not done yet
    step(45, account=other)  # another customer's
    step(30, task=task, days=40)  # before the period
    since = dt.datetime.fromtimestamp(_day(10), dt.UTC).date().isoformat()
    # when
    made = post(admin, f"/accounts/{customer}/consumption", item=hourly, **{"from": since})
    # then: one line per step, in hours at the item's price
    assert made["invoicekind"] == CONSUMPTION and made["account"] == customer
    lines = full_lines(admin, made["ID"])
    assert [(line["quantity"], line["listprice"], line["tax1"]) for line in lines] == [
        (1.5, 80.0, 20.0), (0.3333, 80.0, 20.0)]
    assert made["netamount"] == 146.66  # 120.00 + 26.664 rounded
    for step_id in steps:
        assert check(admin.get(f"/actionsteps/{step_id}"), 200).json()["transaction"] == \
            made["ID"]
    # and: invoiced once
    again = admin.post(f"/accounts/{customer}/consumption",
                       json={"item": hourly, "from": since})
    assert check(again, 409).text == ("Conflict: no completed work left to invoice in that "
                                      "period")
    # when the draft is cancelled, its work is free again
    post(admin, f"/transactions/{made['ID']}/cancel", 200)
    remade = post(admin, f"/accounts/{customer}/consumption", item=hourly, price="90",
                  project=project, **{"from": since})
    assert [line["listprice"] for line in full_lines(admin, remade["ID"])] == [90.0]


def test_bad_consumption_requests_name_the_parameter(admin: httpx.Client) -> None:
    customer = account(admin)
    other = account(admin, "Other SAS")
    project = check(admin.put("/projects", json={"name": "P", "account": other}),
                    201).json()["ID"]
    cases = [({}, "item: "), ({"item": 999999}, "item: item 999999 does not exist"),
             ({"item": 1, "from": "yesterday"}, "from: must be a date (YYYY-MM-DD)"),
             ({"item": 1, "project": project}, f"project: project {project} is not one of"),
             ({"item": 1, "colour": "red"}, "colour: unknown parameter")]
    for body, text in cases:
        answer = admin.post(f"/accounts/{customer}/consumption", json=body)
        assert check(answer, 400).text.startswith(f"Bad Request: {text}"), body
    check(admin.post("/accounts/999999/consumption", json={"item": 1}), 404)
