"""The accounting actions of the REST API (`docs/accounting.md`):

    POST /{instance}/api/v1/journalentries/manual          a manual entry {"journal", "date", "lines"}
    POST /{instance}/api/v1/journalentries/{ID}/validate   {}
    POST /{instance}/api/v1/journalentries/{ID}/reverse    {"date": "2026-12-08"}
    POST /{instance}/api/v1/journalentries/{ID}/discard    {} (a draft)
    POST /{instance}/api/v1/entrylines/letter              {"lines": [7, 9]}
    POST /{instance}/api/v1/entrylines/unletter            {"lettering": "AB"}
    POST /{instance}/api/v1/fiscalyears/open               {"startdate", "enddate", "company"}
    POST /{instance}/api/v1/fiscalyears/{ID}/close         {}
    GET  /{instance}/api/v1/fiscalyears/{ID}/fec[?separator=pipe]
    POST /{instance}/api/v1/accountingperiods/{ID}/close   {}
    POST /{instance}/api/v1/accountingperiods/{ID}/reopen  {}
    GET  /{instance}/api/v1/accounting/trialbalance?company=&from=&to=&journal=
    GET  /{instance}/api/v1/accounting/ledger?account=411&from=&to=
    GET  /{instance}/api/v1/accounting/statements?from=&to=
    GET  /{instance}/api/v1/accounting/vatreturn?from=&to=&credit_carried=

Each handler reads the request, calls one service, renders; the errors are the REST door's.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from comptoir.api.rest.actions import action, path_ids
from comptoir.api.rest.routes import API, caller_of, json_response, read_body
from comptoir.errors import InvalidFieldError
from comptoir.services import accounting
from comptoir.services.access import Caller
from comptoir.storage.database import Database

#: the FEC's separators by the name a query parameter gives
SEPARATORS = {"tab": "\t", "pipe": "|"}


def body_action(run: Callable[[Database, Caller, dict[str, Any]], Awaitable[Any]],
                status: int = 200) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        caller = await caller_of(request)
        body = await read_body(request, request.app.state.settings.max_body_bytes)
        return json_response(await run(request.app.state.db, caller, body), status)

    return handle


def report(run: Callable[[Database, Caller, dict[str, Any]], Awaitable[Any]],
           ) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        caller = await caller_of(request)
        params = dict(request.query_params)
        return json_response(await run(request.app.state.db, caller, params))

    return handle


async def fec_file(request: Request) -> Response:
    caller = await caller_of(request)
    (year_id,) = path_ids(request, "id")
    params = dict(request.query_params)
    for key in params:
        if key != "separator":
            raise InvalidFieldError(key, "unknown: give separator")
    name = params.get("separator", "tab")
    if name not in SEPARATORS:
        raise InvalidFieldError("separator", "must be tab or pipe")
    db = request.app.state.db
    year = await accounting.fec_year(db, caller, year=year_id)
    out = io.BytesIO()
    filename, _ = await accounting.export_fec(db, caller, year, out,
                                              separator=SEPARATORS[name])
    return Response(out.getvalue(), media_type="text/plain; charset=iso-8859-15",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


ROUTES = [
    Route(API + "/journalentries/manual", body_action(accounting.create_entry, 201),
          methods=["POST"]),
    Route(API + "/journalentries/{id}/validate", action(accounting.validate_entry),
          methods=["POST"]),
    Route(API + "/journalentries/{id}/reverse", action(accounting.reverse_entry, 201),
          methods=["POST"]),
    Route(API + "/journalentries/{id}/discard", action(accounting.delete_entry), methods=["POST"]),
    Route(API + "/entrylines/letter", body_action(accounting.letter), methods=["POST"]),
    Route(API + "/entrylines/unletter", body_action(accounting.unletter), methods=["POST"]),
    Route(API + "/fiscalyears/open", body_action(accounting.open_fiscal_year, 201),
          methods=["POST"]),
    Route(API + "/fiscalyears/{id}/close", action(accounting.close_fiscal_year),
          methods=["POST"]),
    Route(API + "/fiscalyears/{id}/fec", fec_file, methods=["GET"]),
    Route(API + "/accountingperiods/{id}/close", action(accounting.close_period),
          methods=["POST"]),
    Route(API + "/accountingperiods/{id}/reopen", action(accounting.reopen_period),
          methods=["POST"]),
    Route(API + "/accounting/trialbalance", report(accounting.trial_balance), methods=["GET"]),
    Route(API + "/accounting/ledger", report(accounting.general_ledger), methods=["GET"]),
    Route(API + "/accounting/statements", report(accounting.financial_statements),
          methods=["GET"]),
    Route(API + "/accounting/vatreturn", report(accounting.vat_return), methods=["GET"]),
]
