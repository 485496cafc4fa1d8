"""Price lists through webservice.php: a document's line sent without `listprice` takes
the account's list price (a supplier document the purchase price), a line with its price
keeps it, and `item_price` tells the price in vtiger's form."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.webservice.conftest import WsClient
from api.webservice.test_inventory import admin_id, document, parties  # noqa: F401


@pytest.fixture(scope="module")
def priced(ws_admin: WsClient, admin: httpx.Client, parties: dict[str, str],  # noqa: F811
           admin_id: str) -> dict[str, Any]:  # noqa: F811
    """A product at 100 (bought 60); a list of the customer: 90, 80 from 10 units."""
    cable = ws_admin.okpost("create", elementType="Products", element={
        "productname": "Câble", "unit_price": "100", "purchase_cost": "60",
        "assigned_user_id": admin_id})["id"]
    item, account = (int(text.split("x")[1]) for text in (cable, parties["account"]))
    pricelist = admin.put("/pricelists", json={"name": "Contrat WS", "currency": "EUR"}).json()
    for price, minamount in ((90, 0), (80, 10)):
        admin.put("/prices", json={"pricelist": pricelist["ID"], "item": item, "price": price,
                                   "minamount": minamount})
    admin.put("/pricelists2accounts", json={"pricelist": pricelist["ID"], "account": account})
    return {"cable": cable, "pricelist": pricelist["ID"]}


def _lines(admin: httpx.Client, ws_id: str) -> list[tuple[float, int | None]]:
    found = admin.post("/lineitems", json={
        "fields": ["listprice", "pricelist"], "filter": {"transaction": int(ws_id.split("x")[1])},
        "sort": ["sequence"]}).json()
    return [(line["listprice"], line["pricelist"]) for line in found]


def test_an_invoice_line_without_listprice_takes_the_list_price(
        ws_admin: WsClient, admin: httpx.Client, parties: dict[str, str],  # noqa: F811
        admin_id: str, priced: dict[str, Any]) -> None:  # noqa: F811
    # given: an Invoice of three lines, two without a price
    element = document("Invoice", parties, admin_id, productid=priced["cable"])
    element["LineItems"] = [{"productid": priced["cable"], "quantity": "2"},
                            {"productid": priced["cable"], "quantity": "12"},
                            {"productid": priced["cable"], "quantity": "1", "listprice": "95"}]
    # when
    invoice = ws_admin.okpost("create", elementType="Invoice", element=element)
    # then: the list's price, its quantity break, the price given
    assert [line["listprice"] for line in invoice["LineItems"]] == \
        ["90.00000000", "80.00000000", "95.00000000"]
    assert _lines(admin, invoice["id"]) == [(90.0, priced["pricelist"]),
                                            (80.0, priced["pricelist"]), (95.0, None)]
    # 180 + 960 + 95 = 1235
    assert invoice["hdnSubTotal"] == "1235.00000000"


def test_a_purchase_order_line_takes_the_purchase_price(
        ws_admin: WsClient, admin: httpx.Client, parties: dict[str, str],  # noqa: F811
        admin_id: str, priced: dict[str, Any]) -> None:  # noqa: F811
    element = document("PurchaseOrder", parties, admin_id, productid=priced["cable"])
    element["LineItems"] = [{"productid": priced["cable"], "quantity": "3"}]
    order = ws_admin.okpost("create", elementType="PurchaseOrder", element=element)
    assert order["LineItems"][0]["listprice"] == "60.00000000"
    assert _lines(admin, order["id"]) == [(60.0, None)]


def test_item_price_answers_in_vtiger_form(ws_admin: WsClient, parties: dict[str, str],  # noqa: F811
                                           priced: dict[str, Any]) -> None:
    found = ws_admin.ok("item_price", id=priced["cable"], account=parties["account"],
                        quantity="10")
    assert found == {"item": priced["cable"], "quantity": "10", "price": "80.00000000",
                     "pricelist": f"8x{priced['pricelist']}", "base": "100.00000000"}
    supplier = ws_admin.ok("item_price", id=priced["cable"], type="PurchaseOrder")
    assert (supplier["price"], supplier["pricelist"]) == ("60.00000000", "")
    # errors name what is wrong
    for params, code, text in (
            ({"id": parties["account"]}, "INVALID_ID_ATTRIBUTE", "is not an id of Products or "),
            ({"id": priced["cable"], "account": parties["widget"]}, "INVALID_ID_ATTRIBUTE",
             "is not an id of Accounts or Vendors"),
            ({"id": priced["cable"], "quantity": "ten"}, "INVALID_PARAMETER", "quantity"),
            ({"id": priced["cable"], "date": "soon"}, "INVALID_PARAMETER", "date"),
            ({"id": priced["cable"], "type": "Leads"}, "INVALID_PARAMETER", "type")):
        error = ws_admin.error("item_price", **params)
        assert error["code"] == code and text in error["message"], (params, error)
    assert ws_admin.error("item_price")["code"] == "INVALID_ID_ATTRIBUTE"
