"""Routes of the web interface, under `/{instance}/`: the dashboard at the root, the
screens of records at `ui/{screen}`, and the static files (CSS, htmx) at `/static/web`."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from comptoir.web import actions, activity, dashboard, layouts, lines, pages, records

STATIC = Path(__file__).parent / "static"


_I = "/{instance}"
#: mounted before the API explorer's `/static`
STATIC_ROUTES: list[BaseRoute] = [
    Mount("/static/web", StaticFiles(directory=STATIC), name="web-static"),
]
#: matched after the API routes, so that an API request is not tried against these first
ROUTES: list[BaseRoute] = [
    Route(_I + "/", dashboard.home, methods=["GET"]),
    Route(_I + "/dashboard", dashboard.customize, methods=["POST"]),
    Route(_I + "/reports", dashboard.report_page, methods=["GET"]),
    Route(_I + "/reports", dashboard.save_report, methods=["POST"]),
    Route(_I + "/login", pages.login_form, methods=["GET"]),
    Route(_I + "/login", pages.login, methods=["POST"]),
    Route(_I + "/logout", pages.logout, methods=["POST"]),
    Route(_I + "/preferences", pages.preferences, methods=["GET", "POST"]),
    Route(_I + "/search", pages.global_search, methods=["GET"]),
    Route(_I + "/ui", pages.screens_index, methods=["GET"]),
    Route(_I + "/layout/{screen}", layouts.layout_page, methods=["GET", "POST"]),
    Route(_I + "/lookup/{entity}", records.lookup, methods=["GET"]),
    Route(_I + "/ui/{screen}", records.list_page, methods=["GET"]),
    Route(_I + "/ui/{screen}/export.csv", records.export_csv, methods=["GET"]),
    Route(_I + "/ui/{screen}/views", records.save_view, methods=["POST"]),
    Route(_I + "/ui/{screen}/bulk", records.bulk, methods=["POST"]),
    Route(_I + "/ui/{screen}/new", records.new_form, methods=["GET", "POST"]),
    Route(_I + "/ui/{screen}/{id}", records.record_page, methods=["GET"]),
    Route(_I + "/ui/{screen}/{id}/edit", records.edit_form, methods=["GET", "POST"]),
    Route(_I + "/ui/{screen}/{id}/delete", records.delete, methods=["POST"]),
    Route(_I + "/ui/{screen}/{id}/action/{action}", actions.run_action, methods=["POST"]),
    Route(_I + "/ui/{screen}/{id}/pdf", actions.document_pdf, methods=["GET"]),
    Route(_I + "/ui/{screen}/{id}/lines", lines.save, methods=["POST"]),
    Route(_I + "/ui/{screen}/{id}/notes", activity.add_note, methods=["POST"]),
    Route(_I + "/ui/{screen}/{id}/files", activity.add_file, methods=["POST"]),
    Route(_I + "/ui/{screen}/{id}/tags", activity.change_tags, methods=["POST"]),
    Route(_I + "/files/{id}", activity.download, methods=["GET"]),
    Route(_I + "/ui/{screen}/{id}/lines/preview", lines.preview, methods=["POST"]),
]
