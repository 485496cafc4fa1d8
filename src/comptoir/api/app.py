"""The ASGI application: every front door mounted on one Starlette app.

    app = create_app(Settings.from_env())

The database is opened in the lifespan; a database whose schema is behind the code is
refused (`comptoir db upgrade`).  Errors from the core are rendered by the front door's
own table; anything unexpected is logged and answered as a plain 500 without details.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from comptoir.api.landing import ROUTES as LANDING_ROUTES
from comptoir.api.rest.accounting import ROUTES as ACCOUNTING_ROUTES
from comptoir.api.rest.actions import ROUTES as ACTION_ROUTES
from comptoir.api.rest.apikeys import ROUTES as APIKEY_ROUTES
from comptoir.api.rest.documents import ROUTES as DOCUMENT_ROUTES
from comptoir.api.rest.einvoices import ROUTES as EINVOICE_ROUTES
from comptoir.api.rest.errors import error_response, render_error
from comptoir.api.rest.mail import ROUTES as MAIL_ROUTES
from comptoir.api.rest.openapi import openapi_json
from comptoir.api.rest.routes import API, ROUTES
from comptoir.api.rest.webhooks import ROUTES as WEBHOOK_ROUTES
from comptoir.api.token.routes import ROUTES as TOKEN_ROUTES
from comptoir.api.webservice.restapi import ROUTES as RESTAPI_ROUTES
from comptoir.api.webservice.routes import ROUTES as WEBSERVICE_ROUTES
from comptoir.config import Settings
from comptoir.errors import ComptoirError, SchemaBehindError
from comptoir.events.delivery import Policy, run_worker
from comptoir.events.network import parse_networks
from comptoir.services import keyring, mailer, webhooks
from comptoir.storage import migrate
from comptoir.storage.database import open_database
from comptoir.web.routes import ROUTES as WEB_ROUTES
from comptoir.web.routes import STATIC_ROUTES as WEB_STATIC

log = logging.getLogger("comptoir")


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


def create_app(settings: Settings) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        keyring.configure(settings)
        db = open_database(settings.database_url)
        db.wait = float(settings.database_wait)
        await db.open()
        try:
            await migrate.check_schema(db)
        except SchemaBehindError:
            await db.close()
            raise
        app.state.db = db
        app.state.settings = settings
        stop = asyncio.Event()  # the in-process webhook worker (setting webhook_worker)
        worker = asyncio.create_task(run_worker(
            db, stop, webhooks.fan_out, allowed=parse_networks(settings.webhook_allowed_networks),
            policy=Policy.from_settings(settings))) if settings.webhook_worker else None
        sender = asyncio.create_task(mailer.run_worker(  # the mail outbox (mail_worker)
            db, stop, policy=mailer.MailPolicy.from_settings(settings))
        ) if settings.mail_worker else None
        try:
            yield
        finally:
            stop.set()
            if worker is not None:
                await worker
            if sender is not None:
                await sender
            await db.close()

    async def on_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, ComptoirError):
            return render_error(exc, settings.instance)
        if isinstance(exc, HTTPException):
            reason = {404: "Not Found", 405: "Method Not Allowed"}.get(exc.status_code, "Error")
            return error_response(exc.status_code, reason, str(exc.detail), settings.instance)
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "Internal Server Error", "I am afraid I can't do that",
                              settings.instance)

    app = Starlette(
        routes=[Route(API + "/openapi.json", openapi_json, methods=["GET"]), *WEB_STATIC,
                *LANDING_ROUTES,
                *WEBSERVICE_ROUTES,
                *RESTAPI_ROUTES, *TOKEN_ROUTES, *APIKEY_ROUTES, *WEBHOOK_ROUTES, *ACTION_ROUTES,
                *ACCOUNTING_ROUTES,
                *DOCUMENT_ROUTES,
                *EINVOICE_ROUTES, *MAIL_ROUTES,
                *ROUTES, *WEB_ROUTES,
                Route("/healthz", healthz, methods=["GET"])],
        lifespan=lifespan,
        exception_handlers={Exception: on_error, ComptoirError: on_error,
                            HTTPException: on_error},
    )
    app.router.redirect_slashes = False
    return app
