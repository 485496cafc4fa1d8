"""The actions a record page offers, declared once as data: each is a service of the core
(the same the REST API's `/transactions/{ID}/issue` and others call), shown when its rule
says it applies to the record, and posted with the few values it asks for.

    ACTIONS["transactions"] = (Action("issue", "Issue", sales.issue_document, applies=...),
                               ...)

The service decides: an action shown on a record it does not apply to any more (another
person issued the quote meanwhile) answers the service's error, and nothing changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from comptoir.api.forms import path_id
from comptoir.errors import NotFoundError, PermissionDeniedError
from comptoir.schema.registry import ENTITIES
from comptoir.services import printing, records, sales, settlement
from comptoir.services.access import Caller
from comptoir.storage.database import Database
from comptoir.web import i18n
from comptoir.web.context import base_of, posted, screen_page
from comptoir.web.fields import parse_value
from comptoir.web.render import Prefs
from comptoir.web.screens import SCREENS, screen_for_record

Service = Callable[[Database, Caller, int, dict[str, Any]], Awaitable[Any]]
DRAFT, CANCELLED = 0, 3
QUOTE, ORDER, INVOICE, CREDIT, SUPPLIER_INVOICE = 0, 1, 3, 4, 8


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    run: Service
    applies: Callable[[Mapping[str, Any]], bool]
    #: fixed values of the body (a conversion's target type)
    body: Mapping[str, Any] | None = None
    #: fields of the record's entity the person fills in (`amount` of a payment)
    asks: tuple[str, ...] = ()
    #: what the action makes: the answer's record opens next (a converted document)
    opens: bool = False
    #: the entity whose write permission it needs
    writes: str = "transactions"


def _issued(r: Mapping[str, Any]) -> bool:
    return r.get("status") not in (DRAFT, CANCELLED)


ACTIONS: dict[str, tuple[Action, ...]] = {
    "transactions": (
        Action("issue", "Issue", sales.issue_document,
               lambda r: r.get("status") == DRAFT and r.get("type") != 2),
        Action("order", "Convert to sales order", sales.convert_document,
               lambda r: r.get("type") == QUOTE and _issued(r), {"type": ORDER}, opens=True),
        Action("invoice", "Convert to invoice", sales.convert_document,
               lambda r: r.get("type") in (QUOTE, ORDER) and _issued(r), {"type": INVOICE},
               opens=True),
        Action("credit", "Make a credit note", sales.convert_document,
               lambda r: r.get("type") == INVOICE and _issued(r), {"type": CREDIT},
               opens=True),
        Action("payment", "Record a payment", settlement.record_payment,
               lambda r: r.get("type") in (INVOICE, SUPPLIER_INVOICE) and _issued(r)
               and float(r.get("balance") or 0) > 0, asks=("amount", "date", "means"),
               writes="payments"),
        Action("cancel", "Cancel", sales.cancel_document,
               lambda r: _issued(r) and r.get("type") != CREDIT),
    ),
}


def offered(caller: Caller, entity: str, record: Mapping[str, Any]) -> list[Action]:
    return [a for a in ACTIONS.get(entity, ()) if a.applies(record)
            and caller.may(ENTITIES[a.writes].write, True)]


@screen_page
async def run_action(request: Request, caller: Caller, prefs: Prefs) -> Response:
    screen = SCREENS.get(request.path_params["screen"])
    name = request.path_params["action"]
    if screen is None or not screen.visible_to(caller):
        raise NotFoundError("No such screen")
    action = next((a for a in ACTIONS.get(screen.entity.name, ()) if a.name == name), None)
    if action is None:
        raise NotFoundError(f"No action {name[:40]} here")
    if not caller.may(ENTITIES[action.writes].write, True):
        raise PermissionDeniedError("You may not do this")
    rid = path_id(request)
    form = await posted(request)
    body: dict[str, Any] = dict(action.body or {})
    payments = SCREENS["payments"]
    for asked in action.asks:
        f = payments.by_name[asked]
        value = parse_value(payments, f, str(form.get(asked, "")), prefs)
        if value is not None:
            body[asked] = value
    result = await action.run(request.app.state.db, caller, rid, body)
    target = screen
    if action.opens and isinstance(result, records.Record):
        target = screen_for_record(screen.entity, result.data)
        rid = int(result.data["ID"])
    done = i18n.gettext_("Done") + ": " + i18n.gettext_(action.label).lower()
    return RedirectResponse(f"{base_of(request)}/ui/{target.slug}/{rid}?notice="
                            + quote(done), 303)


@screen_page
async def document_pdf(request: Request, caller: Caller, prefs: Prefs) -> Response:
    """The PDF of a document or dunning letter: its legal copy once issued."""
    screen = SCREENS.get(request.path_params["screen"])
    if screen is None or screen.entity.name not in ("transactions", "dunning"):
        raise NotFoundError("No document here")
    filename, content = await printing.document_pdf(request.app.state.db, caller,
                                                    screen.entity.name, path_id(request))
    return Response(content, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{filename}"'})
