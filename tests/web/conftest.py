"""Browser tests: Playwright's sync API driving Debian's Chromium (/usr/bin/chromium, which
`make system-test` installs) headless, against the real server of tests/conftest.py.

A test takes `page` (desktop, 1280x800) or `phone_page` (390x844, mobile): a page in a fresh
browser context whose base URL is the test server's, so `page.goto("/test/...")` works. The
page records console errors, uncaught exceptions and Content-Security-Policy violations, and
the test fails at teardown if any occurred, unless it declared them with
`expect_browser_errors`. `screenshot(page, name)` writes docs/ui/<name>.png.

Playwright's sync API runs its event loop in a greenlet of the main thread and, between its
calls, leaves that loop marked as the thread's running loop, which makes `asyncio.run` (the
database set-up, `run_cli`, `make_user`...) refuse to start. The fixtures mark the loop as
running only while a page is open, not between tests; inside a browser test, wrap code that
runs its own event loop in `with outside_browser():`. The server fixture is set up before the
page, so its asyncio set-up runs outside the browser.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import REPORT, Server
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
#: --no-sandbox: Chromium's sandbox cannot run as root (CI containers); --disable-dev-shm-usage:
#: containers often have a small /dev/shm (Debian's launcher means to add it then, but its
#: check breaks when /dev/shm is mounted twice)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage"]
DOCS_UI = Path(__file__).resolve().parents[2] / "docs" / "ui"
#: a browser test waits at most this long for an element, a navigation or an `expect(...)`
#: (Playwright's defaults: 30 s, which makes a broken page slow to fail, and 5 s for `expect`,
#: short on a loaded CI machine)
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)


@dataclass
class _Session:
    playwright: Playwright
    browser: Browser
    loop: asyncio.AbstractEventLoop


_SESSION: list[_Session] = []


def _enter_browser() -> None:
    """Mark Playwright's loop as running again: its dispatcher needs that to go on."""
    asyncio._set_running_loop(_SESSION[0].loop)


def _leave_browser() -> None:
    asyncio._set_running_loop(None)


@contextmanager
def outside_browser() -> Iterator[None]:
    """A block, inside a browser test, in which code that runs its own event loop
    (`asyncio.run`: `make_user`, `run_cli`, `run_with_database`) works; no browser calls in it."""
    running = asyncio._get_running_loop()
    _leave_browser()
    try:
        yield
    finally:
        asyncio._set_running_loop(running)


@pytest.fixture(scope="session")
def browser(request: pytest.FixtureRequest) -> Iterator[Browser]:
    """Debian's Chromium, headless, for the whole session."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's chromium package; "
                    "run `make system-test` (as root) to install it", pytrace=False)
    started = time.monotonic()
    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
    except BaseException:
        playwright.stop()
        raise
    loop = asyncio._get_running_loop()
    assert loop is not None, "Playwright's sync API no longer marks its loop as running"
    _SESSION.append(_Session(playwright, launched, loop))
    _leave_browser()
    request.config.stash.setdefault(REPORT, []).append(
        f"browser: Chromium {launched.version} (Playwright) started in "
        f"{time.monotonic() - started:.2f} s")
    try:
        yield launched
    finally:
        _enter_browser()
        try:
            launched.close()
        finally:
            playwright.stop()  # closes Playwright's loop and clears the running-loop mark
            _SESSION.clear()
            _leave_browser()


def _is_favicon(url: str) -> bool:
    """Whether `url` is the /favicon.ico that Chromium fetches on its own, after the page has
    loaded (so its 404 comes or not depending on timing), when a page names no icon."""
    return urlsplit(url).path == "/favicon.ico"


@dataclass
class BrowserErrors:
    """What went wrong in a page: console errors, uncaught exceptions, CSP violations."""

    errors: list[str] = field(default_factory=list)
    expected: list[re.Pattern[str]] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        where = message.location
        if message.type == "error" and not _is_favicon(where.get("url", "")):
            self.errors.append(f"console error: {message.text} "
                               f"({where.get('url', '')}:{where.get('lineNumber', '')})")

    def page_error(self, error: Any) -> None:
        self.errors.append(f"uncaught exception: {error}")

    def csp_violation(self, directive: str, blocked: str, source: str, line: int) -> None:
        self.errors.append(f"Content Security Policy violation: {directive} blocked "
                           f"{blocked or 'inline'} ({source}:{line})")

    def problems(self) -> list[str]:
        """The unexpected errors, and the expected ones that did not occur."""
        unexpected = [e for e in self.errors if not any(p.search(e) for p in self.expected)]
        missing = [f"expected browser error did not occur: /{p.pattern}/" for p in self.expected
                   if not any(p.search(e) for e in self.errors)]
        return unexpected + missing


#: the attribute holding a page's BrowserErrors: on the page rather than in this module, so
#: that the helpers work also from a second copy of this module (`tests.web.conftest`)
_ERRORS = "_comptoir_browser_errors"


def _errors(page: Page) -> BrowserErrors:
    errors: BrowserErrors | None = getattr(page, _ERRORS, None)
    if errors is None:
        raise TypeError(f"{page} is not a page of the `page` or `phone_page` fixtures")
    return errors

#: reports `securitypolicyviolation` events to Python (the console also shows most, but not
#: all, of them); an init script is injected by the browser, so the page's CSP does not apply
_CSP_LISTENER = """document.addEventListener("securitypolicyviolation", (e) => {
  window.__comptoirCspViolation(e.effectiveDirective, e.blockedURI, e.sourceFile, e.lineNumber);
}, true);"""


def expect_browser_errors(page: Page, *patterns: str) -> None:
    """Declare errors that this test expects in `page` (regular expressions, searched in the
    recorded messages such as "console error: ..." or "Content Security Policy violation: ...");
    each pattern must match at least one error, and every error must match one."""
    _errors(page).expected.extend(re.compile(p) for p in patterns)


def browser_errors(page: Page) -> list[str]:
    """The errors recorded in `page` so far."""
    return list(_errors(page).errors)


@contextmanager
def _open_page(browser: Browser, server: Server, **options: Any) -> Iterator[Page]:
    _enter_browser()
    try:
        context = browser.new_context(base_url=server.url, locale="en-US", **options)
        try:
            context.set_default_timeout(TIMEOUT_MS)
            errors = BrowserErrors()
            context.expose_function("__comptoirCspViolation", errors.csp_violation)
            context.add_init_script(_CSP_LISTENER)
            page = context.new_page()
            page.on("console", errors.console)
            page.on("pageerror", errors.page_error)
            setattr(page, _ERRORS, errors)
            yield page
        finally:
            context.close()  # also delivers the events still on their way
    finally:
        _leave_browser()
    problems = errors.problems()
    if problems:
        pytest.fail("errors in the browser:\n  " + "\n  ".join(problems), pytrace=False)


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    """A desktop page (1280x800, en-US) in a fresh context; fails the test at teardown on
    console errors, uncaught exceptions or CSP violations (see `expect_browser_errors`)."""
    with _open_page(browser, server, viewport={"width": 1280, "height": 800}) as p:
        yield p


@pytest.fixture
def phone_page(browser: Browser, server: Server) -> Iterator[Page]:
    """Like `page`, on a phone: 390x844 CSS pixels, mobile viewport and touch, 2x pixels."""
    with _open_page(browser, server, viewport={"width": 390, "height": 844},
                    device_scale_factor=2, is_mobile=True, has_touch=True) as p:
        yield p


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """A screenshot of `page` as docs/ui/<name>.png, for the documentation: the full page, or
    only the viewport with `full_page=False` (for pages tens of thousands of pixels tall).

    It is written only when COMPTOIR_SCREENSHOTS=1 or when the file does not exist yet, so
    that CI and everyday test runs do not rewrite the committed docs files on every run (the
    pixels vary with fonts and versions); run `COMPTOIR_SCREENSHOTS=1 make test` to refresh them.
    """
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
        raise ValueError(f"screenshot name {name!r}: lower-case letters, digits, - and _")
    path = DOCS_UI / f"{name}.png"
    if os.environ.get("COMPTOIR_SCREENSHOTS") == "1" or not path.exists():
        DOCS_UI.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path
