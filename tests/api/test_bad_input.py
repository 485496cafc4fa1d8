"""Bad input on every entity: a table of bad values per field kind (and per bound a field
declares) run over every writable field of every entity, on create and on update, plus
unknown fields and every rule of the registry broken on purpose.  Each answers 400 with a
text/plain body "Bad Request: <field>: ..." and writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.samples import (
    MISSING,
    TIMESTAMP,
    WRITABLE,
    Samples,
    check,
    count,
    entity_id,
    first_violation,
    rule_needs,
    simulate,
    writable_fields,
)
from comptoir.schema.entity import Entity
from comptoir.schema.fields import Field, Kind, Managed
from comptoir.schema.rules import (
    DistinctFrom,
    MutuallyExclusive,
    NonZero,
    NotAfter,
    NullForValue,
    OneOfRequired,
    RequiredForValue,
    RequiredIfEmpty,
    RequiredIffSet,
    Rule,
)

NESTED = {"a": {"b": {"c": {"d": {"e": 1}}}}}
INTEGER = (("string", "abc"), ("fraction", 1.5), ("boolean", True))

BAD_VALUES: dict[Kind, tuple[tuple[str, Any], ...]] = {
    Kind.INT: INTEGER,
    Kind.BIGINT: (*INTEGER, ("int64-overflow", 2**63)),
    Kind.REF: (("missing-record", MISSING), ("string", "abc")),
    Kind.NUMBER: (("string", "x"), ("object", {"a": 1}), ("boolean", True), ("nan", "NaN"),
                  ("infinite", "1e999")),
    Kind.TEXT: (("nested-object", NESTED), ("list", ["a"]), ("boolean", True)),
    Kind.ENUM: (("string", "abc"), ("fraction", 0.5)),
    Kind.ENTITY: (("unknown-entity", "nosuchentity"), ("number", 5)),
    Kind.JSON: (("invalid-json", "{not json"), ("nul", "\x00")),
    Kind.TEXT_ARRAY: (("not-an-array", "abc"), ("object-items", [{"a": 1}]), ("number", 5)),
    Kind.INT_ARRAY: (("not-an-array", 5), ("string-items", ["x"]), ("fraction-items", [1.5])),
    Kind.BINFILE: (("not-an-object", "abc"), ("bad-base64", {"content": "!!"}),
                   ("empty", {"content": ""}), ("content-and-uri", {"content": "YQ==",
                                                                     "uri": "data:,a"}),
                   ("not-a-data-uri", {"uri": "http://example.com/a"}),
                   ("neither", {"name": "a.txt"})),
}


def bad_values(f: Field) -> Iterator[tuple[str, Any]]:
    """The bad values of a field: those of its kind, and those its bounds make."""
    yield from BAD_VALUES[f.kind]
    if f.kind in (Kind.INT, Kind.REF) and not f.wide:
        yield "int32-overflow", 2**40
    if f.kind is Kind.ENUM:
        yield "outside-choices", max(f.choices) + 1
    if f.max_length is not None:
        yield "too-long", "x" * (f.max_length + 1)
    if f.min_length is not None:
        yield "too-short", "x" * (f.min_length - 1)
    if f.minimum is not None:
        yield "below-minimum", f.minimum - (1 if f.kind is not Kind.NUMBER else 0.5)
    if f.maximum is not None:
        yield "above-maximum", f.maximum + (1 if f.kind is not Kind.NUMBER else 0.5)
    if not f.nullable:
        yield "null", None


CASES = [pytest.param(e, f.name, value, id=f"{e.name}.{f.name}-{label}")
         for e in WRITABLE for f in e.fields if f.writable or f.managed is Managed.ID
         for label, value in bad_values(f)]


def assert_bad_request(answer: httpx.Response, field: str) -> None:
    check(answer, 400)
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.text.startswith(f"Bad Request: {field}: "), answer.text


@pytest.fixture(scope="module")
def targets(admin: httpx.Client, samples: Samples) -> dict[str, tuple[str, str]]:
    """Per entity, a record that only failing updates touch: (path, entity tag)."""
    found: dict[str, tuple[str, str]] = {}
    for entity in WRITABLE:
        created = check(admin.put(f"/{entity.name}", json=samples.minimal(entity.name)), 201)
        found[entity.name] = (f"/{entity.name}/{created.json()['ID']}", created.headers["etag"])
    return found


def assert_unchanged(admin: httpx.Client, target: tuple[str, str]) -> None:
    path, etag = target
    check(admin.head(path, headers={"If-None-Match": etag}), 304)


# --- a bad value in one field -------------------------------------------------------------


def exclusive_of(entity: Entity, field: str) -> set[str]:
    """The fields that may not be set together with `field`."""
    return {name for rule in entity.rules if isinstance(rule, MutuallyExclusive)
            and field in rule.fields for name in rule.fields} - {field}


@pytest.mark.parametrize(("entity", "field", "value"), CASES)
def test_a_bad_value_on_create_is_400_and_writes_nothing(
        admin: httpx.Client, samples: Samples, entity: Entity, field: str, value: Any) -> None:
    # given
    others = exclusive_of(entity, field)
    body = {k: v for k, v in samples.minimal(entity.name).items() if k not in others}
    body[field] = value
    before = count(admin, entity.name)
    # when
    answer = admin.put(f"/{entity.name}", json=body)
    # then
    assert_bad_request(answer, field)
    assert count(admin, entity.name) == before


@pytest.mark.parametrize(("entity", "field", "value"), CASES)
def test_a_bad_value_on_update_is_400_and_changes_nothing(
        admin: httpx.Client, targets: dict[str, tuple[str, str]], entity: Entity, field: str,
        value: Any) -> None:
    path, _ = targets[entity.name]
    others = {name: emptied(entity.by_name[name]) for name in exclusive_of(entity, field)}
    assert_bad_request(admin.patch(path, json={**others, field: value}), field)
    assert_unchanged(admin, targets[entity.name])


# --- unknown fields -----------------------------------------------------------------------


def unknown_names(entity: Entity) -> list[str]:
    names = ["nosuchfield", "Id", "id"]
    names += [] if entity.extdata else ["extdata"]
    names += [] if entity.tags else ["tags", "+tags", "-tags"]
    return names


UNKNOWN = [pytest.param(e, name, id=f"{e.name}.{name}") for e in WRITABLE
           for name in unknown_names(e)]


@pytest.mark.parametrize(("entity", "name"), UNKNOWN)
def test_an_unknown_field_is_400_and_writes_nothing(
        admin: httpx.Client, samples: Samples, targets: dict[str, tuple[str, str]],
        entity: Entity, name: str) -> None:
    before = count(admin, entity.name)
    answer = admin.put(f"/{entity.name}", json={**samples.minimal(entity.name), name: ["x"]})
    assert_bad_request(answer, name)
    assert answer.text == f"Bad Request: {name}: unknown field"
    assert count(admin, entity.name) == before
    assert_bad_request(admin.patch(targets[entity.name][0], json={name: ["x"]}), name)
    assert_unchanged(admin, targets[entity.name])


@pytest.mark.parametrize("entity", WRITABLE, ids=entity_id)
def test_a_missing_required_field_is_400(admin: httpx.Client, samples: Samples,
                                         entity: Entity) -> None:
    body = samples.minimal(entity.name)
    for f in writable_fields(entity):
        if not f.nullable and f.default is None:
            before = count(admin, entity.name)
            answer = admin.put(f"/{entity.name}",
                               json={k: v for k, v in body.items() if k != f.name})
            assert_bad_request(answer, f.name)
            assert answer.text == f"Bad Request: {f.name}: is required"
            assert count(admin, entity.name) == before


# --- broken rules -------------------------------------------------------------------------


def emptied(f: Field) -> Any:
    """The value that empties a field: "" for text that may not be null, else null."""
    return "" if f.kind is Kind.TEXT and not f.nullable else None


def rule_breakers(samples: Samples, entity: Entity, rule: Rule, variant: str) -> dict[str, Any]:
    """Field values that break `rule` when applied to a minimal record."""
    minimal = samples.minimal(entity.name)
    bad: dict[str, Any] = {}

    def give(*names: str) -> None:
        for name in names:
            if name not in minimal:
                samples.fill(entity, bad, name)

    def empty(*names: str) -> None:
        bad.update({name: emptied(entity.by_name[name]) for name in names})

    match rule:
        case RequiredIfEmpty(field=name, other=other):
            empty(name, other)
        case MutuallyExclusive(fields=names):
            give(*names[:2])
        case OneOfRequired(fields=names):
            empty(*names)
        case NotAfter(field=name, other=other):
            bad.update({name: TIMESTAMP + 3600, other: TIMESTAMP})
        case DistinctFrom(field=name, other="creator"):
            bad[name] = samples.user_id
        case DistinctFrom(field=name, other=other):
            bad[name] = minimal[other]
        case NonZero(field=name):
            bad[name] = 0
        case RequiredIffSet(field=name, other=other) if variant == "missing":
            give(other)
            empty(name)
        case RequiredIffSet(field=name, other=other):
            give(name)
            empty(other)
        case RequiredForValue(field=name, selector=selector, values=values) \
                if variant == "missing":
            bad[selector] = values[0]
            empty(name)
        case RequiredForValue(field=name):
            give(name)
        case NullForValue(field=name, selector=selector, values=values):
            bad[selector] = values[0]
            give(name)
    # satisfy the rules that come before this one
    for other_rule in entity.rules[:entity.rules.index(rule)]:
        needed = rule_needs(other_rule, {**minimal, **bad})
        if needed is not None and needed not in bad:
            samples.fill(entity, bad, needed)
    return bad


def rule_variants(rule: Rule) -> list[str]:
    if isinstance(rule, RequiredIffSet):
        return ["missing", "orphan"]
    if isinstance(rule, RequiredForValue) and rule.null_otherwise:
        return ["missing", "unexpected"]
    return ["missing"] if isinstance(rule, RequiredForValue) else ["broken"]


RULES = [pytest.param(e, rule, variant, id=f"{e.name}-{type(rule).__name__}-{i}-{variant}")
         for e in WRITABLE for i, rule in enumerate(e.rules) for variant in rule_variants(rule)]


@pytest.mark.parametrize(("entity", "rule", "variant"), RULES)
def test_a_broken_rule_is_400_and_writes_nothing(
        admin: httpx.Client, samples: Samples, targets: dict[str, tuple[str, str]],
        entity: Entity, rule: Rule, variant: str) -> None:
    # given: values that break this rule, and no rule before it
    bad = rule_breakers(samples, entity, rule, variant)
    body = {**samples.minimal(entity.name), **bad}
    record = simulate(entity, body, samples.user_id)
    violation = rule.check(record)
    assert violation is not None and first_violation(entity, body, samples.user_id) == violation
    before = count(admin, entity.name)
    # when
    created = admin.put(f"/{entity.name}", json=body)
    updated = admin.patch(targets[entity.name][0], json=bad)
    # then: the rule's field, or the field that must not be null
    field = next((f.name for f in entity.fields if f.name in bad and bad[f.name] is None
                  and not f.nullable), violation[0])
    assert_bad_request(created, field)
    assert count(admin, entity.name) == before
    assert_bad_request(updated, field)
    assert_unchanged(admin, targets[entity.name])


def test_the_rules_of_the_brief(admin: httpx.Client, samples: Samples) -> None:
    """Two rules by hand: accounts need a first or last name, appointments end after they
    start."""
    answer = admin.put("/accounts", json={"currency": "EUR"})
    assert answer.text == "Bad Request: firstname: is required if lastname is empty"
    answer = admin.put("/appointments", json={**samples.minimal("appointments"),
                                              "datefrom": 2000, "dateto": 1000})
    assert answer.text == "Bad Request: datefrom: must not be greater than dateto"

