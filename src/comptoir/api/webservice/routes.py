"""`/webservice.php` and `/{instance}/webservice.php`: the vtiger/Kafinea webservice.

One endpoint; the `operation` parameter (any case) picks the handler.  Parameters are read
from the query string and the form body alike, for every operation and either HTTP method
(on a conflict the body wins for operations vtiger reads from the body, the query string
for the others).  Every answer is HTTP 200 with `{"success": true, "result": ...}` or
`{"success": false, "error": {"message": ..., "code": ...}}` (see `errors.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from comptoir import __version__
from comptoir.api.forms import read_bytes
from comptoir.api.instance import check_instance
from comptoir.api.webservice.errors import WireError, error_body
from comptoir.config import Settings
from comptoir.errors import (
    AuthenticationError,
    BadRequestError,
    ComptoirError,
    TooLargeError,
    UnavailableError,
)
from comptoir.services import (
    apikeys,
    auth,
    documents,
    dunning,
    einvoicing,
    leads,
    mail,
    modules,
    printing,
    related,
    sales_modules,
    sessions,
    throttle,
)
from comptoir.services.access import Caller
from comptoir.storage.database import Database

log = logging.getLogger("comptoir.webservice")

#: the webservice API version vtiger 6.4 to 8.3 answer, and the vtiger release we follow
API_VERSION = "0.22"
VTIGER_VERSION = "8.3.0"


@dataclass
class Call:
    """One webservice request: its parameters and, after login, its caller."""

    db: Database
    settings: Settings
    params: dict[str, str]
    caller: Caller | None = None
    session: str | None = None
    #: the client's address (the log-in throttle)
    address: str = ""

    def text(self, name: str, required: bool = False) -> str:
        value = self.params.get(name, "")
        if required and not value:
            raise BadRequestError(f"{name}: is required")
        return value

    def element(self) -> dict[str, Any]:
        raw = self.params.get("element", "")
        if not raw:
            raise BadRequestError("element: is required (a JSON object)")
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise BadRequestError(f"element: is not valid JSON ({exc})") from None
        if not isinstance(value, dict):
            raise BadRequestError("element: must be a JSON object")
        return value

    @property
    def me(self) -> Caller:
        assert self.caller is not None
        return self.caller


Handler = Callable[[Call], Awaitable[Any]]


# --- sessions ------------------------------------------------------------------------------


async def get_challenge(call: Call) -> Any:
    return await sessions.get_challenge(call.db, call.text("username"))


def _login_result(session: dict[str, Any]) -> dict[str, Any]:
    return {
        "username": session["name"], "first_name": "", "last_name": session["name"],
        "email": session["email"] or "", "time_zone": "UTC", "hour_format": "24",
        "date_format": modules.DATE_FORMAT, "is_admin": "on" if session["admin"] else "off",
        "call_duration": "5", "other_event_duration": "5",
        "sessionName": session["session"], "sessionId": session["session"],
        "userId": f"19x{session['user']}", "version": API_VERSION,
        "vtigerVersion": VTIGER_VERSION, "kafineaVersion": __version__,
    }


async def login(call: Call) -> Any:
    session = await sessions.login(call.db, call.text("username"), call.text("accessKey"),
                                   address=call.address,
                                   limits=throttle.Limits.from_settings(call.settings))
    return _login_result(session)


async def logout(call: Call) -> Any:
    assert call.session is not None
    await sessions.logout(call.db, call.session)
    return {"message": "successfull"}


async def extend_session(call: Call) -> Any:
    return _login_result(await sessions.extend(call.db, call.me))


# --- records -------------------------------------------------------------------------------


async def list_types(call: Call) -> Any:
    raw = call.text("fieldTypeList")
    wanted: list[str] | None = None
    if raw and raw != "null":
        try:
            wanted = orjson.loads(raw)
        except orjson.JSONDecodeError:
            wanted = None
        if not isinstance(wanted, list) or not all(isinstance(t, str) for t in wanted):
            raise BadRequestError("fieldTypeList: must be a JSON array of type names")
    return modules.list_types(call.me, wanted)


async def describe(call: Call) -> Any:
    return modules.describe(call.me, call.text("elementType"))


async def retrieve(call: Call) -> Any:
    return await modules.retrieve(call.db, call.me, call.text("id"))


async def create(call: Call) -> Any:
    return await modules.create(call.db, call.me, call.text("elementType"), call.element())


async def update(call: Call) -> Any:
    # Kafinea: `partial_edit=1` next to `operation` edits a locked record (issued invoice)
    return await modules.update(call.db, call.me, call.element(), partial=False,
                                partial_edit=call.text("partial_edit").strip() == "1")


async def revise(call: Call) -> Any:
    return await modules.update(call.db, call.me, call.element(), partial=True)


async def delete(call: Call) -> Any:
    await modules.delete(call.db, call.me, call.text("id"))
    return {"status": "successful"}


async def query(call: Call) -> Any:
    return await modules.query(call.db, call.me, call.text("query"))


async def sync(call: Call) -> Any:
    raw = (call.text("modifiedTime") or "0").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        raise BadRequestError(f"modifiedTime: must be a Unix time in seconds, not {raw[:40]!r}")
    return await modules.sync(call.db, call.me, int(raw), call.text("elementType") or None,
                              call.text("syncType") or None)


async def convert_lead(call: Call) -> Any:
    return await leads.convert_lead(call.db, call.me, call.element())


# --- the sales cycle (Comptoir extensions, docs/webservice.md) -------------------------------


def _options(call: Call) -> dict[str, Any]:
    """The optional `element` of an action (its options), `{}` when absent."""
    return call.element() if call.params.get("element") else {}


async def issue_document(call: Call) -> Any:
    return await sales_modules.act(call.db, call.me, call.text("id", required=True), "issue",
                             _options(call))


async def convert_document(call: Call) -> Any:
    return await sales_modules.act(call.db, call.me, call.text("id", required=True), "convert",
                             _options(call))


async def cancel_document(call: Call) -> Any:
    return await sales_modules.act(call.db, call.me, call.text("id", required=True), "cancel",
                             _options(call))


async def advance_invoice(call: Call) -> Any:
    return await sales_modules.act(call.db, call.me, call.text("id", required=True), "advance",
                                   _options(call))


async def progress_invoice(call: Call) -> Any:
    return await sales_modules.act(call.db, call.me, call.text("id", required=True),
                                   "progress", _options(call))


async def consumption_invoice(call: Call) -> Any:
    return await sales_modules.consume(call.db, call.me, call.text("id", required=True),
                                       call.element())


async def allocate_payment(call: Call) -> Any:
    return await sales_modules.allocate(call.db, call.me, call.text("id", required=True),
                                  call.element())


async def document_balance(call: Call) -> Any:
    return await sales_modules.balance(call.db, call.me, call.text("id", required=True))


async def item_price(call: Call) -> Any:
    return await sales_modules.item_price(call.db, call.me, call.params)


async def overdue_documents(call: Call) -> Any:
    return await dunning.overdue_ws(call.db, call.me, {
        name: call.params[name] for name in dunning.LIST_PARAMS if name in call.params})


async def run_dunning(call: Call) -> Any:
    return await dunning.run_ws(call.db, call.me, _options(call))


async def einvoice_xml(call: Call) -> Any:
    return await einvoicing.xml_ws(call.db, call.me, call.text("id", required=True),
                                   call.text("syntax"))


async def einvoice_receive(call: Call) -> Any:
    return await einvoicing.receive_ws(call.db, call.me, call.text("fileName", required=True),
                                       call.text("fileContents", required=True),
                                       call.text("company"), call.settings.max_file_bytes)


async def document_pdf(call: Call) -> Any:
    return await printing.document_pdf_ws(call.db, call.me, call.text("id"),
                                          call.text("dunning"))


async def send_document(call: Call) -> Any:
    return await mail.send_ws(call.db, call.me, call.text("id"), call.text("dunning"),
                              _options(call))


# --- related records -----------------------------------------------------------------------


async def related_types(call: Call) -> Any:
    return related.related_types(call.me, call.text("elementType"))


async def retrieve_related(call: Call) -> Any:
    return await related.retrieve_related(call.db, call.me, call.text("id"),
                                          call.text("relatedType"), call.text("relatedLabel"))


async def query_related(call: Call) -> Any:
    return await related.query_related(call.db, call.me, call.text("query"), call.text("id"),
                                       call.text("relatedLabel"))


def _relation_label(call: Call) -> str:
    """vtiger's `relationIdLabel`, or Kafinea's `relatedLabel`."""
    return call.text("relationIdLabel") or call.text("relatedLabel")


async def add_related(call: Call) -> Any:
    await related.add_related(call.db, call.me, call.text("sourceRecordId"),
                              call.text("relatedRecordId"), _relation_label(call))
    return {"message": "successfull"}


async def delete_related(call: Call) -> Any:
    await related.delete_related(call.db, call.me, call.text("sourceRecordId"),
                                 call.text("relatedRecordId"), _relation_label(call))
    return {"message": "successfull"}


# --- files ---------------------------------------------------------------------------------


async def file_upload(call: Call) -> Any:
    return await documents.upload_file(
        call.db, call.me, call.text("parentId", required=True),
        call.text("attachmentType") or "Attachment", call.text("fileName", required=True),
        call.text("fileContents", required=True), call.settings.max_file_bytes)


async def files_retrieve(call: Call) -> Any:
    return await documents.retrieve_file(call.db, call.me, call.text("id", required=True))


@dataclass(frozen=True)
class Operation:
    handler: Handler
    #: reads its parameters from the body in vtiger (else from the query string)
    post: bool
    #: may run without a session
    prelogin: bool = False
    #: carries file content: its body may pass max_body_bytes (the file: max_file_bytes)
    files: bool = False


OPERATIONS: dict[str, Operation] = {
    "getchallenge": Operation(get_challenge, post=False, prelogin=True),
    "login": Operation(login, post=True, prelogin=True),
    "logout": Operation(logout, post=True),
    "extendsession": Operation(extend_session, post=True),
    "listtypes": Operation(list_types, post=False),
    "describe": Operation(describe, post=False),
    "retrieve": Operation(retrieve, post=False),
    "retrieve_inventory": Operation(retrieve, post=False),  # retrieve has the LineItems
    "create": Operation(create, post=True),
    "update": Operation(update, post=True),
    "revise": Operation(revise, post=True),
    "delete": Operation(delete, post=True),
    "query": Operation(query, post=False),
    "sync": Operation(sync, post=False),
    "relatedtypes": Operation(related_types, post=False),
    "retrieve_related": Operation(retrieve_related, post=False),
    "query_related": Operation(query_related, post=False),
    "add_related": Operation(add_related, post=True),
    "delete_related": Operation(delete_related, post=True),
    "convertlead": Operation(convert_lead, post=True),
    "issue_document": Operation(issue_document, post=True),
    "convert_document": Operation(convert_document, post=True),
    "cancel_document": Operation(cancel_document, post=True),
    "advance_invoice": Operation(advance_invoice, post=True),
    "progress_invoice": Operation(progress_invoice, post=True),
    "consumption_invoice": Operation(consumption_invoice, post=True),
    "allocate_payment": Operation(allocate_payment, post=True),
    "document_balance": Operation(document_balance, post=False),
    "item_price": Operation(item_price, post=False),
    "overdue_documents": Operation(overdue_documents, post=False),
    "run_dunning": Operation(run_dunning, post=True),
    "send_document": Operation(send_document, post=True),
    "document_pdf": Operation(document_pdf, post=False),
    "einvoice_xml": Operation(einvoice_xml, post=False),
    "einvoice_receive": Operation(einvoice_receive, post=True, files=True),
    "fileupload": Operation(file_upload, post=True, files=True),
    "files_retrieve": Operation(files_retrieve, post=False),
}


# --- transport -----------------------------------------------------------------------------


async def read_form(request: Request, limit: int) -> dict[str, str]:
    """The form fields of a POST body (none for other methods)."""
    if request.method != "POST":
        return {}
    raw = await read_bytes(request, limit)
    if not raw:
        return {}
    try:
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        raise BadRequestError("body: is not UTF-8 form data") from None


def _body_limit(settings: Settings) -> int:
    """The largest body read before the operation is known: a form carrying the base64 of
    max_file_bytes (4/3 of the bytes, up to 3/2 with `+` and `/` form-encoded) and the other
    parameters.  Operations without files are then held to max_body_bytes."""
    return settings.max_file_bytes * 3 // 2 + settings.max_body_bytes


def _form_size(form: dict[str, str]) -> int:
    return sum(len(k) + len(v) + 2 for k, v in form.items())


def _json(data: dict[str, Any], status: int = 200,
          headers: dict[str, str] | None = None) -> Response:
    if status == 401:
        headers = {"WWW-Authenticate": 'Basic realm="vtiger"'}
    return Response(orjson.dumps(data), status_code=status, headers=headers,
                    media_type="application/json")


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def read_operation(request: Request, operations: Mapping[str, Operation],
                         name: str | None = None) -> tuple[str, Operation, dict[str, str]]:
    """The operation a request asks for (`name`, else its `operation` parameter) and its
    parameters: the query string and the form body, the source vtiger reads winning."""
    settings: Settings = request.app.state.settings
    check_instance(request)
    query = dict(request.query_params)
    body = await read_form(request, _body_limit(settings))
    if name is None:
        name = body.get("operation") or query.get("operation") or ""
    name = name.lower()
    operation = operations.get(name)
    if operation is None:
        raise WireError("UNKNOWN_OPERATION", f"Unknown operation requested: {name[:60]}")
    if not operation.files and _form_size(body) > settings.max_body_bytes:
        raise TooLargeError(f"body: larger than {settings.max_body_bytes} bytes "
                            "(setting max_body_bytes)")
    return name, operation, ({**query, **body} if operation.post else {**body, **query})


def _absent(session: str) -> bool:
    return not session or session.lower() == "null"


async def _authenticate(request: Request, call: Call, name: str) -> None:
    """The caller of a webservice request: its session, else an API key (`token:` header),
    else, for `extendsession`, a REST bearer token (vtiger turns a web login into a
    session; here a REST API login does)."""
    session = call.params.get("sessionName") or call.params.get("sessionId") or ""
    if not _absent(session):
        call.caller = await sessions.resume(call.db, session)
        call.session = session
        return
    apikey = request.headers.get("token")
    bearer = _bearer(request) if name == "extendsession" else ""
    if apikey is not None and name not in ("logout", "extendsession"):
        try:
            call.caller = await apikeys.authenticate(call.db, apikey.strip())
        except AuthenticationError:
            raise WireError("AUTHENTICATION_FAILURE",
                            "Authencation Failed: Invalid API key") from None
    elif bearer:
        try:
            call.caller = await auth.authenticate(call.db, bearer)
        except AuthenticationError:
            raise WireError("AUTHENTICATION_FAILURE",
                            "Authencation Failed: the bearer token is not valid") from None
    else:
        raise WireError("AUTHENTICATION_REQUIRED", "Authencation required")


async def answer(run: Callable[[], Awaitable[Any]], failure: int = 200,
                 unauthenticated: int | None = None) -> Response:
    """The envelope of a webservice answer: `failure` is the HTTP status of an error (200
    for webservice.php, 400 for the Cloud REST form, whose bad credentials are a 401:
    `unauthenticated`)."""
    try:
        result = await run()
    except (ComptoirError, WireError) as exc:
        if unauthenticated is not None and isinstance(exc, AuthenticationError):
            return _json(error_body(exc), unauthenticated)
        if isinstance(exc, UnavailableError):  # every connection busy: the client retries
            return _json(error_body(exc), 503, {"Retry-After": str(exc.retry_after)})
        return _json(error_body(exc), failure)
    except Exception:  # the outermost handler: logged, answered without details
        log.exception("unexpected error in the webservice")
        return _json(error_body(RuntimeError()), 500 if failure != 200 else 200)
    return _json({"success": True, "result": result})


async def webservice(request: Request) -> Response:
    async def run() -> Any:
        name, operation, params = await read_operation(request, OPERATIONS)
        call = Call(request.app.state.db, request.app.state.settings, params,
                    address=request.client.host if request.client else "")
        if not operation.prelogin:
            await _authenticate(request, call, name)
        return await operation.handler(call)

    return await answer(run)


ROUTES = [
    Route("/webservice.php", webservice, methods=["GET", "POST"]),
    Route("/{instance}/webservice.php", webservice, methods=["GET", "POST"]),
]
