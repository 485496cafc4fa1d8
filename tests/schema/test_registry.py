"""The registry is complete and consistent: 58 entities, references and rules that point at
real fields, and a few facts of the ZeyOS data model checked by hand."""

from __future__ import annotations

import dataclasses

import pytest

from comptoir.schema.entities import CANONICAL_ENTITIES, FOLLOWABLE_ENTITIES
from comptoir.schema.entity import ALL_OPS, READ_OPS, Entity, Op, Ownership
from comptoir.schema.fields import Kind, Managed, OnDelete
from comptoir.schema.registry import ENTITIES
from comptoir.schema.rules import MutuallyExclusive, RequiredForValue, RequiredIfEmpty

ALL = sorted(ENTITIES.values(), key=lambda e: e.name)

READ_ONLY = {
    "allocations",
    "applications",
    "binfiles",
    "groups",
    "templateversions",
    "groups2users",
    "permissions",
    "resources",
    "services",
    "users",
    "weblets",
}


def ids(entity: Entity) -> str:
    return entity.name


def rule_field_names(rule: object) -> list[str]:
    """Every field a rule names: its `field`, `other`, `selector` and `fields`."""
    names: list[str] = []
    for f in dataclasses.fields(rule):  # type: ignore[arg-type]
        value = getattr(rule, f.name)
        if f.name in ("field", "other", "selector"):
            names.append(value)
        elif f.name == "fields":
            names.extend(value)
    return names


#: entities Comptoir adds to the 58 of the ZeyOS model (for the webservice modules)
#: the books: read-only through the record operations, written by the accounting service
BOOKS = {"journalentries", "entrylines", "fiscalyears", "accountingperiods"}
ADDED = BOOKS | {"chartaccounts", "journals", "accountingrules"} | {"allocations", "companies", "numberings", "currencies", "documentfolders", "documents", "faqs", "leads", "lineitems", "milestones", "taxes", "templates", "templateversions"}


def test_there_are_58_entities_keyed_by_name() -> None:
    assert len(set(ENTITIES) - ADDED) == 58
    assert all(name == e.name for name, e in ENTITIES.items())


def test_read_only_entities() -> None:
    assert {e.name for e in ALL if e.ops == READ_OPS} == READ_ONLY | BOOKS
    assert ENTITIES["links"].ops == frozenset({Op.LIST})
    assert {e.name for e in ALL if e.ops == ALL_OPS} == (set(ENTITIES) - READ_ONLY - BOOKS
                                                         - {"links"})
    for name in BOOKS:
        assert ENTITIES[name].read_only
        assert ENTITIES[name].write.permissions == ("accounting",)
    for name in READ_ONLY | {"links"}:
        assert ENTITIES[name].read_only
        assert ENTITIES[name].write.admin_only


def test_canonical_entity_names() -> None:
    assert len(CANONICAL_ENTITIES) == 33
    assert set(CANONICAL_ENTITIES) <= set(ENTITIES)
    assert set(FOLLOWABLE_ENTITIES) == set(CANONICAL_ENTITIES) | {"records"}


@pytest.mark.parametrize("entity", ALL, ids=ids)
def test_id_comes_first(entity: Entity) -> None:
    first = entity.fields[0]
    assert first.name == "ID"
    assert first.managed is Managed.ID
    assert not first.nullable


@pytest.mark.parametrize("entity", ALL, ids=ids)
def test_field_names_are_unique(entity: Entity) -> None:
    names = [f.name for f in entity.fields]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("entity", ALL, ids=ids)
def test_references_point_at_registered_entities(entity: Entity) -> None:
    for f in entity.fields:
        if f.is_reference:
            assert f.ref in ENTITIES, f.name
            assert f.on_delete is not None, f.name
        else:
            assert f.ref is None, f.name


@pytest.mark.parametrize("entity", ALL, ids=ids)
def test_file_sizes_name_a_binfile_field(entity: Entity) -> None:
    for f in entity.fields:
        if f.size_of is not None:
            target = entity.field(f.size_of)
            assert target is not None and target.kind is Kind.BINFILE, f.name
            assert f.managed is Managed.SYSTEM, f.name


@pytest.mark.parametrize("entity", ALL, ids=ids)
def test_rules_name_existing_fields(entity: Entity) -> None:
    for rule in entity.rules:
        for name in rule_field_names(rule):
            assert entity.field(name) is not None, (rule, name)


@pytest.mark.parametrize("entity", ALL, ids=ids)
def test_parents_are_dependency_references(entity: Entity) -> None:
    for name in entity.parents:
        f = entity.field(name)
        assert f is not None, name
        assert f.kind is Kind.REF and f.dependency, name
    assert entity.any_parent <= (len(entity.parents) > 1)


@pytest.mark.parametrize("entity", ALL, ids=ids)
def test_enum_and_entity_fields_have_choices(entity: Entity) -> None:
    for f in entity.fields:
        if f.kind in (Kind.ENUM, Kind.ENTITY):
            assert f.choices, f.name
        if f.kind is Kind.ENUM and f.default is not None:
            assert f.default in f.choices, f.name
        if f.kind is Kind.ENTITY:
            assert set(f.choices) <= set(FOLLOWABLE_ENTITIES), f.name


@pytest.mark.parametrize("entity", ALL, ids=ids)
def test_ownership_matches_owner_fields(entity: Entity) -> None:
    names = {f.name for f in entity.fields}
    expected = (
        Ownership.USER_OR_GROUP
        if {"owneruser", "ownergroup"} <= names
        else Ownership.GROUP
        if "ownergroup" in names
        else Ownership.NONE
    )
    assert entity.ownership is expected


def test_accounts() -> None:
    accounts = ENTITIES["accounts"]
    assert accounts.field("type").choices == {  # type: ignore[union-attr]
        0: "PROSPECT",
        1: "CUSTOMER",
        2: "SUPPLIER",
        3: "CUSTOMERANDSUPPLIER",
        4: "COMPETITOR",
        5: "EMPLOYEE",
    }
    currency = accounts.field("currency")
    assert currency is not None
    assert currency.max_length == 3
    assert not currency.nullable
    assert currency.default is None  # required on create
    assert RequiredIfEmpty("firstname", "lastname") in accounts.rules
    assert accounts.ownership is Ownership.GROUP
    assert accounts.extdata and accounts.tags
    assert accounts.read.permissions == ("accounts",)


def test_transactions() -> None:
    transactions = ENTITIES["transactions"]
    assert transactions.field("items").kind is Kind.JSON  # type: ignore[union-attr]
    assert transactions.read.permissions == ("billing", "procurement", "production")
    item_rule = next(
        r for r in transactions.rules if isinstance(r, RequiredForValue) and r.field == "item"
    )
    assert item_rule.check({"type": 10, "item": None}) is not None
    assert item_rule.check({"type": 3, "item": 1}) is not None
    assert item_rule.check({"type": 3, "item": None}) is None


def test_binfile_fields() -> None:
    binfile = ENTITIES["files"].field("binfile")
    assert binfile is not None
    assert binfile.kind is Kind.BINFILE
    assert binfile.ref == "binfiles"
    content = ENTITIES["binfiles"].field("content")
    assert content is not None and content.hidden and not content.writable


def test_users() -> None:
    users = ENTITIES["users"]
    assert users.field("name").unique_ci  # type: ignore[union-attr]
    assert users.field("email").unique_ci  # type: ignore[union-attr]
    password = users.field("password")
    assert password is not None and password.hidden
    admin = users.field("admin")
    assert admin is not None and not admin.writable


def test_dependencies() -> None:
    assert ENTITIES["prices"].parents == ("item", "pricelist")
    assert ENTITIES["files"].any_parent
    likes_creator = ENTITIES["likes"].field("creator")
    assert likes_creator is not None and likes_creator.on_delete is OnDelete.CASCADE
    assert MutuallyExclusive(("account", "task", "ticket")) in ENTITIES["actionsteps"].rules


def test_searchable_fields_are_text() -> None:
    for entity in ALL:
        assert all(f.kind is Kind.TEXT for f in entity.searchable), entity.name
    assert {f.name for f in ENTITIES["accounts"].searchable} == {
        "customernum",
        "firstname",
        "lastname",
        "suppliernum",
    }
