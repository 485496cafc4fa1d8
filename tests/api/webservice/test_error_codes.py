"""The error codes of reference §3 over HTTP, with their messages: HTTP 200, the envelope
`{"success": false, "error": {"message", "code"}}`, and the code vtiger sends."""

from __future__ import annotations

import hashlib
import time

import sqlalchemy as sa
from conftest import Server

from api.webservice.conftest import WsClient, ws_login
from comptoir.services.auth import digest
from comptoir.storage.database import Database, run_with_database
from comptoir.storage.tables import ws_sessions


def _age(database_url: str, session: str, **columns: int) -> None:
    """Move a session's times into the past."""
    async def work(db: Database) -> None:
        async with db.write() as conn:
            await conn.run(sa.update(ws_sessions)
                           .where(ws_sessions.c.digest == digest(session)).values(**columns))
    run_with_database(database_url, work)


def test_session_codes(server: Server, database_url: str) -> None:
    now = int(time.time())
    expired = ws_login(server, database_url, "admin")
    _age(database_url, str(expired.session), created=now - 86_401)
    assert expired.error("listtypes") == {
        "message": "Session has life span over please login again", "code": "SESSION_EXPIRED"}
    # and an ended session is gone
    assert expired.error("listtypes")["code"] == "INVALID_SESSIONID"
    idle = ws_login(server, database_url, "admin")
    _age(database_url, str(idle.session), seen=now - 1_801)
    assert idle.error("listtypes") == {
        "message": "Session has been invalidated to due lack activity",
        "code": "SESSION_LEFT_IDLE"}


def test_login_codes(server: Server, ws_anon: WsClient) -> None:
    # a known user without a live challenge
    error = ws_anon.error("login", post=True, username="admin", accessKey="0" * 32)
    assert error["code"] in ("INVALID_AUTH_TOKEN", "INVALID_USER_CREDENTIALS")
    token = ws_anon.ok("getchallenge", username="admin")["token"]
    wrong = hashlib.md5((token + "wrong").encode()).hexdigest()
    assert ws_anon.error("login", post=True, username="admin", accessKey=wrong)["code"] == \
        "INVALID_USER_CREDENTIALS"
    assert ws_anon.error("getchallenge")["code"] == "INVALID_PARAMETER"


def test_operation_codes(ws_admin: WsClient) -> None:
    owner = ws_admin.ok("query", query="SELECT id FROM Users WHERE user_name = 'admin';")[0]["id"]
    cases = [
        (("create", True), {"elementType": "Users", "element": {"user_name": "x"}},
         "OPERATION_NOT_SUPPORTED"),
        (("delete", True), {"id": owner}, "OPERATION_NOT_SUPPORTED"),
        (("retrieve", False), {"id": "12x"}, "INVALID_ID_ATTRIBUTE"),
        (("create", True), {"elementType": "Contacts", "element": {"assigned_user_id": owner}},
         "MANDATORY_FIELDS_MISSING"),
        (("query", False), {"query": "SELECT * FROM Contacts WHERE"}, "QUERY_SYNTAX_ERROR"),
        (("query_related", False), {"query": "SELECT * FROM Contacts", "id": owner,
                                    "relatedLabel": "Nope"}, "UNKOWN_ENTITY"),
        (("files_retrieve", False), {"id": "15x999999999"}, "RECORD_NOT_FOUND"),
        (("describe", False), {"elementType": "Nope"}, "ACCESS_DENIED"),
    ]
    for (operation, post), params, code in cases:
        error = ws_admin.error(operation, post=post, **params)
        assert error["code"] == code, (operation, params, error)
        assert error["message"], (operation, params)
