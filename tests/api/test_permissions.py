"""Access on every entity (zeyos.md §8): function access by permission identifiers (403),
object access by ownership (404, as if the record did not exist), child records seen through
their parents, and records only their creator may change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import pytest

from api.samples import (
    ALL,
    MISSING,
    PERMISSIONS,
    WRITABLE,
    Samples,
    check,
    count,
    entity_id,
)
from comptoir.schema.entity import Access, Entity, Op, Ownership
from comptoir.schema.registry import ENTITIES


def grants(access: Access, permissions: Mapping[str, bool], write: bool) -> bool:
    """Does a (non-admin) user holding `permissions` (identifier -> writable) pass `access`?"""
    if access.admin_only:
        return False
    return not access.permissions or any(
        p in permissions and (permissions[p] or not write) for p in access.permissions)


def ids(client: httpx.Client, entity: Entity) -> set[int]:
    listed = check(client.post(f"/{entity.name}", json={"limit": 10000}), 200).json()
    return {r["ID"] for r in listed}


def assert_forbidden(answer: httpx.Response) -> None:
    check(answer, 403)
    if answer.request.method != "HEAD":
        assert answer.text.startswith("Forbidden: Lacking access permission")


# --- function access ----------------------------------------------------------------------


#: the permissions of the users of conftest.py that hold no writable one
HELD: dict[str, dict[str, bool]] = {"nobody": {}, "reader": dict.fromkeys(PERMISSIONS, False)}
NO_READ = [pytest.param(e, user, id=f"{e.name}-{user}") for e in ALL
           for user, permissions in HELD.items() if not grants(e.read, permissions, False)]


@pytest.mark.parametrize(("entity", "user"), NO_READ)
def test_without_the_read_permission_every_operation_is_403(
        request: pytest.FixtureRequest, admin: httpx.Client, samples: Samples, entity: Entity,
        user: str) -> None:
    # given
    client = request.getfixturevalue(user)
    record_id = samples.record(entity.name)["ID"] if Op.CREATE in entity.ops else MISSING
    path = f"/{entity.name}/{record_id}"
    before = count(admin, entity.name)
    # when / then
    assert_forbidden(client.post(f"/{entity.name}", json={}))
    assert_forbidden(client.post(f"/{entity.name}", json={"count": 1}))
    if Op.GET in entity.ops:
        assert_forbidden(client.get(path))
        assert_forbidden(client.head(path))
    if Op.CREATE in entity.ops:
        etag = check(admin.head(path), 204).headers["etag"]
        assert_forbidden(client.put(f"/{entity.name}", json=samples.minimal(entity.name)))
        assert_forbidden(client.patch(path, json={}))
        assert_forbidden(client.delete(path))
        assert check(admin.head(path), 204).headers["etag"] == etag
    assert count(admin, entity.name) == before


READ_NOT_WRITE = [e for e in WRITABLE if e.write.permissions and not e.write.admin_only]


@pytest.mark.parametrize("entity", READ_NOT_WRITE, ids=entity_id)
def test_with_a_read_only_permission_writes_are_403(admin: httpx.Client, samples: Samples,
                                                    reader: Any, entity: Entity) -> None:
    # given: a public record
    record = samples.record(entity.name)
    path = f"/{entity.name}/{record['ID']}"
    etag = check(admin.head(path), 204).headers["etag"]
    before = count(admin, entity.name)
    # then: it can be read
    assert record["ID"] in ids(reader, entity)
    assert check(reader.get(path), 200).headers["etag"] == etag
    # but not written
    assert_forbidden(reader.put(f"/{entity.name}", json=samples.minimal(entity.name)))
    assert_forbidden(reader.patch(path, json={}))
    assert_forbidden(reader.delete(path))
    assert check(admin.head(path), 204).headers["etag"] == etag
    assert count(admin, entity.name) == before


OPEN = [e for e in WRITABLE if not e.read.permissions and not e.write.permissions
        and not e.write.admin_only]


@pytest.mark.parametrize("entity", OPEN, ids=entity_id)
def test_an_entity_without_permissions_is_open_to_every_user(
        samples: Samples, nobody: Any, entity: Entity) -> None:
    created = samples.create(entity.name, client=nobody)
    path = f"/{entity.name}/{created['ID']}"
    assert created["ID"] in ids(nobody, entity)
    check(nobody.get(path), 200)
    check(nobody.patch(path, json={}), 200)
    check(nobody.delete(path), 204)


# --- ownership ----------------------------------------------------------------------------


OWNED = [e for e in WRITABLE if e.ownership is not Ownership.NONE]
USER_OWNED = [e for e in OWNED if e.ownership is Ownership.USER_OR_GROUP]


def assert_visible(client: httpx.Client, entity: Entity, record_id: int) -> None:
    assert check(client.get(f"/{entity.name}/{record_id}"), 200).json()["ID"] == record_id
    check(client.head(f"/{entity.name}/{record_id}"), 204)
    assert record_id in ids(client, entity)


def assert_invisible(admin: httpx.Client, client: httpx.Client, entity: Entity,
                     record_id: int) -> None:
    """Answered exactly as a missing record, and left as it was."""
    path = f"/{entity.name}/{record_id}"
    etag = check(admin.head(path), 204).headers["etag"]
    assert check(client.get(path), 404).text == \
        check(client.get(f"/{entity.name}/{MISSING}"), 404).text.replace(str(MISSING),
                                                                        str(record_id))
    check(client.head(path), 404)
    assert record_id not in ids(client, entity)
    check(client.patch(path, json={}), 404)
    check(client.delete(path), 404)
    assert check(admin.head(path), 204).headers["etag"] == etag


@pytest.mark.parametrize("entity", OWNED, ids=entity_id)
def test_a_group_owned_record_is_404_outside_the_group(
        admin: httpx.Client, samples: Samples, alice: Any, bob: Any, hermit: Any,
        entity: Entity) -> None:
    # given: a record owned by alice's group
    body = samples.minimal(entity.name, ownergroup=alice.group_id)
    record = samples.create(entity.name, body)
    # then
    assert record["ownergroup"] == alice.group_id
    assert_visible(alice, entity, record["ID"])
    assert_invisible(admin, bob, entity, record["ID"])
    assert_invisible(admin, hermit, entity, record["ID"])
    if not entity.write.creator_only:
        check(alice.patch(f"/{entity.name}/{record['ID']}", json={}), 200)


@pytest.mark.parametrize("entity", USER_OWNED, ids=entity_id)
def test_a_user_owned_record_is_404_to_others(admin: httpx.Client, samples: Samples,
                                              alice: Any, bob: Any, entity: Entity) -> None:
    record = samples.create(entity.name,
                            samples.minimal(entity.name, owneruser=alice.user_id))
    assert_visible(alice, entity, record["ID"])
    assert_invisible(admin, bob, entity, record["ID"])


@pytest.mark.parametrize("entity", OWNED, ids=entity_id)
def test_a_nopublic_user_does_not_see_public_records(
        admin: httpx.Client, samples: Samples, bob: Any, hermit: Any, entity: Entity) -> None:
    # given: a public record, and one of hermit's own group
    public = samples.record(entity.name)
    own = samples.create(entity.name, samples.minimal(entity.name, ownergroup=hermit.group_id))
    # then
    assert public["ownergroup"] is None
    assert_visible(bob, entity, public["ID"])
    assert_invisible(admin, hermit, entity, public["ID"])
    assert_visible(hermit, entity, own["ID"])


@pytest.mark.parametrize("entity", OWNED, ids=entity_id)
def test_a_nopublic_user_cannot_write_public_records(
        admin: httpx.Client, samples: Samples, hermit: Any, entity: Entity) -> None:
    # given: a record of hermit's group
    own = samples.create(entity.name, samples.minimal(entity.name, ownergroup=hermit.group_id))
    path = f"/{entity.name}/{own['ID']}"
    etag = check(hermit.head(path), 204).headers["etag"]
    before = count(admin, entity.name)
    # when / then: neither a new public record, nor making this one public
    public = hermit.put(f"/{entity.name}", json=samples.minimal(entity.name))
    assert check(public, 403).text == "Forbidden: Lacking access to public records (nopublic)"
    check(hermit.patch(path, json={"ownergroup": None}), 403)
    assert count(admin, entity.name) == before
    assert check(hermit.head(path), 204).headers["etag"] == etag


@pytest.mark.parametrize("entity", OWNED, ids=entity_id)
def test_records_cannot_be_given_to_a_group_one_is_not_in(
        admin: httpx.Client, samples: Samples, alice: Any, bob: Any, entity: Entity) -> None:
    # given: bob's own record
    mine = samples.create(entity.name, client=bob)
    path = f"/{entity.name}/{mine['ID']}"
    etag = check(bob.head(path), 204).headers["etag"]
    before = count(admin, entity.name)
    # when / then
    owners: list[dict[str, int]] = [{"ownergroup": alice.group_id}]
    if entity.ownership is Ownership.USER_OR_GROUP:
        owners.append({"owneruser": alice.user_id})
    for owner in owners:
        check(bob.put(f"/{entity.name}", json={**samples.minimal(entity.name), **owner}), 403)
        check(bob.patch(path, json=owner), 403)
    assert count(admin, entity.name) == before
    assert check(bob.head(path), 204).headers["etag"] == etag
    # but to their own group, yes
    given = check(bob.patch(path, json={"ownergroup": bob.group_id}), 200).json()
    assert given["ownergroup"] == bob.group_id


# --- child records ------------------------------------------------------------------------


def owned_path(entity: Entity, depth: int = 0) -> list[str] | None:
    """Parent fields leading from `entity` to an entity with owners, or None."""
    if entity.ownership is not Ownership.NONE:
        return []
    for name in entity.parents if depth < 3 else ():
        target = ENTITIES[entity.by_name[name].ref or ""]
        rest = owned_path(target, depth + 1)
        if rest is not None:
            return [name, *rest]
    return None


CHILDREN = [e for e in WRITABLE if e.parents and owned_path(e)]


def hidden_record(samples: Samples, entity: Entity, group_id: int) -> dict[str, Any]:
    """A record of `entity` owned by `group_id`, itself or through its parents."""
    path = owned_path(entity)
    assert path is not None
    if not path:
        return samples.create(entity.name, samples.minimal(entity.name, ownergroup=group_id))
    parent = ENTITIES[entity.by_name[path[0]].ref or ""]
    parent_id = hidden_record(samples, parent, group_id)["ID"]
    return samples.create(entity.name, samples.minimal(entity.name, **{path[0]: parent_id}))


@pytest.mark.parametrize("entity", CHILDREN, ids=entity_id)
def test_a_child_record_follows_its_parent(admin: httpx.Client, samples: Samples, alice: Any,
                                           bob: Any, entity: Entity) -> None:
    # given: a record whose parent (or grandparent) is owned by alice's group
    record = hidden_record(samples, entity, alice.group_id)
    parent_field = (owned_path(entity) or [""])[0]
    before = count(admin, entity.name)
    # then
    assert_visible(alice, entity, record["ID"])
    assert_invisible(admin, bob, entity, record["ID"])
    # and bob cannot attach a child to that parent
    body = samples.minimal(entity.name, **{parent_field: record[parent_field]})
    answer = check(bob.put(f"/{entity.name}", json=body), 400)
    assert answer.text.startswith(f"Bad Request: {parent_field}: ")
    assert count(admin, entity.name) == before


# --- creator only -------------------------------------------------------------------------


CREATOR_ONLY = [e for e in WRITABLE if e.write.creator_only]


@pytest.mark.parametrize("entity", CREATOR_ONLY, ids=entity_id)
def test_only_the_creator_changes_a_creator_only_record(
        admin: httpx.Client, samples: Samples, alice: Any, bob: Any, entity: Entity) -> None:
    # given: alice's record
    record = samples.create(entity.name, client=alice)
    path = f"/{entity.name}/{record['ID']}"
    etag = check(alice.head(path), 204).headers["etag"]
    # then: bob sees it, but may not change it
    assert record["creator"] == alice.user_id
    check(bob.get(path), 200)
    assert_forbidden(bob.patch(path, json={}))
    assert_forbidden(bob.delete(path))
    assert check(alice.head(path), 204).headers["etag"] == etag
    # alice may, and so may an admin
    check(alice.patch(path, json={}), 200)
    check(admin.patch(path, json={}), 200)
    check(alice.delete(path), 204)
