"""Inventory documents through webservice.php (reference §6, §9): LineItems, totals,
locked invoices and Kafinea's partial_edit, and the same documents through the REST API."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from api.webservice.conftest import WsClient

DOCUMENTS = {"Quotes": ("quotestage", "Created", 0), "SalesOrder": ("sostatus", "Created", 1),
             "Invoice": ("invoicestatus", "Created", 3),
             "PurchaseOrder": ("postatus", "Created", 6)}


@pytest.fixture(scope="module")
def admin_id(ws_admin: WsClient) -> str:
    return str(ws_admin.ok("query", query="SELECT id FROM Users WHERE user_name = 'admin';")[0]["id"])


@pytest.fixture(scope="module")
def parties(ws_admin: WsClient, admin_id: str) -> dict[str, str]:
    def create(module: str, **element: Any) -> str:
        return str(ws_admin.okpost("create", elementType=module,
                                   element={"assigned_user_id": admin_id, **element})["id"])

    return {
        "account": create("Accounts", accountname="Inventory Customer"),
        "vendor": create("Vendors", vendorname="Inventory Supplier"),
        "widget": create("Products", productname="Widget", unit_price="100"),
        "support": create("Services", servicename="Support", unit_price="50"),
    }


def document(module: str, parties: dict[str, str], admin_id: str, **extra: Any) -> dict[str, Any]:
    """The request of reference §6.1 for `module`."""
    status, value, _ = DOCUMENTS[module]
    party = {"vendor_id": parties["vendor"]} if module == "PurchaseOrder" else \
        {"account_id": parties["account"]}
    return {"subject": f"{module} test", **party, "assigned_user_id": admin_id,
            status: value, "bill_street": "1 Main St", "ship_street": "1 Main St",
            "hdnTaxType": "group", "productid": parties["widget"],
            "hdnDiscountPercent": "0", "hdnDiscountAmount": "0", "hdnS_H_Amount": "10",
            "txtAdjustment": "-2", "shipping_&_handling_shtax1": "4.5",
            "LineItems": [{"productid": parties["widget"], "quantity": "2", "listprice": "100",
                           "discount_percent": "10", "comment": "x", "tax1": "4.5"},
                          {"productid": parties["support"], "quantity": "1",
                           "discount_amount": "5"}],
            **extra}


@pytest.mark.parametrize("module", list(DOCUMENTS))
def test_create_computes_totals_and_reads_through_both_doors(
        ws_admin: WsClient, admin: httpx.Client, parties: dict[str, str], admin_id: str,
        module: str) -> None:
    # given the request of reference §6.1 (the Service's price is its unit price, 50)
    created = ws_admin.okpost("create", elementType=module,
                              element=document(module, parties, admin_id))
    # then the totals are vtiger's: nets 180 + 45, group tax 4.5 % of 225 = 10.125,
    # S&H 10 taxed 0.45, adjustment -2
    assert (created["hdnSubTotal"], created["pre_tax_total"], created["hdnGrandTotal"]) == \
        ("225.00000000", "235.00000000", "243.57500000")
    assert created["hdnTaxType"] == "group"
    assert created["productid"] == parties["widget"]
    assert created["shipping_&_handling_shtax1"] == "4.500"
    first, second = created["LineItems"]
    assert first["parent_id"] == created["id"] and first["id"].startswith("33x")
    assert (first["productid"], first["sequence_no"], first["quantity"], first["listprice"],
            first["discount_percent"], first["tax1"], first["product_name"],
            first["entity_type"]) == (parties["widget"], "1", "2.000", "100.00000000",
                                      "10.000", "4.500", "Widget", "Products")
    assert (second["listprice"], second["discount_amount"], second["entity_type"]) == \
        ("50.00000000", "5.00000000", "Services")
    # what a line does not have is null, as vtiger answers a NULL column (docs/webservice.md)
    assert (first["discount_amount"], first["tax2"], second["discount_percent"]) == \
        (None, None, None)
    assert ws_admin.ok("retrieve", id=created["id"]) == created
    assert ws_admin.ok("retrieve_inventory", id=created["id"]) == created
    # and the REST API reads the same transaction and its lines
    record_id = created["id"].split("x")[1]
    rest = admin.get(f"/transactions/{record_id}").json()
    assert rest["type"] == DOCUMENTS[module][2]
    assert rest["subject"] == f"{module} test"
    assert rest["grandtotal"] == 243.575 and rest["subtotal"] == 225
    # a draft has no legal number yet, only a provisional reference (issued: see test_sales)
    assert rest["transactionnum"] is None and rest["draftnum"] == f"PROV-{record_id}"
    lines = admin.post("/lineitems", json={"filters": {"transaction": int(record_id)}}).json()
    assert sorted(line["quantity"] for line in lines) == [1, 2]


def test_a_rest_transaction_reads_through_its_module(ws_admin: WsClient, admin: httpx.Client,
                                                     parties: dict[str, str]) -> None:
    # given an invoice and a line made through the REST API
    r = admin.put("/transactions", json={"type": 3, "subject": "Made by REST",
                                         "transactionnum": "R-1", "grandtotal": 12.5,
                                         "currency": "EUR"})
    assert r.status_code == 201, r.text
    invoice = r.json()["ID"]
    item = int(parties["widget"].split("x")[1])
    assert admin.put("/lineitems", json={"transaction": invoice, "item": item,
                                         "quantity": 3, "listprice": 4}).status_code == 201
    # then webservice.php reads both
    record = ws_admin.ok("retrieve", id=f"7x{invoice}")
    assert (record["subject"], record["invoice_no"], record["hdnGrandTotal"]) == \
        ("Made by REST", "R-1", "12.50000000")
    assert record["productid"] == parties["widget"]
    assert [(line["quantity"], line["listprice"]) for line in record["LineItems"]] == \
        [("3.000", "4.00000000")]
    assert ws_admin.error("retrieve", id=f"4x{invoice}")["code"] == "INVALID_ID_ATTRIBUTE"


def test_a_zeyos_style_document_shows_its_items_json(ws_admin: WsClient, admin: httpx.Client,
                                                     parties: dict[str, str]) -> None:
    # given an order a ZeyOS client wrote: lines as `items` JSON, totals as net and tax
    item = int(parties["widget"].split("x")[1])
    items = [{"item": item, "name": "Widget", "amount": 2, "sellingprice": 50.0,
              "taxrate": 20, "discount": 0},
             {"name": "Free text line", "amount": 1, "sellingprice": 10.0, "taxrate": 20}]
    r = admin.put("/transactions", json={"type": 1, "transactionnum": "Z-1", "currency": "EUR",
                                         "items": items, "netamount": 110, "tax": 22})
    assert r.status_code == 201, r.text
    # then webservice.php shows those lines (without LineItem ids) and the totals
    record = ws_admin.ok("retrieve", id=f"6x{r.json()['ID']}")
    assert [(line["productid"], line["quantity"], line["listprice"], line["tax1"], line["id"])
            for line in record["LineItems"]] == [
        (parties["widget"], "2.000", "50.00000000", "20.000", ""),
        ("", "1.000", "10.00000000", "20.000", "")]
    assert record["productid"] == parties["widget"]
    assert (record["hdnSubTotal"], record["pre_tax_total"], record["hdnGrandTotal"]) == \
        ("110.00000000", "110.00000000", "132.00000000")


def test_individual_tax_and_update_semantics(ws_admin: WsClient, parties: dict[str, str],
                                             admin_id: str) -> None:
    element = document("Quotes", parties, admin_id, hdnTaxType="individual")
    created = ws_admin.okpost("create", elementType="Quotes", element=element)
    # line 1 pays 4.5 % of 180: the subtotal includes it; pre-tax is without
    assert (created["hdnSubTotal"], created["pre_tax_total"], created["hdnGrandTotal"]) == \
        ("233.10000000", "235.00000000", "241.55000000")
    # an update without LineItems keeps the lines and computes the totals again
    header = {k: v for k, v in created.items() if k != "LineItems"}
    updated = ws_admin.okpost("update", element={**header, "hdnDiscountAmount": "10.1"})
    assert updated["LineItems"] == created["LineItems"]
    assert updated["hdnGrandTotal"] == "231.45000000"
    # an update with LineItems replaces them
    replaced = ws_admin.okpost("update", element={
        **header, "LineItems": [{"productid": parties["support"], "quantity": "4"}]})
    assert [(x["productid"], x["quantity"]) for x in replaced["LineItems"]] == \
        [(parties["support"], "4.000")]
    assert replaced["hdnSubTotal"] == "200.00000000"
    assert replaced["productid"] == parties["support"]
    # revise changes one header field; totals follow
    revised = ws_admin.okpost("revise", element={"id": created["id"], "txtAdjustment": "0"})
    assert revised["hdnGrandTotal"] == "210.45000000"  # 200 + 10 + 0.45


def test_bad_documents_change_nothing(ws_admin: WsClient, admin: httpx.Client,
                                      parties: dict[str, str], admin_id: str) -> None:
    before = (admin.post("/transactions", json={"count": 1}).json()["count"],
              admin.post("/lineitems", json={"count": 1}).json()["count"])
    good = document("Invoice", parties, admin_id)
    line = good["LineItems"][0]
    cases = [
        ({**good, "LineItems": []}, "MANDATORY_FIELDS_MISSING", "Mandatory Fields Missing.."),
        ({k: v for k, v in good.items() if k != "LineItems"}, "MANDATORY_FIELDS_MISSING",
         "Mandatory Fields Missing.."),
        ({k: v for k, v in good.items() if k != "productid"}, "MANDATORY_FIELDS_MISSING",
         "productid does not have a value"),
        ({**good, "LineItems": [line, {**line, "quantity": "two"}]}, "INVALID_PARAMETER",
         "quantity: LineItems line 2: must be a number"),
        ({**good, "LineItems": [line, {**line, "productid": parties["account"]}]},
         "REFERENCE_INVALID", "Invalid reference specified for productid"),
        ({**good, "LineItems": [line, {**line, "productid": "14x999999"}]},
         "REFERENCE_INVALID", "Invalid reference specified for productid"),
        ({**good, "LineItems": [{**line, "quantity": None}]}, "MANDATORY_FIELDS_MISSING",
         "quantity does not have a value"),
        ({**good, "LineItems": [{**line, "price": 1}]}, "ACCESS_DENIED",
         "Permission to access price attribute denied"),
        ({**good, "LineItems": ["nope"]}, "INVALID_PARAMETER", "LineItems: line 1 must be"),
        # amounts beyond what a document holds (10^13) are refused, never a server error
        ({**good, "LineItems": [{**line, "quantity": "1e308"}]}, "INVALID_PARAMETER",
         "quantity: LineItems line 1: must be less than 10^13"),
        ({**good, "LineItems": [{**line, "listprice": "1e308"}]}, "INVALID_PARAMETER",
         "listprice: LineItems line 1: must be less than 10^13"),
        ({**good, "hdnS_H_Amount": "1e308"}, "INVALID_PARAMETER", "hdnS_H_Amount"),
        ({**good, "txtAdjustment": "-1e308"}, "INVALID_PARAMETER", "txtAdjustment"),
    ]
    for element, code, message in cases:
        error = ws_admin.error("create", post=True, elementType="Invoice", element=element)
        assert error["code"] == code, (element, error)
        assert error["message"].startswith(message), (element, error)
    after = (admin.post("/transactions", json={"count": 1}).json()["count"],
             admin.post("/lineitems", json={"count": 1}).json()["count"])
    assert after == before


def test_an_issued_invoice_is_locked_but_takes_partial_edit(
        ws_admin: WsClient, parties: dict[str, str], admin_id: str) -> None:
    # given an issued invoice
    invoice = ws_admin.okpost("create", elementType="Invoice",
                              element=document("Invoice", parties, admin_id,
                                               invoicestatus="Approved"))
    element = {k: v for k, v in invoice.items() if k != "LineItems"}
    # then update and revise are refused
    for operation in ("update", "revise"):
        error = ws_admin.error(operation, post=True, element={**element, "subject": "New"})
        assert error["code"] == "ACCESS_DENIED"
        assert "locked" in error["message"] and "partial_edit=1" in error["message"]
    # when partial_edit=1 changes status, lines, prices and subject
    order = ws_admin.okpost("create", elementType="SalesOrder",
                            element=document("SalesOrder", parties, admin_id))
    edited = ws_admin.okpost("update", partial_edit="1", element={
        **element, "invoicestatus": "Paid", "subject": "Changed", "salesorder_id": order["id"],
        "vtiger_purchaseorder": "PO-7", "hdnDiscountAmount": "50",
        "LineItems": [{"productid": parties["support"], "quantity": "9"}]})
    # then only the status and the order references changed
    assert (edited["invoicestatus"], edited["salesorder_id"], edited["vtiger_purchaseorder"]) == \
        ("Paid", order["id"], "PO-7")
    assert edited["subject"] == invoice["subject"]
    assert edited["LineItems"] == invoice["LineItems"]
    assert edited["hdnGrandTotal"] == invoice["hdnGrandTotal"]
    # and Kafinea's own example (seed 000: id, status and owner only) works as written
    example = ws_admin.okpost("update", partial_edit="1", elementType="Invoice", element={
        "id": invoice["id"], "invoicestatus": "Sent", "assigned_user_id": admin_id})
    assert example["invoicestatus"] == "Sent" and example["subject"] == invoice["subject"]
    # but a mandatory field given empty is still missing
    error = ws_admin.error("update", post=True, partial_edit="1",
                           element={"id": invoice["id"], "invoicestatus": "Paid", "subject": ""})
    assert error["code"] == "MANDATORY_FIELDS_MISSING"
    # a draft invoice is not locked
    draft = ws_admin.okpost("create", elementType="Invoice",
                            element=document("Invoice", parties, admin_id))
    assert ws_admin.okpost("revise", element={"id": draft["id"], "subject": "S"})["subject"] == "S"
    # and the lock holds through every door: no delete, no line change, REST neither
    assert ws_admin.error("delete", post=True, id=invoice["id"])["code"] == "ACCESS_DENIED"


def test_the_lock_holds_through_the_rest_api(ws_admin: WsClient, admin: httpx.Client,
                                             parties: dict[str, str], admin_id: str) -> None:
    # given an issued invoice made through webservice.php
    invoice = ws_admin.okpost("create", elementType="Invoice",
                              element=document("Invoice", parties, admin_id,
                                               invoicestatus="Approved"))
    record_id = invoice["id"].split("x")[1]
    line_id = invoice["LineItems"][0]["id"].split("x")[1]
    # then the REST API may not change its amounts, delete it or touch its lines
    r = admin.patch(f"/transactions/{record_id}", json={"grandtotal": 1, "subject": "x"})
    assert r.status_code == 403
    assert "only status, assigneduser, ownergroup, salesorder, purchaseorder may change, " \
           "not grandtotal, subject" in r.text
    assert admin.delete(f"/transactions/{record_id}").status_code == 403
    assert admin.patch(f"/lineitems/{line_id}", json={"quantity": 99}).status_code == 403
    assert admin.delete(f"/lineitems/{line_id}").status_code == 403
    item = int(parties["widget"].split("x")[1])
    r = admin.put("/lineitems", json={"transaction": int(record_id), "item": item,
                                      "quantity": 1, "listprice": 1})
    assert r.status_code == 403
    # but its status and references may change, as through partial_edit
    r = admin.patch(f"/transactions/{record_id}", json={"status": 20, "purchaseorder": "PO-9"})
    assert r.status_code == 200, r.text
    assert ws_admin.ok("retrieve", id=invoice["id"])["hdnGrandTotal"] == invoice["hdnGrandTotal"]


def test_partial_edit_of_a_module_without_it(ws_admin: WsClient, parties: dict[str, str],
                                             admin_id: str) -> None:
    quote = ws_admin.okpost("create", elementType="Quotes",
                            element=document("Quotes", parties, admin_id))
    error = ws_admin.error("update", post=True, partial_edit="1",
                           element={k: v for k, v in quote.items() if k != "LineItems"})
    assert error == {"code": "ACCESS_DENIED",
                     "message": "Partial edit is not supported for module Quotes"}


def test_taxes_and_line_items_are_read_only_modules(ws_admin: WsClient) -> None:
    taxes = ws_admin.ok("query", query="SELECT taxname, taxlabel, percentage FROM Tax;")
    assert [(t["taxname"], t["taxlabel"], t["percentage"]) for t in taxes][:3] == [
        ("tax1", "VAT", "4.500"), ("tax2", "Sales", "10.000"), ("tax3", "Service", "12.500")]
    assert ws_admin.ok("describe", elementType="Tax")["createable"] is False
    error = ws_admin.error("create", post=True, elementType="LineItem", element={})
    assert error["code"] == "OPERATION_NOT_SUPPORTED"
    described = ws_admin.ok("describe", elementType="Invoice")
    assert next(f for f in described["fields"] if f["name"] == "productid")["mandatory"]


def test_documents_in_vtql(ws_admin: WsClient, parties: dict[str, str], admin_id: str) -> None:
    created = ws_admin.okpost("create", elementType="SalesOrder",
                              element=document("SalesOrder", parties, admin_id, subject="VTQL"))
    rows = ws_admin.ok("query", query="SELECT subject, hdnGrandTotal FROM SalesOrder "
                                      "WHERE subject = 'VTQL';")
    assert rows == [{"subject": "VTQL", "hdnGrandTotal": "243.57500000", "id": created["id"]}]
    # productid is the first line's, not a column: it cannot be filtered on
    error = ws_admin.error("query", query="SELECT * FROM Invoice WHERE productid = '14x1';")
    assert error["code"] == "ACCESS_DENIED"


def test_concurrent_updates_never_leave_totals_that_disagree_with_the_lines(
        server: Any, ws_admin: WsClient, parties: dict[str, str], admin_id: str) -> None:
    """20 writers at once on one draft invoice: half replace its lines, half change its
    header discount; whatever order they commit in, the stored totals are those of the
    stored lines and header (a no-op revise, which computes them again, changes nothing)."""
    created = ws_admin.okpost("create", elementType="Invoice",
                              element=document("Invoice", parties, admin_id))
    line = document("Invoice", parties, admin_id)["LineItems"][0]

    def write(n: int) -> Any:
        writer = WsClient(server, ws_admin.session)
        element = ({"id": created["id"], "hdnDiscountAmount": str(n)} if n % 2 else
                   {"id": created["id"], "LineItems": [{**line, "quantity": str(n + 1)}]})
        return writer.post("revise", element=element)

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(write, range(20)))
    assert all(a["success"] or a["error"]["code"] == "DATABASE_QUERY_ERROR" for a in answers), \
        [a for a in answers if not a["success"]]
    stored = ws_admin.ok("retrieve", id=created["id"])
    again = ws_admin.okpost("revise", element={"id": created["id"]})
    assert [stored[k] for k in TOTALS] == [again[k] for k in TOTALS]


TOTALS = ("hdnSubTotal", "pre_tax_total", "hdnGrandTotal", "hdnDiscountAmount")
