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


def test_records_of_another_group_stay_hidden(server: Server, database_url: str,
                                              make_user: Any) -> None:
    # given two members of two groups, each with every contacts right
    ann, ben = make_user("contacts:writable"), make_user("contacts:writable")
    ws_ann = ws_login(server, database_url, ann.user_name)
    ws_ben = ws_login(server, database_url, ben.user_name)
    group = ws_ann.ok("query", query=f"SELECT id FROM Groups WHERE groupname = "
                                     f"'{ann.group_name}';")[0]["id"]
    # when ann files a contact under her group
    mine = ws_ann.okpost("create", elementType="Contacts",
                         element={"lastname": "Secret Keeper", "assigned_user_id": group})
    assert mine["assigned_user_id"] == group
    # then ben finds it by no way: retrieve, query, count, sync, revise, delete
    assert ws_ben.error("retrieve", id=mine["id"])["code"] == "ACCESS_DENIED"
    query = "SELECT lastname FROM Contacts WHERE lastname = 'Secret Keeper';"
    assert ws_ben.ok("query", query=query) == []
    assert ws_ben.ok("query", query="SELECT count(*) FROM Contacts WHERE lastname = "
                                    "'Secret Keeper';") == [{"count": "0"}]
    assert mine["id"] not in {r["id"] for r in ws_ben.ok("sync", modifiedTime="0",
                                                         elementType="Contacts")["updated"]}
    assert ws_ben.error("revise", post=True, element={"id": mine["id"], "lastname": "X"})[
        "code"] == "ACCESS_DENIED"
    assert ws_ben.error("delete", post=True, id=mine["id"])["code"] == "ACCESS_DENIED"
    # while ann sees it, and its deletion reaches her sync only
    assert ws_ann.ok("query", query=query) == [{"lastname": "Secret Keeper", "id": mine["id"]}]
    ws_ann.okpost("delete", id=mine["id"])
    assert mine["id"] in ws_ann.ok("sync", modifiedTime="0", elementType="Contacts")["deleted"]
    assert mine["id"] not in ws_ben.ok("sync", modifiedTime="0", elementType="Contacts")["deleted"]
