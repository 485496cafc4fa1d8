"""Write bodies on every entity: every simple field round trips, custom fields (extdata),
tags, binfile content, server-managed fields, form-encoded bodies and the body limits
(zeyos.md §3 expand, §5)."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson
import pytest

from api.samples import (
    WRITABLE,
    Samples,
    assert_fields,
    check,
    count,
    entity_id,
    simple_fields,
)
from comptoir.schema.entity import Entity
from comptoir.schema.fields import Kind, Managed

EXTDATA = [e for e in WRITABLE if e.extdata]
TAGS = [e for e in WRITABLE if e.tags]
BINFILES = [(e, f.name) for e in WRITABLE for f in e.fields if f.kind is Kind.BINFILE and f.writable]
JSON_FIELDS = [(e, f.name) for e in WRITABLE for f in simple_fields(e) if f.kind is Kind.JSON]
MANAGED = [e for e in WRITABLE if any(f.managed not in (None, Managed.ID) for f in e.fields)]


def pair_ids(pairs: list[tuple[Entity, str]]) -> list[str]:
    return [f"{e.name}.{name}" for e, name in pairs]


# --- every simple field -------------------------------------------------------------------


@pytest.mark.parametrize("entity", WRITABLE, ids=entity_id)
def test_a_full_body_round_trips(admin: httpx.Client, samples: Samples, entity: Entity) -> None:
    # given
    body = samples.full(entity.name)
    # when
    created = check(admin.put(f"/{entity.name}", json=body), 201).json()
    # then
    assert_fields(created, entity, body)
    assert_fields(check(admin.get(f"/{entity.name}/{created['ID']}"), 200).json(), entity, body)


@pytest.mark.parametrize(("entity", "field"), JSON_FIELDS, ids=pair_ids(JSON_FIELDS))
def test_json_fields_are_strings_unless_expanded(admin: httpx.Client, samples: Samples,
                                                 entity: Entity, field: str) -> None:
    # given: a document written as an object (of the field's shape, when it has one)
    example = entity.by_name[field].example
    document = {"items": [{"name": "x", "amount": 2}], "ok": True} if example is None \
        else example
    created = samples.create(entity.name, {**samples.minimal(entity.name), field: document})
    path = f"/{entity.name}/{created['ID']}"
    # then
    assert orjson.loads(created[field]) == document
    assert check(admin.get(path, params={"expand": field}), 200).json()[field] == document
    # and a JSON string is stored as it is given
    value = [1, 2] if example is None else example
    text = json.dumps(value)  # spaced: "[1, 2]", not as orjson writes it
    check(admin.patch(path, json={field: text}), 200)
    assert check(admin.get(path), 200).json()[field] == text
    assert check(admin.get(path, params={"expand[]": field}), 200).json()[field] == value
    # a field named twice is expanded once (it was decoded twice: a 500)
    twice = check(admin.get(path, params={"expand": f"{field},{field}"}), 200)
    assert twice.json()[field] == value
    check(admin.patch(path, json={field: None}), 200)
    assert check(admin.get(path, params={"expand": field}), 200).json()[field] is None


def test_expanding_a_field_that_is_not_expandable_is_400(admin: httpx.Client,
                                                         samples: Samples) -> None:
    record = samples.record("accounts")
    answer = check(admin.get(f"/accounts/{record['ID']}", params={"expand": "lastname"}), 400)
    assert answer.text.startswith("Bad Request: expand: ")


# --- extdata ------------------------------------------------------------------------------


@pytest.mark.parametrize("entity", EXTDATA, ids=entity_id)
def test_extdata_round_trips(admin: httpx.Client, samples: Samples, entity: Entity) -> None:
    # given
    body = {**samples.minimal(entity.name), "extdata": {"k": "v", "n": 5}}
    # when
    created = check(admin.put(f"/{entity.name}", json=body), 201).json()
    # then
    path = f"/{entity.name}/{created['ID']}"
    assert created["extdata"] == {"k": "v", "n": 5}
    assert check(admin.get(path, params={"extdata": 1}), 200).json()["extdata"] == \
        {"k": "v", "n": 5}
    assert "extdata" not in check(admin.get(path), 200).json()
    # when: null removes a field, others are added or replaced
    updated = check(admin.patch(path, json={"extdata": {"k": None, "n": 1.5, "new.x": "y"}}),
                    200).json()
    # then
    expected = {"n": 1.5, "new.x": "y"}
    assert updated["extdata"] == expected
    assert check(admin.get(path, params={"extdata": "1"}), 200).json()["extdata"] == expected


@pytest.mark.parametrize("extdata", [
    "not an object", ["a"], {"bad name!": 1}, {"": 1}, {"k": {"nested": 1}}, {"k": [1]},
    {"k": "nul\x00"},
], ids=["string", "list", "bad-name", "empty-name", "object-value", "list-value", "nul"])
def test_bad_extdata_is_400_and_writes_nothing(admin: httpx.Client, samples: Samples,
                                               extdata: Any) -> None:
    before = count(admin, "accounts")
    answer = check(admin.put("/accounts", json={**samples.minimal("accounts"),
                                                "extdata": extdata}), 400)
    assert answer.text.startswith("Bad Request: extdata")
    assert count(admin, "accounts") == before


# --- tags ---------------------------------------------------------------------------------


@pytest.mark.parametrize("entity", TAGS, ids=entity_id)
def test_tags_reset_add_and_remove(admin: httpx.Client, samples: Samples, entity: Entity) -> None:
    # given
    created = check(admin.put(f"/{entity.name}",
                              json={**samples.minimal(entity.name), "tags": ["b", "a", "b"]}),
                    201).json()
    path = f"/{entity.name}/{created['ID']}"

    def tags() -> list[str]:
        return list(check(admin.get(path, params={"tags": 1}), 200).json()["tags"])

    # then: sorted, without duplicates
    assert created["tags"] == ["a", "b"]
    assert tags() == ["a", "b"]
    # when: +tags adds (ignoring existing ones), -tags removes (ignoring missing ones)
    check(admin.patch(path, json={"+tags": ["c", "a"], "-tags": ["b", "zz"]}), 200)
    assert tags() == ["a", "c"]
    # when: tags resets
    assert check(admin.patch(path, json={"tags": ["z"]}), 200).json()["tags"] == ["z"]
    assert tags() == ["z"]
    check(admin.patch(path, json={"tags": []}), 200)
    assert tags() == []


@pytest.mark.parametrize("tags", ["", [""], [5], ["x" * 101], {"a": 1}],
                         ids=["empty-string", "empty-tag", "number", "too-long", "object"])
def test_bad_tags_are_400_and_write_nothing(admin: httpx.Client, samples: Samples,
                                            tags: Any) -> None:
    before = count(admin, "accounts")
    answer = check(admin.put("/accounts", json={**samples.minimal("accounts"), "tags": tags}),
                   400)
    assert answer.text.startswith("Bad Request: tags: ")
    assert count(admin, "accounts") == before


# --- binfiles -----------------------------------------------------------------------------


def binfile_of(admin: httpx.Client, binfile_id: int) -> dict[str, Any]:
    return dict(check(admin.get(f"/binfiles/{binfile_id}"), 200).json())


@pytest.mark.parametrize(("entity", "field"), BINFILES, ids=pair_ids(BINFILES))
def test_binfile_content_round_trips(admin: httpx.Client, samples: Samples, entity: Entity,
                                     field: str) -> None:
    # given
    content = b"Hello, binfile!\n" + bytes(range(256))
    body = {**samples.minimal(entity.name), field: {"content": base64.b64encode(content).decode()}}
    # when
    created = check(admin.put(f"/{entity.name}", json=body), 201).json()
    # then: the field holds the ID of a binfiles record
    path = f"/{entity.name}/{created['ID']}"
    binfile_id = created[field]
    assert isinstance(binfile_id, int)
    assert binfile_of(admin, binfile_id) == {
        "ID": binfile_id, "size": len(content),
        "hash": "\\x" + hashlib.md5(content).hexdigest()}
    expanded = check(admin.get(path, params={"expand": field}), 200).json()
    assert expanded[field] == {"content": base64.b64encode(content).decode()}
    if entity.field("size") is not None:
        assert created["size"] == len(content)
    # when: the current ID is sent back, nothing changes
    assert check(admin.patch(path, json={field: binfile_id}), 200).json()[field] == binfile_id
    # when: new content as a data URI
    updated = check(admin.patch(path, json={field: {"uri": "data:text/plain;base64,"
                                                           + base64.b64encode(b"new").decode()}}),
                    200).json()
    # then
    assert updated[field] != binfile_id
    assert binfile_of(admin, updated[field])["size"] == 3
    assert check(admin.get(path, params={"expand": field}), 200).json()[field] == \
        {"content": base64.b64encode(b"new").decode()}
    # when: a plain data URI, then null
    plain = check(admin.patch(path, json={field: {"uri": "data:,a%20b"}}), 200).json()
    assert binfile_of(admin, plain[field])["size"] == 3
    cleared = check(admin.patch(path, json={field: None}), 200).json()
    assert cleared[field] is None
    assert check(admin.get(path, params={"expand": field}), 200).json()[field] is None


def test_binfiles_are_read_only(admin: httpx.Client, samples: Samples) -> None:
    note = samples.create("notes", {**samples.minimal("notes"), "binfile": {"content": "YQ=="}})
    check(admin.patch(f"/binfiles/{note['binfile']}", json={"size": 5}), 405)
    check(admin.delete(f"/binfiles/{note['binfile']}"), 405)
    assert binfile_of(admin, note["binfile"])["size"] == 1


# --- server-managed fields ----------------------------------------------------------------


@pytest.mark.parametrize("entity", MANAGED, ids=entity_id)
def test_server_managed_fields_cannot_be_forged(admin: httpx.Client, samples: Samples,
                                                alice: Any, entity: Entity) -> None:
    # given: a client sending values for every server-managed field
    # (a value other than the field's default: a version starting at 1 is forged as 2)
    forged = {f.name: (alice.user_id if f.managed is Managed.CREATOR
                       else 2 if f.default == 1 else 1)
              for f in entity.fields if f.managed not in (None, Managed.ID)}
    started = int(time.time())
    # when
    created = check(admin.put(f"/{entity.name}",
                              json={**samples.minimal(entity.name), **forged}), 201).json()
    path = f"/{entity.name}/{created['ID']}"
    updated = check(admin.patch(path, json=forged), 200).json()
    # then
    for record in (created, updated, check(admin.get(path), 200).json()):
        for name in forged:
            f = entity.by_name[name]
            if f.managed is Managed.CREATOR:
                assert record[name] == samples.user_id
            elif f.managed in (Managed.CREATED, Managed.MODIFIED):
                assert started - 5 <= record[name] <= time.time() + 5
            else:
                assert record[name] == created[name] != forged[name]


# --- form-encoded bodies ------------------------------------------------------------------


def form_pairs(body: dict[str, Any]) -> list[tuple[str, str]]:
    """A JSON body as PHP-style form pairs: lists as `a[]`, objects as `a[k]`."""
    pairs: list[tuple[str, str]] = []
    for key, value in body.items():
        if isinstance(value, list):
            pairs += [(f"{key}[]", str(v)) for v in value]
        elif isinstance(value, dict):
            pairs += [(f"{key}[{k}]", str(v)) for k, v in value.items()]
        else:
            pairs.append((key, str(value)))
    return pairs


@pytest.mark.parametrize("entity", WRITABLE, ids=entity_id)
def test_form_bodies_create_and_update(admin: httpx.Client, samples: Samples,
                                       entity: Entity) -> None:
    # given: the full body, form-encoded, with custom fields and tags
    body = samples.full(entity.name)
    if entity.extdata:
        body["extdata"] = {"k": "v", "n": "5"}
    if entity.tags:
        body["tags"] = ["x", "y"]
    form = urlencode(form_pairs(body))
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    # when
    created = check(admin.put(f"/{entity.name}", content=form, headers=headers), 201).json()
    # then
    assert_fields(created, entity, {k: v for k, v in body.items()
                                    if k not in ("extdata", "tags")})
    if entity.extdata:
        assert created["extdata"] == {"k": "v", "n": "5"}
    if entity.tags:
        assert created["tags"] == ["x", "y"]
    # when: an update by form
    if entity.tags:
        updated = check(admin.patch(f"/{entity.name}/{created['ID']}",
                                    content="%2Btags[]=z&-tags[]=x", headers=headers), 200)
        assert updated.json()["tags"] == ["y", "z"]


# --- malformed bodies and the body limits --------------------------------------------------


@pytest.mark.parametrize(("content", "content_type", "message"), [
    (b'{"lastname": ', "application/json", "Bad Request: body: malformed JSON"),
    (b'["lastname", "x"]', "application/json", "Bad Request: body: must be a JSON object"),
    (b'"x"', "application/json", "Bad Request: body: must be a JSON object"),
    (b"\xff\xfe", "application/json", "Bad Request: body: malformed JSON"),
    (b"lastname=x", "text/csv", "Bad Request: body: unsupported content type"),
    (b"a[b]=1&a[]=2", "application/x-www-form-urlencoded", "Bad Request: body: malformed form"),
    (b"a[=1", "application/x-www-form-urlencoded", "Bad Request: body: malformed form"),
    (b"\xff=1", "application/x-www-form-urlencoded", "Bad Request: body: malformed form"),
], ids=["truncated", "array", "string", "not-utf8", "content-type", "form-mixed", "form-key",
        "form-not-utf8"])
def test_a_malformed_body_is_400_and_writes_nothing(admin: httpx.Client, content: bytes,
                                                    content_type: str, message: str) -> None:
    before = count(admin, "accounts")
    answer = check(admin.put("/accounts", content=content,
                             headers={"Content-Type": content_type}), 400)
    assert answer.text.startswith(message)
    assert answer.headers["content-type"].startswith("text/plain")
    check(admin.post("/accounts", content=content, headers={"Content-Type": content_type}), 400)
    assert count(admin, "accounts") == before


def test_an_empty_body_is_an_empty_object(admin: httpx.Client) -> None:
    assert check(admin.put("/accounts", content=b" "), 400).text.startswith(
        "Bad Request: currency: is required")
    check(admin.post("/accounts", content=b""), 200)


def chunks(data: bytes) -> Any:
    for start in range(0, len(data), 8192):
        yield data[start:start + 8192]


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
def test_a_body_over_the_limit_is_413_and_writes_nothing(admin: httpx.Client, samples: Samples,
                                                         streamed: bool) -> None:
    # given: 64 KiB of fields, and 256 KiB with the file contents of entities that have
    # binfile fields: a big text on such an entity is held to the 64 KiB
    file_70k = {"binfile": {"content": base64.b64encode(b"x" * 52 * 1024).decode()}}
    file_300k = {"binfile": {"content": base64.b64encode(b"x" * 225 * 1024).decode()}}
    cases = [("accounts", {"description": "x" * 70 * 1024}, 413),
             ("notes", {"description": "x" * 70 * 1024}, 413),
             ("notes", {**file_70k, "description": "small"}, 201),
             ("notes", file_300k, 413)]
    for name, extra, status in cases:
        body = {**samples.minimal(name), **extra}
        raw = orjson.dumps(body)
        before = count(admin, name)
        # when
        answer = admin.put(f"/{name}", content=chunks(raw) if streamed else raw,
                           headers={"Content-Type": "application/json"})
        # then
        check(answer, status)
        if status == 413:
            assert answer.text.startswith("Payload Too Large: body: larger than ")
            assert count(admin, name) == before
        else:
            assert count(admin, name) == before + 1
    # and a PATCH of such an entity is held to the same limit, changing nothing
    note = samples.create("notes")
    big = orjson.dumps({"description": "x" * 70 * 1024})
    answer = admin.patch(f"/notes/{note['ID']}", content=chunks(big) if streamed else big,
                         headers={"Content-Type": "application/json"})
    check(answer, 413)
    assert check(admin.get(f"/notes/{note['ID']}"), 200).json()["description"] == \
        note["description"]
