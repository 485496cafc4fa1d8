"""Price lists applied to lines added without a price, through the REST API, the
webservice and the price endpoint: the customer's list, quantity breaks, lists that do
not apply, an explicit price kept.  Real server, real database (SQLite, or PostgreSQL)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.api.samples import check
from tests.api.test_sales import account
from tests.conftest import run_cli


def make(admin: httpx.Client, path: str, **values: Any) -> int:
    return int(check(admin.put(path, json=values), 201).json()["ID"])


@pytest.fixture
def catalog(admin: httpx.Client) -> dict[str, int]:
    """An item at 100; a list for one customer: 90, and 80 from 10 units; an expired list
    for everyone at 50; another customer."""
    item = make(admin, "/items", name="Câble", sellingprice=100, purchaseprice=60)
    customer, other = account(admin), account(admin, "Other SAS")
    mine = make(admin, "/pricelists", name="Contrat", type=0, currency="EUR")
    make(admin, "/prices", item=item, pricelist=mine, price=90)
    make(admin, "/prices", item=item, pricelist=mine, price=80, minamount=10)
    make(admin, "/pricelists2accounts", pricelist=mine, account=customer)
    expired = make(admin, "/pricelists", name="Soldes", type=0, applytoall=1, currency="EUR",
                   dateto=int(time.time()) - 86400)
    make(admin, "/prices", item=item, pricelist=expired, price=50)
    return {"item": item, "customer": customer, "other": other, "list": mine}


def line(admin: httpx.Client, customer: int, item: int, **values: Any) -> dict[str, Any]:
    document = make(admin, "/transactions", type=0, account=customer, currency="EUR")
    made = make(admin, "/lineitems", transaction=document, item=item, **values)
    return dict(check(admin.get(f"/lineitems/{made}"), 200).json())


def test_a_line_without_price_takes_the_customer_list(admin: httpx.Client,
                                                      catalog: dict[str, int]) -> None:
    item, customer = catalog["item"], catalog["customer"]
    assert (line(admin, customer, item, quantity=2)["listprice"],
            line(admin, customer, item, quantity=2)["pricelist"]) == (90.0, catalog["list"])
    # the quantity break
    assert line(admin, customer, item, quantity=12)["listprice"] == 80.0
    # another customer: the expired list does not apply either
    other = line(admin, catalog["other"], item, quantity=12)
    assert (other["listprice"], other["pricelist"]) == (100.0, None)
    # a price given is kept
    given = line(admin, customer, item, quantity=2, listprice=95)
    assert (given["listprice"], given["pricelist"]) == (95.0, None)


def test_the_price_endpoint(admin: httpx.Client, catalog: dict[str, int]) -> None:
    item, customer = catalog["item"], catalog["customer"]
    found = check(admin.get(f"/items/{item}/price",
                            params={"account": customer, "quantity": "10"}), 200).json()
    assert found == {"item": item, "quantity": "10", "price": "80.0000",
                     "pricelist": catalog["list"], "base": "100"}
    supplier = check(admin.get(f"/items/{item}/price",
                               params={"type": "PROCUREMENT_ORDER"}), 200).json()
    assert (supplier["price"], supplier["pricelist"]) == ("60", None)
    for params, text in (({"quantity": "ten"}, "quantity: must be a number"),
                         ({"account": "x"}, "account: must be an account ID"),
                         ({"date": "soon"}, "date: must be a date (YYYY-MM-DD)"),
                         ({"colour": "red"}, "colour: unknown parameter")):
        answer = admin.get(f"/items/{item}/price", params=params)
        assert check(answer, 400).text.startswith(f"Bad Request: {text}"), params
    check(admin.get("/items/999999/price"), 404)


def test_zeyos_items_without_price_are_priced_at_issue(admin: httpx.Client,
                                                       catalog: dict[str, int]) -> None:
    # given: an invoice whose lines are the ZeyOS `items` JSON, one without a price
    item, customer = catalog["item"], catalog["customer"]
    invoice = make(admin, "/transactions", type=3, account=customer, currency="EUR",
                   items=[{"item": item, "amount": 12, "taxrate": 20},
                          {"item": item, "amount": 1, "sellingprice": 99, "taxrate": 20}])
    # when
    issued = check(admin.post(f"/transactions/{invoice}/issue", json={}), 200).json()
    # then: the first at the customer's break (80), the second at its own price
    lines = check(admin.post("/lineitems", json={
        "fields": ["listprice", "pricelist"], "filter": {"transaction": invoice},
        "sort": ["sequence"]}), 200).json()
    assert [(x["listprice"], x["pricelist"]) for x in lines] == [(80.0, catalog["list"]),
                                                                  (99.0, None)]
    assert issued["netamount"] == 12 * 80 + 99


def test_lines_of_an_issued_invoice_are_refused_not_priced(admin: httpx.Client,
                                                           catalog: dict[str, int]) -> None:
    item, customer = catalog["item"], catalog["customer"]
    invoice = make(admin, "/transactions", type=3, account=customer, currency="EUR")
    make(admin, "/lineitems", transaction=invoice, item=item, quantity=1, tax1=20)
    check(admin.post(f"/transactions/{invoice}/issue", json={}), 200)
    refused = admin.put("/lineitems", json={"transaction": invoice, "item": item})
    assert check(refused, 403).text.startswith("Forbidden: transaction ")


def test_the_cli_prints_the_price(admin: httpx.Client, catalog: dict[str, int],
                                  database_url: str,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    run_cli(database_url, "price", str(catalog["item"]), "--account",
            str(catalog["customer"]), "--quantity", "10")
    assert capsys.readouterr().out.strip() == (
        f"10 x item {catalog['item']}: 80.0000 (price list {catalog['list']}; base 100)")
