"""The administration of API keys over REST (`/{instance}/api/v1/apikeys`), for
administrators only: they are not registry entities, so they have routes of their own,
mounted before the record routes.

    GET  /apikeys               the keys, without their secrets
    PUT  /apikeys               create: {"user", "name", "scopes", "expires"} -> 201 with "key"
    POST /apikeys/{ID}/revoke   204
    POST /apikeys/{ID}/rotate   200 with the new "key"
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from comptoir.api.forms import path_id
from comptoir.api.rest.routes import API, caller_of, json_response, read_body
from comptoir.errors import InvalidFieldError, PermissionDeniedError
from comptoir.services import apikeys
from comptoir.storage.database import Database


async def _admin(request: Request) -> Database:
    caller = await caller_of(request)
    if not caller.admin or caller.scopes is not None:
        raise PermissionDeniedError("Lacking access permission (administrator)")
    db: Database = request.app.state.db
    return db


def _user(body: dict[str, Any]) -> str | int:
    user = body.get("user")
    if isinstance(user, str) and user.strip().isascii() and user.strip().isdigit():
        return int(user.strip())
    if isinstance(user, bool) or not isinstance(user, (str, int)) or user == "":
        raise InvalidFieldError("user", "is required: a user name or ID")
    return user


def _scopes(body: dict[str, Any]) -> Any:
    scopes = body.get("scopes") or []
    if isinstance(scopes, str):  # a form: "contacts,accounts:read"
        return [s.strip() for s in scopes.split(",") if s.strip()]
    return scopes


async def list_or_create(request: Request) -> Response:
    db = await _admin(request)
    if request.method == "GET":
        user = request.query_params.get("user")
        return json_response(await apikeys.list_keys(db, user or None))
    body = await read_body(request, request.app.state.settings.max_body_bytes)
    name = body.get("name") or ""
    key_id, secret = await apikeys.create(db, _user(body), name, _scopes(body),
                                          apikeys.parse_expires(body.get("expires")))
    [listed] = await apikeys.list_keys(db, key=key_id)
    return json_response({**listed, "key": secret}, 201)


async def revoke(request: Request) -> Response:
    db = await _admin(request)
    await apikeys.revoke(db, path_id(request))
    return Response(status_code=204)


async def rotate(request: Request) -> Response:
    db = await _admin(request)
    key_id = path_id(request)
    return json_response({"ID": key_id, "key": await apikeys.rotate(db, key_id)})


ROUTES = [
    Route(API + "/apikeys", list_or_create, methods=["GET", "PUT"]),
    Route(API + "/apikeys/{id}/revoke", revoke, methods=["POST"]),
    Route(API + "/apikeys/{id}/rotate", rotate, methods=["POST"]),
]
