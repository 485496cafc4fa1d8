"""The tools around records over real HTTP: notes, files, tags and history of a record; bulk
actions and the CSV of a list; the layout manager; reports and the dashboard; the line
editor's live totals and the document actions' errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN_PASSWORD, Server
from tests.web.session import post_form, web_client


@pytest.fixture(scope="module")
def web(server: Server) -> Iterator[httpx.Client]:
    with web_client(server, "admin", ADMIN_PASSWORD) as c:
        yield c


def _new(web: httpx.Client, screen: str, values: dict[str, str]) -> int:
    r = post_form(web, f"/ui/{screen}/new", f"/ui/{screen}/new", values)
    assert r.status_code == 303, r.text[:2000]
    found = re.search(r"/ui/[A-Za-z0-9]+/([0-9]+)", r.headers["location"])
    assert found
    return int(found.group(1))


def test_notes_files_tags_and_history_of_a_record(web: httpx.Client) -> None:
    rid = _new(web, "Accounts", {"lastname": "Épicerie Fine Laurent"})
    page = f"/ui/Accounts/{rid}"
    assert post_form(web, page, f"{page}/notes", {"text": "Called <b>Monday</b>"}
                     ).status_code == 303
    assert post_form(web, page, f"{page}/notes", {"text": "  "}).status_code == 400
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', web.get(page).text).group(1)
    r = web.post(f"{page}/files", data={"csrf": token},
                 files={"file": ("devis signé.txt", b"signed quote", "text/plain")})
    assert r.status_code == 303, r.text[:1000]
    assert post_form(web, page, f"{page}/tags", {"tag": "vip"}).status_code == 303
    assert post_form(web, page, f"{page}/edit", {
        "lastname": "Épicerie Fine Laurent SAS",
        "etag": __import__("html").unescape(re.search(
            r'name="etag" value="([^"]+)"', web.get(f"{page}/edit").text).group(1))}
    ).status_code == 303
    shown = web.get(page).text
    assert "Called &lt;b&gt;Monday&lt;/b&gt;" in shown
    assert "vip" in shown
    file_id = re.search(r'href="/test/files/([0-9]+)">devis signé.txt', shown).group(1)
    download = web.get(f"/files/{file_id}")
    assert download.content == b"signed quote"
    assert "attachment" in download.headers["content-disposition"]
    history = shown[shown.index('id="history"'):]
    assert "Épicerie Fine Laurent SAS" in history and "updated" in history
    assert post_form(web, page, f"{page}/tags", {"tag": "vip", "remove": "1"}).status_code == 303
    assert ">vip <" not in web.get(page).text


def test_a_file_of_another_users_record_is_not_found(
        server: Server, make_user: Callable[..., Any], web: httpx.Client) -> None:
    rid = _new(web, "Accounts", {"lastname": "Secret Supplier", "ownergroup": ""})
    stranger = make_user("accounts", nopublic=True)
    password = "pw-" + stranger.user_name.removeprefix("user_")
    with web_client(server, stranger.user_name, password) as c:
        assert c.get(f"/ui/Accounts/{rid}").status_code == 404
        assert c.get("/files/999999").status_code == 404


def test_bulk_tag_and_delete_and_the_csv_of_a_list(web: httpx.Client) -> None:
    ids = [_new(web, "Accounts", {"lastname": f"Bulk Probe {n}"}) for n in range(3)]
    listing = "/ui/Accounts?f.lastname=Bulk+Probe"
    r = post_form(web, listing, "/ui/Accounts/bulk", {"action": "tag", "tag": "salon",
                                                       "id": str(ids[0])})
    assert r.status_code == 303
    assert "salon" in web.get(f"/ui/Accounts/{ids[0]}").text
    csv = web.get("/ui/Accounts/export.csv", params={"f.lastname": "Bulk Probe",
                                                     "col": ["lastname"]})
    assert csv.status_code == 200 and csv.text.count("Bulk Probe") == 3
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', web.get(listing).text).group(1)
    r = web.post("/ui/Accounts/bulk", data={"csrf": token, "action": "delete",
                                             "id": [str(i) for i in ids]})
    assert r.status_code == 303
    assert all(web.get(f"/ui/Accounts/{i}").status_code == 404 for i in ids)
    assert post_form(web, listing, "/ui/Accounts/bulk", {"action": "explode"}
                     ).status_code == 400


def test_the_layout_manager_hides_and_reorders_for_everyone(
        server: Server, make_user: Callable[..., Any], web: httpx.Client) -> None:
    form = web.get("/layout/Vendors").text
    assert 'name="order-lastname"' in form
    r = post_form(web, "/layout/Vendors", "/layout/Vendors", {
        "section-lastname": "Identity", "order-lastname": "1", "column-lastname": "1",
        "section-email": "Identity", "order-email": "2", "column-email": "1",
        "section-website": "Web", "order-website": "3", "hidden-website": "1"})
    assert r.status_code == 303
    rid = _new(web, "Vendors", {"lastname": "Layout Probe", "email": "p@probe.example"})
    page = web.get(f"/ui/Vendors/{rid}").text
    assert page.index(">Identity<") < page.index("p@probe.example")
    assert "Website" not in page[page.index('class="sections"'):page.index('id="notes"')]
    listed = web.get("/ui/Vendors").text
    assert listed.count("<th scope=\"col\">") == 2  # the two chosen (and the tick column)
    user = make_user("accounts:writable")
    password = "pw-" + user.user_name.removeprefix("user_")
    with web_client(server, user.user_name, password) as c:
        assert c.get("/layout/Vendors").status_code == 403
    assert post_form(web, "/layout/Vendors", "/layout/Vendors", {"reset": "1"}
                     ).status_code == 303
    assert "Website" in web.get(f"/ui/Vendors/{rid}").text
    assert post_form(web, "/layout/Vendors", "/layout/Vendors", {"order-email": "first"}
                     ).status_code == 400


def test_reports_group_sum_save_and_export(web: httpx.Client) -> None:
    params = {"screen": "Accounts", "group1": "type"}
    page = web.get("/reports", params=params)
    assert page.status_code == 200 and 'id="report-table"' in page.text
    csv = web.get("/reports", params={**params, "format": "csv"})
    assert csv.status_code == 200 and csv.text.startswith("type,type:label,count")
    bad = web.get("/reports", params={"screen": "Accounts", "group1": "nosuchfield"})
    assert bad.status_code == 400 and "group" in bad.text
    r = post_form(web, "/reports", "/reports", {"query": "screen=Accounts&group1=type",
                                                "name": "Accounts by type", "pin": "1"})
    assert r.status_code == 303
    home = web.get("/").text
    assert "Accounts by type" in home
    assert "Accounts by type" in web.get("/reports").text


def test_the_dashboard_keeps_the_chosen_widgets(web: httpx.Client) -> None:
    assert 'id="widget-turnover"' in web.get("/").text
    assert post_form(web, "/", "/dashboard", {"widget": "tickets"}).status_code == 303
    home = web.get("/").text
    assert 'id="widget-turnover"' not in home and 'id="widget-tickets"' in home
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', home).group(1)
    web.post("/dashboard", data={"csrf": token, "widget": ["turnover", "overdue", "pipeline",
                                                           "tickets"]})


def test_line_totals_preview_and_document_actions(web: httpx.Client) -> None:
    account = _new(web, "Accounts", {"lastname": "Lines Probe"})
    quote = _new(web, "Quotes", {"subject": "Probe", "account": f"#{account}"})
    page = f"/ui/Quotes/{quote}"
    lines = {"line-0-description": "A", "line-0-quantity": "3", "line-0-listprice": "10.50",
             "line-0-tax1": "20", "line-1-quantity": "1"}
    preview = post_form(web, page, f"{page}/lines/preview", lines)
    assert preview.status_code == 200 and "37.80" in preview.text  # 31.50 + 20 %
    wrong = post_form(web, page, f"{page}/lines/preview", {**lines, "line-0-quantity": "x"})
    assert "lines[1].quantity" in wrong.text
    assert post_form(web, page, f"{page}/lines", lines).status_code == 303
    assert post_form(web, page, f"{page}/action/issue", {}).status_code == 303
    again = post_form(web, page, f"{page}/action/issue", {})
    assert again.status_code == 409
    assert post_form(web, page, f"{page}/lines", lines).status_code == 409
    assert post_form(web, page, f"{page}/action/nosuch", {}).status_code == 404
    pdf = web.get(f"{page}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
