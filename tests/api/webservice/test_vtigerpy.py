"""The `vtigerpy` client (PyPI 0.0.1), run unchanged against a live server: login in its
constructor (getchallenge as a POST with the parameters in the URL, then a form login), then
retrieve/query as GET and create/update/revise/delete as form POSTs, through its own methods."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import INSTANCE, Server
from vtigerpy import Vtiger

from api.webservice.conftest import access_key


def _result(response: Any) -> Any:
    """What a vtigerpy caller does with the raw `requests.Response` it gets back."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True, body
    return body["result"]


@pytest.fixture
def vtiger(server: Server, database_url: str) -> Iterator[Vtiger]:
    client = Vtiger(f"{server.url}/{INSTANCE}", "admin", access_key(database_url, "admin"))
    yield client
    client.post("logout")


def test_the_constructor_logs_in_with_the_challenge(vtiger: Vtiger) -> None:
    # given / when: the constructor ran getchallenge and login

    # then it holds a session the server accepts
    assert vtiger.sessionName
    assert "Contacts" in _result(vtiger.get("listtypes"))["types"]


def test_a_contact_lives_and_dies_through_vtigerpy(vtiger: Vtiger) -> None:
    # given the admin's ws id, read with VTQL
    rows = _result(vtiger.get("query", query="SELECT id FROM Users WHERE user_name = 'admin';"))
    admin_id = rows[0]["id"]

    # when a contact is created
    created = _result(vtiger.post("create", elementType="Contacts", element=json.dumps(
        {"lastname": "Vtigerpy", "assigned_user_id": admin_id})))

    # then it is retrievable and found by VTQL
    contact_id = created["id"]
    assert created["lastname"] == "Vtigerpy"
    assert created["assigned_user_id"] == admin_id
    retrieved = _result(vtiger.get("retrieve", id=contact_id))
    assert retrieved["id"] == contact_id
    assert retrieved["lastname"] == "Vtigerpy"
    found = _result(vtiger.get(
        "query", query=f"SELECT lastname FROM Contacts WHERE id = '{contact_id}';"))
    assert [row["lastname"] for row in found] == ["Vtigerpy"]

    # when it is updated with every mandatory field
    updated = _result(vtiger.post("update", element=json.dumps(
        {"id": contact_id, "lastname": "Vtigerpy2", "assigned_user_id": admin_id,
         "firstname": "Ada"})))

    # then the update is read back
    assert (updated["lastname"], updated["firstname"]) == ("Vtigerpy2", "Ada")

    # when it is revised with one field only
    revised = _result(vtiger.post("revise", element=json.dumps(
        {"id": contact_id, "firstname": "Grace"})))

    # then only that field changes
    assert (revised["lastname"], revised["firstname"]) == ("Vtigerpy2", "Grace")
    assert _result(vtiger.get("retrieve", id=contact_id))["firstname"] == "Grace"

    # when it is deleted
    assert _result(vtiger.post("delete", id=contact_id)) == {"status": "successful"}

    # then retrieve answers success false with ACCESS_DENIED, still with HTTP 200
    response = vtiger.get("retrieve", id=contact_id)
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == "ACCESS_DENIED"
