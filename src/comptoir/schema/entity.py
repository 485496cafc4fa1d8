"""`Entity`: one business object, declared once in `schema/entities/<area>.py`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from comptoir.schema.fields import Field, Kind, Managed
from comptoir.schema.rules import Rule


class Op(StrEnum):
    """The record operations of the REST API."""

    LIST = "list"  # POST /{entity}
    CREATE = "create"  # PUT /{entity}
    GET = "get"  # GET /{entity}/{ID}
    HEAD = "head"  # HEAD /{entity}/{ID}
    UPDATE = "update"  # PATCH /{entity}/{ID}
    DELETE = "delete"  # DELETE /{entity}/{ID}


ALL_OPS = frozenset(Op)
READ_OPS = frozenset({Op.LIST, Op.GET, Op.HEAD})


class Ownership(StrEnum):
    """How records of an entity are owned (and so who may see them)."""

    NONE = "none"  # no owner columns: every user with the permission sees every record
    GROUP = "group"  # `ownergroup` (null = public)
    USER_OR_GROUP = "user_or_group"  # `owneruser` or `ownergroup` (both null = public)


@dataclass(frozen=True, slots=True)
class Access:
    """Who may do something: any of `permissions` (writable for writes), or nobody but
    admins (`admin_only`), and possibly only the record's creator (`creator_only`).
    No permissions and no flags means any authenticated user."""

    permissions: tuple[str, ...] = ()
    admin_only: bool = False
    creator_only: bool = False

    def describe(self, write: bool) -> str:
        if self.admin_only:
            return "admin"
        parts = []
        if self.permissions:
            kind = "writable " if write else ""
            parts.append(kind + " or ".join(self.permissions))
        if self.creator_only:
            parts.append("creator")
        return " and ".join(parts) or "none"


@dataclass(frozen=True, slots=True)
class Lock:
    """Records that are permanently locked once issued (an invoice): those matching
    `applies` whose `unlocked` fields have left their values.  A locked record cannot be
    deleted, and an update may change only the `editable` fields (and custom fields and
    tags), through any front door.  Leaving the unlocked values is issuing: whichever door
    does it, the record is checked, totalled and numbered then (`services/issuing.py`)."""

    applies: Mapping[str, tuple[Any, ...]]
    unlocked: Mapping[str, tuple[Any, ...]]
    editable: tuple[str, ...]

    def locks(self, record: Mapping[str, Any]) -> bool:
        return (all(record.get(k) in v for k, v in self.applies.items())
                and any(record.get(k) not in v for k, v in self.unlocked.items()))


@dataclass(frozen=True)
class Entity:
    """An entity of the ZeyOS data model: its fields, rules, access and operations."""

    name: str  # REST name, also the table name: "accounts"
    singular: str  # "account"
    area: str  # the module that declares it: "crm", "sales", ...
    doc: str
    fields: tuple[Field, ...]
    read: Access
    write: Access
    ops: frozenset[Op] = ALL_OPS
    extdata: bool = False
    tags: bool = False
    ownership: Ownership = Ownership.NONE
    #: "Has dependency on ...": the parent references; `any_parent` for "record or comment"
    parents: tuple[str, ...] = ()
    any_parent: bool = False
    rules: tuple[Rule, ...] = ()
    #: query parameters accepted by GET /{entity}/{ID} besides `expand`
    get_params: tuple[str, ...] = field(default=())
    #: issued records are permanently locked (see `Lock`)
    lock: Lock | None = None
    #: sets of fields unique together (a unique index over them)
    unique_together: tuple[tuple[str, ...], ...] = ()
    #: (field, numbering kind): the number a record takes when it is created (a payment's
    #: receipt number), from its company's format, in the creating transaction
    numbered: tuple[str, str] | None = None

    @cached_property
    def by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    def field(self, name: str) -> Field | None:
        return self.by_name.get(name)

    @cached_property
    def public_fields(self) -> tuple[Field, ...]:
        """The fields the front doors show, in declaration order."""
        return tuple(f for f in self.fields if not f.hidden)

    @cached_property
    def id_field(self) -> Field:
        return self.by_name["ID"]

    @cached_property
    def searchable(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.searchable)

    @cached_property
    def expandable(self) -> tuple[Field, ...]:
        return tuple(f for f in self.public_fields if f.kind in (Kind.BINFILE, Kind.JSON))

    def managed(self, kind: Managed) -> Field | None:
        for f in self.fields:
            if f.managed is kind:
                return f
        return None

    @property
    def read_only(self) -> bool:
        return Op.CREATE not in self.ops
