"""The PDF doors of the REST API (`docs/documents.md`):

    GET  /{instance}/api/v1/transactions/{ID}/pdf      a document's PDF (its legal copy)
    GET  /{instance}/api/v1/dunning/{ID}/pdf           a dunning letter's PDF
    POST /{instance}/api/v1/templates/{ID}/preview     {"entity": "transactions", "record": 12}
                                                       [?format=html]

A PDF is sent as an attachment named after the document's number (`FA-2026-00001.pdf`).
A preview renders a saved template against a record, stores nothing, and answers the PDF
(a document template), its HTML (`?format=html`) or the e-mail's text (an e-mail template).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from comptoir.api.forms import body_id, path_id
from comptoir.api.rest.routes import API, caller_of, read_body
from comptoir.errors import InvalidFieldError
from comptoir.services import printing

PREVIEW_FIELDS = ("entity", "record")
FORMATS = ("pdf", "html")


def _pdf(filename: str, content: bytes) -> Response:
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def document_pdf(entity: str) -> Any:
    async def handle(request: Request) -> Response:
        caller = await caller_of(request)
        filename, content = await printing.document_pdf(request.app.state.db, caller, entity,
                                                        path_id(request))
        return _pdf(filename, content)

    return handle


def _record(value: Any) -> int:
    return body_id(value, "record", "is required: the ID of the record to render")


async def preview(request: Request) -> Response:
    caller = await caller_of(request)
    template = path_id(request)
    fmt = request.query_params.get("format", "pdf").strip().lower() or "pdf"
    if fmt not in FORMATS:
        raise InvalidFieldError("format", f"must be one of {', '.join(FORMATS)}")
    body = await read_body(request, request.app.state.settings.max_body_bytes)
    unknown = sorted(set(body) - set(PREVIEW_FIELDS))
    if unknown:
        raise InvalidFieldError(unknown[0], "is not a field of a preview (entity, record)")
    entity = body.get("entity", "transactions")
    if not isinstance(entity, str):
        raise InvalidFieldError("entity", "must be transactions or dunning")
    media, content = await printing.preview(request.app.state.db, caller, template, entity,
                                            _record(body.get("record")), html=fmt == "html")
    return Response(content, media_type=media)


ROUTES = [
    Route(API + "/transactions/{id}/pdf", document_pdf("transactions"), methods=["GET"]),
    Route(API + "/dunning/{id}/pdf", document_pdf("dunning"), methods=["GET"]),
    Route(API + "/templates/{id}/preview", preview, methods=["POST"]),
]
