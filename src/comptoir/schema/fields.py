"""Field kinds: what one column of an entity is, declared once.

A `Field` carries everything the rest of Comptoir derives from it: the SQL column
(`storage.tables`), validation and coercion of client values (`wire.values`), the
documentation and the generic tests.  Entity modules build fields with the small
constructors at the bottom of this file (`Int`, `Text`, `Enum`, `Ref`, ...), one line each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """The value kinds of the ZeyOS data model."""

    INT = "int"  # integer (int32 / smallint)
    BIGINT = "bigint"  # integer (int64), Unix timestamps included
    NUMBER = "number"  # double precision
    TEXT = "text"  # string; `max_length` for varchar(n)
    ENUM = "enum"  # small integer with labelled values
    REF = "ref"  # integer ID of a record of another entity
    BINFILE = "binfile"  # integer ID of a `binfiles` record; expandable to its content
    JSON = "json"  # JSON document; returned as a JSON string unless expanded
    TEXT_ARRAY = "text[]"  # array of strings
    INT_ARRAY = "int[]"  # array of integers
    ENTITY = "entity"  # name of a canonical entity (the `t_entity` type)
    HEXBYTES = "hexbytes"  # bytes shown as "\\x<hex>" (binfiles.hash)


class Managed(StrEnum):
    """Fields whose value the server sets; a client cannot forge them."""

    ID = "id"  # the primary key; may be given on create, never changed
    CREATED = "created"  # creationdate: now, on create
    CREATOR = "creator"  # the authenticated user, on create
    MODIFIED = "modified"  # lastmodified: now, on every write
    SYSTEM = "system"  # computed by the server (binfile size and hash, ...)


class OnDelete(StrEnum):
    CASCADE = "CASCADE"
    SET_NULL = "SET NULL"
    RESTRICT = "RESTRICT"


@dataclass(frozen=True, slots=True)
class Field:
    """One field of an entity."""

    name: str
    kind: Kind
    doc: str = ""
    nullable: bool = True
    #: value stored when a create does not give one; `NOW` means the current Unix time
    default: Any = None
    max_length: int | None = None
    min_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    #: ENUM: value -> label; ENTITY: the allowed entity names (labels equal values)
    choices: Mapping[Any, str] = field(default_factory=dict)
    #: REF / BINFILE: the referenced entity and what happens when it is deleted
    ref: str | None = None
    on_delete: OnDelete | None = None
    #: the reference is a "dependency": the record belongs to (and is guarded by) its parent
    dependency: bool = False
    managed: Managed | None = None
    #: searched by the list operation's `query` parameter
    searchable: bool = False
    #: unique among the entity's records (`ci`: case-insensitively)
    unique: bool = False
    unique_ci: bool = False
    #: stored but never exposed by any front door (password hashes, access keys, ...)
    hidden: bool = False
    #: 64-bit integer storage for INT / REF
    wide: bool = False
    #: a B-tree index serves the filters and sorts on this field (references always have one)
    indexed: bool = False
    #: the size in bytes of the content of this binfile field, kept by the server
    size_of: str | None = None
    #: a valid value, for a field whose values have a shape the server checks beyond their
    #: kind (a numbering pattern, a JSON document: `services/checks.py`); the generic
    #: tests write it where they would write any value of the kind
    example: Any = None

    @property
    def is_reference(self) -> bool:
        return self.kind in (Kind.REF, Kind.BINFILE)

    @property
    def is_timestamp(self) -> bool:
        """A date and time as a Unix time stamp: the 64-bit integers documented so (the
        ZeyOS model types them as plain integers; its docs say which are times)."""
        doc = self.doc.lower()
        return (self.kind is Kind.BIGINT and self.name != "ID"
                and ("unix time" in doc or "date" in doc))

    @property
    def writable(self) -> bool:
        """A client may give this field on create or update."""
        return self.managed is None and not self.hidden


NOW = "now"  # marker default: the current Unix time in seconds


# --- constructors used by the entity declarations -----------------------------------------


def Id(doc: str = "Unique ID", *, wide: bool = False) -> Field:
    return Field("ID", Kind.BIGINT if wide else Kind.INT, doc, nullable=False,
                 managed=Managed.ID, wide=wide)


def Int(name: str, doc: str = "", *, wide: bool = False, **kw: Any) -> Field:
    return Field(name, Kind.BIGINT if wide else Kind.INT, doc, wide=wide, **kw)


def Timestamp(name: str, doc: str = "", **kw: Any) -> Field:
    return Field(name, Kind.BIGINT, doc, wide=True, **kw)


def Number(name: str, doc: str = "", **kw: Any) -> Field:
    return Field(name, Kind.NUMBER, doc, **kw)


def Text(name: str, doc: str = "", **kw: Any) -> Field:
    kw.setdefault("nullable", False)
    kw.setdefault("default", "")
    return Field(name, Kind.TEXT, doc, **kw)


def Enum(name: str, choices: Mapping[int, str], doc: str = "", **kw: Any) -> Field:
    return Field(name, Kind.ENUM, doc, choices=dict(choices), **kw)


def Ref(name: str, target: str, doc: str = "", *, on_delete: OnDelete = OnDelete.SET_NULL,
        **kw: Any) -> Field:
    return Field(name, Kind.REF, doc, ref=target, on_delete=on_delete, **kw)


def Binfile(name: str, doc: str = "", **kw: Any) -> Field:
    return Field(name, Kind.BINFILE, doc, ref="binfiles", on_delete=OnDelete.RESTRICT, **kw)


def Json(name: str, doc: str = "", **kw: Any) -> Field:
    return Field(name, Kind.JSON, doc, **kw)


def TextArray(name: str, doc: str = "", **kw: Any) -> Field:
    return Field(name, Kind.TEXT_ARRAY, doc, **kw)


def IntArray(name: str, doc: str = "", **kw: Any) -> Field:
    return Field(name, Kind.INT_ARRAY, doc, **kw)


def EntityName(name: str, choices: tuple[str, ...], doc: str = "", **kw: Any) -> Field:
    return Field(name, Kind.ENTITY, doc, choices={c: c for c in choices}, **kw)


def Created(doc: str = "Creation date and time as a Unix time stamp (defaults to current date and time on creation)") -> Field:
    return Field("creationdate", Kind.BIGINT, doc, nullable=False, default=NOW,
                 managed=Managed.CREATED, wide=True)


def Modified(doc: str = "Last modification date and time as a Unix time stamp (auto-reset on modification)") -> Field:
    return Field("lastmodified", Kind.BIGINT, doc, nullable=False, default=NOW,
                 managed=Managed.MODIFIED, wide=True, indexed=True)


def Creator(doc: str = "Creator user ID (defaults to authenticated user on creation)",
            on_delete: OnDelete = OnDelete.SET_NULL) -> Field:
    return Field("creator", Kind.REF, doc, ref="users", on_delete=on_delete,
                 managed=Managed.CREATOR)


def FileSize(binfile: str, doc: str = "Size in bytes of the binfile") -> Field:
    """The size of the content of binfile field `binfile`, kept by the server."""
    return Field("size", Kind.INT, doc, nullable=False, default=0, minimum=0,
                 managed=Managed.SYSTEM, size_of=binfile)
