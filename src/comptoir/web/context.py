"""What every page of the web interface knows: the caller, their preferences (which set the
language of the request), the menu, the CSRF token; and the web door's one error table."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from comptoir.api.instance import check_instance
from comptoir.errors import (
    BadRequestError,
    ComptoirError,
    TooLargeError,
    TooManyAttemptsError,
    UnavailableError,
)
from comptoir.services import ui_settings
from comptoir.services.access import Caller
from comptoir.web import i18n, session
from comptoir.web.render import ENV, Prefs, page
from comptoir.web.screens import MENU, SCREENS, menu_for

#: the web door's error table: core error code -> HTTP status and page title
STATUS: dict[str, tuple[int, str]] = {
    "bad_request": (400, "Bad request"), "invalid_field": (400, "Bad request"),
    "missing_field": (400, "Bad request"), "invalid_reference": (400, "Bad request"),
    "invalid_id": (400, "Bad request"), "too_large": (413, "Too large"),
    "query_syntax": (400, "Bad request"), "unknown_relation": (400, "Bad request"),
    "unauthenticated": (401, "Please log in"), "permission_denied": (403, "Not allowed"),
    "not_found": (404, "Not found"), "unknown_entity": (404, "Not found"),
    "not_allowed": (405, "Not allowed"), "conflict": (409, "Conflict"),
    "already_converted": (409, "Conflict"), "precondition": (412, "Changed meanwhile"),
    "unavailable": (503, "Busy"), "error": (500, "Error"), "too_many_attempts": (429, "Too many attempts"),
}

log = logging.getLogger("comptoir")

Handler = Callable[[Request], Awaitable[Response]]


def base_of(request: Request) -> str:
    return f"/{request.app.state.settings.instance}"


async def page_settings(request: Request, caller: Caller, screen: str) -> ui_settings.PageSettings:
    """The caller's settings for a page of `screen`: read once per request, in one query."""
    cached = getattr(request.state, "ui_settings", None)
    if cached is None or cached.screen != screen:
        cached = await ui_settings.for_page(request.app.state.db, caller, screen)
        request.state.ui_settings = cached
    return cached


async def prefs_of(request: Request, caller: Caller | None) -> Prefs:
    screen = str(request.path_params.get("screen", ""))[:64]
    stored = ((await page_settings(request, caller, screen)).preferences
              if caller is not None else {})
    language = stored.get("language") or i18n.from_header(
        request.headers.get("accept-language", ""))
    prefs = Prefs(language=language if language in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE,
                  timezone=str(stored.get("timezone") or "Europe/Paris"),
                  dates=str(stored.get("dates") or "short"))
    i18n.set_language(prefs.language)
    return prefs


@functools.lru_cache(maxsize=1024)
def _menu(language: str, base: str, slugs: tuple[str, ...], current: str) -> Markup:
    """The menu's HTML, rendered once per language, visible screens and current screen."""
    i18n.set_language(language)
    families = [(family, [SCREENS[s] for s in slugs if s in shown])
                for family, shown in MENU if any(s in shown for s in slugs)]
    return Markup(ENV.get_template("menu.html").render(
        base=base, menu=families, current=current))


def context(request: Request, caller: Caller | None, prefs: Prefs,
            **values: Any) -> dict[str, Any]:
    screen = values.get("screen")
    menu = ""
    if caller is not None:
        slugs = tuple(s.slug for _family, shown in menu_for(caller) for s in shown)
        menu = _menu(prefs.language, base_of(request), slugs, screen.slug if screen else "")
    return {"base": base_of(request), "caller": caller, "prefs": prefs, "menu_html": menu,
            "csrf": session.csrf_token(request) if caller else "",
            "notice": request.query_params.get("notice", "")[:200], "screen": None,
            "title": "Comptoir", **values}


def error_page(request: Request, exc: ComptoirError, caller: Caller | None,
               prefs: Prefs) -> Response:
    status, title = STATUS.get(exc.code, (500, "Error"))
    headers = ({"Retry-After": str(exc.retry_after)}
               if isinstance(exc, UnavailableError | TooManyAttemptsError) else None)
    if request.headers.get("hx-request"):
        return page("fragment_error.html", context(request, caller, prefs, message=exc.message),
                    status, headers)
    return page("error.html", context(request, caller, prefs, title=i18n.gettext_(title),
                                      message=exc.message), status, headers)


def screen_page(handler: Callable[[Request, Caller, Prefs], Awaitable[Response]]) -> Handler:
    """A page that needs a logged-in person: without a session, to the log-in form (back
    here afterwards); a core error, as the door's error page."""
    @wraps(handler)
    async def run(request: Request) -> Response:
        try:
            check_instance(request)
            caller = await session.caller_of(request)
        except session.LoginRequiredError:
            i18n.set_language(i18n.from_header(request.headers.get("accept-language", "")))
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            if request.method != "GET":
                target = base_of(request) + "/"
            return RedirectResponse(f"{base_of(request)}/login?next={quote(target)}", 303)
        except ComptoirError as exc:
            return error_page(request, exc, None, await prefs_of(request, None))
        prefs = await prefs_of(request, caller)
        try:
            return await handler(request, caller, prefs)
        except ComptoirError as exc:
            return error_page(request, exc, caller, prefs)
        except HTTPException as exc:  # Starlette's: a body it cannot parse (a broken form)
            return error_page(request, BadRequestError(f"body: {exc.detail}"), caller, prefs)
        except Exception:
            log.exception("unexpected error on %s %s", request.method, request.url.path)
            return error_page(request, ComptoirError(i18n.gettext_(
                "Something went wrong on our side; nothing was changed.")), caller, prefs)
    return run


async def posted(request: Request) -> Any:
    """The form of a POST (at most `max_file_bytes`), after its CSRF check."""
    limit = request.app.state.settings.max_file_bytes
    try:
        size = int(request.headers.get("content-length", "0"))
    except ValueError:
        size = 0
    if size > limit:
        raise TooLargeError(f"body: larger than {limit} bytes (setting max_file_bytes)")
    form = await request.form(max_files=10, max_fields=2000, max_part_size=limit)
    session.check_csrf(request, form)
    return form
