"""The server answers, and the admin can create and read an account."""

from __future__ import annotations

import httpx


def test_create_and_read_account(admin: httpx.Client) -> None:
    created = admin.put("/accounts", json={"lastname": "ACME", "currency": "EUR"})
    assert created.status_code == 201, created.text
    record_id = created.json()["ID"]
    got = admin.get(f"/accounts/{record_id}")
    assert got.status_code == 200
    assert got.json()["lastname"] == "ACME"
    assert got.headers["etag"] == created.headers["etag"]


def test_user_without_permission_gets_403(make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("contacts")
    assert user.post("/accounts", json={}).status_code == 403
