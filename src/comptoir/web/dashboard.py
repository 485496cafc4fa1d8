"""The dashboard (the home page) and the reports.

The dashboard shows the metrics of `services.dashboard` the person may read — turnover per
month, the pipeline by stage, overdue invoices, open tickets — and the saved reports they
pinned; which widgets, in which order, is their own setting (`ui_settings` "dashboard").

A report groups the records of a screen by one or two fields (a date by day, month or
year) with counts and sums (`services.reports.group_report`), filtered as the screen's list
is; it can be saved, pinned to the dashboard and exported as CSV.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from comptoir.api.forms import parse_id
from comptoir.errors import InvalidFieldError, NotFoundError
from comptoir.schema.fields import Kind
from comptoir.services import dashboard as metrics
from comptoir.services import reports, ui_settings
from comptoir.services.access import Caller
from comptoir.web import i18n
from comptoir.web.charts import bar_chart
from comptoir.web.context import base_of, context, posted, screen_page
from comptoir.web.records import list_filter
from comptoir.web.render import Prefs, enum_label, page, show_number
from comptoir.web.screens import SCREENS, Screen, humanize

WIDGETS = ("turnover", "overdue", "pipeline", "tickets")
BUCKETS = ("day", "month", "year")


def _money(value: Decimal, prefs: Prefs) -> str:
    return show_number(value, prefs, 2)


async def _widgets(request: Request, caller: Caller) -> list[str]:
    saved = await ui_settings.one(request.app.state.db, caller, "dashboard") or {}
    chosen = [w for w in saved.get("widgets", WIDGETS) if w in WIDGETS or w.startswith("report:")]
    return chosen


@screen_page
async def home(request: Request, caller: Caller, prefs: Prefs) -> Response:
    db = request.app.state.db
    board = await metrics.dashboard(db, caller)
    widgets = await _widgets(request, caller)
    shown: dict[str, Any] = {}
    if board.turnover is not None:
        shown["turnover"] = {"chart": bar_chart([
            (t.month[2:], t.turnover, _money(t.turnover, prefs))
            for t in board.turnover]),
            "total": _money(sum((t.turnover for t in board.turnover),
                                Decimal(0)), prefs)}
    if board.overdue is not None:
        shown["overdue"] = {"count": board.overdue.count,
                            "outstanding": _money(board.overdue.outstanding, prefs),
                            "oldest": board.overdue.oldest}
    if board.pipeline is not None:
        stages = [s for s in board.pipeline if s.open]
        shown["pipeline"] = {"chart": bar_chart([
            (i18n.gettext_(humanize(s.label.lower())), s.amount, _money(s.amount, prefs))
            for s in stages]), "stages": [
            (i18n.gettext_(humanize(s.label.lower())), s.count, _money(s.amount, prefs))
            for s in stages]}
    if board.tickets is not None:
        shown["tickets"] = [(i18n.gettext_(humanize(t.label.lower())), t.count)
                            for t in board.tickets]
    pinned = []
    for widget in widgets:
        if widget.startswith("report:") and (report := parse_id(widget[7:])) is not None:
            try:
                saved = await ui_settings.get_by_id(db, caller, report)
                pinned.append({"ID": saved["ID"], "name": saved["name"],
                               **await _run(request, caller, prefs, QueryParams(
                                   [tuple(p) for p in saved["data"]["params"]]))})
            except (NotFoundError, InvalidFieldError):
                continue
    return page("home.html", context(
        request, caller, prefs, title=i18n.gettext_("Dashboard"), widgets=widgets,
        shown=shown, pinned=pinned, all_widgets=WIDGETS))


@screen_page
async def customize(request: Request, caller: Caller, prefs: Prefs) -> Response:
    form = await posted(request)
    chosen = [w for w in form.getlist("widget") if w in WIDGETS]
    pins = [str(w) for w in form.getlist("pin") if parse_id(str(w)) is not None]
    await ui_settings.save(request.app.state.db, caller, "dashboard", "", "default",
                           {"widgets": chosen + [f"report:{p}" for p in pins]})
    return RedirectResponse(f"{base_of(request)}/?notice="
                            + quote(i18n.gettext_("Dashboard saved.")), 303)


# --- reports --------------------------------------------------------------------------------


def groupable(screen: Screen) -> list[tuple[str, str]]:
    """The (token, label) a report of this screen may group by."""
    found = []
    for f in screen.fields:
        label = screen.labels[f.name]
        if f.is_timestamp:
            found += [(f"{f.name}:{b}", f"{i18n.gettext_(label)} ({i18n.gettext_(b)})")
                      for b in BUCKETS[1:]]
        elif f.kind in (Kind.ENUM, Kind.REF) or f.kind is Kind.TEXT and f.max_length:
            found.append((f.name, i18n.gettext_(label)))
    return found


def summable(screen: Screen) -> list[tuple[str, str]]:
    return [(f"sum:{f.name}", i18n.gettext_("Sum of") + " " + i18n.gettext_(
        screen.labels[f.name])) for f in screen.fields if f.kind is Kind.NUMBER]


async def _run(request: Request, caller: Caller, prefs: Prefs,
               params: QueryParams) -> dict[str, Any]:
    screen = SCREENS.get(params.get("screen", ""))
    if screen is None or not screen.visible_to(caller):
        raise InvalidFieldError("screen", "choose a screen")
    group = [g for g in (params.get("group1", ""), params.get("group2", "")) if g]
    if not group:
        raise InvalidFieldError("group1", "choose what to group by")
    measures = ["count", *[m for m in params.getlist("measure") if m != "count"]]
    report = await reports.group_report(request.app.state.db, caller, screen.entity.name, {
        "group": group, "measures": measures, "filters": list_filter(screen, params, prefs),
        "limit": 500})
    rows = []
    for row in report.rows:
        cells = []
        for column, value in zip(report.columns, row, strict=True):
            name = column.split(":")[0]
            f = screen.by_name.get(name)
            label = report.label(column, value)
            if f is not None and f.kind is Kind.ENUM and value is not None:
                cells.append(enum_label(f, value))
            elif label:
                cells.append(label)
            elif isinstance(value, Decimal):
                cells.append(show_number(value, prefs, 2))
            else:
                cells.append("" if value is None else str(value))
        rows.append(cells)
    headers = [dict([*groupable(screen), *summable(screen), ("count", i18n.gettext_(
        "Count"))]).get(c, c) for c in report.columns]
    chart = None
    if len(group) == 1 and rows:
        measure = len(report.columns) - 1
        chart = bar_chart([(cells[0], Decimal(str(row[measure] or 0)), cells[measure])
                           for cells, row in zip(rows, report.rows, strict=True)][:40])
    return {"screen": screen, "headers": headers, "rows": rows, "chart": chart,
            "truncated": report.truncated, "csv": report.to_csv(),
            "query": urlencode([(k, v) for k, v in params.multi_items()])}


@screen_page
async def report_page(request: Request, caller: Caller, prefs: Prefs) -> Response:
    params = request.query_params
    db = request.app.state.db
    screens = sorted((s for s in SCREENS.values() if s.visible_to(caller)),
                     key=lambda s: i18n.gettext_(s.label).lower())
    chosen = SCREENS.get(params.get("screen", ""))
    result, error = None, ""
    if chosen is not None and params.get("group1"):
        try:
            result = await _run(request, caller, prefs, params)
        except InvalidFieldError as exc:
            error = exc.message
    if params.get("format") == "csv" and result is not None and chosen is not None:
        return Response(result["csv"], media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="report-{chosen.slug}.csv"'})
    return page("reports.html", context(
        request, caller, prefs, title=i18n.gettext_("Reports"), screens=screens,
        chosen=chosen, params=params, result=result, error=error,
        groupable=groupable(chosen) if chosen else [],
        summable=summable(chosen) if chosen else [],
        saved=await ui_settings.listed(db, caller, "report", "")), 400 if error else 200)


@screen_page
async def save_report(request: Request, caller: Caller, prefs: Prefs) -> Response:
    form = await posted(request)
    params = QueryParams(str(form.get("query", "")))
    await _run(request, caller, prefs, params)  # a saved report is one that runs
    saved = await ui_settings.save(request.app.state.db, caller, "report", "",
                                   str(form.get("name", "")).strip(),
                                   {"params": list(params.multi_items())})
    if form.get("pin"):
        widgets = await _widgets(request, caller)
        await ui_settings.save(request.app.state.db, caller, "dashboard", "", "default",
                               {"widgets": [*widgets, f"report:{saved}"]})
    return RedirectResponse(f"{base_of(request)}/reports?{params}&notice="
                            + quote(i18n.gettext_("Report saved.")), 303)
