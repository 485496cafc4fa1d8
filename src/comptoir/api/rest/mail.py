"""Sending documents by e-mail, and the SMTP password of a mail server (`docs/email.md`):

    POST /{instance}/api/v1/transactions/{ID}/send     {"to": ..., "cc": ..., "subject": ...}
    POST /{instance}/api/v1/dunning/{ID}/send          the same, for a dunning letter
    PUT  /{instance}/api/v1/mailservers/{ID}/password  {"password": "..."}

A send answers 202 with the queued message (mailbox DRAFTS; SENT once the SMTP server
took it); the password is sealed and never shown.  Each handler reads the request, calls
one service, renders; the errors are the REST door's (`errors.py`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from comptoir.api.forms import path_id
from comptoir.api.rest.routes import API, caller_of, json_response, read_body
from comptoir.services import mail


def send(entity: str) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        caller = await caller_of(request)
        record_id = path_id(request)
        body = await read_body(request, request.app.state.settings.max_body_bytes)
        message = await mail.send_document(request.app.state.db, caller, entity, record_id,
                                           body)
        return json_response(message, 202)

    return handle


async def set_password(request: Request) -> Response:
    caller = await caller_of(request)
    server_id = path_id(request)
    body = await read_body(request, request.app.state.settings.max_body_bytes)
    await mail.set_password(request.app.state.db, caller, server_id, body)
    return Response(status_code=204)


ROUTES = [
    Route(API + "/transactions/{id}/send", send("transactions"), methods=["POST"]),
    Route(API + "/dunning/{id}/send", send("dunning"), methods=["POST"]),
    Route(API + "/mailservers/{id}/password", set_password, methods=["PUT"]),
]
