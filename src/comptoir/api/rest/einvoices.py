"""The e-invoice doors of the REST API (`docs/einvoicing.md`):

    GET  /{instance}/api/v1/transactions/{ID}/facturx[?syntax=ubl]   the XML of an invoice
    POST /{instance}/api/v1/transactions/receive[?filename=&company=] a supplier's e-invoice

The XML is the Factur-X CII of the company's profile (`?syntax=ubl`: UBL 2.1), as an
attachment.  A received e-invoice is the raw file (Content-Type application/pdf,
application/xml or text/xml; its name in `?filename=`), or a JSON object
`{"filename": ..., "content": base64, "company": ID}`; the answer (201) is the new draft
supplier invoice, its supplier and the stored file.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from comptoir.api.forms import body_id, path_id, read_bytes
from comptoir.api.rest.routes import API, caller_of, json_response
from comptoir.errors import BadRequestError, InvalidFieldError
from comptoir.services import einvoicing
from comptoir.services.documents import decode_contents

#: media types of a raw received file (anything else but JSON is refused)
RAW_TYPES = frozenset({"application/pdf", "application/xml", "text/xml",
                       "application/octet-stream"})


async def invoice_xml(request: Request) -> Response:
    caller = await caller_of(request)
    record_id = path_id(request)
    syntax = request.query_params.get("syntax", "cii").strip().lower() or "cii"
    filename, xml = await einvoicing.invoice_xml(request.app.state.db, caller, record_id,
                                                 syntax)
    return Response(xml, media_type="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _company(value: Any) -> int | None:
    if value is None or value == "":
        return None
    return body_id(value, "company", "must be a company ID")


def _json_file(raw: bytes, max_bytes: int) -> tuple[str, bytes, Any]:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequestError(f"body: malformed JSON ({exc.msg} at {exc.pos})") from None
    if not isinstance(body, dict):
        raise BadRequestError("body: must be a JSON object")
    unknown = sorted(set(body) - {"filename", "content", "company"})
    if unknown:
        raise InvalidFieldError(unknown[0], "is not a field of a received e-invoice "
                                "(filename, content, company)")
    filename, content = body.get("filename", ""), body.get("content")
    if not isinstance(filename, str):
        raise InvalidFieldError("filename", "must be a string")
    if not isinstance(content, str) or not content:
        raise InvalidFieldError("content", "is required: the file, base64-encoded")
    return filename or "facture", decode_contents(content, max_bytes, "content"), \
        body.get("company")


async def receive(request: Request) -> Response:
    caller = await caller_of(request)
    settings = request.app.state.settings
    raw = await read_bytes(request, settings.max_file_bytes)
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    params = request.query_params
    if media in ("application/json", "text/json"):
        filename, content, company = _json_file(raw, settings.max_file_bytes)
    elif media in RAW_TYPES:
        default = "facture.pdf" if media == "application/pdf" else "facture.xml"
        filename, content, company = params.get("filename", default), raw, None
    else:
        raise BadRequestError("body: must be the PDF or XML file (Content-Type "
                              "application/pdf or application/xml) or a JSON object "
                              '{"filename": ..., "content": base64}')
    company = _company(company if company is not None else params.get("company"))
    created = await einvoicing.receive(request.app.state.db, caller, filename, content,
                                       company)
    return json_response(created, 201)


ROUTES = [
    Route(API + "/transactions/receive", receive, methods=["POST"]),
    Route(API + "/transactions/{id}/facturx", invoice_xml, methods=["GET"]),
]
