"""The layout manager: an administrator reorders the fields of a screen into sections,
hides fields and picks the default list columns, in the interface itself.  The layout is
data (`ui_settings` kind "layout", one per screen, for everyone); the registry's layout is
what a screen shows until one is saved, and what "Reset" goes back to."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from comptoir.errors import InvalidFieldError, NotFoundError, PermissionDeniedError
from comptoir.services import ui_settings
from comptoir.services.access import Caller
from comptoir.web import i18n
from comptoir.web.context import base_of, context, posted, screen_page
from comptoir.web.records import layout_of, sections_of
from comptoir.web.render import Prefs, page
from comptoir.web.screens import SCREENS, Screen

MAX_SECTION = 60


def _screen(request: Request, caller: Caller) -> Screen:
    if not caller.admin:
        raise PermissionDeniedError("Only an administrator changes a screen's layout")
    screen = SCREENS.get(request.path_params["screen"])
    if screen is None:
        raise NotFoundError("No such screen")
    return screen


def layout_from_form(screen: Screen, form: Any) -> dict[str, Any]:
    """The layout the form describes: each field's section and position, hidden or not,
    shown as a list column or not (InvalidFieldError naming the input)."""
    placed: list[tuple[float, str, str]] = []
    hidden, columns = [], []
    for f in screen.fields:
        section = str(form.get(f"section-{f.name}", "")).strip()[:MAX_SECTION] or "Details"
        text = str(form.get(f"order-{f.name}", "")).strip() or "999"
        try:
            order = float(text)
        except ValueError:
            raise InvalidFieldError(f"order-{f.name}", "must be a number") from None
        placed.append((order, section, f.name))
        if form.get(f"hidden-{f.name}"):
            hidden.append(f.name)
        if form.get(f"column-{f.name}"):
            columns.append(f.name)
    sections: dict[str, list[tuple[float, str]]] = {}
    for order, section, name in sorted(placed):
        sections.setdefault(section, []).append((order, name))
    return {"sections": [{"name": name, "fields": [n for _o, n in entries]}
                         for name, entries in sections.items()],
            "hidden": hidden, "columns": columns}


@screen_page
async def layout_page(request: Request, caller: Caller, prefs: Prefs) -> Response:
    screen = _screen(request, caller)
    db = request.app.state.db
    if request.method == "POST":
        form = await posted(request)
        if form.get("reset"):
            for entry in await ui_settings.listed(db, caller, "layout", screen.slug):
                await ui_settings.delete(db, caller, int(entry["ID"]))
        else:
            await ui_settings.save(db, caller, "layout", screen.slug, "default",
                                   layout_from_form(screen, form))
        return RedirectResponse(f"{base_of(request)}/layout/{screen.slug}?notice="
                                + quote(i18n.gettext_("Layout saved.")), 303)
    layout = await layout_of(request, caller, screen)
    hidden = set(layout.get("hidden", ()))
    columns = set(layout.get("columns") or screen.columns)
    rows, position = [], 0
    for section in sections_of(screen, {**layout, "hidden": []}):
        for name in section.fields:
            position += 10
            rows.append({"name": name, "label": screen.labels[name], "section": section.name,
                         "order": position, "hidden": name in hidden,
                         "column": name in columns})
    return page("layout.html", context(request, caller, prefs, title=i18n.gettext_(
        "Layout") + " · " + i18n.gettext_(screen.label), screen=screen, rows=rows))
