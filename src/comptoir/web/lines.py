"""The line editor of an inventory document (quote, order, invoice, credit note...): the
lines of a draft in a form whose totals the server computes as they are typed
(`services.lines.preview_totals`, the rules issuing applies), saved all at once
(`services.lines.set_lines`).  An issued document shows its lines and totals read only."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from comptoir.api.forms import path_id
from comptoir.domain import money
from comptoir.errors import InvalidFieldError, NotFoundError
from comptoir.services import lines as lines_service
from comptoir.services import queries
from comptoir.services.access import Caller
from comptoir.web import i18n
from comptoir.web.context import base_of, context, posted, screen_page
from comptoir.web.fields import parse_value
from comptoir.web.render import Prefs, page, show_number
from comptoir.web.screens import SCREENS, Screen

BLANK_LINES = 3
#: the inputs of a line, in the order of the editor's columns
COLUMNS = ("item", "description", "quantity", "listprice", "discountpercent", "tax1")
DEFAULT_VAT = "20"


async def stored_lines(request: Request, caller: Caller, transaction: int) -> list[dict[str, Any]]:
    return list(await queries.list_records(request.app.state.db, caller, "lineitems", {
        "fields": {n: n for n in ("ID", *COLUMNS, "comment", "netamount", "item.name")},
        "filter": {"transaction": transaction}, "sort": ["sequence", "ID"], "limit": 500}))


def _line_text(line: Mapping[str, Any]) -> dict[str, str]:
    def number(value: Any) -> str:
        return "" if value is None else format(Decimal(str(value)).normalize(), "f")

    item = line.get("item")
    return {"item": f"{line.get('item.name') or ''} #{item}".strip() if item else "",
            "description": str(line.get("description") or line.get("comment") or ""),
            "quantity": number(line.get("quantity")), "listprice": number(line.get("listprice")),
            "discountpercent": number(line.get("discountpercent")),
            "tax1": number(line.get("tax1"))}


def totals_view(totals: money.DocumentTotals, prefs: Prefs) -> dict[str, Any]:
    def amount(value: Decimal) -> str:
        return show_number(value, prefs, 2)

    return {"net": amount(totals.net), "tax": amount(totals.tax), "total": amount(totals.total),
            "vat": [(show_number(v.rate, prefs), amount(v.base), amount(v.vat))
                    for v in totals.vat],
            "lines": [amount(n) for n in totals.line_nets]}


def lines_from_form(screen: Screen, form: FormData, prefs: Prefs) -> list[dict[str, Any]]:
    """The lines typed in the editor (empty rows skipped), as service values."""
    items = SCREENS["lineitems"]
    found: list[dict[str, Any]] = []
    n = 0
    while f"line-{n}-quantity" in form and n < lines_service.MAX_LINES:
        typed = {c: str(form.get(f"line-{n}-{c}", "")) for c in COLUMNS}
        n += 1
        if not any(typed[c].strip() for c in ("item", "description", "listprice")):
            continue
        line: dict[str, Any] = {}
        for c in COLUMNS:
            try:
                value = parse_value(items, items.by_name[c], typed[c], prefs)
            except InvalidFieldError as exc:
                raise InvalidFieldError(f"lines[{len(found) + 1}].{c}",
                                        exc.details.get("problem", exc.message)) from None
            if value not in (None, ""):
                line[c] = value
        found.append(line)
    return found


async def editor(request: Request, caller: Caller, prefs: Prefs, screen: Screen,
                 record: Mapping[str, Any]) -> dict[str, Any]:
    """What the record page shows of the lines: rows as typed, totals, editable or not."""
    stored = await stored_lines(request, caller, int(record["ID"]))
    draft = record.get("status") == 0 and screen.writable_by(caller)
    rows = [_line_text(line) for line in stored]
    totals = await lines_service.preview_totals(
        request.app.state.db, caller, int(record["ID"]),
        [{k: v for k, v in line.items() if k in COLUMNS} for line in stored])
    if draft:
        rows += [{"item": "", "description": "", "quantity": "1", "listprice": "",
                  "discountpercent": "", "tax1": DEFAULT_VAT} for _ in range(BLANK_LINES)]
    return {"rows": rows, "draft": draft, "totals": totals_view(totals, prefs),
            "action": f"{base_of(request)}/ui/{screen.slug}/{record['ID']}/lines",
            "currency": record.get("currency") or ""}


def _target(request: Request, caller: Caller) -> tuple[Screen, int]:
    screen = SCREENS.get(request.path_params["screen"])
    if screen is None or screen.entity.name != "transactions" or not screen.visible_to(caller):
        raise NotFoundError("No document here")
    return screen, path_id(request)


@screen_page
async def preview(request: Request, caller: Caller, prefs: Prefs) -> Response:
    """The totals fragment for the lines as typed (htmx, on every change)."""
    screen, rid = _target(request, caller)
    form = await posted(request)
    try:
        lines = lines_from_form(screen, form, prefs)
        totals = await lines_service.preview_totals(request.app.state.db, caller, rid, lines)
    except InvalidFieldError as exc:
        return page("fragment_error.html", context(request, caller, prefs,
                                                   message=exc.message), 200)
    return page("totals.html", context(request, caller, prefs,
                                       totals=totals_view(totals, prefs)))


@screen_page
async def save(request: Request, caller: Caller, prefs: Prefs) -> Response:
    screen, rid = _target(request, caller)
    form = await posted(request)
    lines = lines_from_form(screen, form, prefs)
    await lines_service.set_lines(request.app.state.db, caller, rid, lines)
    return RedirectResponse(f"{base_of(request)}/ui/{screen.slug}/{rid}?notice="
                            + quote(i18n.gettext_("Lines saved.")) + "#lines", 303)
