"""Invoicing in stages and consumption through webservice.php (Comptoir extensions): an
advance and a progress invoice of a SalesOrder, a consumption invoice of an account's
work, and their refusals in vtiger's envelope."""

from __future__ import annotations

import httpx

from api.webservice.conftest import WsClient
from api.webservice.test_inventory import admin_id, document, parties  # noqa: F401


def test_an_order_is_invoiced_by_advance_and_progress(
        ws_admin: WsClient, parties: dict[str, str], admin_id: str) -> None:  # noqa: F811
    order = ws_admin.okpost("create", elementType="SalesOrder",
                            element=document("SalesOrder", parties, admin_id))
    ws_admin.okpost("issue_document", id=order["id"])
    # when: an advance of 10 % (of 180 + 45 + 10 shipping = 235.00 net)
    advance = ws_admin.okpost("advance_invoice", id=order["id"], element={"percent": "10"})
    # then: an Invoice draft, one line per VAT rate
    assert advance["id"].startswith("7x") and advance["salesorder_id"] == order["id"]
    assert advance["hdnSubTotal"] == "23.50000000"
    # when: 50 % of the first line's work
    first = order["LineItems"][0]["id"]
    situation = ws_admin.okpost("progress_invoice", id=order["id"], element={
        "lines": [{"line": first, "percent": "50"}]})
    assert [line["quantity"] for line in situation["LineItems"]] == ["1.000"]
    # and refusals are in the envelope, naming the problem
    error = ws_admin.error("progress_invoice", post=True, id=order["id"],
                           element={"percent": "150"})
    assert error["code"] == "INVALID_PARAMETER" and "percent" in error["message"]
    error = ws_admin.error("advance_invoice", post=True, id=parties["account"],
                           element={"percent": "10"})
    assert error["code"] == "INVALID_ID_ATTRIBUTE"


def test_an_account_work_is_invoiced_at_a_service_price(
        ws_admin: WsClient, admin: httpx.Client, parties: dict[str, str]) -> None:  # noqa: F811
    account = int(parties["account"].split("x")[1])
    step = admin.put("/actionsteps", json={"name": "Audit", "effort": 120, "status": 1,
                                           "account": account}).json()
    invoice = ws_admin.okpost("consumption_invoice", id=parties["account"],
                              element={"item": parties["support"]})
    # then: two hours at the Service's unit price, 50
    assert [(line["quantity"], line["listprice"]) for line in invoice["LineItems"]] == [
        ("2.000", "50.00000000")]
    assert admin.get(f"/actionsteps/{step['ID']}").json()["transaction"] == int(
        invoice["id"].split("x")[1])
    error = ws_admin.error("consumption_invoice", post=True, id=parties["account"],
                           element={"item": parties["support"]})
    assert error["code"] == "DATABASE_QUERY_ERROR"
    assert error["message"] == "no completed work left to invoice in that period"


def test_a_line_without_price_takes_the_account_price_list(
        ws_admin: WsClient, admin: httpx.Client, parties: dict[str, str],  # noqa: F811
        admin_id: str) -> None:  # noqa: F811
    account, widget = (int(parties[key].split("x")[1]) for key in ("account", "widget"))
    pricelist = admin.put("/pricelists", json={"name": "Contrat", "currency": "EUR"}).json()
    admin.put("/prices", json={"pricelist": pricelist["ID"], "item": widget, "price": 70})
    admin.put("/pricelists2accounts", json={"pricelist": pricelist["ID"], "account": account})
    element = document("Quotes", parties, admin_id)
    element["LineItems"] = [{"productid": parties["widget"], "quantity": "2"}]
    quote = ws_admin.okpost("create", elementType="Quotes", element=element)
    assert quote["LineItems"][0]["listprice"] == "70.00000000"
    stored = admin.post("/lineitems", json={"filter": {"transaction": int(
        quote["id"].split("x")[1])}}).json()
    assert [line["pricelist"] for line in stored] == [pricelist["ID"]]
