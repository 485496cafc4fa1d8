"""Dunning through webservice.php (Comptoir extensions): `overdue_documents` and
`run_dunning` take and answer Invoice and Accounts ids, and refuse bad parameters in
vtiger's envelope."""

from __future__ import annotations

import httpx

from api.webservice.conftest import WsClient
from tests.api.test_dunning import ago, company, invoice
from tests.api.test_sales import account


def test_overdue_invoices_are_listed_and_dunned_by_webservice_ids(
        ws_admin: WsClient, admin: httpx.Client) -> None:
    # given: an invoice 40 days overdue
    firm, customer = company(admin), account(admin, "Bernard SAS")
    overdue = invoice(admin, customer, firm, 70)["ID"]
    # when: listed by the customer's Accounts id
    listed = ws_admin.ok("overdue_documents", account=f"11x{customer}")
    # then
    (found,) = listed["accounts"]
    assert found["account"] == f"11x{customer}"
    assert [(e["ID"], e["days_overdue"], e["bucket"], e["next_level"])
            for e in found["invoices"]] == [(f"7x{overdue}", 40, "31-60", 1)]
    # when: dunned by its Invoice id, on a day in the past, then again
    done = ws_admin.okpost("run_dunning", element={"date": ago(10),
                                                   "transactions": [f"7x{overdue}"]})
    (sent,) = done["letters"]
    assert sent["letter"]["account"] == f"11x{customer}"
    assert [(e["ID"], e["level"]) for e in sent["transactions"]] == [(f"7x{overdue}", 1)]
    again = ws_admin.okpost("run_dunning", element={"account": f"11x{customer}",
                                                    "date": ago(10)})
    assert again["created"] == 0 and again["message"].startswith("nothing to dun")


def test_bad_parameters_answer_in_the_envelope(ws_admin: WsClient) -> None:
    error = ws_admin.error("overdue_documents", date="yesterday")
    assert error["code"] == "INVALID_PARAMETER" and error["message"].startswith("date: ")
    error = ws_admin.error("run_dunning", post=True, element={"transactions": ["11x1"]})
    assert error["code"] == "INVALID_PARAMETER"
    assert error["message"] == "transactions[1]: 11x1 is not an id of Invoice"
    error = ws_admin.error("run_dunning", post=True, element={"account": "7x1"})
    assert error["message"] == "account: 7x1 is not an id of Accounts"
    error = ws_admin.error("run_dunning", post=True, element={"when": 1})
    assert error["message"].startswith("when: unknown parameter")
