"""The pages a person opening the server's root in a browser finds: a landing page at `/`
linking to the web interface (`/{instance}/`, `web/`) and naming the three front doors, and
an API explorer (Swagger UI, vendored in `api/static/explorer/`, no network needed) on the served
OpenAPI document at `/{instance}/api/v1/explorer`.

The pages carry a Content-Security-Policy that allows only this server's own scripts and
styles (Swagger UI sets some styles inline).
"""

from __future__ import annotations

import html
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from comptoir import __version__
from comptoir.api.instance import check_instance

STATIC = Path(__file__).parent / "static"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
       "form-action 'none'")
_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer"}

_STYLE = """body{font-family:system-ui,sans-serif;max-width:46rem;margin:3rem auto;
padding:0 1rem;color:#1d2733;line-height:1.5}h1{color:#1f4e79}code{background:#eef2f6;
padding:0 .25rem;border-radius:3px}li{margin:.4rem 0}a{color:#1f4e79}"""


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>", headers=_HEADERS)


async def landing(request: Request) -> Response:
    check_instance(request)
    instance = html.escape(request.app.state.settings.instance)
    api = f"/{instance}/api/v1"
    return _page("Comptoir", f"""<h1>Comptoir {html.escape(__version__)}</h1>
<p>An ERP/CRM server. People work in <a href="/{instance}/">the web interface of instance
<code>{instance}</code></a>; other software reaches it through three front doors:</p>
<ul>
<li>the ZeyOS REST API at <code>{api}</code>: log in with
<code>POST /{instance}/auth/v1/login</code>, then send <code>Authorization: Bearer</code>;
its <a href="{api}/openapi.json">OpenAPI document</a> and the
<a href="{api}/explorer">API explorer</a>;</li>
<li>the vtiger/Kafinea webservice at <code>/{instance}/webservice.php</code>
(<code>getchallenge</code>, then <code>login</code>);</li>
<li>the integration API at <code>/{instance}/action_manager.php</code>, with an API key in
a <code>token:</code> header, and signed webhooks.</li>
</ul>
<p>The documentation is in the <code>docs/</code> folder of the source.</p>""")


async def explorer(request: Request) -> Response:
    check_instance(request)
    instance = html.escape(request.app.state.settings.instance)
    return HTMLResponse(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Comptoir API explorer</title>"
        '<link rel="stylesheet" href="/static/explorer/swagger-ui.css"></head><body>'
        f'<div id="explorer" data-openapi="/{instance}/api/v1/openapi.json"></div>'
        '<script src="/static/explorer/swagger-ui-bundle.js"></script>'
        '<script src="/static/explorer/explorer.js"></script></body></html>',
        headers=_HEADERS)


ROUTES = [
    Route("/", landing, methods=["GET"]),
    Route("/{instance}/api/v1/explorer", explorer, methods=["GET"]),
    Mount("/static", StaticFiles(directory=STATIC), name="static"),
]
