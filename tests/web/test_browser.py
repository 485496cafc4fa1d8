"""The pages a browser finds today, in Chromium: the API explorer (Swagger UI under a strict
Content-Security-Policy) and the root landing page; and the browser fixtures themselves."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
from conftest import INSTANCE, Server
from playwright.sync_api import Page, Route, expect

from .conftest import browser_errors, expect_browser_errors, outside_browser, screenshot


def test_explorer_shows_the_openapi_document(page: Page, server: Server) -> None:
    title = httpx.get(f"{server.url}/{INSTANCE}/api/v1/openapi.json").json()["info"]["title"]
    response = page.goto(f"/{INSTANCE}/api/v1/explorer")
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page).to_have_title("Comptoir API explorer")
    # Swagger UI fetched the document and rendered its title and its operations: it takes
    # 4 to 5 s of CPU on the 1 MB document on a 2-CPU machine, hence the longer wait
    expect(page.locator(".information-container .title")).to_contain_text(title,
                                                                          timeout=30_000)
    expect(page.locator(".opblock").first).to_be_visible()
    # the viewport: the full page, with every schema of the 1 MB document, is 31,000 px tall
    screenshot(page, "explorer", full_page=False)


def test_root_landing_page(page: Page) -> None:
    response = page.goto("/")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_contain_text("Comptoir")
    explorer = page.get_by_role("link", name="API explorer")
    expect(explorer).to_have_attribute("href", f"/{INSTANCE}/api/v1/explorer")


def test_root_landing_page_fits_a_phone(phone_page: Page) -> None:
    phone_page.goto("/")
    expect(phone_page.get_by_role("heading", level=1)).to_contain_text("Comptoir")
    assert phone_page.evaluate("window.innerWidth") == 390
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390


def _serve(body: str, csp: str | None = None) -> Callable[[Route], None]:
    """A route handler answering with the page `body` (the request never reaches the server)."""
    headers = {"Content-Type": "text/html"} | ({"Content-Security-Policy": csp} if csp else {})
    return lambda route: route.fulfill(status=200, headers=headers, body=body)


def _wait_for_errors(page: Page, count: int) -> list[str]:
    for _ in range(100):
        if len(browser_errors(page)) >= count:
            break
        page.wait_for_timeout(20)
    return browser_errors(page)


def test_page_records_csp_violations(page: Page) -> None:
    page.route("**/selftest", _serve("<p>x</p><script>document.title = 'ran'</script>",
                                     csp="script-src 'self'"))
    expect_browser_errors(page, "Content Security Policy")
    page.goto("/selftest")
    expect(page.locator("p")).to_have_text("x")
    assert page.title() != "ran"
    # the console message comes before the load event, the DOM event a little later
    errors = _wait_for_errors(page, 2)
    assert any(e.startswith("Content Security Policy violation: script-src-elem") for e in errors)
    # the console's wording varies with Chromium versions ("Refused to execute inline script
    # because it violates..." before, "Executing inline script violates..." in 156)
    assert any(e.startswith("console error: ") and "Content Security Policy" in e
               for e in errors)


def test_page_records_console_errors_and_exceptions(page: Page) -> None:
    page.route("**/selftest", _serve("<script>console.error('boom'); null.x;</script>"))
    expect_browser_errors(page, r"^console error: boom", r"^uncaught exception: .*null")
    page.goto("/selftest")
    assert len(browser_errors(page)) == 2  # both came before the load event


def test_asyncio_run_inside_and_after_a_browser_test(page: Page) -> None:
    page.goto("/")
    with outside_browser():
        assert asyncio.run(asyncio.sleep(0, "ok")) == "ok"
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_asyncio_run_between_browser_tests() -> None:
    # runs after the browser tests above in the same session: no loop left marked as running
    assert asyncio.run(asyncio.sleep(0, "ok")) == "ok"

