"""The sales actions through webservice.php (Comptoir extensions): a quote issued,
converted to a SalesOrder and an Invoice, the invoice issued and paid, and the errors in
vtiger's envelope."""

from __future__ import annotations

import datetime as dt

import httpx

from api.webservice.conftest import WsClient
from api.webservice.test_inventory import admin_id, document, parties  # noqa: F401

YEAR = dt.datetime.now(dt.UTC).year


def test_a_quote_becomes_an_order_and_a_paid_invoice(
        ws_admin: WsClient, admin: httpx.Client, parties: dict[str, str],  # noqa: F811
        admin_id: str) -> None:  # noqa: F811
    # given: a draft quote
    quote = ws_admin.okpost("create", elementType="Quotes",
                            element=document("Quotes", parties, admin_id))
    assert quote["quote_no"] == ""
    # when: issued, converted to a SalesOrder, that issued and invoiced
    issued = ws_admin.okpost("issue_document", id=quote["id"])
    assert issued["quote_no"].startswith(f"DE-{YEAR}-")
    order = ws_admin.okpost("convert_document", id=quote["id"],
                            element={"type": "SalesOrder"})
    assert order["id"].startswith("6x") and order["quote_id"] == quote["id"]
    ws_admin.okpost("issue_document", id=order["id"])
    invoice = ws_admin.okpost("convert_document", id=order["id"], element={
        "type": "Invoice", "lines": [{"line": order["LineItems"][0]["id"]}]})
    assert [line["quantity"] for line in invoice["LineItems"]] == ["2.000"]
    invoice = ws_admin.okpost("issue_document", id=invoice["id"])
    assert invoice["invoice_no"].startswith(f"FA-{YEAR}-")
    # 2 x 100 less 10 % = 180, VAT 4.5 % = 8.10
    assert invoice["hdnGrandTotal"] == "188.10000000"
    # and paid by a payment allocated through the webservice
    account = int(parties["account"].split("x")[1])
    payment = admin.put("/payments", json={"account": account, "amount": 188.10}).json()
    made = ws_admin.okpost("allocate_payment", id=str(payment["ID"]),
                           element={"allocations": [{"transaction": invoice["id"]}]})
    assert made["allocations"][0]["amount"] == 188.1
    balance = ws_admin.ok("document_balance", id=invoice["id"])
    assert (balance["balance"], balance["state"]) == ("0.00", "paid")
    paid = ws_admin.ok("retrieve", id=invoice["id"])
    assert (paid["invoicestatus"], paid["received"], paid["balance"]) == \
        ("Paid", "188.10000000", "0.00000000")
    assert invoice["received"] == "0.00000000" and invoice["balance"] == "188.10000000"


def test_refused_actions_answer_in_the_envelope(
        ws_admin: WsClient, parties: dict[str, str], admin_id: str) -> None:  # noqa: F811
    quote = ws_admin.okpost("create", elementType="Quotes",
                            element=document("Quotes", parties, admin_id))
    error = ws_admin.error("convert_document", post=True, id=quote["id"],
                           element={"type": "SalesOrder"})
    assert error["code"] == "DATABASE_QUERY_ERROR"
    assert error["message"].endswith("is a draft: issue it first")
    error = ws_admin.error("issue_document", post=True, id=parties["account"])
    assert error["code"] == "INVALID_ID_ATTRIBUTE"
    ws_admin.okpost("issue_document", id=quote["id"])
    error = ws_admin.error("issue_document", post=True, id=quote["id"])
    assert error["code"] == "DATABASE_QUERY_ERROR" and "not a draft" in error["message"]
