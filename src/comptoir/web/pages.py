"""The pages around the records: log in and out, the user's preferences, the list of all
screens and the global search."""

from __future__ import annotations

import time
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from comptoir.api.instance import check_instance
from comptoir.errors import (
    AuthenticationError,
    BadRequestError,
    ComptoirError,
    InvalidFieldError,
)
from comptoir.services import apikeys, auth, search, ui_settings
from comptoir.services.access import Caller
from comptoir.web import i18n, session
from comptoir.web.context import (
    base_of,
    context,
    error_page,
    posted,
    prefs_of,
    screen_page,
)
from comptoir.web.render import Prefs, page
from comptoir.web.screens import SCREENS

DATE_STYLES = ("short", "medium", "iso")
TIMEZONES = ("Europe/Paris", "Europe/Brussels", "Europe/Zurich", "Europe/London",
             "Europe/Berlin", "America/Montreal", "Indian/Reunion", "America/Guadeloupe",
             "Pacific/Noumea", "UTC")


def _next(request: Request, value: str) -> str:
    """Where to go after logging in: a path of this instance only (no open redirect)."""
    base = base_of(request) + "/"
    return value if value.startswith(base) and not value.startswith("//") else base


async def login_form(request: Request) -> Response:
    check_instance(request)
    prefs = await prefs_of(request, None)
    try:
        caller = await session.caller_of(request)
    except session.LoginRequiredError:
        caller = None
    if caller is not None:
        return RedirectResponse(_next(request, request.query_params.get("next", "")), 303)
    return _login_page(request, prefs, "", "", request.query_params.get("next", ""), 200)


def _login_page(request: Request, prefs: Prefs, name: str, error: str, target: str,
                status: int) -> Response:
    nonce = session.login_nonce()
    response = page("login.html", context(
        request, None, prefs, title=i18n.gettext_("Log in"), name=name, error=error,
        next=_next(request, target), login_csrf=session.csrf_for(nonce)), status)
    session.set_cookie(request, response, session.LOGIN_COOKIE, nonce, max_age=3600)
    return response


async def login(request: Request) -> Response:
    check_instance(request)
    prefs = await prefs_of(request, None)
    try:
        form = await request.form(max_files=0, max_fields=10, max_part_size=4096)
    except HTTPException as exc:  # a body Starlette cannot parse
        return error_page(request, BadRequestError(f"body: {exc.detail}"), None, prefs)
    name, password = str(form.get("name", ""))[:200], str(form.get("password", ""))
    try:
        session.check_login_csrf(request, form)
        address = request.client.host if request.client else ""
        result = await auth.login(request.app.state.db, name, password, session.IDENTIFIER,
                                  expdate=int(time.time()) + session.SESSION_HOURS * 3600,
                                  address=address)
    except AuthenticationError:
        return _login_page(request, prefs, name, i18n.gettext_(
            "Wrong user name or password."), str(form.get("next", "")), 401)
    except InvalidFieldError:
        return _login_page(request, prefs, name, i18n.gettext_(
            "Give your user name and password."), str(form.get("next", "")), 400)
    except ComptoirError as exc:
        return error_page(request, exc, None, prefs)
    response = RedirectResponse(_next(request, str(form.get("next", ""))), 303)
    session.set_cookie(request, response, session.COOKIE, result["token"])
    session.clear_cookie(request, response, session.LOGIN_COOKIE)
    return response


@screen_page
async def logout(request: Request, caller: Caller, prefs: Prefs) -> Response:
    await posted(request)
    await auth.logout(request.app.state.db, caller)
    response = RedirectResponse(f"{base_of(request)}/login", 303)
    session.clear_cookie(request, response, session.COOKIE)
    return response


@screen_page
async def screens_index(request: Request, caller: Caller, prefs: Prefs) -> Response:
    shown = sorted((s for s in SCREENS.values() if s.visible_to(caller)),
                   key=lambda s: i18n.gettext_(s.label).lower())
    return page("screens.html", context(request, caller, prefs, title=i18n.gettext_(
        "All screens"), screens=shown))


@screen_page
async def preferences(request: Request, caller: Caller, prefs: Prefs) -> Response:
    db = request.app.state.db
    if request.method == "POST":
        form = await posted(request)
        language = str(form.get("language", ""))
        if language not in i18n.LANGUAGES:
            raise InvalidFieldError("language", f"must be one of {', '.join(i18n.LANGUAGES)}")
        timezone = str(form.get("timezone", ""))
        if timezone not in TIMEZONES:
            raise InvalidFieldError("timezone", "is not a time zone this instance offers")
        dates = str(form.get("dates", ""))
        if dates not in DATE_STYLES:
            raise InvalidFieldError("dates", f"must be one of {', '.join(DATE_STYLES)}")
        await ui_settings.save(db, caller, "preferences", "", "default",
                               {"language": language, "timezone": timezone, "dates": dates})
        return RedirectResponse(f"{base_of(request)}/preferences?notice=" + quote(
            i18n.TRANSLATIONS[language].gettext("Preferences saved.")), 303)
    try:
        key = await auth.access_key(db, caller.name)
    except BadRequestError:  # no webservice access key issued yet
        key = ""
    keys = [k for k in await apikeys.list_keys(db, caller.user) if not k["revoked"]]
    return page("preferences.html", context(
        request, caller, prefs, title=i18n.gettext_("Preferences"), languages=i18n.LANGUAGES,
        timezones=TIMEZONES, date_styles=DATE_STYLES, access_key=key,
        apikeys=keys))


@screen_page
async def global_search(request: Request, caller: Caller, prefs: Prefs) -> Response:
    text = request.query_params.get("q", "")[:200]
    hits = await search.search(request.app.state.db, caller, text, limit=20)
    found = []
    for hit in hits:
        screen = SCREENS.get(hit.entity)
        if screen is None:
            continue
        found.append({"hit": hit, "screen": screen})
    return page("search.html", context(request, caller, prefs, title=i18n.gettext_("Search"),
                                       q=text, found=found))
