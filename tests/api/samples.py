"""Valid write bodies for every writable entity, derived from the registry.

    samples = Samples(admin, user_id=1, group_id=2)
    samples.minimal("addresses")   # {"account": 12, "contact": 7}: parents created first
    samples.full("accounts")       # every simple field set to a non-default sample
    samples.create("addresses")    # PUT as admin, returns the persisted record

`minimal` is the smallest body the server must accept: required fields (not nullable, no
default, not server-managed) get a sample of their kind within the field's bounds; required
references, and the parents that rules ask for, point at records created first through the
API (one per target entity and position, cached); the entity's rules are checked locally.
`full` adds a non-default sample for every other simple field (no references, no binfiles)
and leaves out the fields that the rules would make conflict.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import httpx
import orjson

from comptoir.schema.entity import Entity, Op
from comptoir.schema.fields import NOW, Field, Kind, Managed
from comptoir.schema.registry import ENTITIES
from comptoir.schema.rules import (
    NotAfter,
    OneOfRequired,
    RequiredForValue,
    RequiredIfEmpty,
    RequiredIffSet,
    Rule,
)

#: every entity, by name
ALL: tuple[Entity, ...] = tuple(e for _, e in sorted(ENTITIES.items()))
#: the entities that offer create, update and delete
WRITABLE: tuple[Entity, ...] = tuple(e for e in ALL if Op.CREATE in e.ops)
#: an ID that no record has
MISSING = 999999999
#: every permission identifier that an entity asks for
PERMISSIONS: tuple[str, ...] = tuple(sorted(
    {p for e in ENTITIES.values() for access in (e.read, e.write) for p in access.permissions}))
#: field kinds that `full` sets (references and binfiles have their own tests)
SIMPLE_KINDS = frozenset({Kind.INT, Kind.BIGINT, Kind.NUMBER, Kind.TEXT, Kind.ENUM, Kind.JSON,
                          Kind.TEXT_ARRAY, Kind.INT_ARRAY, Kind.ENTITY})
TIMESTAMP = 1_700_000_000
_unique = itertools.count(1)


def entity_id(entity: Entity) -> str:
    return entity.name


def is_required(f: Field) -> bool:
    """A create without this field must fail."""
    return not f.nullable and f.default is None and f.managed is None and not f.hidden


def writable_fields(entity: Entity) -> tuple[Field, ...]:
    return tuple(f for f in entity.fields if f.writable)


def simple_fields(entity: Entity) -> tuple[Field, ...]:
    return tuple(f for f in writable_fields(entity) if f.kind in SIMPLE_KINDS)


def _in_bounds(f: Field, value: float) -> bool:
    return ((f.minimum is None or value >= f.minimum)
            and (f.maximum is None or value <= f.maximum))


def sample_value(f: Field) -> Any:
    """A valid value of a non-reference field that differs from its default."""
    if f.example is not None:  # a shape the server checks: its declared example
        return orjson.dumps(f.example).decode() if f.kind is Kind.JSON else f.example
    match f.kind:
        case Kind.INT | Kind.BIGINT:
            base = TIMESTAMP if f.kind is Kind.BIGINT else 7
            low = int(f.minimum) if f.minimum is not None else 0
            high = int(f.maximum) if f.maximum is not None else base
            candidates = (base, 42, low + 1, low, high)
            return next(v for v in candidates if _in_bounds(f, v) and v != f.default)
        case Kind.NUMBER:
            candidates = (2.5, 1.0, f.minimum, f.maximum)
            return next(v for v in candidates
                        if v is not None and _in_bounds(f, v) and v not in (0, f.default))
        case Kind.TEXT:
            if f.choices:
                return next(c for c in f.choices if c != f.default)
            text = "ABCDEFGH"[:f.max_length] if f.max_length else f"Sample {f.name}"
            if f.unique or f.unique_ci:
                text = f"{text} {next(_unique)}"
            return text
        case Kind.ENUM | Kind.ENTITY:
            choices = list(f.choices)
            return next(c for c in [*choices[1:], choices[0]] if c != f.default)
        case Kind.JSON:
            return '{"sample":[1,"two"]}'
        case Kind.TEXT_ARRAY:
            return ["alpha", "beta"]
        case Kind.INT_ARRAY:
            return [3, 5]
    raise AssertionError(f"no sample for {f.name} ({f.kind})")


def wire_value(f: Field, value: Any) -> Any:
    """What the REST API shows for a value written as `value`."""
    if f.kind is Kind.NUMBER and value is not None:
        return float(value)
    return value


def simulate(entity: Entity, body: Mapping[str, Any], creator: int) -> dict[str, Any]:
    """The record a create with `body` would store, for checking rules locally."""
    record: dict[str, Any] = {}
    for f in entity.fields:
        if f.name in body:
            record[f.name] = body[f.name]
        elif f.managed is Managed.CREATOR:
            record[f.name] = creator
        elif f.default == NOW:
            record[f.name] = int(time.time())
        else:
            record[f.name] = f.default
    return record


def violations(entity: Entity, body: Mapping[str, Any], creator: int) -> list[tuple[str, str]]:
    record = simulate(entity, body, creator)
    return [v for rule in entity.rules if (v := rule.check(record)) is not None]


def first_violation(entity: Entity, body: Mapping[str, Any],
                    creator: int) -> tuple[str, str] | None:
    found = violations(entity, body, creator)
    return found[0] if found else None


def _empty(value: Any) -> bool:
    return value is None or value == ""


def rule_needs(rule: Rule, body: Mapping[str, Any]) -> str | None:
    """The field a rule asks to be set in `body`, if any."""
    match rule:
        case RequiredIfEmpty(field=name, other=other):
            if _empty(body.get(name)) and _empty(body.get(other)):
                return str(name)
        case OneOfRequired(fields=names):
            if all(_empty(body.get(n)) for n in names):
                return str(names[0])
        case RequiredIffSet(field=name, other=other):
            if not _empty(body.get(other)) and _empty(body.get(name)):
                return str(name)
        case RequiredForValue(field=name, selector=selector, values=values):
            if body.get(selector) in values and _empty(body.get(name)):
                return str(name)
    return None


def check(response: httpx.Response, status: int) -> httpx.Response:
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url}: expected {status}, "
        f"got {response.status_code}: {response.text[:500]}")
    return response


def find_id(client: httpx.Client, entity: str, **match: Any) -> int:
    """The ID of the only record of `entity` whose fields equal `match` (admin lists)."""
    listed = check(client.post(f"/{entity}", json={"limit": 10000}), 200).json()
    found = [r["ID"] for r in listed if all(r.get(k) == v for k, v in match.items())]
    assert len(found) == 1, f"{entity} {match}: {found}"
    return int(found[0])


def count(client: httpx.Client, entity: str) -> int:
    return int(check(client.post(f"/{entity}", json={"count": 1}), 200).json()["count"])


class Samples:
    """Builds bodies and creates records as `client` (an admin)."""

    def __init__(self, client: httpx.Client, *, user_id: int, group_id: int) -> None:
        self.client = client
        self.user_id = user_id  # the admin: creator of what this builds
        self.group_id = group_id  # a group for references to groups
        self._parents: dict[str, list[int]] = {}
        self._records: dict[str, dict[str, Any]] = {}

    # --- references ------------------------------------------------------------------------

    def parent(self, target: str, position: int = 0) -> int:
        """A record of `target`, the same for every body that needs one at `position`."""
        if target == "users":
            return self.user_id
        if target == "groups":
            return self.group_id
        ids = self._parents.setdefault(target, [])
        while len(ids) <= position:
            ids.append(self.create(target)["ID"])
        return ids[position]

    def fill(self, entity: Entity, body: dict[str, Any], name: str,
             positions: Counter[str] | None = None) -> None:
        """Set field `name` of `body` to a sample, or to a parent record for a reference
        (the next one of its entity per `positions`)."""
        f = entity.by_name[name]
        if f.kind is Kind.REF and any(name in names for names in entity.unique_together):
            assert f.ref is not None  # unique with other fields: a parent of its own
            body[name] = self.create(f.ref)["ID"]
        elif f.kind is Kind.REF:
            assert f.ref is not None
            positions = Counter() if positions is None else positions
            body[name] = self.parent(f.ref, positions[f.ref])
            positions[f.ref] += 1
        else:
            body[name] = sample_value(f)

    # --- bodies ----------------------------------------------------------------------------

    def minimal(self, name: str, **given: Any) -> dict[str, Any]:
        """The smallest valid create body; `given` values are kept as they are."""
        entity = ENTITIES[name]
        body = dict(given)
        positions: Counter[str] = Counter(
            entity.by_name[k].ref for k in given
            if k in entity.by_name and entity.by_name[k].kind is Kind.REF)
        for f in entity.fields:
            if is_required(f) and f.name not in body:
                self.fill(entity, body, f.name, positions)
        for rule in entity.rules:  # a given field that is only allowed for some selector
            if (isinstance(rule, RequiredForValue) and rule.null_otherwise
                    and not _empty(body.get(rule.field)) and rule.selector not in body):
                body[rule.selector] = rule.values[0]
        for rule in entity.rules:
            needed = rule_needs(rule, body)
            if needed is not None:
                self.fill(entity, body, needed, positions)
        found = violations(entity, body, self.user_id)
        assert not found, f"{name}: the sample body {body} breaks {found}"
        return body

    def full(self, name: str, **given: Any) -> dict[str, Any]:
        """A valid create body setting every simple writable field."""
        entity = ENTITIES[name]
        body = self.minimal(name, **given)
        for f in simple_fields(entity):
            body.setdefault(f.name, sample_value(f))
        for rule in entity.rules:  # an order between two samples: keep both fields
            if isinstance(rule, NotAfter) and body.get(rule.other) is not None:
                body[rule.field] = body[rule.other] - 3600
        while (violation := first_violation(entity, body, self.user_id)) is not None:
            field = violation[0]
            assert field in body and field not in given and not is_required(
                entity.by_name[field]), f"{name}: cannot satisfy {violation} with {body}"
            del body[field]  # a conflict between samples: leave this field out
        return body

    # --- records ---------------------------------------------------------------------------

    def create(self, name: str, body: Mapping[str, Any] | None = None,
               client: httpx.Client | None = None) -> dict[str, Any]:
        """PUT a record (the minimal body unless given) and return it as persisted."""
        body = self.minimal(name) if body is None else body
        response = check((client or self.client).put(f"/{name}", json=body), 201)
        return dict(response.json())

    def record(self, name: str) -> dict[str, Any]:
        """A record created once per session, for tests that only read or fail to write."""
        if name not in self._records:
            self._records[name] = self.create(name)
        return self._records[name]


def assert_fields(record: Mapping[str, Any], entity: Entity, body: Mapping[str, Any],
                  names: Iterable[str] | None = None) -> None:
    """Every field of `body` (or only `names`) reads back as written."""
    for name in body if names is None else names:
        f = entity.by_name.get(name)
        if f is None or not f.writable or f.kind is Kind.BINFILE:
            continue
        assert record[name] == wire_value(f, body[name]), (
            f"{entity.name}.{name}: wrote {body[name]!r}, read {record[name]!r}")
