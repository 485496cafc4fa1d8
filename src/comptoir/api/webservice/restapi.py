"""The vtiger Cloud REST form of the webservice: `/restapi/v1/vtiger/default/<operation>`
(and under `/{instance}/`), as the `vtiger-cloudsdk-restapi` client speaks it.

The same operations as `webservice.php`, with its envelope, ids and formats, but:
- every request carries HTTP Basic `username:access key` (no challenge, no session);
  bad credentials answer 401;
- a failure answers HTTP 400 (the body still says `success: false` with the code);
- `me` names the caller, and `tags_add`, `tags_retrieve`, `tags_delete` handle tags.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from comptoir.api.webservice import routes
from comptoir.errors import AuthenticationError, BadRequestError
from comptoir.services import apikeys, auth, sessions, tags
from comptoir.services.access import Caller

PREFIX = "/restapi/v1/vtiger/default"


async def me(call: routes.Call) -> Any:
    caller = call.me
    known = await auth.describe_caller(call.db, caller, access=False)
    return {"id": f"19x{caller.user}", "user_name": caller.name, "first_name": "",
            "last_name": caller.name, "email1": known["email"] or ""}


def _tag_list(call: routes.Call) -> list[str]:
    raw = call.text("tags")
    try:
        value = orjson.loads(raw) if raw.strip()[:1] == "[" else [t for t in raw.split(",") if t]
    except orjson.JSONDecodeError:
        raise BadRequestError("tags: must be a JSON array of strings") from None
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise BadRequestError("tags: must be a JSON array of strings")
    return [t.strip() for t in value if t.strip()]


async def tags_add(call: routes.Call) -> Any:
    return {"tags": await tags.add(call.db, call.me, call.text("id"), _tag_list(call))}


async def tags_retrieve(call: routes.Call) -> Any:
    return {"tags": await tags.of(call.db, call.me, call.text("id"))}


async def tags_delete(call: routes.Call) -> Any:
    everything = call.text("delete_all") in ("1", "true")
    return {"tags": await tags.remove(call.db, call.me, call.text("id"),
                                      None if everything else _tag_list(call))}


#: the session operations of webservice.php have no place here
OPERATIONS: dict[str, routes.Operation] = {
    **{name: op for name, op in routes.OPERATIONS.items()
       if not op.prelogin and name not in ("logout", "extendsession")},
    "me": routes.Operation(me, post=False),
    "tags_add": routes.Operation(tags_add, post=True),
    "tags_retrieve": routes.Operation(tags_retrieve, post=False),
    "tags_delete": routes.Operation(tags_delete, post=True),
}


async def _caller(request: Request) -> Caller:
    key = request.headers.get("token")
    if key is not None:  # an API key (`comptoir apikey create`) instead of Basic
        return await apikeys.authenticate(request.app.state.db, key.strip())
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        raise AuthenticationError("HTTP Basic authentication (username:access key) is required")
    try:
        username, _, key = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise AuthenticationError("Invalid username or password") from None
    return await sessions.authenticate_key(request.app.state.db, username, key)


async def restapi(request: Request) -> Response:
    async def run() -> Any:
        caller = await _caller(request)
        _, operation, params = await routes.read_operation(
            request, OPERATIONS, request.path_params["operation"])
        call = routes.Call(request.app.state.db, request.app.state.settings, params,
                           caller=caller)
        return await operation.handler(call)

    return await routes.answer(run, failure=400, unauthenticated=401)


ROUTES = [
    Route(PREFIX + "/{operation}", restapi, methods=["GET", "POST"]),
    Route("/{instance}" + PREFIX + "/{operation}", restapi, methods=["GET", "POST"]),
]
