"""Logging in to the web interface over real HTTP, as a browser does: the log-in form's
CSRF token, the session cookie, and the CSRF token of later forms."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.conftest import INSTANCE, Server

_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


@contextmanager
def web_client(server: Server, name: str | None = None, password: str | None = None,
               language: str = "en") -> Iterator[httpx.Client]:
    """A client of `/{instance}/`, logged in as `name` when given (redirects not followed)."""
    with httpx.Client(base_url=f"{server.url}/{INSTANCE}", timeout=30,
                      headers={"Accept-Language": language}) as c:
        if name is not None:
            form = c.get("/login")
            r = c.post("/login", data={"name": name, "password": password or "",
                                       "csrf": csrf_of(form.text), "next": f"/{INSTANCE}/"})
            assert r.status_code == 303, r.text
        yield c


def post_form(c: httpx.Client, page: str, action: str, data: dict[str, str],
              ) -> httpx.Response:
    """GET `page` for its CSRF token, then POST `data` to `action` with it."""
    token = csrf_of(c.get(page).text)
    return c.post(action, data={**data, "csrf": token})
