"""Leads and convertlead: a lead becomes an account, a contact and an opportunity."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.webservice.conftest import WsClient


@pytest.fixture(scope="module")
def owner(ws_admin: WsClient) -> str:
    return str(ws_admin.ok("query", query="SELECT id FROM Users WHERE user_name = 'admin';")[0]["id"])


def _lead(ws: WsClient, owner: str, **values: Any) -> dict[str, Any]:
    element = {"lastname": "Lovelace", "firstname": "Ada", "company": "Engines Ltd",
               "email": "ada@example.com", "phone": "+44 1", "assigned_user_id": owner,
               **values}
    return dict(ws.okpost("create", elementType="Leads", element=element))


def test_convert_makes_account_contact_and_opportunity(ws_admin: WsClient, owner: str,
                                                       admin: httpx.Client) -> None:
    # given a lead
    lead = _lead(ws_admin, owner)
    # when it is converted into all three
    result = ws_admin.okpost("convertlead", element={
        "leadId": lead["id"], "assignedTo": owner,
        "entities": {"Accounts": {"create": True, "name": "Accounts"},
                     "Contacts": {"create": True, "name": "Contacts"},
                     "Potentials": {"create": True, "name": "Potentials",
                                    "potentialname": "Engines deal", "closingdate": "2027-01-31",
                                    "sales_stage": "Qualification"}}})
    # then the new records carry the lead's values and point at each other
    assert set(result) == {"Accounts", "Contacts", "Potentials"}
    account = ws_admin.ok("retrieve", id=result["Accounts"])
    contact = ws_admin.ok("retrieve", id=result["Contacts"])
    deal = ws_admin.ok("retrieve", id=result["Potentials"])
    assert account["accountname"] == "Engines Ltd"
    assert (contact["firstname"], contact["lastname"], contact["email"]) == \
        ("Ada", "Lovelace", "ada@example.com")
    assert contact["account_id"] == account["id"]
    assert (deal["related_to"], deal["contact_id"]) == (account["id"], contact["id"])
    assert deal["sales_stage"] == "Qualification"
    # and the lead left the Leads module, linked to what it became (REST shows it)
    assert ws_admin.ok("query", query=f"SELECT id FROM Leads WHERE id = '{lead['id']}';") == []
    stored = admin.get(f"/leads/{lead['id'].split('x')[1]}").json()
    assert stored["converted"] == 1
    assert stored["account"] == int(account["id"].split("x")[1])
    # and converting again is refused
    error = ws_admin.error("convertlead", post=True, element={
        "leadId": lead["id"], "entities": {"Contacts": {"create": True, "name": "Contacts"}}})
    assert error["code"] == "LEAD_ALREADY_CONVERTED"


def test_a_failed_conversion_leaves_nothing(ws_admin: WsClient, owner: str,
                                            admin: httpx.Client) -> None:
    lead = _lead(ws_admin, owner, company="")
    before = {e: admin.post(f"/{e}", json={"count": 1}).json()["count"]
              for e in ("accounts", "contacts", "opportunities")}
    cases = [
        ({"Contacts": {"create": False}}, "MANDATORY_FIELDS_MISSING"),
        ({"Accounts": {"create": True}}, "MANDATORY_FIELDS_MISSING"),  # no company to name it
        ({"Contacts": {"create": True}, "Potentials": {"create": True, "sales_stage": "Nope"}},
         "INVALID_PARAMETER"),
        ({"Martians": {"create": True}}, "INVALID_PARAMETER"),
    ]
    for entities, code in cases:
        error = ws_admin.error("convertlead", post=True,
                               element={"leadId": lead["id"], "entities": entities})
        assert error["code"] == code, (entities, error)
    assert ws_admin.error("convertlead", post=True, element={
        "leadId": "12x1", "entities": {}})["code"] == "INVALID_ID_ATTRIBUTE"
    after = {e: admin.post(f"/{e}", json={"count": 1}).json()["count"]
             for e in ("accounts", "contacts", "opportunities")}
    assert after == before
    assert ws_admin.ok("retrieve", id=lead["id"])["lastname"] == "Lovelace"


def test_a_conversion_failing_midway_is_rolled_back(server: Any, database_url: str,
                                                    make_user: Any, admin: httpx.Client) -> None:
    """The account is written before the contact is refused (no contacts right): the
    conversion is one transaction, so the account goes too, and no event is left."""
    from api.webservice.conftest import ws_login
    from comptoir.events import outbox
    from comptoir.storage.database import Database, run_with_database

    user = make_user("leads:writable", "accounts:writable")
    ws = ws_login(server, database_url, user.user_name)
    me = ws.ok("query", query=f"SELECT id FROM Users WHERE user_name = '{user.user_name}';")
    lead = _lead(ws, me[0]["id"], company="Midway Ltd")

    async def last_event(db: Database) -> int:
        async with db.read() as conn:
            found = await outbox.read_events(conn, limit=1_000_000)
        return max((e["ID"] for e in found), default=0)

    before = run_with_database(database_url, last_event)
    accounts = admin.post("/accounts", json={"count": 1}).json()["count"]
    error = ws.error("convertlead", post=True, element={
        "leadId": lead["id"], "entities": {"Accounts": {"create": True},
                                           "Contacts": {"create": True}}})
    assert error["code"] == "ACCESS_DENIED"
    assert error["message"].startswith("Failed to create Contacts")
    assert admin.post("/accounts", json={"count": 1}).json()["count"] == accounts
    assert admin.post("/accounts", json={"count": 1, "filter": {
        "lastname": "Midway Ltd"}}).json()["count"] == 0
    assert run_with_database(database_url, last_event) == before
    assert ws.ok("retrieve", id=lead["id"])["lastname"] == "Lovelace"
