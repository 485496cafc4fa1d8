"""relatedtypes, retrieve_related, query_related, add_related, delete_related: the related
lists declared on the modules, read and written as vtiger answers them."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest
from conftest import Server

from api.webservice.conftest import WsClient, ws_login
from comptoir.schema.modules import MODULES
from comptoir.schema.registry import ENTITIES


@pytest.fixture(scope="module")
def admin_id(ws_admin: WsClient) -> str:
    return str(ws_admin.ok("query", query="SELECT id FROM Users WHERE user_name = 'admin';")[0]["id"])


def _account(ws: WsClient, admin_id: str, name: str) -> dict[str, Any]:
    result: dict[str, Any] = ws.okpost("create", elementType="Accounts", element={
        "accountname": name, "assigned_user_id": admin_id})
    return result


def _contact(ws: WsClient, admin_id: str, last: str, account: str = "") -> dict[str, Any]:
    result: dict[str, Any] = ws.okpost("create", elementType="Contacts", element={
        "lastname": last, "account_id": account, "assigned_user_id": admin_id})
    return result


def _id(text_id: str) -> int:
    return int(text_id.split("x")[1])


@pytest.fixture(scope="module")
def family(ws_admin: WsClient, admin_id: str) -> dict[str, Any]:
    """Two organizations of their own: `org` with contacts Doe and Roe and an opportunity,
    `other` with a contact Doe."""
    tag = "Rel" + secrets.token_hex(3)
    org = _account(ws_admin, admin_id, f"{tag} Org")
    other = _account(ws_admin, admin_id, f"{tag} Other")
    doe = _contact(ws_admin, admin_id, f"{tag} Doe", org["id"])
    roe = _contact(ws_admin, admin_id, f"{tag} Roe", org["id"])
    stranger = _contact(ws_admin, admin_id, f"{tag} Doe", other["id"])
    deal = ws_admin.okpost("create", elementType="Potentials", element={
        "potentialname": f"{tag} Deal", "related_to": org["id"], "closingdate": "2026-06-30",
        "sales_stage": "Prospecting", "assigned_user_id": admin_id})
    return {"tag": tag, "org": org, "other": other, "doe": doe, "roe": roe,
            "stranger": stranger, "deal": deal}


def test_relatedtypes_lists_the_declared_relations(ws_admin: WsClient) -> None:
    result = ws_admin.ok("relatedtypes", elementType="Accounts")
    assert result["types"] == ["Contacts", "Potentials", "HelpDesk", "Project"]
    assert list(result["information"]) == ["Contacts", "Potentials", "HelpDesk", "Projects"]
    assert result["information"]["Projects"] == {"name": "Project", "label": "Projects",
                                                 "isEntity": "1"}
    assert ws_admin.ok("relatedtypes", elementType="Project")["information"][
        "Project Tasks"] == {"name": "ProjectTask", "label": "Project Tasks", "isEntity": "1"}
    assert ws_admin.ok("relatedtypes", elementType="Products") == {"types": [],
                                                                   "information": {}}
    assert ws_admin.error("relatedtypes", elementType="Nope")["code"] == "ACCESS_DENIED"


def test_every_relation_is_a_reference_of_the_related_entity() -> None:
    for module in MODULES.values():
        for relation in module.relations:
            related = MODULES[relation.module]
            target = ENTITIES[related.entity].by_name[relation.field].ref
            assert target == module.entity, (module.name, relation)


def test_retrieve_related_gives_every_field_of_the_related_records(
        ws_admin: WsClient, family: dict[str, Any]) -> None:
    rows = ws_admin.ok("retrieve_related", id=family["org"]["id"], relatedType="Contacts",
                       relatedLabel="Contacts")
    assert sorted(r["id"] for r in rows) == sorted([family["doe"]["id"], family["roe"]["id"]])
    assert set(rows[0]) == {*(f.name for f in MODULES["Contacts"].fields), "id"}
    deals = ws_admin.ok("retrieve_related", id=family["org"]["id"], relatedType="Potentials",
                        relatedLabel="Potentials")
    assert [d["id"] for d in deals] == [family["deal"]["id"]]
    assert ws_admin.ok("retrieve_related", id=family["org"]["id"], relatedType="Project",
                       relatedLabel="Projects") == []


@pytest.mark.parametrize("text, expected", [
    ("SELECT lastname FROM Contacts WHERE lastname LIKE '%Doe'", ["doe"]),
    ("select lastname from Contacts where lastname like '%Doe';", ["doe"]),
    ("SELECT lastname FROM Contacts ORDER BY lastname DESC LIMIT 1", ["roe"]),
    ("SELECT lastname FROM Contacts ORDER BY lastname", ["doe", "roe"]),
])
def test_query_related_filters_the_related_records(ws_admin: WsClient, family: dict[str, Any],
                                                   text: str, expected: list[str]) -> None:
    rows = ws_admin.ok("query_related", query=text, id=family["org"]["id"],
                       relatedLabel="Contacts")
    assert rows == [{"lastname": family[k]["lastname"], "id": family[k]["id"]}
                    for k in expected]


def test_query_related_counts(ws_admin: WsClient, family: dict[str, Any]) -> None:
    assert ws_admin.ok("query_related", query="SELECT count(*) FROM Contacts",
                       id=family["org"]["id"], relatedLabel="Contacts") == [{"count": "2"}]
    assert ws_admin.ok("query_related", query="SELECT count(*) FROM Contacts",
                       id=family["other"]["id"], relatedLabel="Contacts") == [{"count": "1"}]


@pytest.mark.parametrize("params, code", [
    ({"relatedLabel": "Nope"}, "UNKOWN_ENTITY"),
    ({"relatedLabel": "Potentials"}, "UNKOWN_ENTITY"),  # FROM Contacts
    ({"relatedLabel": "Contacts", "id": "12x1"}, "UNKOWN_ENTITY"),  # Contacts have no Contacts
    ({"relatedLabel": "Contacts", "id": "abc"}, "INVALID_ID_ATTRIBUTE"),
    ({"relatedLabel": "Contacts", "id": "99x1"}, "INVALID_ID_ATTRIBUTE"),
    ({"relatedLabel": "Contacts", "id": "11x999999999"}, "ACCESS_DENIED"),
    ({"relatedLabel": "Contacts", "query": "SELECT nope FROM Contacts"}, "ACCESS_DENIED"),
    ({"relatedLabel": "Contacts", "query": "SELECT * FROM"}, "QUERY_SYNTAX_ERROR"),
    ({"relatedLabel": "Contacts", "query": "SELECT * FROM Nope"}, "UNKOWN_ENTITY"),
])
def test_query_related_errors(ws_admin: WsClient, family: dict[str, Any],
                              params: dict[str, str], code: str) -> None:
    given = {"query": "SELECT * FROM Contacts", "id": family["org"]["id"], **params}
    error = ws_admin.error("query_related", **given)
    assert error["code"] == code
    if code == "UNKOWN_ENTITY":
        assert error["message"].startswith("Relation specified is incorrect")


def test_retrieve_related_errors(ws_admin: WsClient, family: dict[str, Any]) -> None:
    org = family["org"]["id"]
    for related_type, label in (("Contacts", "Potentials"), ("Nope", "Contacts"),
                                ("Contacts", "Nope")):
        assert ws_admin.error("retrieve_related", id=org, relatedType=related_type,
                              relatedLabel=label)["code"] == "UNKOWN_ENTITY"


@pytest.mark.parametrize("label_param", ["relationIdLabel", "relatedLabel"])
def test_add_and_delete_related(ws_admin: WsClient, admin: httpx.Client, admin_id: str,
                                family: dict[str, Any], label_param: str) -> None:
    # given a contact of no organization
    new = _contact(ws_admin, admin_id, f"{family['tag']} New")
    org = family["org"]["id"]
    # when it is related to the organization
    assert ws_admin.okpost("add_related", sourceRecordId=org, relatedRecordId=new["id"],
                           **{label_param: "Contacts"}) == {"message": "successfull"}
    # then query_related and the REST API show it
    rows = ws_admin.ok("query_related", query="SELECT id FROM Contacts", id=org,
                       relatedLabel="Contacts")
    assert {"id": new["id"]} in rows
    assert admin.get(f"/contacts/{_id(new['id'])}").json()["account"] == _id(org)
    assert ws_admin.ok("retrieve", id=new["id"])["account_id"] == org
    # when it is unrelated
    assert ws_admin.okpost("delete_related", sourceRecordId=org, relatedRecordId=new["id"],
                           **{label_param: "Contacts"}) == {"message": "successfull"}
    # then the reference is cleared
    assert admin.get(f"/contacts/{_id(new['id'])}").json()["account"] is None
    assert {"id": new["id"]} not in ws_admin.ok("query_related", query="SELECT id FROM Contacts",
                                                id=org, relatedLabel="Contacts")


def test_an_empty_label_or_the_module_name_pick_the_relation(
        ws_admin: WsClient, admin: httpx.Client, admin_id: str, family: dict[str, Any]) -> None:
    new = _contact(ws_admin, admin_id, f"{family['tag']} Label")
    deal = family["deal"]["id"]
    # an empty label: the only relation Contacts -> Potentials
    ws_admin.okpost("add_related", sourceRecordId=new["id"], relatedRecordId=deal)
    assert admin.get(f"/opportunities/{_id(deal)}").json()["contact"] == _id(new["id"])
    assert ws_admin.ok("retrieve_related", id=new["id"], relatedType="Potentials",
                       relatedLabel="Potentials")[0]["id"] == deal
    # Kafinea names the relation by the related module: "Project" for "Projects"
    project = ws_admin.okpost("create", elementType="Project", element={
        "projectname": f"{family['tag']} Project", "assigned_user_id": admin_id})
    ws_admin.okpost("add_related", sourceRecordId=family["other"]["id"],
                    relatedRecordId=project["id"], relatedLabel="Project")
    assert ws_admin.ok("retrieve_related", id=family["other"]["id"], relatedType="Project",
                       relatedLabel="Projects")[0]["id"] == project["id"]


def test_delete_related_leaves_other_records_alone(ws_admin: WsClient, admin: httpx.Client,
                                                   family: dict[str, Any]) -> None:
    # the stranger belongs to the other organization: unrelating it from org changes nothing
    stranger = family["stranger"]["id"]
    before = admin.get(f"/contacts/{_id(stranger)}").json()
    ws_admin.okpost("delete_related", sourceRecordId=family["org"]["id"],
                    relatedRecordId=stranger, relationIdLabel="Contacts")
    assert admin.get(f"/contacts/{_id(stranger)}").json() == before


def test_bad_relations_change_nothing(ws_admin: WsClient, admin: httpx.Client, admin_id: str,
                                      family: dict[str, Any]) -> None:
    stranger = family["stranger"]["id"]
    before = admin.get(f"/contacts/{_id(stranger)}").json()
    org = family["org"]["id"]
    cases = [
        ({"relatedRecordId": stranger, "relationIdLabel": "Potentials"}, "UNKOWN_ENTITY"),
        ({"relatedRecordId": family["deal"]["id"], "relationIdLabel": "Contacts"},
         "UNKOWN_ENTITY"),
        ({"relatedRecordId": "12x999999999", "relationIdLabel": "Contacts"}, "ACCESS_DENIED"),
        ({"relatedRecordId": "nope", "relationIdLabel": "Contacts"}, "INVALID_ID_ATTRIBUTE"),
        ({"relatedRecordId": stranger, "sourceRecordId": "11x999999999"}, "ACCESS_DENIED"),
        ({"relatedRecordId": stranger, "sourceRecordId": ""}, "INVALID_ID_ATTRIBUTE"),
    ]
    for operation in ("add_related", "delete_related"):
        for params, code in cases:
            error = ws_admin.error(operation, post=True, **{"sourceRecordId": org, **params})
            assert error["code"] == code, (operation, params, error)
    assert admin.get(f"/contacts/{_id(stranger)}").json() == before


def test_a_mandatory_reference_is_not_cleared(ws_admin: WsClient, admin: httpx.Client,
                                              admin_id: str, family: dict[str, Any]) -> None:
    project = ws_admin.okpost("create", elementType="Project", element={
        "projectname": f"{family['tag']} Mandatory", "assigned_user_id": admin_id})
    task = ws_admin.okpost("create", elementType="ProjectTask", element={
        "projecttaskname": "Task", "projectid": project["id"], "assigned_user_id": admin_id})
    rows = ws_admin.ok("query_related", query="SELECT projecttaskname FROM ProjectTask",
                       id=project["id"], relatedLabel="Project Tasks")
    assert rows == [{"projecttaskname": "Task", "id": task["id"]}]
    error = ws_admin.error("delete_related", post=True, sourceRecordId=project["id"],
                           relatedRecordId=task["id"], relationIdLabel="Project Tasks")
    assert error == {"message": "projectid does not have a value",
                     "code": "MANDATORY_FIELDS_MISSING"}
    assert admin.get(f"/tasks/{_id(task['id'])}").json()["project"] == _id(project["id"])


def test_relating_needs_write_permission_on_the_related_record(
        server: Server, database_url: str, make_user: Any, admin: httpx.Client,
        ws_admin: WsClient, admin_id: str, family: dict[str, Any]) -> None:
    # given a user who may read accounts and contacts but write neither
    reader = make_user("accounts", "contacts")
    ws_reader = ws_login(server, database_url, reader.user_name)
    new = _contact(ws_admin, admin_id, f"{family['tag']} Locked")
    org, doe = family["org"]["id"], family["doe"]["id"]
    # then reading related records works
    assert {"id": doe} in ws_reader.ok("query_related", query="SELECT id FROM Contacts",
                                       id=org, relatedLabel="Contacts")
    # and relating and unrelating are denied, changing nothing
    assert ws_reader.error("add_related", post=True, sourceRecordId=org,
                           relatedRecordId=new["id"],
                           relationIdLabel="Contacts")["code"] == "ACCESS_DENIED"
    assert admin.get(f"/contacts/{_id(new['id'])}").json()["account"] is None
    assert ws_reader.error("delete_related", post=True, sourceRecordId=org,
                           relatedRecordId=doe, relatedLabel="Contacts")["code"] == "ACCESS_DENIED"
    assert admin.get(f"/contacts/{_id(doe)}").json()["account"] == _id(org)
    # and a user who may not read Potentials does not see that relation
    assert ws_reader.ok("relatedtypes", elementType="Accounts")["types"] == ["Contacts"]
