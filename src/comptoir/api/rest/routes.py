"""Routes of the ZeyOS REST API (`/{instance}/api/v1`) and its auth API
(`/{instance}/auth/v1`).  Each handler reads the request, calls one service, renders."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from comptoir.api.forms import parse_body, path_id, read_bytes
from comptoir.api.instance import check_instance
from comptoir.config import Settings
from comptoir.errors import (
    AuthenticationError,
    InvalidFieldError,
    PermissionDeniedError,
    TooLargeError,
)
from comptoir.schema.fields import Kind
from comptoir.schema.registry import ENTITIES
from comptoir.services import apikeys, auth, config, queries, records, throttle
from comptoir.services.access import Caller
from comptoir.storage.database import Database


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(data), status_code=status, headers=headers,
                    media_type="application/json")


def _state(request: Request) -> tuple[Database, Settings]:
    return request.app.state.db, request.app.state.settings


async def read_body(request: Request, limit: int) -> dict[str, Any]:
    raw = await read_bytes(request, limit)
    return parse_body(raw, request.headers.get("content-type", ""))


def _binfile_fields(entity_name: str) -> frozenset[str]:
    entity = ENTITIES.get(entity_name)
    if entity is None:
        return frozenset()
    return frozenset(f.name for f in entity.fields if f.kind is Kind.BINFILE)


def _body_limit(settings: Settings, entity_name: str) -> int:
    return settings.max_file_bytes if _binfile_fields(entity_name) else settings.max_body_bytes


async def read_record_body(request: Request, settings: Settings,
                           entity_name: str) -> dict[str, Any]:
    """The body of a record write: at most max_body_bytes, not counting the contents of
    binfile fields (each of those is held to max_file_bytes by the record services)."""
    body = await read_body(request, _body_limit(settings, entity_name))
    files = _binfile_fields(entity_name)
    if files and isinstance(body, dict):
        rest = {key: value for key, value in body.items() if key not in files}
        if len(orjson.dumps(rest)) > settings.max_body_bytes:
            raise TooLargeError(f"body: larger than {settings.max_body_bytes} bytes without "
                                "the file contents (setting max_body_bytes)")
    return body


async def caller_of(request: Request) -> Caller:
    check_instance(request)
    key = request.headers.get("token")
    if key is not None:  # an API key (`comptoir apikey create`) comes before a bearer token
        return await apikeys.authenticate(_state(request)[0], key.strip())
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        token = request.cookies.get("ZEYOSID", "")
        if not token:
            raise AuthenticationError("Missing token: send Authorization: Bearer <token> "
                                      "(from /auth/v1/login) or an API key in a token: header")
    db, _ = _state(request)
    return await auth.authenticate(db, token.strip())


def _flag(request: Request, name: str) -> bool:
    value = request.query_params.get(name, "0")
    if value not in ("0", "1", "true", "false", ""):
        raise InvalidFieldError(name, "must be 0 or 1")
    return value in ("1", "true")


def _expand(request: Request) -> tuple[str, ...]:
    names: list[str] = []
    for value in request.query_params.getlist("expand") + request.query_params.getlist("expand[]"):
        names.extend(n.strip() for n in value.split(",") if n.strip())
    return tuple(names)


# --- records -------------------------------------------------------------------------------


async def list_or_create(request: Request) -> Response:
    caller = await caller_of(request)
    db, settings = _state(request)
    name = request.path_params["entity"]
    body = await read_record_body(request, settings, name)
    if request.method == "PUT":
        record = await records.create_record(db, caller, name, body)
        return json_response(record.data, 201, {"ETag": record.etag})
    return await _list(db, caller, name, body)


async def _list(db: Database, caller: Caller, name: str, body: dict[str, Any]) -> Response:
    result = await queries.query_records(db, caller, name, body)
    if isinstance(result, queries.Export):
        return StreamingResponse(aiter(result), media_type=result.media_type)
    return json_response(result)


async def one_record(request: Request) -> Response:
    caller = await caller_of(request)
    db, settings = _state(request)
    name, record_id = request.path_params["entity"], path_id(request, digits=19)
    if request.method in ("GET", "HEAD"):
        if request.method == "HEAD":
            etag = await records.head_record(db, caller, name, record_id)
            status = 304 if _none_match(request, etag) else 204
            return Response(status_code=status, headers={"ETag": etag})
        record = await records.get_record(db, caller, name, record_id,
                                          extdata=_flag(request, "extdata"),
                                          tags=_flag(request, "tags"), expand=_expand(request))
        if _none_match(request, record.etag):
            return Response(status_code=304, headers={"ETag": record.etag})
        return json_response(record.data, headers={"ETag": record.etag})
    if_match = request.headers.get("if-match")
    if request.method == "DELETE":
        await records.delete_record(db, caller, name, record_id, if_match)
        return Response(status_code=204)
    body = await read_record_body(request, settings, name)
    record = await records.update_record(db, caller, name, record_id, body, if_match)
    return json_response(record.data, headers={"ETag": record.etag})


def _none_match(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    return header is not None and records.etag_matches(header, etag)


async def get_config(request: Request) -> Response:
    await caller_of(request)
    db, settings = _state(request)
    return json_response(await config.read_config(db, settings))


async def get_settings(request: Request) -> Response:
    caller = await caller_of(request)
    db, _ = _state(request)
    if caller.application is None:
        raise PermissionDeniedError("Invalid application context")
    return json_response(await config.application_settings(db, caller.application))


# --- authentication API --------------------------------------------------------------------


async def login(request: Request) -> Response:
    check_instance(request)
    db, settings = _state(request)
    body = await read_body(request, settings.max_body_bytes)
    fields: dict[str, Any] = {}
    for key in ("name", "password", "identifier", "appsecret"):
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            raise InvalidFieldError(key, "must be a string")
        fields[key] = value or ""
    expdate = body.get("expdate")
    if expdate in ("", None):
        expdate = None
    else:
        if isinstance(expdate, str) and expdate.strip().isascii() and expdate.strip().isdigit():
            expdate = int(expdate)
        if (isinstance(expdate, bool) or not isinstance(expdate, int)
                or not 0 <= expdate < 2**63):
            raise InvalidFieldError("expdate", "must be a Unix timestamp")
    result = await auth.login(db, fields["name"], fields["password"], fields["identifier"],
                              fields["appsecret"] or None, expdate, settings.token_days,
                              address=request.client.host if request.client else "",
                              limits=throttle.Limits.from_settings(settings))
    return json_response(result)


async def logout(request: Request) -> Response:
    caller = await caller_of(request)
    db, _ = _state(request)
    await auth.logout(db, caller)
    return Response(status_code=204)


async def whoami(request: Request) -> Response:
    caller = await caller_of(request)
    if request.method == "HEAD":
        return Response(status_code=204)
    db, _ = _state(request)
    return json_response(await auth.describe_caller(db, caller, _flag(request, "access")))


API = "/{instance}/api/v1"
AUTH = "/{instance}/auth/v1"

#: record routes first: they serve nearly every request (a path that matches a route but
#: not its method goes on to the next route, so /config still reaches its own)
ROUTES = [
    Route(API + "/{entity}/{id}", one_record, methods=["GET", "HEAD", "PATCH", "DELETE"]),
    Route(API + "/{entity}", list_or_create, methods=["POST", "PUT"]),
    Route(API + "/{entity}/", list_or_create, methods=["POST", "PUT"]),
    Route(API + "/config", get_config, methods=["GET"]),
    Route(API + "/settings", get_settings, methods=["GET"]),
    Route(AUTH + "/login", login, methods=["POST"]),
    Route(AUTH + "/logout", logout, methods=["GET"]),
    Route(AUTH + "/", whoami, methods=["GET", "HEAD"]),
    Route(AUTH, whoami, methods=["GET", "HEAD"]),
]
