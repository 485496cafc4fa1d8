"""`/action_manager.php` (and under `/{instance}/`), as Kananas answers its API:

    GET  ?event=api&request=contacts[&limit=100&offset=0]   the records, a JSON list
    GET  ?event=api&request=contacts&id=5                   one record
    POST ?event=api&request=contacts   (JSON or form body)  create -> 201 with the record

`request` names an entity of the registry; every call carries an API key in the `token:`
header and acts as the key's user, within its scopes.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from comptoir.api.forms import parse_body, parse_id, read_bytes
from comptoir.api.instance import check_instance
from comptoir.api.token.errors import MISSING, error_response, render_error
from comptoir.config import Settings
from comptoir.errors import (
    AuthenticationError,
    ComptoirError,
    InvalidFieldError,
    NotFoundError,
    OperationNotAllowedError,
)
from comptoir.schema.registry import ENTITIES
from comptoir.services import apikeys, queries, records

log = logging.getLogger("comptoir.token")

#: the page size when `limit` is not given
DEFAULT_LIMIT = 100


def _json(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


def _record_id(raw: str) -> int:
    found = parse_id(raw)
    if found is None:
        raise InvalidFieldError("id", "must be a record ID")
    return found


async def _answer(request: Request, settings: Settings) -> Response:
    check_instance(request)
    key = request.headers.get("token")
    if key is None or not key.strip():
        raise AuthenticationError(MISSING)
    db = request.app.state.db
    caller = await apikeys.authenticate(db, key.strip())
    params = request.query_params
    event = params.get("event", "")
    if event != "api":
        raise NotFoundError(f"Unknown event: {event[:60]}")
    name = params.get("request", "")
    if name not in ENTITIES:
        raise NotFoundError(f"Unknown request: {name[:60]}")
    if request.method == "POST":
        raw = await read_bytes(request, settings.max_body_bytes)
        body = parse_body(raw, request.headers.get("content-type", ""))
        record = await records.create_record(db, caller, name, body)
        return _json(record.data, 201)
    if request.method != "GET":
        raise OperationNotAllowedError(f"{request.method} is not allowed here (GET, POST)")
    if "id" in params:
        record = await records.get_record(db, caller, name, _record_id(params["id"]))
        return _json(record.data)
    body = {"limit": params.get("limit") or DEFAULT_LIMIT, "offset": params.get("offset") or 0}
    return _json(await queries.list_records(db, caller, name, body))


async def action_manager(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    try:
        return await _answer(request, settings)
    except ComptoirError as exc:
        return render_error(exc)
    except Exception:  # the outermost handler of this door: logged, no details answered
        log.exception("unexpected error in action_manager.php")
        return error_response(500, "internal_error", "Internal error")


_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
ROUTES = [
    Route("/action_manager.php", action_manager, methods=_METHODS),
    Route("/{instance}/action_manager.php", action_manager, methods=_METHODS),
]
