"""The sales cycle through the REST API: issue with a legal number, convert (whole and
partial, never beyond what was ordered), cancel by credit note, payments allocated over
several invoices, balances; every refused action answers the REST error and changes
nothing.  Real server, real database (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from typing import Any

import httpx
import pytest

from tests.api.samples import check

YEAR = dt.datetime.now(dt.UTC).year


def account(admin: httpx.Client, name: str = "ACME SARL", **values: Any) -> int:
    return int(check(admin.put("/accounts", json={"lastname": name, "type": 1, "currency": "EUR",
                                                   **values}),
                     201).json()["ID"])


def document(admin: httpx.Client, customer: int, lines: list[tuple[str, str, str]], *,
             type_: int = 0, **values: Any) -> int:
    """A draft with line items (quantity, unit price, VAT rate)."""
    made = check(admin.put("/transactions", json={
        "type": type_, "account": customer, "currency": "EUR", **values}), 201).json()
    for n, (quantity, price, rate) in enumerate(lines, 1):
        check(admin.put("/lineitems", json={
            "transaction": made["ID"], "sequence": n, "quantity": float(quantity),
            "listprice": float(price), "tax1": float(rate)}), 201)
    return int(made["ID"])


def issue(admin: httpx.Client, record_id: int, **body: Any) -> dict[str, Any]:
    return dict(check(admin.post(f"/transactions/{record_id}/issue", json=body), 200).json())


def lines_of(admin: httpx.Client, record_id: int) -> list[dict[str, Any]]:
    found = check(admin.post("/lineitems", json={
        "fields": ["ID", "quantity", "sourceline", "netamount"],
        "filter": {"transaction": record_id}, "sort": ["sequence"]}), 200).json()
    return list(found)


def test_a_draft_has_a_provisional_reference_and_issue_gives_the_legal_number(
        admin: httpx.Client) -> None:
    # given: a draft invoice of two lines at two VAT rates
    customer = account(admin)
    invoice = document(admin, customer, [("3", "33.33", "20"), ("1", "10.01", "5.5")],
                       type_=3)
    draft = check(admin.get(f"/transactions/{invoice}"), 200).json()
    assert draft["transactionnum"] is None
    assert draft["draftnum"] == f"PROV-{invoice}"
    # when
    issued = issue(admin, invoice)
    # then: numbered, totalled per line then per rate, due in the company's 30 days
    assert re.fullmatch(rf"FA-{YEAR}-\d{{5}}", issued["transactionnum"])
    assert issued["draftnum"] == f"PROV-{invoice}"
    assert issued["status"] == 1 and issued["issued"] is not None
    # 99.99 + 10.01 = 110.00 net; VAT 20.00 (99.99 x 20 % = 19.998) + 0.55
    assert (issued["netamount"], issued["tax"], issued["grandtotal"]) == (110.0, 20.55, 130.55)
    assert issued["balance"] == 130.55
    assert issued["duedate"] - issued["date"] == 30 * 86400
    assert [line["netamount"] for line in lines_of(admin, invoice)] == [99.99, 10.01]
    # and an issued invoice is locked and issued once
    refused = admin.post(f"/transactions/{invoice}/issue", json={})
    assert check(refused, 409).text.startswith("Conflict: transaction ")
    assert check(admin.patch(f"/transactions/{invoice}", json={"subject": "x"}), 403)
    check(admin.delete(f"/transactions/{invoice}"), 403)


def test_numbers_are_consecutive_per_kind(admin: httpx.Client) -> None:
    customer = account(admin)
    numbers = [issue(admin, document(admin, customer, [("1", "10", "20")], type_=3))
               ["transactionnum"] for _ in range(3)]
    values = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert values == list(range(values[0], values[0] + 3))
    quote = issue(admin, document(admin, customer, [("1", "10", "20")]))
    assert quote["transactionnum"].startswith(f"DE-{YEAR}-")


def test_a_refused_issue_takes_no_number(admin: httpx.Client) -> None:
    customer = account(admin)
    before = issue(admin, document(admin, customer, [("1", "1", "20")], type_=3))
    # when: a draft without lines, and one without account, are issued
    empty = document(admin, customer, [], type_=3)
    answer = check(admin.post(f"/transactions/{empty}/issue", json={}), 400)
    assert answer.text == "Bad Request: lines: a document is issued with at least one line"
    orphan = check(admin.put("/transactions", json={"type": 3, "currency": "EUR"}), 201)
    answer = check(admin.post(f"/transactions/{orphan.json()['ID']}/issue", json={}), 400)
    assert answer.text.startswith("Bad Request: account: ")
    # then: nothing changed, and the next issue takes the very next number
    assert check(admin.get(f"/transactions/{empty}"), 200).json()["status"] == 0
    after = issue(admin, document(admin, customer, [("1", "1", "20")], type_=3))
    assert int(after["transactionnum"][-5:]) == int(before["transactionnum"][-5:]) + 1


@pytest.mark.parametrize(("items", "text"), [
    ([{"amount": "two", "sellingprice": 10}], "items[1].amount: must be a number"),
    ([{"amount": 1, "sellingprice": {"eur": 10}}], "items[1].sellingprice: must be a number"),
    ([{"amount": 1, "sellingprice": 10, "taxrate": "20%"}], "items[1].taxrate: must be a number"),
    ([{"amount": 1, "sellingprice": 10, "item": 999999999}],
     "items[1].item: item 999999999 does not exist"),
    ([{"amount": 1, "sellingprice": 1e300}], "items[1].sellingprice: must be at most 1e+13"),
])
def test_bad_zeyos_items_are_refused_at_issue(admin: httpx.Client, items: list[Any],
                                              text: str) -> None:
    # given: a draft written the ZeyOS way, its lines in the `items` JSON
    draft = check(admin.put("/transactions", json={
        "type": 3, "account": account(admin), "currency": "EUR", "items": items}), 201).json()
    # when
    answer = admin.post(f"/transactions/{draft['ID']}/issue", json={})
    # then: the field is named, and nothing was written (no number, no line made)
    assert check(answer, 400).text.startswith(f"Bad Request: {text}")
    assert check(admin.get(f"/transactions/{draft['ID']}"), 200).json()["status"] == 0
    assert lines_of(admin, draft["ID"]) == []


@pytest.mark.parametrize(("entity", "field"), [
    ("lineitems", "quantity"), ("lineitems", "listprice"), ("lineitems", "discountamount"),
    ("transactions", "shippingamount"), ("transactions", "adjustment"),
    ("transactions", "discountamount")])
def test_an_amount_no_total_could_hold_is_refused_on_write(admin: httpx.Client, entity: str,
                                                           field: str) -> None:
    draft = check(admin.put("/transactions", json={
        "type": 3, "account": account(admin), "currency": "EUR"}), 201).json()
    base = ({"transaction": draft["ID"], "quantity": 1, "listprice": 1}
            if entity == "lineitems" else {"type": 3, "currency": "EUR"})
    for value in (1e308, -1e14):
        answer = admin.put(f"/{entity}", json={**base, field: value})
        assert check(answer, 400).text.startswith(f"Bad Request: {field}: must be at "), value
    assert lines_of(admin, draft["ID"]) == []


def test_zeyos_items_become_line_items_at_issue(admin: httpx.Client) -> None:
    draft = check(admin.put("/transactions", json={
        "type": 3, "account": account(admin), "currency": "EUR",
        "items": [{"amount": 2, "sellingprice": 12.5, "taxrate": 20, "name": "Câble"}, "x"]}),
        201).json()
    issued = issue(admin, draft["ID"])
    assert (issued["netamount"], issued["tax"], issued["grandtotal"]) == (25.0, 5.0, 30.0)
    assert [(line["quantity"], line["netamount"]) for line in lines_of(admin, draft["ID"])] \
        == [(2.0, 25.0)]


@pytest.mark.parametrize(("date", "text"), [
    (10**30, "date: must be a date (YYYY-MM-DD) or a Unix time stamp"),
    ("2026-02-30", "date: must be a date (YYYY-MM-DD) or a Unix time stamp"),
    ([2026], "date: must be a date (YYYY-MM-DD) or a Unix time stamp"),
    ("2999-01-01", "date: 2999-01-01 is in the future"),
])
def test_a_bad_issue_date_is_refused(admin: httpx.Client, date: Any, text: str) -> None:
    invoice = document(admin, account(admin), [("1", "10", "20")], type_=3)
    answer = admin.post(f"/transactions/{invoice}/issue", json={"date": date})
    assert check(answer, 400).text.startswith(f"Bad Request: {text}")
    assert check(admin.get(f"/transactions/{invoice}"), 200).json()["transactionnum"] is None


def test_a_draft_invoice_cancelled_by_a_status_change_is_not_numbered(
        admin: httpx.Client) -> None:
    invoice = document(admin, account(admin), [("1", "10", "20")], type_=3)
    changed = check(admin.patch(f"/transactions/{invoice}", json={"status": 3}), 200).json()
    assert (changed["status"], changed["transactionnum"], changed["issued"]) == (3, None, None)
    answer = admin.post(f"/transactions/{invoice}/issue", json={})
    assert check(answer, 409).text.startswith("Conflict: transaction ")


def test_an_invoice_issued_through_a_status_change_is_numbered(admin: httpx.Client) -> None:
    customer = account(admin)
    invoice = document(admin, customer, [("2", "50", "20")], type_=3)
    changed = check(admin.patch(f"/transactions/{invoice}", json={"status": 16}), 200).json()
    assert changed["transactionnum"].startswith(f"FA-{YEAR}-")
    assert (changed["status"], changed["grandtotal"]) == (16, 120.0)


def test_quote_to_order_to_partial_invoices(admin: httpx.Client) -> None:
    # given: an issued quote of 10 x 100 and 4 x 25
    customer = account(admin)
    quote = document(admin, customer, [("10", "100", "20"), ("4", "25", "20")])
    issue(admin, quote)
    # when: ordered in full
    order = check(admin.post(f"/transactions/{quote}/convert",
                             json={"type": "BILLING_ORDER"}), 201).json()
    assert (order["type"], order["status"], order["source"], order["quote"]) == \
        (1, 0, quote, quote)
    assert check(admin.get(f"/transactions/{quote}"), 200).json()["status"] == 8  # ORDERED
    issue(admin, order["ID"])
    first, second = lines_of(admin, order["ID"])
    # and invoiced in part: 6 of the first line
    invoice = check(admin.post(f"/transactions/{order['ID']}/convert", json={
        "type": "BILLING_INVOICE", "lines": [{"line": first["ID"], "quantity": "6"}]}),
        201).json()
    assert (invoice["netamount"], invoice["salesorder"]) == (600.0, order["ID"])
    assert check(admin.get(f"/transactions/{order['ID']}"), 200).json()["status"] == 13
    # then: more than the 4 left is refused, and changes nothing
    refused = admin.post(f"/transactions/{order['ID']}/convert", json={
        "type": "BILLING_INVOICE", "lines": [{"line": first["ID"], "quantity": "5"}]})
    assert check(refused, 409).text == \
        "Conflict: lines[1].quantity: 5 is more than the 4 left"
    # and the rest invoices the order in full
    rest = check(admin.post(f"/transactions/{order['ID']}/convert",
                            json={"type": "BILLING_INVOICE"}), 201).json()
    assert [line["quantity"] for line in lines_of(admin, rest["ID"])] == [4.0, 4.0]
    assert check(admin.get(f"/transactions/{order['ID']}"), 200).json()["status"] == 16
    nothing = admin.post(f"/transactions/{order['ID']}/convert",
                         json={"type": "BILLING_INVOICE"})
    assert check(nothing, 409).text.startswith("Conflict: nothing is left to convert")
    assert second["quantity"] == 4.0


@pytest.mark.parametrize(("body", "status", "text"), [
    ({"type": "BILLING_CREDIT"}, 409, "Conflict: a BILLING_QUOTE does not convert into a "
                                     "BILLING_CREDIT"),
    ({"type": "NOPE"}, 400, "Bad Request: type: must be a document type"),
    ({"type": "BILLING_ORDER", "lines": [{"line": 1}]}, 400,
     "Bad Request: lines[1].line: must be the ID of a line of the document"),
    ({"type": "BILLING_ORDER", "lines": [{"line": [1]}]}, 400,
     "Bad Request: lines[1].line: must be the ID of a line of the document"),
    ({"type": "BILLING_ORDER", "lines": "all"}, 400, "Bad Request: lines: must be"),
    ({"type": "BILLING_ORDER", "color": 1}, 400, "Bad Request: color: unknown parameter"),
])
def test_bad_conversions_are_refused(admin: httpx.Client, body: dict[str, Any], status: int,
                                     text: str) -> None:
    quote = document(admin, account(admin), [("1", "10", "20")])
    issue(admin, quote)
    answer = admin.post(f"/transactions/{quote}/convert", json=body)
    assert check(answer, status).text.startswith(text)
    made = check(admin.post("/transactions", json={"filter": {"source": quote}, "count": 1}),
                 200).json()
    assert made["count"] == 0


def test_a_draft_or_cancelled_quote_is_not_converted(admin: httpx.Client) -> None:
    quote = document(admin, account(admin), [("1", "10", "20")])
    answer = admin.post(f"/transactions/{quote}/convert", json={"type": "BILLING_ORDER"})
    assert check(answer, 409).text.endswith("is a draft: issue it first")
    issue(admin, quote)
    check(admin.post(f"/transactions/{quote}/cancel", json={}), 200)
    answer = admin.post(f"/transactions/{quote}/convert", json={"type": "BILLING_ORDER"})
    assert check(answer, 409).text.endswith("is cancelled")


def test_an_issued_invoice_is_cancelled_by_a_credit_note(admin: httpx.Client) -> None:
    customer = account(admin)
    invoice = document(admin, customer, [("2", "50", "20")], type_=3)
    issue(admin, invoice)
    cancelled = check(admin.post(f"/transactions/{invoice}/cancel", json={}), 200).json()
    assert (cancelled["status"], cancelled["balance"], cancelled["paidamount"]) == \
        (3, 0.0, 120.0)
    credits = check(admin.post("/transactions", json={"filter": {"source": invoice}}),
                    200).json()
    assert len(credits) == 1 and credits[0]["type"] == 4
    assert credits[0]["transactionnum"].startswith(f"AV-{YEAR}-")
    assert (credits[0]["grandtotal"], credits[0]["balance"]) == (120.0, 0.0)
    again = admin.post(f"/transactions/{invoice}/cancel", json={})
    assert check(again, 409).text == f"Conflict: transaction {invoice} is already cancelled"


def test_a_payment_allocated_over_two_invoices(admin: httpx.Client) -> None:
    # given: two issued invoices of 120 and 60
    customer = account(admin)
    first = document(admin, customer, [("1", "100", "20")], type_=3)
    second = document(admin, customer, [("1", "50", "20")], type_=3)
    issue(admin, first)
    issue(admin, second)
    payment = check(admin.put("/payments", json={"account": customer, "amount": 200}),
                    201).json()
    # when: 120 to the first, what is due (60) to the second
    made = check(admin.post(f"/payments/{payment['ID']}/allocations", json={"allocations": [
        {"transaction": first, "amount": "120"}, {"transaction": second}]}), 201).json()
    # then
    assert [a["amount"] for a in made["allocations"]] == [120.0, 60.0]
    assert made["payment"]["allocated"] == 180.0
    for invoice in (first, second):
        balance = check(admin.get(f"/transactions/{invoice}/balance"), 200).json()
        assert (balance["balance"], balance["state"]) == ("0.00", "paid")
        assert check(admin.get(f"/transactions/{invoice}"), 200).json()["status"] == 20
    position = check(admin.get(f"/accounts/{customer}/balance"), 200).json()
    assert (position["due"], position["unallocated"], position["balance"]) == \
        ("0.00", "20.00", "-20.00")
    # and over-allocating is refused: 20 left on the payment, nothing due
    third = document(admin, customer, [("1", "10", "0")], type_=3)
    issue(admin, third)
    answer = admin.post(f"/payments/{payment['ID']}/allocations",
                        json={"transaction": third, "amount": "25"})
    assert check(answer, 409).text.startswith("Conflict: over-allocation: cannot allocate 25")
    assert check(admin.get(f"/transactions/{third}"), 200).json()["paidamount"] == 0.0
    # and undoing an allocation gives the balance back
    allocation = made["allocations"][1]["ID"]
    other = check(admin.put("/payments", json={"account": customer, "amount": 1}), 201).json()
    check(admin.delete(f"/payments/{other['ID']}/allocations/{allocation}"), 404)
    check(admin.delete(f"/payments/{payment['ID']}/allocations/{allocation}"), 204)
    assert check(admin.get(f"/transactions/{second}"), 200).json()["balance"] == 60.0
    assert check(admin.get(f"/payments/{payment['ID']}"), 200).json()["allocated"] == 120.0


def test_a_draft_invoice_takes_no_payment(admin: httpx.Client) -> None:
    customer = account(admin)
    draft = document(admin, customer, [("1", "10", "20")], type_=3)
    payment = check(admin.put("/payments", json={"account": customer, "amount": 5}), 201)
    answer = admin.post(f"/payments/{payment.json()['ID']}/allocations",
                        json={"transaction": draft})
    assert check(answer, 409).text.endswith("is a draft: only issued invoices are settled")


def test_numbering_formats_are_set_by_administrators(admin: httpx.Client,
                                                     nobody: Any) -> None:
    listed = check(admin.get("/numberings/formats"), 200).json()
    assert {entry["kind"] for entry in listed} >= {"quote", "invoice", "credit", "payment"}
    answer = admin.post("/numberings/formats", json={"kind": "delivery", "pattern": "BL{XX}"})
    assert check(answer, 400).text.startswith("Bad Request: pattern: unknown placeholder {XX}")
    changed = check(admin.post("/numberings/formats", json={
        "kind": "delivery", "pattern": "BL-{YY}{MM}-{SEQ:4}", "reset": "monthly",
        "nextvalue": 7}), 200).json()
    today = dt.datetime.now(dt.UTC).date()
    assert changed["next"] == f"BL-{today:%y%m}-0007"
    check(nobody.post("/numberings/formats", json={"kind": "delivery", "pattern": "X{SEQ}"}),
          403)
    check(nobody.get("/numberings/formats"), 403)
    for company in ("abc", str(10**17), "0"):  # past a 32-bit ID: no driver error
        answer = admin.get("/numberings/formats", params={"company": company})
        assert check(answer, 400).text.startswith("Bad Request: company: ")
    # and the generic record operations check a format just as well
    before = check(admin.get(f"/numberings/{changed['ID']}"), 200).json()
    for body, problem in (({"pattern": "BL{XX}"}, "pattern: unknown placeholder {XX}"),
                          ({"pattern": "BL-{SEQ}"}, "pattern: a sequence restarting every "
                                                    "month needs"),
                          ({"reset": 7}, "reset: must be one of")):
        answer = admin.patch(f"/numberings/{changed['ID']}", json=body)
        assert check(answer, 400).text.startswith(f"Bad Request: {problem}")
    assert check(admin.get(f"/numberings/{changed['ID']}"), 200).json() == before
    answer = admin.post("/numberings/formats", json={"kind": "delivery", "reset": "weekly"})
    assert check(answer, 400).text == "Bad Request: reset: must be one of never, yearly, monthly"


def test_fifty_concurrent_issues_get_fifty_consecutive_numbers(admin: httpx.Client,
                                                               server: Any) -> None:
    # given: 50 drafts of a kind numbered nowhere else in this suite (supplier credit notes)
    supplier = account(admin, "Fournisseur SA", type=2)
    drafts = [document(admin, supplier, [("1", "10", "20")], type_=9) for _ in range(50)]
    token = admin.headers["authorization"]

    async def issue_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=str(admin.base_url), timeout=60,
                                     headers={"Authorization": token}) as client:
            return list(await asyncio.gather(*(
                client.post(f"/transactions/{draft}/issue", json={}) for draft in drafts)))

    # when: all issued at once
    answers = asyncio.run(issue_all())
    # then: 50 distinct numbers with no gap
    numbers = sorted(int(check(a, 200).json()["transactionnum"].rsplit("-", 1)[1])
                     for a in answers)
    assert numbers == list(range(numbers[0], numbers[0] + 50))


@pytest.mark.parametrize("taxes", ['{"tax1": "x"}', "[20]", '{"tax1": true}', "20",
                                   '{"tax1": 120}'])
def test_shipping_taxes_are_an_object_of_percents(admin: httpx.Client, taxes: str) -> None:
    customer = account(admin)
    answer = admin.put("/transactions", json={"type": 3, "account": customer,
                                              "currency": "EUR", "shippingtaxes": taxes})
    assert check(answer, 400).text.startswith("Bad Request: shippingtaxes: ")
    invoice = document(admin, customer, [("1", "100", "20")], type_=3, shippingamount=10,
                       shippingtaxes='{"tax1": 5.5}')
    answer = admin.patch(f"/transactions/{invoice}", json={"shippingtaxes": taxes})
    assert check(answer, 400).text.startswith("Bad Request: shippingtaxes: ")
    # 100 at 20 % and 10 of S&H at 5.5 %
    assert issue(admin, invoice)["tax"] == 20.55


def test_payments_take_consecutive_receipt_numbers(admin: httpx.Client) -> None:
    customer = account(admin)
    made = [check(admin.put("/payments", json={"account": customer, "amount": amount}),
                  201).json() for amount in (10, 20)]
    numbers = [payment["paymentnum"] for payment in made]
    assert all(re.fullmatch(rf"RG-{YEAR}-\d{{5}}", number) for number in numbers)
    assert int(numbers[1][-5:]) == int(numbers[0][-5:]) + 1
    stored = check(admin.get(f"/payments/{made[0]['ID']}"), 200).json()
    assert stored["paymentnum"] == numbers[0]
