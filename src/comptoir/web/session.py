"""Who is using the web interface: the session cookie, and the CSRF check of every form.

A person logs in with the same user name and password as on the APIs (`services.auth.login`,
with its throttling); the session is a login token of identifier `web`, valid
`web_session_hours`, held in the cookie `comptoir_session`: HttpOnly, SameSite=Lax, Secure
when the page was served over HTTPS, scoped to `/{instance}/`.  Logging out deletes the
token, so the cookie is worthless afterwards, in every worker.

Every POST carries a CSRF token, derived from the session token (HMAC), in a form field
`csrf` or the header `X-CSRF-Token` (htmx sends it from the page's `hx-headers`); the log-in
form, which has no session yet, pairs a random cookie with its hidden field instead.  A POST
whose `Origin` names another site is refused as well.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from comptoir.errors import AuthenticationError, PermissionDeniedError
from comptoir.services import auth
from comptoir.services.access import Caller

COOKIE = "comptoir_session"
LOGIN_COOKIE = "comptoir_login"
IDENTIFIER = "web"
SESSION_HOURS = 12


class LoginRequiredError(AuthenticationError):
    """No valid session: the page sends the person to the log-in form."""


def csrf_for(secret: str) -> str:
    return hmac.new(b"comptoir-web-csrf", secret.encode(), hashlib.sha256).hexdigest()[:40]


def instance_path(request: Request) -> str:
    return f"/{request.app.state.settings.instance}/"


def secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get(
        "x-forwarded-proto", "") == "https"


def set_cookie(request: Request, response: Response, name: str, value: str,
               max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path=instance_path(request),
                        httponly=True, samesite="lax", secure=secure(request))


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, path=instance_path(request), httponly=True, samesite="lax",
                           secure=secure(request))


async def caller_of(request: Request) -> Caller:
    token = request.cookies.get(COOKIE, "")
    if not token:
        raise LoginRequiredError("Please log in")
    try:
        return await auth.authenticate(request.app.state.db, token)
    except AuthenticationError as exc:
        raise LoginRequiredError(str(exc)) from None


def csrf_token(request: Request) -> str:
    return csrf_for(request.cookies.get(COOKIE, ""))


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


def check_csrf(request: Request, form: Any) -> None:
    """PermissionDeniedError unless the POST carries this session's CSRF token."""
    given = request.headers.get("x-csrf-token") or str(form.get("csrf", ""))
    expected = csrf_token(request)
    if not _same_origin(request) or not given or not hmac.compare_digest(given, expected):
        raise PermissionDeniedError("csrf: the form is stale or comes from another site; "
                                    "reload the page and try again")


def login_nonce() -> str:
    return secrets.token_hex(16)


def check_login_csrf(request: Request, form: Any) -> None:
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    given = str(form.get("csrf", ""))
    if (not _same_origin(request) or not cookie or not given
            or not hmac.compare_digest(csrf_for(cookie), given)):
        raise PermissionDeniedError("csrf: the log-in form is stale; reload the page")
