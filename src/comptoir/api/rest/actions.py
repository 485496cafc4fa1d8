"""The business actions of the REST API, under the entity they act on (`docs/sales.md`):

    POST   /{instance}/api/v1/transactions/{ID}/issue         {"date": "2026-12-07"}
    POST   /{instance}/api/v1/transactions/{ID}/convert       {"type": ..., "lines": [...]}
    POST   /{instance}/api/v1/transactions/{ID}/cancel        {}
    GET    /{instance}/api/v1/transactions/{ID}/balance
    POST   /{instance}/api/v1/transactions/{ID}/allocations   a credit note over invoices
    POST   /{instance}/api/v1/payments/{ID}/allocations       {"allocations": [...]}
    DELETE /{instance}/api/v1/payments/{ID}/allocations/{allocation}
    GET    /{instance}/api/v1/accounts/{ID}/balance
    GET    /{instance}/api/v1/numberings/formats[?company=ID]
    POST   /{instance}/api/v1/numberings/formats              {"kind": ..., "pattern": ...}

Each handler reads the request, calls one service, renders; the errors are the REST
door's (`errors.py`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from comptoir.api.forms import parse_id
from comptoir.api.rest.routes import API, caller_of, json_response, read_body
from comptoir.errors import InvalidFieldError, NotFoundError
from comptoir.services import companies, records, sales, settlement
from comptoir.services.access import Caller
from comptoir.storage.database import Database

Action = Callable[[Database, Caller, int, dict[str, Any]], Awaitable[records.Record]]


def _ids(request: Request, *names: str) -> list[int]:
    found = []
    for name in names:
        value = parse_id(request.path_params[name])
        if value is None:
            raise NotFoundError(f"Invalid ID: {request.path_params[name]}")
        found.append(value)
    return found


def document_action(action: Action) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        caller = await caller_of(request)
        (record_id,) = _ids(request, "id")
        body = await read_body(request, request.app.state.settings.max_body_bytes)
        record = await action(request.app.state.db, caller, record_id, body)
        status = 201 if action is sales.convert_document else 200
        return json_response(record.data, status, {"ETag": record.etag})

    return handle


async def balance(request: Request) -> Response:
    caller = await caller_of(request)
    (record_id,) = _ids(request, "id")
    return json_response(await settlement.document_balance(request.app.state.db, caller,
                                                           record_id))


async def allocate_credit(request: Request) -> Response:
    caller = await caller_of(request)
    (record_id,) = _ids(request, "id")
    body = await read_body(request, request.app.state.settings.max_body_bytes)
    return json_response(await settlement.allocate_credit(request.app.state.db, caller,
                                                          record_id, body), 201)


async def allocate_payment(request: Request) -> Response:
    caller = await caller_of(request)
    (record_id,) = _ids(request, "id")
    body = await read_body(request, request.app.state.settings.max_body_bytes)
    return json_response(await settlement.allocate_payment(request.app.state.db, caller,
                                                           record_id, body), 201)


async def deallocate(request: Request) -> Response:
    caller = await caller_of(request)
    payment, allocation = _ids(request, "id", "allocation")
    db = request.app.state.db
    found = (await records.get_record(db, caller, "allocations", allocation)).data
    if found["payment"] != payment:
        raise NotFoundError(f"allocation {allocation} of payment {payment} not found")
    await settlement.deallocate(db, caller, allocation)
    return Response(status_code=204)


async def account_balance(request: Request) -> Response:
    caller = await caller_of(request)
    (record_id,) = _ids(request, "id")
    return json_response(await settlement.account_balance(request.app.state.db, caller,
                                                          record_id))


def _company(value: Any) -> int | None:
    if value in (None, ""):
        return None
    found = parse_id(str(value))
    if found is None:
        raise InvalidFieldError("company", "must be a company ID")
    return found


async def numbering_formats(request: Request) -> Response:
    caller = await caller_of(request)
    db = request.app.state.db
    if request.method == "GET":
        company = _company(request.query_params.get("company"))
        return json_response(await companies.list_numberings(db, caller, company))
    body = await read_body(request, request.app.state.settings.max_body_bytes)
    for key in body:
        if key not in ("kind", "company", "pattern", "reset", "nextvalue"):
            raise InvalidFieldError(str(key)[:60], "unknown parameter; expected kind, "
                                    "company, pattern, reset, nextvalue")
    kind = body.get("kind")
    if not isinstance(kind, str):
        raise InvalidFieldError("kind", "is required (invoice, quote, credit, ...)")
    texts = {}
    for name in ("pattern", "reset"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise InvalidFieldError(name, "must be a string")
        texts[name] = body.get(name)
    nextvalue = body.get("nextvalue")
    if nextvalue is not None and (isinstance(nextvalue, bool) or not isinstance(nextvalue, int)
                                  or not 1 <= nextvalue < 2**31):
        raise InvalidFieldError("nextvalue", "must be an integer from 1")
    return json_response(await companies.set_numbering(
        db, caller, kind, company=_company(body.get("company")), pattern=texts["pattern"],
        reset=texts["reset"], nextvalue=nextvalue))


ROUTES = [
    Route(API + "/transactions/{id}/issue", document_action(sales.issue_document),
          methods=["POST"]),
    Route(API + "/transactions/{id}/convert", document_action(sales.convert_document),
          methods=["POST"]),
    Route(API + "/transactions/{id}/cancel", document_action(sales.cancel_document),
          methods=["POST"]),
    Route(API + "/transactions/{id}/balance", balance, methods=["GET"]),
    Route(API + "/transactions/{id}/allocations", allocate_credit, methods=["POST"]),
    Route(API + "/payments/{id}/allocations", allocate_payment, methods=["POST"]),
    Route(API + "/payments/{id}/allocations/{allocation}", deallocate, methods=["DELETE"]),
    Route(API + "/accounts/{id}/balance", account_balance, methods=["GET"]),
    Route(API + "/numberings/formats", numbering_formats, methods=["GET", "POST"]),
]
