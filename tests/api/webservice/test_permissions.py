"""What a user may do through webservice.php is what the REST API lets them do."""

from __future__ import annotations

from typing import Any

from conftest import Server

from api.webservice.conftest import ws_login


def test_rights_are_the_rest_rights(server: Server, database_url: str, make_user: Any,
                                    admin: Any) -> None:
    # given a user who may read contacts only, and one with no permission at all
    reader = make_user("contacts")
    nobody = make_user()
    ws_reader = ws_login(server, database_url, reader.user_name)
    ws_nobody = ws_login(server, database_url, nobody.user_name)
    me = ws_reader.ok("query", query=f"SELECT id FROM Users WHERE user_name = "
                                     f"'{reader.user_name}';")[0]["id"]
    # then listtypes shows what each may read
    assert "Contacts" in ws_reader.ok("listtypes")["types"]
    assert "Accounts" not in ws_reader.ok("listtypes")["types"]
    assert "Contacts" not in ws_nobody.ok("listtypes")["types"]
    # and writes and foreign modules are denied, changing nothing
    before = admin.post("/contacts", json={"count": 1}).json()["count"]
    error = ws_reader.error("create", post=True, elementType="Contacts",
                            element={"lastname": "Denied", "assigned_user_id": me})
    assert error["code"] == "ACCESS_DENIED"
    assert admin.post("/contacts", json={"count": 1}).json()["count"] == before
    assert ws_nobody.error("query", query="SELECT * FROM Contacts;")["code"] == "ACCESS_DENIED"
    assert ws_nobody.error("describe", elementType="Contacts")["code"] == "ACCESS_DENIED"
    assert ws_reader.error("sync", modifiedTime="0", syncType="application") == {
        "message": "Only admin users can perform application sync", "code": "ACCESS_DENIED"}
    described = ws_reader.ok("describe", elementType="Contacts")
    assert described["createable"] is False and described["retrieveable"] is True
