"""The landing page and the API explorer: served by the server itself, with a CSP."""

from __future__ import annotations

import httpx
from conftest import INSTANCE, Server


def test_the_landing_page_names_the_doors(server: Server) -> None:
    page = httpx.get(server.url + "/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for link in (f"/{INSTANCE}/", f"/{INSTANCE}/api/v1/openapi.json",
                 f"/{INSTANCE}/api/v1/explorer", f"/{INSTANCE}/webservice.php",
                 f"/{INSTANCE}/action_manager.php"):
        assert link in page.text, link
    # the instance's own root is the web interface, which asks to log in first
    home = httpx.get(f"{server.url}/{INSTANCE}/")
    assert home.status_code == 303 and home.headers["location"].startswith(f"/{INSTANCE}/login")
    assert httpx.get(server.url + "/elsewhere/").status_code == 404


def test_the_explorer_reads_the_served_openapi_document(server: Server) -> None:
    page = httpx.get(f"{server.url}/{INSTANCE}/api/v1/explorer")
    assert page.status_code == 200
    assert f'data-openapi="/{INSTANCE}/api/v1/openapi.json"' in page.text
    for asset, kind in (("swagger-ui-bundle.js", "javascript"), ("explorer.js", "javascript"),
                        ("swagger-ui.css", "text/css")):
        assert f"/static/explorer/{asset}" in page.text
        served = httpx.get(f"{server.url}/static/explorer/{asset}")
        assert served.status_code == 200 and kind in served.headers["content-type"], asset
    document = httpx.get(f"{server.url}/{INSTANCE}/api/v1/openapi.json")
    assert document.status_code == 200 and document.json()["openapi"].startswith("3.")
    assert httpx.get(f"{server.url}/static/explorer/../../landing.py").status_code == 404
