"""The record operations of every entity: create, get, head, update, delete and list, with
their ETag, 304, 404, 405, 409 and 412 answers (zeyos.md §2, §4, §7)."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from api.samples import (
    ALL,
    MISSING,
    WRITABLE,
    Samples,
    assert_fields,
    check,
    count,
    entity_id,
    simple_fields,
)
from comptoir.schema.entity import Entity, Op
from comptoir.schema.fields import Kind, OnDelete
from comptoir.schema.registry import ENTITIES

ETAG = re.compile(r'^"[0-9a-f]{32}"$')
OTHER_ETAG = '"' + "0" * 32 + '"'
NOT_WRITABLE = tuple(e for e in ALL if Op.CREATE not in e.ops)
WRITABLE_NAMES = {e.name for e in WRITABLE}
UNIQUE = [(e, f.name) for e in WRITABLE for f in e.fields
          if (f.unique or f.unique_ci) and f.writable]


def url(entity: Entity, record_id: int | str) -> str:
    return f"/{entity.name}/{record_id}"


def without_pseudo_fields(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("extdata", "tags")}


def changes_for(samples: Samples, entity: Entity) -> dict[str, Any]:
    """An update body turning a minimal record into a full one (fields that the full body
    leaves out for the rules' sake go back to their default)."""
    minimal, full = samples.minimal(entity.name), samples.full(entity.name)
    changes = {k: v for k, v in full.items() if entity.by_name[k].kind is not Kind.REF
               and minimal.get(k) != v}
    changes.update({k: entity.by_name[k].default for k in minimal.keys() - full.keys()})
    return changes


# --- create, get, head --------------------------------------------------------------------


@pytest.mark.parametrize("entity", WRITABLE, ids=entity_id)
def test_create_answers_the_persisted_record_with_its_etag(
        admin: httpx.Client, samples: Samples, entity: Entity) -> None:
    # given
    body = samples.minimal(entity.name)
    # when
    created = check(admin.put(f"/{entity.name}", json=body), 201)
    # then
    etag, record = created.headers["etag"], created.json()
    assert ETAG.match(etag)
    assert set(without_pseudo_fields(record)) == {f.name for f in entity.public_fields}
    assert_fields(record, entity, body)
    got = check(admin.get(url(entity, record["ID"])), 200)
    assert got.headers["etag"] == etag
    assert got.headers["content-type"] == "application/json"
    assert got.json() == without_pseudo_fields(record)


@pytest.mark.parametrize("entity", WRITABLE, ids=entity_id)
def test_get_and_head_answer_304_on_a_matching_if_none_match(
        admin: httpx.Client, samples: Samples, entity: Entity) -> None:
    record = samples.record(entity.name)
    path = url(entity, record["ID"])
    etag = check(admin.head(path), 204).headers["etag"]
    assert ETAG.match(etag)
    not_modified = check(admin.get(path, headers={"If-None-Match": etag}), 304)
    assert not_modified.content == b""
    assert not_modified.headers["etag"] == etag
    check(admin.head(path, headers={"If-None-Match": f"{OTHER_ETAG}, {etag}"}), 304)
    check(admin.head(path, headers={"If-None-Match": "*"}), 304)
    assert check(admin.get(path, headers={"If-None-Match": OTHER_ETAG}), 200).json()["ID"] \
        == record["ID"]
    check(admin.head(path, headers={"If-None-Match": OTHER_ETAG}), 204)


#: IDs no record has: beyond 32 and 64 bits, too long, not decimal, not ASCII digits
NO_SUCH_IDS = (MISSING, 2**31, 2**63, 10**19, 10**20, "abc", "-1", "1.0", "%C2%B2", "%D9%A1")


@pytest.mark.parametrize("entity", WRITABLE, ids=entity_id)
def test_a_missing_record_is_404(admin: httpx.Client, entity: Entity) -> None:
    for path in (url(entity, record_id) for record_id in NO_SUCH_IDS):
        got = check(admin.get(path), 404)
        assert got.headers["content-type"].startswith("text/plain")
        assert got.text.startswith("Not Found: ")
        check(admin.head(path), 404)
        check(admin.patch(path, json={}), 404)
        check(admin.delete(path), 404)


@pytest.mark.parametrize("entity", WRITABLE, ids=entity_id)
def test_create_with_an_existing_id_is_409(
        admin: httpx.Client, samples: Samples, entity: Entity) -> None:
    # given
    existing = samples.record(entity.name)
    before = count(admin, entity.name)
    # when
    taken = admin.put(f"/{entity.name}", json={**samples.minimal(entity.name),
                                               "ID": existing["ID"]})
    # then
    check(taken, 409)
    assert taken.text.startswith("Conflict: ID Present")
    assert count(admin, entity.name) == before


@pytest.mark.parametrize("entity", WRITABLE, ids=entity_id)
def test_create_with_a_free_id_keeps_it_and_later_ids_stay_free(
        admin: httpx.Client, samples: Samples, entity: Entity) -> None:
    # given
    last = samples.create(entity.name)["ID"]
    # when
    chosen = samples.create(entity.name, {**samples.minimal(entity.name), "ID": last + 1})
    after = samples.create(entity.name)
    # then
    assert chosen["ID"] == last + 1
    assert after["ID"] > last + 1


# --- update -------------------------------------------------------------------------------


@pytest.mark.parametrize("entity", WRITABLE, ids=entity_id)
def test_update_with_if_match(admin: httpx.Client, samples: Samples, entity: Entity) -> None:
    # given
    created = check(admin.put(f"/{entity.name}", json=samples.minimal(entity.name)), 201)
    etag, path = created.headers["etag"], url(entity, created.json()["ID"])
    before = check(admin.get(path), 200).json()
    changes = changes_for(samples, entity)
    # when: a stale entity tag
    stale = admin.patch(path, json=changes, headers={"If-Match": OTHER_ETAG})
    # then: nothing changed
    check(stale, 412)
    assert stale.text.startswith("Precondition Failed: ")
    unchanged = check(admin.get(path), 200)
    assert (unchanged.headers["etag"], unchanged.json()) == (etag, before)
    # when: the current entity tag
    updated = check(admin.patch(path, json=changes, headers={"If-Match": etag}), 200)
    # then
    new_etag = updated.headers["etag"]
    assert ETAG.match(new_etag) and new_etag != etag
    assert_fields(updated.json(), entity, changes)
    got = check(admin.get(path), 200)
    assert got.headers["etag"] == new_etag
    assert got.json() == without_pseudo_fields(updated.json())
    # and the old tag no longer matches
    check(admin.patch(path, json={}, headers={"If-Match": etag}), 412)
    check(admin.patch(path, json={}, headers={"If-Match": f"{OTHER_ETAG}, {new_etag}"}), 200)


@pytest.mark.parametrize("entity", WRITABLE, ids=entity_id)
def test_update_without_if_match_is_unconditional(
        admin: httpx.Client, samples: Samples, entity: Entity) -> None:
    created = check(admin.put(f"/{entity.name}", json=samples.minimal(entity.name)), 201)
    path = url(entity, created.json()["ID"])
    changes = changes_for(samples, entity)
    updated = check(admin.patch(path, json=changes), 200)
    assert updated.headers["etag"] != created.headers["etag"]
    assert_fields(updated.json(), entity, changes)
    check(admin.patch(path, json={}, headers={"If-Match": "*"}), 200)


@pytest.mark.parametrize("entity", WRITABLE, ids=entity_id)
def test_update_with_another_id_in_the_body_is_409(
        admin: httpx.Client, samples: Samples, entity: Entity) -> None:
    record = samples.record(entity.name)
    path = url(entity, record["ID"])
    etag = check(admin.head(path), 204).headers["etag"]
    conflict = check(admin.patch(path, json={"ID": record["ID"] + 1}), 409)
    assert conflict.text.startswith("Conflict: Non-matching ID")
    assert check(admin.head(path), 204).headers["etag"] == etag
    check(admin.patch(path, json={"ID": record["ID"]}), 200)


# --- delete -------------------------------------------------------------------------------


@pytest.mark.parametrize("entity", WRITABLE, ids=entity_id)
def test_delete_with_if_match(admin: httpx.Client, samples: Samples, entity: Entity) -> None:
    # given
    created = check(admin.put(f"/{entity.name}", json=samples.minimal(entity.name)), 201)
    etag, path = created.headers["etag"], url(entity, created.json()["ID"])
    # when: a stale entity tag
    check(admin.delete(path, headers={"If-Match": OTHER_ETAG}), 412)
    # then: still there
    assert check(admin.head(path), 204).headers["etag"] == etag
    # when: the current one
    deleted = check(admin.delete(path, headers={"If-Match": etag}), 204)
    # then: gone
    assert deleted.content == b""
    assert "etag" not in deleted.headers
    check(admin.get(path), 404)
    check(admin.head(path), 404)
    check(admin.patch(path, json={}), 404)
    check(admin.delete(path), 404)


@pytest.mark.parametrize("entity", WRITABLE, ids=entity_id)
def test_delete_without_if_match(admin: httpx.Client, samples: Samples, entity: Entity) -> None:
    record = samples.create(entity.name)
    check(admin.delete(url(entity, record["ID"])), 204)
    check(admin.get(url(entity, record["ID"])), 404)


# --- references ---------------------------------------------------------------------------


REFERENCES = [pytest.param(e, f.name, id=f"{e.name}.{f.name}") for e in WRITABLE
              for f in e.fields if f.kind is Kind.REF and f.writable and f.ref in WRITABLE_NAMES]


@pytest.mark.parametrize(("entity", "field"), REFERENCES)
def test_deleting_a_referenced_record(admin: httpx.Client, samples: Samples, entity: Entity,
                                      field: str) -> None:
    # given: a record referring to a new record of another entity (or its own)
    f = entity.by_name[field]
    target = ENTITIES[f.ref or ""]
    parent = samples.create(target.name)
    created = check(admin.put(f"/{entity.name}",
                              json=samples.minimal(entity.name, **{field: parent["ID"]})), 201)
    child = created.json()
    assert child[field] == parent["ID"]
    # when
    deleted = admin.delete(url(target, parent["ID"]))
    # then: a restricting reference keeps it (a company with documents), dependent records
    # go with it, other references are cleared (a change: new ETag)
    if f.on_delete is OnDelete.RESTRICT:
        assert check(deleted, 409).text.startswith("Conflict: Not Deletable: ")
        check(admin.get(url(target, parent["ID"])), 200)
        assert check(admin.get(url(entity, child["ID"])), 200).json()[field] == parent["ID"]
        return
    check(deleted, 204)
    if f.on_delete is OnDelete.CASCADE:
        check(admin.get(url(entity, child["ID"])), 404)
    else:
        got = check(admin.get(url(entity, child["ID"])), 200)
        assert got.json()[field] is None
        assert got.headers["etag"] != created.headers["etag"]


SELF_REFERENCES = [pytest.param(e, f.name, id=f"{e.name}.{f.name}") for e in WRITABLE
                   for f in e.fields if f.kind is Kind.REF and f.ref == e.name]


@pytest.mark.parametrize(("entity", "field"), SELF_REFERENCES)
def test_deleting_a_record_that_refers_to_itself(admin: httpx.Client, samples: Samples,
                                                 entity: Entity, field: str) -> None:
    record = samples.create(entity.name)
    path = url(entity, record["ID"])
    etag = check(admin.patch(path, json={field: record["ID"]}), 200).headers["etag"]
    check(admin.delete(path, headers={"If-Match": etag}), 204)
    check(admin.get(path), 404)


# --- concurrency --------------------------------------------------------------------------


def race(clients: list[httpx.Client], path: str, bodies: list[dict[str, Any]],
         etag: str) -> list[httpx.Response]:
    """PATCH `path` from every client at the same moment, each with If-Match `etag`."""
    start = threading.Barrier(len(clients))

    def patch(client: httpx.Client, body: dict[str, Any]) -> httpx.Response:
        start.wait()
        return client.patch(path, json=body, headers={"If-Match": etag})

    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(patch, clients, bodies))


@pytest.mark.parametrize("name", ["accounts", "comments", "items"])
def test_concurrent_updates_with_the_same_if_match_one_wins(
        admin: httpx.Client, samples: Samples, name: str) -> None:
    entity = ENTITIES[name]
    field = next(f for f in simple_fields(entity)
                 if f.kind is Kind.TEXT and not (f.max_length or f.choices or f.unique))
    twins = [httpx.Client(base_url=admin.base_url, headers=admin.headers, timeout=30)
             for _ in range(2)]
    try:
        for round_ in range(5):
            # given
            created = check(admin.put(f"/{name}", json=samples.minimal(name)), 201)
            etag, path = created.headers["etag"], url(entity, created.json()["ID"])
            # when
            answers = race(twins, path, [{field.name: f"{who} {round_}"} for who in ("a", "b")],
                           etag)
            # then
            statuses = sorted(a.status_code for a in answers)
            assert statuses == [200, 412], [a.text for a in answers]
            winner = next(a for a in answers if a.status_code == 200)
            got = check(admin.get(path), 200)
            assert got.headers["etag"] == winner.headers["etag"]
            assert got.json()[field.name] == winner.json()[field.name]
    finally:
        for twin in twins:
            twin.close()


# --- unique fields ------------------------------------------------------------------------


@pytest.mark.parametrize(("entity", "field"), UNIQUE,
                         ids=[f"{e.name}.{f}" for e, f in UNIQUE])
def test_a_taken_unique_value_is_409(admin: httpx.Client, samples: Samples, entity: Entity,
                                     field: str) -> None:
    taken = samples.record(entity.name)[field]
    before = count(admin, entity.name)
    body = {**samples.minimal(entity.name), field: taken}
    assert check(admin.put(f"/{entity.name}", json=body), 409).text.startswith("Conflict: ")
    assert count(admin, entity.name) == before


# --- read-only entities, unknown entities --------------------------------------------------


@pytest.mark.parametrize("entity", NOT_WRITABLE, ids=entity_id)
def test_writes_to_a_read_only_entity_are_405(admin: httpx.Client, alice: Any,
                                              entity: Entity) -> None:
    before = count(admin, entity.name)
    existing = check(admin.post(f"/{entity.name}", json={"limit": 1}), 200).json()
    record_id = existing[0]["ID"] if existing else MISSING
    answers = [admin.put(f"/{entity.name}", json={}),
               admin.patch(url(entity, record_id), json={}),
               admin.delete(url(entity, record_id))]
    if Op.GET not in entity.ops:
        answers += [admin.get(url(entity, record_id)), admin.head(url(entity, record_id))]
    for answer in answers:
        check(answer, 405)
        if answer.request.method != "HEAD":
            assert answer.text.startswith("Method Not Allowed: ")
    assert count(admin, entity.name) == before


@pytest.mark.parametrize("entity", [e for e in NOT_WRITABLE if Op.GET in e.ops], ids=entity_id)
def test_records_of_a_read_only_entity_can_be_read(admin: httpx.Client, alice: Any,
                                                   entity: Entity) -> None:
    listed = check(admin.post(f"/{entity.name}", json={"limit": 1}), 200).json()
    if entity.name in ("users", "groups", "groups2users", "permissions"):
        assert listed, "alice brings a user, a group, a membership and permissions"
    if not listed:
        check(admin.get(url(entity, MISSING)), 404)
        return
    path = url(entity, listed[0]["ID"])
    got = check(admin.get(path), 200)
    assert got.json() == listed[0]
    assert check(admin.head(path), 204).headers["etag"] == got.headers["etag"]


def test_an_unknown_entity_is_404(admin: httpx.Client) -> None:
    for answer in (admin.post("/nosuchentity", json={}), admin.put("/nosuchentity", json={}),
                   admin.get("/nosuchentity/1"), admin.patch("/nosuchentity/1", json={}),
                   admin.delete("/nosuchentity/1")):
        check(answer, 404)
        assert answer.text == "Not Found: Unknown entity: nosuchentity"


# --- list ---------------------------------------------------------------------------------


@pytest.mark.parametrize("entity", ALL, ids=entity_id)
def test_list_and_count(admin: httpx.Client, alice: Any, entity: Entity) -> None:
    total = count(admin, entity.name)
    listed = check(admin.post(f"/{entity.name}", json={"limit": 10000}), 200).json()
    assert len(listed) == total
    ids = [r["ID"] for r in listed]
    assert ids == sorted(ids)
    names = {f.name for f in entity.public_fields}
    assert all(set(r) == names for r in listed)
    by_form = check(admin.post(f"/{entity.name}", data={"count": "1"}), 200)
    assert by_form.json() == {"count": total}
    assert check(admin.post(f"/{entity.name}"), 200).json() == listed[:1000]


@pytest.mark.parametrize("entity", WRITABLE, ids=entity_id)
def test_list_pages_with_limit_and_offset(admin: httpx.Client, samples: Samples,
                                          entity: Entity) -> None:
    # given: three new records, the last ones by ID
    mine = [samples.create(entity.name)["ID"] for _ in range(3)]
    total = count(admin, entity.name)
    # when
    page = check(admin.post(f"/{entity.name}", json={"limit": 2, "offset": total - 3}), 200)
    last = check(admin.post(f"/{entity.name}", data={"limit": "2", "offset": str(total - 1)}),
                 200)
    beyond = check(admin.post(f"/{entity.name}", json={"offset": total}), 200)
    # then
    assert [r["ID"] for r in page.json()] == mine[:2]
    assert [r["ID"] for r in last.json()] == mine[2:]
    assert beyond.json() == []


@pytest.mark.parametrize(("name", "value"), [
    ("limit", 0), ("limit", 10001), ("limit", 20000), ("limit", -1), ("limit", "abc"),
    ("limit", 1.5), ("limit", True), ("limit", "²"), ("limit", "١"), ("offset", -1),
    ("offset", "x"), ("offset", 2**63),
])
def test_list_rejects_bad_paging(admin: httpx.Client, name: str, value: Any) -> None:
    answer = check(admin.post("/accounts", json={name: value}), 400)
    assert answer.text.startswith(f"Bad Request: {name}: ")
    by_form = check(admin.post("/accounts", data={name: str(value)}), 400)
    assert by_form.text.startswith(f"Bad Request: {name}: ")


def test_list_accepts_the_limits_bounds(admin: httpx.Client) -> None:
    check(admin.post("/accounts", json={"limit": 1}), 200)
    check(admin.post("/accounts", json={"limit": 10000}), 200)
    check(admin.post("/accounts", data={"limit": "10000", "offset": "0"}), 200)
