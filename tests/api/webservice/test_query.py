"""VTQL through webservice.php: vtiger's queries answer as in vtiger, the superset works,
and every mistake is a QUERY_SYNTAX_ERROR (or ACCESS_DENIED for names) naming the token."""

from __future__ import annotations

from typing import Any

import pytest

from api.webservice.conftest import WsClient


@pytest.fixture(scope="module")
def admin_id(ws_admin: WsClient) -> str:
    return str(ws_admin.ok("query", query="SELECT id FROM Users WHERE user_name = 'admin';")[0]["id"])


@pytest.fixture(scope="module")
def people(ws_admin: WsClient, admin_id: str) -> dict[str, Any]:
    """An organization and three contacts of a family of its own, for these tests only."""
    family = "Vtql" + admin_id.replace("x", "")
    org = ws_admin.okpost("create", elementType="Accounts",
                          element={"accountname": f"{family} Org", "assigned_user_id": admin_id})
    made = {}
    for first, birthday in (("Ann", "1990-05-01"), ("Bob", "1985-12-31"), ("O'Neil", "")):
        made[first] = ws_admin.okpost("create", elementType="Contacts", element={
            "firstname": first, "lastname": family, "assigned_user_id": admin_id,
            "account_id": org["id"] if first != "Bob" else "", "birthday": birthday})
    return {"family": family, "org": org, **made}


def _q(ws: WsClient, text: str) -> Any:
    return ws.ok("query", query=text)


def test_selected_fields_and_id(ws_admin: WsClient, people: dict[str, Any]) -> None:
    rows = _q(ws_admin, f"select firstname from Contacts where lastname = '{people['family']}' "
                        "order by firstname;")
    assert rows == [{"firstname": "Ann", "id": people["Ann"]["id"]},
                    {"firstname": "Bob", "id": people["Bob"]["id"]},
                    {"firstname": "O'Neil", "id": people["O'Neil"]["id"]}]


def test_star_gives_every_field(ws_admin: WsClient, people: dict[str, Any]) -> None:
    rows = _q(ws_admin, f"SELECT * FROM Contacts WHERE id = '{people['Ann']['id']}';")
    retrieved = ws_admin.ok("retrieve", id=people["Ann"]["id"])
    assert list(rows[0]) == [k for k in retrieved if k != "label"]
    assert rows[0]["account_id"] == people["org"]["id"]


def test_count(ws_admin: WsClient, people: dict[str, Any]) -> None:
    assert _q(ws_admin, f"SELECT count(*) FROM Contacts WHERE lastname = '{people['family']}';") \
        == [{"count": "3"}]


@pytest.mark.parametrize(("where", "expected"), [
    ("firstname = 'Ann' OR firstname = 'Bob' AND birthday = '1990-05-01'", ["Ann"]),
    ("(firstname = 'Ann' OR firstname = 'Bob') AND birthday = '1985-12-31'", ["Bob"]),
    ("firstname IN ('Ann', 'Bob')", ["Ann", "Bob"]),
    ("firstname NOT IN ('Ann', 'Bob')", ["O'Neil"]),
    ("firstname = 'O''Neil'", ["O'Neil"]),
    ("firstname LIKE 'a%'", ["Ann"]),
    ("firstname NOT LIKE '%n%'", ["Bob"]),
    ("firstname <> 'Ann'", ["Bob", "O'Neil"]),
    ("birthday IS NULL", ["O'Neil"]),
    ("birthday IS NOT NULL", ["Ann", "Bob"]),
    ("birthday > '1986-01-01'", ["Ann"]),
    ("birthday = 1985-12-31", ["Bob"]),
    ("birthday <= '1985-12-31'", ["Bob"]),
    ("account_id IS NULL", ["Bob"]),
    ("NOT firstname = 'Ann'", ["Bob", "O'Neil"]),
    ("mailingcity = ''", ["Ann", "Bob", "O'Neil"]),
])
def test_conditions(ws_admin: WsClient, people: dict[str, Any], where: str,
                    expected: list[str]) -> None:
    rows = _q(ws_admin, f"SELECT firstname FROM Contacts WHERE lastname = "
                        f"'{people['family']}' AND ({where}) ORDER BY firstname;")
    assert [r["firstname"] for r in rows] == expected


def test_webservice_ids_in_comparisons(ws_admin: WsClient, people: dict[str, Any],
                                       admin_id: str) -> None:
    org = people["org"]["id"]
    rows = _q(ws_admin, f"SELECT firstname FROM Contacts WHERE account_id = '{org}' "
                        "ORDER BY firstname DESC;")
    assert [r["firstname"] for r in rows] == ["O'Neil", "Ann"]
    rows = _q(ws_admin, f"SELECT firstname FROM Contacts WHERE assigned_user_id = '{admin_id}'"
                        f" AND lastname = '{people['family']}';")
    assert len(rows) == 3
    error = ws_admin.error("query", query="SELECT firstname FROM Contacts WHERE account_id = 45;")
    assert error["code"] == "INVALID_ID_ATTRIBUTE"
    error = ws_admin.error("query", query="SELECT firstname FROM Contacts WHERE account_id = '12x1';")
    assert error["code"] == "REFERENCE_INVALID"
    assert error["message"].startswith("Invalid reference specified for account_id")


def test_limit_is_capped_at_100_and_offsets_page(ws_admin: WsClient, people: dict[str, Any]) -> None:
    rows = _q(ws_admin, f"SELECT firstname FROM Contacts WHERE lastname = '{people['family']}'"
                        " ORDER BY firstname LIMIT 1, 1;")
    assert [r["firstname"] for r in rows] == ["Bob"]
    assert len(_q(ws_admin, "SELECT id FROM Contacts LIMIT 5000;")) <= 100


def test_the_module_view_is_always_applied(ws_admin: WsClient, admin_id: str) -> None:
    vendor = ws_admin.okpost("create", elementType="Vendors",
                             element={"vendorname": "Only A Vendor", "assigned_user_id": admin_id})
    number = vendor["id"].split("x")[1]
    assert _q(ws_admin, "SELECT accountname FROM Accounts WHERE accountname = 'Only A Vendor';") == []
    assert _q(ws_admin, f"SELECT vendorname FROM Vendors WHERE id = '2x{number}';") == [
        {"vendorname": "Only A Vendor", "id": vendor["id"]}]


@pytest.mark.parametrize(("text", "code", "message"), [
    ("SELECT * FROM Contacts", "QUERY_SYNTAX_ERROR",
     "Syntax Error at position 23: end of query unexpected, expected one of: "),
    ("SELECT * FORM Contacts;", "QUERY_SYNTAX_ERROR", "Syntax Error at position 10: token 'FORM'"),
    ("SELECT * FROM Contacts WHERE lastname = 'x;", "QUERY_SYNTAX_ERROR",
     "Syntax Error at position 41: unterminated string"),
    ("SELECT * FROM Nope;", "ACCESS_DENIED",
     "Permission to perform the operation is denied for name : Nope"),
    ("SELECT nope FROM Contacts;", "ACCESS_DENIED", "Permission to access nope attribute denied"),
    ("SELECT * FROM Contacts WHERE nope = 1;", "ACCESS_DENIED",
     "Permission to access nope attribute denied"),
    ("SELECT * FROM Contacts WHERE birthday = 'soon';", "QUERY_SYNTAX_ERROR",
     "Syntax Error at position 41: value 'soon' of birthday"),
    ("SELECT * FROM Contacts WHERE id = '11x1';", "INVALID_ID_ATTRIBUTE", "Id specified is incorrect"),
    ("SELECT * FROM Contacts WHERE birthday LIKE '1%';", "QUERY_SYNTAX_ERROR",
     "Syntax Error at position 30: LIKE applies to text fields"),
    ("", "QUERY_SYNTAX_ERROR", "Syntax Error at position 1"),
    # values out of their column's range: refused alike on both databases
    ("SELECT * FROM Contacts WHERE id = '12x99999999999';", "QUERY_SYNTAX_ERROR",
     "Syntax Error at position 35: value '12x99999999999' of id: integer out of range"),
    ("SELECT * FROM Contacts WHERE account_id IN ('11x1', '11x99999999999');",
     "QUERY_SYNTAX_ERROR", "Syntax Error at position 53: value '11x99999999999' of "
     "account_id: integer out of range"),
    ("SELECT * FROM Potentials WHERE probability > 99999999999;", "QUERY_SYNTAX_ERROR",
     "Syntax Error at position 46: value '99999999999' of probability: integer out of range"),
    (r"SELECT * FROM Contacts WHERE lastname LIKE 'x\\';", "QUERY_SYNTAX_ERROR",
     r"Syntax Error at position 44: value 'x\\' of lastname: a LIKE pattern must not end"),
])
def test_errors_name_the_token(ws_admin: WsClient, text: str, code: str, message: str) -> None:
    error = ws_admin.error("query", query=text)
    assert error["code"] == code, error
    assert error["message"].startswith(message), error


def test_injection_attempts_are_values(ws_admin: WsClient, people: dict[str, Any]) -> None:
    payload = "x' OR '1'='1"
    escaped = payload.replace("'", "''")
    assert _q(ws_admin, f"SELECT id FROM Contacts WHERE lastname = '{escaped}';") == []
    error = ws_admin.error("query", query="SELECT id FROM Contacts; DELETE FROM contacts;")
    assert error["code"] == "QUERY_SYNTAX_ERROR"
    assert len(_q(ws_admin, f"SELECT id FROM Contacts WHERE lastname = '{people['family']}';")) == 3
