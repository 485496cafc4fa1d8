"""sync: records changed and deleted since a time, oldest first, with `more` paging."""

from __future__ import annotations

import time

import httpx

from api.webservice.conftest import WsClient


def _admin_id(ws: WsClient) -> str:
    return str(ws.ok("query", query="SELECT id FROM Users WHERE user_name = 'admin';")[0]["id"])


def test_sync_reports_changes_and_deletions(ws_admin: WsClient) -> None:
    # given a moment, then a created, an updated and a deleted ticket
    since = int(time.time()) - 1
    owner = _admin_id(ws_admin)
    made = [ws_admin.okpost("create", elementType="HelpDesk", element={
        "ticket_title": f"Sync {n}", "assigned_user_id": owner, "ticketpriorities": "High",
        "ticketstatus": "Open"}) for n in range(3)]
    ws_admin.okpost("revise", element={"id": made[1]["id"], "ticketstatus": "Closed"})
    ws_admin.okpost("delete", id=made[2]["id"])
    # when syncing HelpDesk from that moment
    result = ws_admin.ok("sync", modifiedTime=str(since), elementType="HelpDesk")
    # then the living ones are updated, the deleted one deleted, nothing more
    updated = {row["id"]: row for row in result["updated"]}
    assert made[0]["id"] in updated and made[1]["id"] in updated
    assert made[2]["id"] not in updated
    assert updated[made[1]["id"]]["ticketstatus"] == "Closed"
    assert made[2]["id"] in result["deleted"]
    assert result["more"] is False
    assert result["lastModifiedTime"] >= since
    # and asking again from lastModifiedTime gives nothing new
    again = ws_admin.ok("sync", modifiedTime=str(result["lastModifiedTime"]),
                        elementType="HelpDesk")
    assert again["updated"] == [] and again["deleted"] == []


def test_sync_pages_with_more(ws_admin: WsClient, admin: httpx.Client) -> None:
    since = int(time.time()) - 1
    owner = _admin_id(ws_admin)
    for n in range(105):
        ws_admin.okpost("create", elementType="Project",
                        element={"projectname": f"Many {n}", "assigned_user_id": owner})
    first = ws_admin.ok("sync", modifiedTime=str(since), elementType="Project")
    assert first["more"] is True or len(first["updated"]) >= 105  # ties in one second
    seen = {row["id"] for row in first["updated"]}
    cursor = first["lastModifiedTime"]
    while first["more"]:
        first = ws_admin.ok("sync", modifiedTime=str(cursor), elementType="Project")
        seen |= {row["id"] for row in first["updated"]}
        cursor = first["lastModifiedTime"]
    assert len([i for i in seen]) >= 105


def test_sync_checks_its_parameters(ws_admin: WsClient) -> None:
    assert ws_admin.error("sync", modifiedTime="yesterday")["code"] == "INVALID_PARAMETER"
    for huge in ("9" * 19, "9" * 30, "9" * 5000):  # past 64 bits: refused alike on both databases
        error = ws_admin.error("sync", modifiedTime=huge)
        assert error["code"] == "INVALID_PARAMETER", error
        assert error["message"].startswith("modifiedTime: must be a Unix time"), error
    assert ws_admin.error("sync", modifiedTime="0", elementType="Nope")["code"] == "ACCESS_DENIED"
    assert ws_admin.error("sync", modifiedTime="0", syncType="all")["code"] == "INVALID_PARAMETER"
    future = int(time.time()) + 3600
    assert ws_admin.ok("sync", modifiedTime=str(future)) == {
        "updated": [], "deleted": [], "more": False, "lastModifiedTime": future}
