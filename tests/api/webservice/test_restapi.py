"""The vtiger Cloud REST form (/restapi/v1/vtiger/default/<operation>): HTTP Basic with the
access key, HTTP 400 on failure, `me` and tags; driven by vtiger's own SDK unchanged."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import httpx
import pytest
from conftest import INSTANCE, Server
from vtiger_cloudsdk_restapi import Client

from api.webservice.conftest import access_key


@pytest.fixture(scope="module")
def cloud(server: Server, database_url: str) -> Client:
    return Client(f"{server.url}/{INSTANCE}", "admin", access_key(database_url, "admin"))


@pytest.fixture(scope="module")
def basic(server: Server, database_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{server.url}/restapi/v1/vtiger/default",
                      auth=("admin", access_key(database_url, "admin")), timeout=30) as client:
        yield client


# the SDK opens a requests.Session per call and never closes it: its sockets are collected
# (and their warnings dropped) within this test, not blamed on a later one
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_the_sdk_runs_unchanged(cloud: Client) -> None:
    # given the SDK logged in with the access key (HTTP Basic on every call)
    me = cloud.me()
    assert me["id"].startswith("19x") and me["user_name"] == "admin"
    assert "Contacts" in cloud.list_types()["types"]
    assert cloud.describe("Contacts")["idPrefix"] == "12"
    # when it creates, reads, queries, updates, revises, tags and deletes a contact
    made = cloud.create("Contacts", {"lastname": "Cloudy", "assigned_user_id": me["id"]})
    assert cloud.retrieve(made["id"])["lastname"] == "Cloudy"
    rows = cloud.query(f"SELECT lastname FROM Contacts WHERE id = '{made['id']}';")
    assert rows == [{"lastname": "Cloudy", "id": made["id"]}]
    assert cloud.update({**made, "lastname": "Cloudier"})["lastname"] == "Cloudier"
    assert cloud.revise({"id": made["id"], "firstname": "Sunny"})["firstname"] == "Sunny"
    cloud.tags_add(made["id"], ["vip", "cloud"])
    assert sorted(cloud.tags_retrieve(made["id"])) == ["cloud", "vip"]
    cloud.tags_delete(made["id"], ["vip"])
    assert cloud.tags_retrieve(made["id"]) == ["cloud"]
    cloud.tags_delete(made["id"], [], delete_all=True)
    assert cloud.tags_retrieve(made["id"]) == []
    assert cloud.sync(0, "Contacts", "application")["updated"]
    assert cloud.delete(made["id"]) == {"status": "successful"}
    # then a failure is an exception with the server's message (HTTP 400)
    with pytest.raises(BaseException, match="Bad Request"):
        cloud.retrieve(made["id"])
    gc.collect()


def test_failures_are_http_400_with_the_envelope(basic: httpx.Client) -> None:
    r = basic.get("/retrieve", params={"id": "12x999999"})
    assert r.status_code == 400
    assert r.json() == {"success": False, "error": {
        "message": "Permission to perform the operation is denied: record 12x999999 does not "
                   "exist or is not visible to you", "code": "ACCESS_DENIED"}}
    r = basic.get("/nosuchop")
    assert r.status_code == 400 and r.json()["error"]["code"] == "UNKNOWN_OPERATION"
    # the session operations of webservice.php are not part of it
    assert basic.post("/login").json()["error"]["code"] == "UNKNOWN_OPERATION"


def test_bad_credentials_are_401_without_saying_which(server: Server) -> None:
    url = f"{server.url}/restapi/v1/vtiger/default/me"
    wrong_key = httpx.get(url, auth=("admin", "nope"))
    unknown = httpx.get(url, auth=("nobody-here", "nope"))
    missing = httpx.get(url)
    assert wrong_key.status_code == unknown.status_code == missing.status_code == 401
    assert wrong_key.json() == unknown.json()
    assert wrong_key.headers["www-authenticate"].startswith("Basic")
    garbage = httpx.get(url, headers={"Authorization": "Basic !!!"})
    assert garbage.status_code == 401
