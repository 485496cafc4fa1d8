"""The business actions of the REST API, under the entity they act on (`docs/sales.md`):

    POST   /{instance}/api/v1/transactions/{ID}/issue         {"date": "2026-12-07"}
    POST   /{instance}/api/v1/transactions/{ID}/convert       {"type": ..., "lines": [...]}
    POST   /{instance}/api/v1/transactions/{ID}/cancel        {}
    POST   /{instance}/api/v1/transactions/{ID}/advance       {"percent": 30}
    POST   /{instance}/api/v1/transactions/{ID}/progress      {"percent": 40}
    POST   /{instance}/api/v1/accounts/{ID}/consumption       {"item": 3, "to": "2026-11-30"}
    GET    /{instance}/api/v1/transactions/{ID}/balance
    POST   /{instance}/api/v1/transactions/{ID}/allocations   a credit note over invoices
    POST   /{instance}/api/v1/transactions/{ID}/payments      {"amount": "120.00", "means": 0}
    POST   /{instance}/api/v1/payments/{ID}/allocations       {"allocations": [...]}
    DELETE /{instance}/api/v1/payments/{ID}/allocations/{allocation}
    GET    /{instance}/api/v1/accounts/{ID}/balance
    GET    /{instance}/api/v1/items/{ID}/price?account=7&quantity=10
    GET    /{instance}/api/v1/numberings/formats[?company=ID]
    POST   /{instance}/api/v1/numberings/formats              {"kind": ..., "pattern": ...}
    GET    /{instance}/api/v1/transactions/overdue[?date=&account=&company=]
    POST   /{instance}/api/v1/dunning/run                     {"date": ..., "account": ...}

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
from comptoir.services import companies, dunning, invoicing, records, sales, settlement
from comptoir.services.access import Caller
from comptoir.storage.database import Database

Action = Callable[[Database, Caller, int, dict[str, Any]], Awaitable[Any]]


def path_ids(request: Request, *names: str) -> list[int]:
    found = []
    for name in names:
        value = parse_id(request.path_params[name])
        if value is None:
            raise NotFoundError(f"Invalid ID: {request.path_params[name]}")
        found.append(value)
    return found


def action(run: Action, status: int = 200) -> Callable[[Request], Awaitable[Response]]:
    """The handler of an action on the record `{id}` with a body: a document's (its
    answer is the document, with its ETag) or a payment's (the service's answer)."""
    async def handle(request: Request) -> Response:
        caller = await caller_of(request)
        (record_id,) = path_ids(request, "id")
        body = await read_body(request, request.app.state.settings.max_body_bytes)
        result = await run(request.app.state.db, caller, record_id, body)
        if isinstance(result, records.Record):
            return json_response(result.data, status, {"ETag": result.etag})
        return json_response(result, status)

    return handle


def reading(run: Callable[[Database, Caller, int], Awaitable[Any]],
            ) -> Callable[[Request], Awaitable[Response]]:
    """The handler of a read of the record `{id}` (a balance)."""
    async def handle(request: Request) -> Response:
        caller = await caller_of(request)
        (record_id,) = path_ids(request, "id")
        return json_response(await run(request.app.state.db, caller, record_id))

    return handle


async def item_price(request: Request) -> Response:
    caller = await caller_of(request)
    (item,) = path_ids(request, "id")
    params = dict(request.query_params)
    return json_response(await sales.item_price(request.app.state.db, caller, item, params))


async def deallocate(request: Request) -> Response:
    caller = await caller_of(request)
    payment, allocation = path_ids(request, "id", "allocation")
    await settlement.deallocate(request.app.state.db, caller, allocation, payment=payment)
    return Response(status_code=204)


async def numbering_formats(request: Request) -> Response:
    caller = await caller_of(request)
    db = request.app.state.db
    if request.method == "POST":
        body = await read_body(request, request.app.state.settings.max_body_bytes)
        return json_response(await companies.set_numbering(db, caller, body))
    raw = request.query_params.get("company", "")
    company = parse_id(raw) if raw else None
    if raw and company is None:
        raise InvalidFieldError("company", "must be a company ID")
    return json_response(await companies.list_numberings(db, caller, company))


async def overdue(request: Request) -> Response:
    caller = await caller_of(request)
    params = dict(request.query_params)
    return json_response(await dunning.overdue(request.app.state.db, caller, params))


async def run_dunning(request: Request) -> Response:
    caller = await caller_of(request)
    body = await read_body(request, request.app.state.settings.max_body_bytes)
    return json_response(await dunning.run_dunning(request.app.state.db, caller, body))


ROUTES = [
    Route(API + "/transactions/overdue", overdue, methods=["GET"]),
    Route(API + "/dunning/run", run_dunning, methods=["POST"]),
    Route(API + "/transactions/{id}/issue", action(sales.issue_document), methods=["POST"]),
    Route(API + "/transactions/{id}/convert", action(sales.convert_document, 201),
          methods=["POST"]),
    Route(API + "/transactions/{id}/cancel", action(sales.cancel_document), methods=["POST"]),
    Route(API + "/transactions/{id}/advance", action(invoicing.advance_invoice, 201),
          methods=["POST"]),
    Route(API + "/transactions/{id}/progress", action(invoicing.progress_invoice, 201),
          methods=["POST"]),
    Route(API + "/accounts/{id}/consumption", action(invoicing.consumption_invoice, 201),
          methods=["POST"]),
    Route(API + "/transactions/{id}/balance", reading(settlement.document_balance),
          methods=["GET"]),
    Route(API + "/transactions/{id}/allocations", action(settlement.allocate_credit, 201),
          methods=["POST"]),
    Route(API + "/transactions/{id}/payments", action(settlement.record_payment, 201),
          methods=["POST"]),
    Route(API + "/payments/{id}/allocations", action(settlement.allocate_payment, 201),
          methods=["POST"]),
    Route(API + "/payments/{id}/allocations/{allocation}", deallocate, methods=["DELETE"]),
    Route(API + "/accounts/{id}/balance", reading(settlement.account_balance),
          methods=["GET"]),
    Route(API + "/numberings/formats", numbering_formats, methods=["GET", "POST"]),
    Route(API + "/items/{id}/price", item_price, methods=["GET"]),
]
