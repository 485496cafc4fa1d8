"""`POST /{entity}`: the ZeyOS query language over HTTP — the seed's examples, forms,
count, export, expand, search, and rights on joined records."""

from __future__ import annotations

import base64
import csv
import io
import json
import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.samples import Samples, check

Client = Any


@pytest.fixture(scope="module")
def world(admin: httpx.Client, samples: Samples) -> Iterator[dict[str, Any]]:
    """Contacts in DE, AT, GB and FR, and accounts on them, all public; their last names
    share a prefix unique to this module, so that filters find only them."""
    prefix = "Q" + secrets.token_hex(3)
    contacts = {}
    for country, city in (("DE", "Munich"), ("AT", "Vienna"), ("GB", "London"), ("FR", "Lyon")):
        contacts[country] = check(admin.put("/contacts", json={
            "lastname": f"{prefix} contact {country}", "city": city, "country": country,
            "address": f"{city} street 1", "postalcode": "12923"}), 201).json()
    accounts = []
    for name, country, nickname in (("Lightexx AG", "DE", None), ("BEQ Building", "GB", "beq"),
                                    ("CleanTexx", "GB", None), ("Frenchie", "FR", "fr"),
                                    ("Nobody", None, None)):
        body: dict[str, Any] = {"lastname": f"{prefix} {name}"}
        if country:
            body["contact"] = contacts[country]["ID"]
        if nickname:
            body["extdata"] = {"nickname": nickname}
        accounts.append(check(admin.put("/accounts", json=samples.minimal("accounts", **body)),
                              201).json())
    yield {"prefix": prefix, "contacts": contacts, "accounts": accounts}


def ours(world: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A filter restricted to this module's accounts (and to `extra`, in a group of its own,
    so that an extra condition on lastname does not replace the restriction)."""
    mine: dict[str, Any] = {"lastname": {"~~": world["prefix"] + " %"}}
    return {**mine, "0": ["AND", extra]} if extra else mine


def test_seed_example(admin: Client, world: dict[str, Any]) -> None:
    body = {
        "fields": {"Id": "ID", "Name": "lastname", "Nickname": "extdata.nickname",
                   "Address": "contact.address", "Postalcode": "contact.postalcode",
                   "Town": "contact.city", "SalesAgent": "assigneduser.name"},
        "filters": {**ours(world), "visibility": 0,
                    "contact.country": {"IN": ["DE", "AT", "GB"]},
                    "2": ["OR", {"lastmodified": {">": 1524472045}},
                          {"contact.lastmodified": {">": 1524472045}}]},
        "sort": ["+lastname", "-contact.country"], "limit": 3, "offset": 0,
    }
    rows = check(admin.post("/accounts/", json=body), 200).json()
    p = world["prefix"]
    assert rows == [
        {"Id": world["accounts"][1]["ID"], "Name": f"{p} BEQ Building", "Nickname": "beq",
         "Address": "London street 1", "Postalcode": "12923", "Town": "London",
         "SalesAgent": None},
        {"Id": world["accounts"][2]["ID"], "Name": f"{p} CleanTexx", "Nickname": None,
         "Address": "London street 1", "Postalcode": "12923", "Town": "London",
         "SalesAgent": None},
        {"Id": world["accounts"][0]["ID"], "Name": f"{p} Lightexx AG", "Nickname": None,
         "Address": "Munich street 1", "Postalcode": "12923", "Town": "Munich",
         "SalesAgent": None},
    ]
    assert list(rows[0]) == ["Id", "Name", "Nickname", "Address", "Postalcode", "Town",
                             "SalesAgent"]
    counted = check(admin.post("/accounts", json={"count": 1, "filters": body["filters"]}), 200)
    assert counted.json() == {"count": 3}


def test_seed_form_example(admin: Client, world: dict[str, Any]) -> None:
    form = (f"fields[]=ID&fields[]=lastname&fields[]=city&limit=3&sort[]=-country"
            f"&filter[lastname][~~]={world['prefix']}%25")
    response = check(admin.post("/contacts", content=form, headers={
        "Content-Type": "application/x-www-form-urlencoded"}), 200)
    rows = response.json()
    assert [r["city"] for r in rows] == ["London", "Lyon", "Munich"]
    assert list(rows[0]) == ["ID", "lastname", "city"]
    # object values JSON-encoded in a form, repeated keys as arrays
    wanted = {"country": "AT", "lastname": {"~~": world["prefix"] + "%"}}
    form = {"filter": json.dumps(wanted),
            "fields": ["ID", "city"], "count": "0"}
    rows = check(admin.post("/contacts", data=form), 200).json()
    assert rows == [{"ID": world["contacts"]["AT"]["ID"], "city": "Vienna"}]


def test_default_selection_is_every_field(admin: Client, world: dict[str, Any]) -> None:
    rows = check(admin.post("/accounts", json={"filter": ours(world), "limit": 1}), 200).json()
    record = check(admin.get(f"/accounts/{rows[0]['ID']}"), 200).json()
    assert rows == [record]


def test_operators_over_http(admin: Client, world: dict[str, Any]) -> None:
    def names(filter: dict[str, Any]) -> list[str]:
        rows = check(admin.post("/accounts", json={
            "fields": ["lastname"], "filter": ours(world, **filter), "sort": ["lastname"]}), 200)
        return [r["lastname"].split(" ", 1)[1] for r in rows.json()]

    assert names({}) == ["BEQ Building", "CleanTexx", "Frenchie", "Lightexx AG", "Nobody"]
    assert names({"contact": None}) == ["Nobody"]
    assert names({"contact.country": {"!=": "GB"}}) == ["Frenchie", "Lightexx AG"]
    assert names({"contact.country": {"!IN": ["GB", "FR"]}}) == ["Lightexx AG"]
    assert names({"lastname": {"~": "T[e]xx"}}) == ["CleanTexx"]
    assert names({"lastname": {"~": "[Tt]exx"}}) == ["CleanTexx", "Lightexx AG"]
    assert names({"lastname": {"~*": "texx$"}}) == ["CleanTexx"]
    assert names({"lastname": {"!~*": "X"}}) == ["BEQ Building", "Frenchie", "Nobody"]
    assert names({"lastname": {"~~": "%Texx"}}) == ["CleanTexx"]
    assert names({"lastname": {"~~*": "%TEXX%"}}) == ["CleanTexx", "Lightexx AG"]
    assert names({"extdata.nickname": {"IN": ["beq", "fr"]}}) == ["BEQ Building", "Frenchie"]
    assert names({"extdata.nickname": None}) == ["CleanTexx", "Lightexx AG", "Nobody"]
    assert names({"0": ["NOT", {"contact.country": "GB"}]}) == ["Frenchie", "Lightexx AG"]
    assert names({"0": ["OR", {"contact.city": "Lyon"}, {"extdata.nickname": "beq"}]}) == [
        "BEQ Building", "Frenchie"]


def test_sort_nulls_and_joined_keys(admin: Client, world: dict[str, Any]) -> None:
    rows = check(admin.post("/accounts", json={
        "fields": {"n": "lastname", "c": "contact.country"}, "filter": ours(world),
        "sort": ["-contact.country", "lastname"]}), 200).json()
    assert [r["c"] for r in rows] == [None, "GB", "GB", "FR", "DE"]  # nulls first descending
    rows = check(admin.post("/accounts", json={
        "fields": {"c": "contact.country"}, "filter": ours(world),
        "sort": ["contact.country"]}), 200).json()
    assert [r["c"] for r in rows] == ["DE", "FR", "GB", "GB", None]


def test_limit_offset_distinct_and_search(admin: Client, world: dict[str, Any]) -> None:
    base = {"fields": ["lastname"], "filter": ours(world), "sort": ["lastname"]}
    page = check(admin.post("/accounts", json={**base, "limit": 2, "offset": 1}), 200).json()
    assert [r["lastname"].split(" ", 1)[1] for r in page] == ["CleanTexx", "Frenchie"]
    distinct = check(admin.post("/accounts", json={
        "fields": ["contact.country"], "filter": ours(world), "distinct": True,
        "sort": ["contact.country"]}), 200).json()
    assert distinct == [{"contact.country": c} for c in ("DE", "FR", "GB", None)]
    found = check(admin.post("/accounts", json={
        "fields": ["lastname"], "query": f"{world['prefix']} cleantexx"}), 200).json()
    assert [r["lastname"] for r in found] == [f"{world['prefix']} CleanTexx"]
    for limit in (0, 10001, "x"):
        response = admin.post("/accounts", json={"limit": limit})
        assert response.status_code == 400
        assert response.text.startswith("Bad Request: limit:")


def test_errors_name_the_token(admin: Client) -> None:
    for body, token in (({"fields": ["lastname", "nope"]}, "nope"),
                        ({"sort": ["-contact.nope"]}, "nope"),
                        ({"filter": {"lastname": {"=~": "x"}}}, "=~"),
                        ({"filter": {"extdata.bad name": 1}}, "extdata.bad name"),
                        ({"expand": ["lastname"]}, "lastname")):
        response = admin.post("/accounts", json=body)
        assert response.status_code == 400, body
        assert response.headers["content-type"].startswith("text/plain")
        assert token in response.text


def test_deep_or_huge_filters_are_400(admin: Client) -> None:
    node: Any = {"visibility": 0}
    for _ in range(40):
        node = {"0": ["NOT", node]}
    response = admin.post("/accounts", json={"filter": node})
    assert response.status_code == 400 and "nest at most" in response.text
    deeper = "[" * 100000 + "]" * 100000
    response = admin.post("/accounts", content='{"filter": ' + deeper + "}",
                          headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 413)


def test_pathological_regex_answers(admin: Client, world: dict[str, Any],
                                    samples: Samples) -> None:
    long = samples.minimal("accounts", lastname=world["prefix"] + " " + "x" * 5000)
    record = check(admin.put("/accounts", json=long), 201).json()
    for pattern in ("(x+x+)+y", "(x|x)*y", "(.*)*z", "x{1,1000}y"):
        response = admin.post("/accounts", json={"fields": ["ID"], "filter": {
            "ID": record["ID"], "lastname": {"~": pattern}}})
        assert response.status_code in (200, 400), pattern
        if response.status_code == 200:
            assert response.json() == []


def test_expand(admin: Client, samples: Samples) -> None:
    content = b"Return-Path: <a@example.org>\r\n\r\nHello"
    body = samples.minimal("messages")
    body.update(subject="Expand me " + secrets.token_hex(3),
                binfile={"content": base64.b64encode(content).decode()})
    message = check(admin.put("/messages", json=body), 201).json()
    query = {"fields": ["ID", "subject", "binfile"], "filter": {"ID": message["ID"]}}
    plain = check(admin.post("/messages", json=query), 200).json()
    assert isinstance(plain[0]["binfile"], int)
    expanded = check(admin.post("/messages", json={**query, "expand": ["binfile"]}), 200).json()
    assert expanded == [{"ID": message["ID"], "subject": body["subject"],
                         "binfile": {"content": base64.b64encode(content).decode()}}]


def test_expand_json(admin: Client, samples: Samples) -> None:
    body = samples.minimal("transactions")
    body["items"] = [{"item": "Widget", "quantity": 2}]
    record = check(admin.put("/transactions", json=body), 201).json()
    query = {"fields": ["items"], "filter": {"ID": record["ID"]}}
    assert isinstance(check(admin.post("/transactions", json=query), 200).json()[0]["items"], str)
    expanded = check(admin.post("/transactions", json={**query, "expand": "items"}), 200).json()
    assert expanded == [{"items": [{"item": "Widget", "quantity": 2}]}]


def test_export(admin: Client, world: dict[str, Any], alice: Client, samples: Samples) -> None:
    formula = check(admin.put("/accounts", json=samples.minimal(
        "accounts", lastname=world["prefix"] + " =HYPERLINK(1)", firstname="@SUM(A1)")), 201)
    ids = [a["ID"] for a in world["accounts"]] + [formula.json()["ID"]]
    body = {"export": 1, "fields": {"Name": "lastname", "First": "firstname",
                                     "Town": "contact.city", "Nick": "extdata.nickname"},
            "filter": {"ID": {"IN": ids}}, "sort": ["lastname"]}
    with admin.stream("POST", "/accounts", json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        text = "".join(response.iter_text())
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Name", "First", "Town", "Nick"]
    p = world["prefix"]
    assert rows[1] == [f"{p} =HYPERLINK(1)", "'@SUM(A1)", "", ""]
    assert rows[2] == [f"{p} BEQ Building", "", "London", "beq"]
    assert len(rows) == 1 + 6
    forbidden = alice.post("/accounts", json=body)
    assert forbidden.status_code == 403 and "admin" in forbidden.text


def test_export_is_unbounded(admin: Client, world: dict[str, Any]) -> None:
    total = check(admin.post("/contacts", json={"count": 1}), 200).json()["count"]
    text = check(admin.post("/contacts", json={"export": True, "fields": ["ID"]}), 200).text
    assert text.count("\r\n") == total + 1
    limited = check(admin.post("/contacts", json={"export": True, "fields": ["ID"],
                                                  "limit": 1}), 200).text
    assert limited.count("\r\n") == 2


def test_joined_records_follow_the_callers_rights(admin: Client, alice: Client, bob: Client,
                                                  samples: Samples) -> None:
    """Bob reads a public account whose contact belongs to Alice's group: the joined
    fields are null for him, and filtering on them finds nothing."""
    prefix = "J" + secrets.token_hex(3)
    private = check(alice.put("/contacts", json={
        "lastname": prefix, "city": "Secretville", "ownergroup": alice.group_id}), 201).json()
    account = check(alice.put("/accounts", json=samples.minimal(
        "accounts", lastname=prefix, contact=private["ID"])), 201).json()
    query = {"fields": {"id": "ID", "city": "contact.city"}, "filter": {"lastname": prefix}}
    assert check(alice.post("/accounts", json=query), 200).json() == [
        {"id": account["ID"], "city": "Secretville"}]
    assert check(bob.post("/accounts", json=query), 200).json() == [
        {"id": account["ID"], "city": None}]
    spy = {"fields": ["ID"], "filter": {"contact.city": "Secretville"}}
    assert check(bob.post("/accounts", json=spy), 200).json() == []
    assert check(bob.post("/accounts", json={**spy, "count": 1}), 200).json() == {"count": 0}
    assert check(bob.post("/contacts", json={"filter": {"lastname": prefix}}), 200).json() == []
    sorted_rows = check(bob.post("/accounts", json={**query, "sort": ["contact.city"]}), 200)
    assert sorted_rows.json() == [{"id": account["ID"], "city": None}]
    assert check(admin.post("/accounts", json=query), 200).json()[0]["city"] == "Secretville"


def test_joined_entity_without_permission_is_null(make_user: Any, admin: Client,
                                                  world: dict[str, Any]) -> None:
    """A caller who may read accounts but not contacts gets null contact fields."""
    only_accounts = make_user("accounts")
    rows = check(only_accounts.post("/accounts", json={
        "fields": {"city": "contact.city"}, "filter": ours(world, **{"contact.country": "DE"})}),
        200).json()
    assert rows == []
    rows = check(only_accounts.post("/accounts", json={
        "fields": {"city": "contact.city"}, "filter": ours(world), "limit": 2}), 200).json()
    assert rows == [{"city": None}, {"city": None}]


def test_case_insensitive_matching_folds_every_alphabet(admin: Client, samples: Samples) -> None:
    """`~~*`, `~*` and `query` ignore the case of accented letters too, on both databases
    (SQLite's own lower() folds only ASCII)."""
    prefix = "U" + secrets.token_hex(3)
    record = check(admin.put("/accounts", json=samples.minimal(
        "accounts", lastname=f"{prefix} ÉCOLE Supérieure")), 201).json()
    for body in ({"filter": {"lastname": {"~~*": f"{prefix} école%"}}},
                 {"filter": {"lastname": {"~*": "école SUPÉRIEURE$"}, "ID": record["ID"]}},
                 {"query": f"{prefix.lower()} école SUPÉRIEURE"}):
        rows = check(admin.post("/accounts", json={"fields": ["ID"], **body}), 200).json()
        assert rows == [{"ID": record["ID"]}], body
    rows = check(admin.post("/accounts", json={
        "fields": ["ID"], "filter": {"lastname": {"~~": f"{prefix} école%"}}}), 200).json()
    assert rows == []  # ~~ is case-sensitive
