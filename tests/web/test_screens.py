"""The web interface over real HTTP (no browser): every screen of the registry renders, the
session and CSRF rules hold, and records are listed, shown, created, edited and deleted
through the same services as the APIs, with their errors."""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from comptoir.schema.entity import Op
from comptoir.web.screens import SCREENS
from tests.conftest import ADMIN_PASSWORD, Server
from tests.web.session import csrf_of, post_form, web_client


@pytest.fixture(scope="module")
def web(server: Server) -> Iterator[httpx.Client]:
    with web_client(server, "admin", ADMIN_PASSWORD) as c:
        yield c


def _password(rest_client: Any) -> str:
    return "pw-" + rest_client.user_name.removeprefix("user_")


def _created_id(r: httpx.Response) -> int:
    assert r.status_code == 303, r.text[:2000]
    found = re.search(r"/ui/[A-Za-z0-9]+/([0-9]+)", r.headers["location"])
    assert found, r.headers["location"]
    return int(found.group(1))


def _etag(form: str) -> str:
    found = re.search(r'name="etag" value="([^"]+)"', form)
    assert found, "the form has no etag"
    return html.unescape(found.group(1))


# --- session, CSRF, headers ------------------------------------------------------------------


def test_without_a_session_every_page_sends_to_the_log_in_form(server: Server) -> None:
    with web_client(server) as c:
        for path in ("/", "/ui/Accounts", "/ui/Accounts/1", "/preferences", "/search?q=a"):
            r = c.get(path)
            assert r.status_code == 303
            assert r.headers["location"].startswith("/test/login?next=")


def test_log_in_sets_a_safe_cookie_and_log_out_ends_the_session(server: Server) -> None:
    with web_client(server) as c:
        _log_in_and_out(server, c)


def _log_in_and_out(server: Server, c: httpx.Client) -> None:
    form = c.get("/login")
    assert "Content-Security-Policy" in form.headers
    r = c.post("/login", data={"name": "admin", "password": ADMIN_PASSWORD,
                               "csrf": csrf_of(form.text), "next": "/test/ui/Contacts"})
    assert r.status_code == 303 and r.headers["location"] == "/test/ui/Contacts"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/test/" in cookie
    token = c.cookies.get("comptoir_session")
    assert c.get("/ui/Contacts").status_code == 200
    # when: logging out
    r = post_form(c, "/", "/logout", {})
    assert r.status_code == 303
    # then: the old cookie is worthless, even sent again by hand
    with web_client(server) as other:
        other.cookies.set("comptoir_session", str(token), path="/test/")
        assert other.get("/ui/Contacts").status_code == 303


def test_a_wrong_password_shows_the_form_again(server: Server) -> None:
    with web_client(server) as c:
        form = c.get("/login")
        r = c.post("/login", data={"name": "nobody-here", "password": "x",
                                   "csrf": csrf_of(form.text)})
        assert r.status_code == 401
        assert "Wrong user name or password." in r.text
        assert 'value="nobody-here"' in r.text


def test_log_in_refuses_a_form_without_its_csrf_token(server: Server) -> None:
    with web_client(server) as c:
        c.get("/login")
        r = c.post("/login", data={"name": "admin", "password": ADMIN_PASSWORD})
        assert r.status_code == 403
        assert "comptoir_session" not in c.cookies


def test_the_next_page_after_log_in_stays_on_this_instance(server: Server) -> None:
    with web_client(server) as c:
        form = c.get("/login")
        r = c.post("/login", data={"name": "admin", "password": ADMIN_PASSWORD,
                                   "csrf": csrf_of(form.text), "next": "https://evil.example/"})
        assert r.headers["location"] == "/test/"


def test_a_post_without_csrf_or_from_another_site_changes_nothing(web: httpx.Client) -> None:
    before = web.get("/ui/Accounts?q=CSRF-Probe").text
    r = web.post("/ui/Accounts/new", data={"lastname": "CSRF-Probe"})
    assert r.status_code == 403 and "csrf" in r.text
    token = csrf_of(web.get("/ui/Accounts/new").text)
    r = web.post("/ui/Accounts/new", data={"lastname": "CSRF-Probe", "csrf": token},
                 headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert web.get("/ui/Accounts?q=CSRF-Probe").text.count("CSRF-Probe") == before.count(
        "CSRF-Probe")


def test_pages_carry_a_content_security_policy(web: httpx.Client) -> None:
    r = web.get("/ui/Accounts")
    policy = r.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert r.headers["x-frame-options"] == "DENY"
    assert "<script>" not in r.text  # no inline script: only /static/web files


# --- every screen -----------------------------------------------------------------------------


@pytest.mark.parametrize("slug", sorted(SCREENS))
def test_every_screen_lists_and_opens_a_new_form(web: httpx.Client, slug: str) -> None:
    r = web.get(f"/ui/{slug}")
    assert r.status_code == 200, r.text[:3000]
    assert "<table" in r.text
    form = web.get(f"/ui/{slug}/new")
    creatable = Op.CREATE in SCREENS[slug].entity.ops
    assert form.status_code == (200 if creatable else 403), form.text[:3000]
    first = re.search(rf'href="/test/ui/{slug}/([0-9]+)"', r.text)
    if first is not None:  # a record of the screen (the suite made some): its page and form
        shown = web.get(f"/ui/{slug}/{first.group(1)}")
        assert shown.status_code in (200, 303), shown.text[:3000]
        edit = web.get(f"/ui/{slug}/{first.group(1)}/edit")
        assert edit.status_code in (200, 403, 405), edit.text[:3000]


def test_the_menu_shows_only_what_the_user_may_see(
        server: Server, make_user: Callable[..., Any]) -> None:
    user = make_user("contacts:writable")
    with web_client(server, user.user_name, _password(user)) as c:
        home = c.get("/")
        assert 'href="/test/ui/Contacts"' in home.text
        assert 'href="/test/ui/Invoice"' not in home.text
        assert c.get("/ui/Invoice").status_code == 404


# --- records ----------------------------------------------------------------------------------


def test_create_show_edit_and_delete_an_account(web: httpx.Client) -> None:
    r = post_form(web, "/ui/Accounts/new", "/ui/Accounts/new",
                  {"lastname": "Atelier Lumière", "customernum": "C-9001",
                   "type": "0", "email": "contact@atelier-lumiere.fr"})
    rid = _created_id(r)
    page = web.get(f"/ui/Accounts/{rid}")
    assert "Atelier Lumière" in page.text and "C-9001" in page.text
    assert 'href="mailto:contact@atelier-lumiere.fr"' in page.text
    r = post_form(web, f"/ui/Accounts/{rid}/edit", f"/ui/Accounts/{rid}/edit",
                  {"lastname": "Atelier Lumière SARL", "customernum": "C-9001", "type": "0",
                   "etag": _etag(web.get(f"/ui/Accounts/{rid}/edit").text)})
    assert r.status_code == 303, r.text[:2000]
    assert "Atelier Lumière SARL" in web.get(f"/ui/Accounts/{rid}").text
    listed = web.get("/ui/Accounts", params={"f.lastname": "lumière sarl"})
    assert f"/ui/Accounts/{rid}" in listed.text
    r = post_form(web, f"/ui/Accounts/{rid}", f"/ui/Accounts/{rid}/delete", {})
    assert r.status_code == 303
    assert web.get(f"/ui/Accounts/{rid}").status_code == 404


def test_an_invalid_value_is_shown_at_its_field_and_keeps_what_was_typed(
        web: httpx.Client) -> None:
    r = post_form(web, "/ui/Contacts/new", "/ui/Contacts/new",
                  {"lastname": "Martin", "firstname": "Élodie", "account": "no such thing",
                   "birthdate": "not a date"})
    assert r.status_code == 400
    assert 'aria-invalid="true"' in r.text
    assert 'value="Élodie"' in r.text and 'value="no such thing"' in r.text


def test_a_stale_edit_is_refused_and_changes_nothing(web: httpx.Client) -> None:
    rid = _created_id(post_form(web, "/ui/Accounts/new", "/ui/Accounts/new",
                                {"lastname": "Stale Etag SA"}))
    form = web.get(f"/ui/Accounts/{rid}/edit").text
    etag = _etag(form)
    assert post_form(web, f"/ui/Accounts/{rid}/edit", f"/ui/Accounts/{rid}/edit",
                     {"lastname": "First change", "etag": etag}).status_code == 303
    r = post_form(web, f"/ui/Accounts/{rid}/edit", f"/ui/Accounts/{rid}/edit",
                  {"lastname": "Second change", "etag": etag})
    assert r.status_code == 412
    assert "First change" in web.get(f"/ui/Accounts/{rid}").text


def test_a_script_in_a_field_is_shown_as_text(web: httpx.Client) -> None:
    rid = _created_id(post_form(web, "/ui/Accounts/new", "/ui/Accounts/new", {
        "lastname": "<script>alert(1)</script>", "website": "javascript:alert(2)"}))
    page = web.get(f"/ui/Accounts/{rid}").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page
    listed = web.get("/ui/Accounts").text
    assert "<script>alert(1)</script>" not in listed


def test_another_users_record_answers_as_a_missing_one(
        server: Server, make_user: Callable[..., Any], web: httpx.Client) -> None:
    owner = make_user("contacts:writable", nopublic=True)
    stranger = make_user("contacts:writable", nopublic=True)
    with web_client(server, owner.user_name, _password(owner)) as c:
        rid = _created_id(post_form(c, "/ui/Contacts/new", "/ui/Contacts/new",
                                    {"lastname": "Private Person"}))
        assert c.get(f"/ui/Contacts/{rid}").status_code == 200
    with web_client(server, stranger.user_name, _password(stranger)) as c:
        seen = c.get(f"/ui/Contacts/{rid}")
        missing = c.get("/ui/Contacts/987654321")
        assert seen.status_code == missing.status_code == 404
        assert "Private Person" not in c.get("/ui/Contacts").text
        r = post_form(c, "/ui/Contacts", f"/ui/Contacts/{rid}/delete", {})
        assert r.status_code == 404


def test_reference_lookup_offers_matching_records(web: httpx.Client) -> None:
    rid = _created_id(post_form(web, "/ui/Accounts/new", "/ui/Accounts/new",
                                {"lastname": "Quincaillerie Zéphyr"}))
    r = web.get("/lookup/accounts", params={"field": "account", "account": "Zéphyr"})
    assert r.status_code == 200
    assert f"Quincaillerie Zéphyr #{rid}" in r.text


def test_a_contact_points_to_its_account_and_appears_in_its_related_list(
        web: httpx.Client) -> None:
    account = _created_id(post_form(web, "/ui/Accounts/new", "/ui/Accounts/new",
                                    {"lastname": "Boulangerie Soleil"}))
    contact = _created_id(post_form(web, "/ui/Contacts/new", "/ui/Contacts/new", {
        "lastname": "Rivière", "firstname": "Paul", "account": f"Boulangerie Soleil #{account}"}))
    page = web.get(f"/ui/Contacts/{contact}").text
    assert f'href="/test/ui/accounts/{account}"' in page
    related = web.get(f"/ui/Accounts/{account}").text
    assert f"/ui/Contacts/{contact}" in related


def test_sort_pages_and_filters_are_checked(web: httpx.Client) -> None:
    assert web.get("/ui/Accounts", params={"sort": "-lastname"}).status_code == 200
    r = web.get("/ui/Accounts", params={"sort": "nosuchfield"})
    assert r.status_code == 400 and "sort" in r.text
    assert web.get("/ui/Accounts", params={"f.nosuch": "x"}).status_code == 400
    assert web.get("/ui/Accounts", params={"page": "abc"}).status_code == 400
    assert web.get("/ui/NoSuchScreen").status_code == 404


def test_saved_views_keep_filters_and_columns(web: httpx.Client) -> None:
    query = "f.lastname=Boulangerie&col=lastname&col=email"
    r = post_form(web, "/ui/Accounts", "/ui/Accounts/views",
                  {"name": "Bakeries", "query": query})
    assert r.status_code == 303
    view = r.headers["location"].split("view=")[1]
    opened = web.get(f"/ui/Accounts?view={view}")
    assert opened.status_code == 303 and "f.lastname=Boulangerie" in opened.headers["location"]
    assert "Bakeries" in web.get("/ui/Accounts").text


def test_preferences_switch_the_language(server: Server,
                                         make_user: Callable[..., Any]) -> None:
    user = make_user("contacts:writable")
    with web_client(server, user.user_name, _password(user), language="en") as c:
        assert ">Log out<" in c.get("/").text
        r = post_form(c, "/preferences", "/preferences",
                      {"language": "fr", "timezone": "Europe/Paris", "dates": "short"})
        assert r.status_code == 303
        assert ">Se déconnecter<" in c.get("/").text
        bad = post_form(c, "/preferences", "/preferences",
                        {"language": "xx", "timezone": "Europe/Paris", "dates": "short"})
        assert bad.status_code == 400 and "language" in bad.text


# --- bad input: the door's own error page, never a 500, nothing written ---------------------


@pytest.mark.parametrize("rid", ["99999999999999999999", "²", "12a", "-1"])
def test_an_id_that_cannot_be_one_is_not_found_on_every_route(web: httpx.Client,
                                                              rid: str) -> None:
    for path in (f"/ui/Accounts/{rid}", f"/ui/Accounts/{rid}/edit", f"/ui/Invoice/{rid}/pdf",
                 f"/files/{rid}"):
        assert web.get(path).status_code == 404, path
    for path in (f"/ui/Accounts/{rid}/notes", f"/ui/Invoice/{rid}/action/issue",
                 f"/ui/Quotes/{rid}/lines", f"/ui/Accounts/{rid}/delete"):
        assert post_form(web, "/ui/Accounts", path, {"text": "x"}).status_code == 404, path


def test_a_broken_upload_is_a_bad_request_and_writes_nothing(web: httpx.Client) -> None:
    rid = _created_id(post_form(web, "/ui/Accounts/new", "/ui/Accounts/new",
                                {"lastname": "Broken Upload SA"}))
    token = csrf_of(web.get(f"/ui/Accounts/{rid}").text)
    r = web.post(f"/ui/Accounts/{rid}/files", headers={
        "Content-Type": "multipart/form-data; boundary=xyz", "X-CSRF-Token": token},
        content=b"--xyz\r\nContent-Disposition: form-data; filename=\"a\"\r\n"  # no name
                b"\r\ncontent\r\n--xyz--\r\n")
    assert r.status_code == 400, r.text[:1000]
    assert "<!doctype html>" in r.text
    assert "No notes yet." in web.get(f"/ui/Accounts/{rid}").text


def test_a_date_out_of_range_is_named(web: httpx.Client) -> None:
    r = post_form(web, "/ui/Contacts/new", "/ui/Contacts/new",
                  {"lastname": "Ancient", "birthdate": "2026-02-30"})
    assert r.status_code == 400 and "birthdate" in r.text


def test_the_log_in_form_is_throttled_as_the_api(server: Server) -> None:
    name = f"nobody-{secrets.token_hex(3)}"
    with web_client(server) as c:
        for _ in range(5):
            form = c.get("/login")
            r = c.post("/login", data={"name": name, "password": "wrong",
                                       "csrf": csrf_of(form.text)})
            assert r.status_code == 401
        form = c.get("/login")
        r = c.post("/login", data={"name": name, "password": "wrong",
                                   "csrf": csrf_of(form.text)})
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        assert "<!doctype html>" in r.text
