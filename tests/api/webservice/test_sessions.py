"""getchallenge, login, logout, sessions and the envelope of webservice.php."""

from __future__ import annotations

import hashlib

import httpx
from conftest import INSTANCE, Server

from api.webservice.conftest import WsClient, access_key, ws_login


def test_login_answers_both_vtiger_and_kafinea_names(server: Server, database_url: str) -> None:
    # given a challenge
    client = WsClient(server)
    challenge = client.ok("getchallenge", username="admin")
    assert set(challenge) == {"token", "serverTime", "expireTime"}
    assert challenge["expireTime"] - challenge["serverTime"] == 300
    # when logging in with md5(token + access key)
    key = hashlib.md5((challenge["token"] + access_key(database_url, "admin")).encode())
    result = client.okpost("login", username="admin", accessKey=key.hexdigest())
    # then both names of the session and of the version are there
    assert result["sessionName"] == result["sessionId"]
    assert result["userId"].startswith("19x")
    assert result["version"] == "0.22"
    assert result["vtigerVersion"] and result["kafineaVersion"]
    assert result["is_admin"] == "on"


def test_unknown_user_and_wrong_key_fail_alike(ws_anon: WsClient) -> None:
    token = ws_anon.ok("getchallenge", username="admin")["token"]
    wrong = ws_anon.error("login", post=True, username="admin",
                          accessKey=hashlib.md5((token + "nope").encode()).hexdigest())
    ws_anon.ok("getchallenge", username="nosuchuser")
    unknown = ws_anon.error("login", post=True, username="nosuchuser", accessKey="0" * 32)
    assert wrong == unknown == {"message": "Invalid username or password",
                                "code": "INVALID_USER_CREDENTIALS"}


def test_two_concurrent_challenges_of_one_user_both_log_in(server: Server,
                                                          database_url: str) -> None:
    first, second = WsClient(server), WsClient(server)
    tokens = [c.ok("getchallenge", username="admin")["token"] for c in (first, second)]
    key = access_key(database_url, "admin")
    for client, token in zip((first, second), tokens, strict=True):
        digest = hashlib.md5((token + key).encode()).hexdigest()
        assert client.okpost("login", username="admin", accessKey=digest)["sessionName"]


def test_session_errors(ws_anon: WsClient) -> None:
    assert ws_anon.error("listtypes") == {"message": "Authencation required",
                                          "code": "AUTHENTICATION_REQUIRED"}
    assert ws_anon.error("listtypes", sessionName="null")["code"] == "AUTHENTICATION_REQUIRED"
    assert ws_anon.error("listtypes", sessionName="abc")["code"] == "INVALID_SESSIONID"


def test_unknown_operation_is_an_error_not_a_500(ws_admin: WsClient) -> None:
    assert ws_admin.error("nosuchop") == {"message": "Unknown operation requested: nosuchop",
                                          "code": "UNKNOWN_OPERATION"}
    assert ws_admin.error("")["code"] == "UNKNOWN_OPERATION"


def test_operation_is_case_insensitive_and_params_come_from_either_place(
        server: Server, ws_admin: WsClient) -> None:
    assert ws_admin.ok("ListTypes")["types"]
    # vtigerpy: a POST with the parameters in the query string
    r = httpx.post(f"{server.url}/webservice.php",
                   params={"operation": "getchallenge", "username": "admin"})
    assert r.json()["success"] is True
    # a retrieve whose id is in the body
    r = httpx.post(ws_admin.url, data={"operation": "describe", "elementType": "Accounts",
                                       "sessionName": ws_admin.session})
    assert r.json()["result"]["name"] == "Accounts"


def test_logout_ends_the_session(server: Server, database_url: str) -> None:
    client = ws_login(server, database_url, "admin")
    assert client.okpost("logout") == {"message": "successfull"}
    assert client.error("listtypes")["code"] == "INVALID_SESSIONID"


def test_other_instance_is_refused(server: Server, ws_admin: WsClient) -> None:
    r = httpx.get(f"{server.url}/other/webservice.php", params={"operation": "listtypes"})
    assert r.status_code == 200
    assert r.json()["success"] is False
    assert INSTANCE != "other"


def test_extendsession_turns_a_rest_login_into_a_session(server: Server) -> None:
    # given a REST API (bearer) login
    from conftest import ADMIN_PASSWORD, login

    token = login(server, "admin", ADMIN_PASSWORD)
    url = f"{server.url}/{INSTANCE}/webservice.php"
    # when extendsession is called with it
    r = httpx.post(url, data={"operation": "extendsession"},
                   headers={"Authorization": f"Bearer {token}"})
    result = r.json()["result"]
    # then the session works like a login's
    assert result["sessionName"] and result["userId"].startswith("19x")
    r = httpx.get(url, params={"operation": "listtypes", "sessionName": result["sessionName"]})
    assert r.json()["success"] is True
    # and a wrong bearer token is refused
    r = httpx.post(url, data={"operation": "extendsession"},
                   headers={"Authorization": "Bearer nope"})
    assert r.json()["success"] is False
    assert r.json()["error"]["code"] == "AUTHENTICATION_FAILURE"
