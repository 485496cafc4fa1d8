"""The administration of webhooks over REST (`/{instance}/api/v1/webhooks`), for
administrators only; mounted before the record routes.

    GET    /webhooks                   the endpoints, without their secrets
    PUT    /webhooks                   create: {"url", "events", "filter", "description",
                                       "user"}
                                       -> 201 with "secret" (shown once)
    GET    /webhooks/{ID}              one endpoint
    POST   /webhooks/{ID}              update: {"enabled", "events", "filter", "url",
                                       "description"} (filter null: none)
    DELETE /webhooks/{ID}              204
    POST   /webhooks/{ID}/rotate       200 with the new "secret"
    GET    /webhooks/{ID}/deliveries   the latest deliveries, each with its attempts
    POST   /webhooks/replay            {"event": "evt_..."} or {"from": ms, "to": ms}
                                       [, "endpoint": ID] -> {"queued": n}
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from comptoir.api.forms import path_id
from comptoir.api.rest.routes import API, caller_of, json_response, read_body
from comptoir.errors import InvalidFieldError
from comptoir.events.network import Network, parse_networks
from comptoir.services import webhooks
from comptoir.services.access import Caller
from comptoir.storage.database import Database


async def _context(request: Request) -> tuple[Database, Caller]:
    caller = await caller_of(request)
    db: Database = request.app.state.db
    return db, caller


def _allowed(request: Request) -> tuple[Network, ...]:
    return parse_networks(request.app.state.settings.webhook_allowed_networks)


async def _body(request: Request) -> dict[str, Any]:
    return await read_body(request, request.app.state.settings.max_body_bytes)


def _text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidFieldError(name, "must be text")
    return value


async def list_or_create(request: Request) -> Response:
    db, caller = await _context(request)
    if request.method == "GET":
        return json_response(await webhooks.list_endpoints(db, caller))
    body = await _body(request)
    owner = body.get("user")
    if owner is not None and (isinstance(owner, bool) or not isinstance(owner, (str, int))):
        raise InvalidFieldError("user", "a user name or ID")
    endpoint, secret = await webhooks.create_endpoint(
        db, caller, _text(body, "url") or "", body.get("events"),
        description=_text(body, "description") or "", owner=owner, filter=body.get("filter"),
        allowed=_allowed(request))
    return json_response({**endpoint, "secret": secret}, 201)


async def one_endpoint(request: Request) -> Response:
    db, caller = await _context(request)
    endpoint_id = path_id(request)
    if request.method == "GET":
        return json_response(await webhooks.get_endpoint(db, caller, endpoint_id))
    if request.method == "DELETE":
        await webhooks.delete_endpoint(db, caller, endpoint_id)
        return Response(status_code=204)
    body = await _body(request)
    enabled = body.get("enabled")
    if enabled is not None and not isinstance(enabled, bool):
        raise InvalidFieldError("enabled", "must be true or false")
    return json_response(await webhooks.update_endpoint(
        db, caller, endpoint_id, enabled=enabled, events=body.get("events"),
        url=_text(body, "url"), description=_text(body, "description"),
        filter=body.get("filter", webhooks.UNCHANGED),
        allowed=_allowed(request)))


async def rotate(request: Request) -> Response:
    db, caller = await _context(request)
    endpoint_id = path_id(request)
    return json_response({"ID": endpoint_id,
                          "secret": await webhooks.rotate_secret(db, caller, endpoint_id)})


async def deliveries(request: Request) -> Response:
    db, caller = await _context(request)
    return json_response(await webhooks.list_deliveries(db, caller, path_id(request)))


def _millis(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidFieldError(name, "a time in milliseconds is required")
    return value


async def replay(request: Request) -> Response:
    db, caller = await _context(request)
    body = await _body(request)
    endpoint = body.get("endpoint")
    if endpoint is not None and (isinstance(endpoint, bool) or not isinstance(endpoint, int)):
        raise InvalidFieldError("endpoint", "an endpoint ID")
    queued = await webhooks.replay(db, caller, event=_text(body, "event"),
                                   since=_millis(body, "from"), until=_millis(body, "to"),
                                   endpoint=endpoint)
    return json_response({"queued": queued})


ROUTES = [
    Route(API + "/webhooks", list_or_create, methods=["GET", "PUT"]),
    Route(API + "/webhooks/replay", replay, methods=["POST"]),
    Route(API + "/webhooks/{id}", one_endpoint, methods=["GET", "POST", "DELETE"]),
    Route(API + "/webhooks/{id}/rotate", rotate, methods=["POST"]),
    Route(API + "/webhooks/{id}/deliveries", deliveries, methods=["GET"]),
]
