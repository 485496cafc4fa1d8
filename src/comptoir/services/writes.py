"""A client's write body, checked against the registry: field values, custom fields
(`extdata`), tags (`tags`, `+tags`, `-tags`) and binfile content.

Server-managed fields (`creator`, `creationdate`, `lastmodified`, computed fields) are
ignored when a client sends them, so that a record read with GET can be sent back
unchanged; they can never be forged.  Unknown and hidden names are an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from comptoir.errors import InvalidFieldError
from comptoir.schema.entity import Entity
from comptoir.schema.fields import Kind, Managed
from comptoir.wire.values import decode_binfile, extdata_to_storage, to_storage


@dataclass
class Write:
    values: dict[str, Any] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    extdata: dict[str, tuple[str | None, float | None] | None] = field(default_factory=dict)
    tags: list[str] | None = None
    add_tags: list[str] = field(default_factory=list)
    remove_tags: list[str] = field(default_factory=list)


def _tag_list(key: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise InvalidFieldError(key, "must be an array of strings")
    tags = [t.strip() for t in value]
    for tag in tags:
        if not tag or len(tag) > 100 or "\x00" in tag:
            raise InvalidFieldError(key, "tags must be 1 to 100 characters long")
    return tags


def parse_write(entity: Entity, body: Mapping[str, Any]) -> Write:
    write = Write()
    for key, value in body.items():
        if key == "extdata" and entity.extdata:
            if not isinstance(value, Mapping):
                raise InvalidFieldError("extdata", "must be an object")
            for name, item in value.items():
                stored = extdata_to_storage(name, "" if item is None else item)  # checks the name
                write.extdata[name] = None if item is None else stored
            continue
        if key in ("tags", "+tags", "-tags") and entity.tags:
            tags = _tag_list(key, value)
            if key == "tags":
                write.tags = tags
            elif key == "+tags":
                write.add_tags = tags
            else:
                write.remove_tags = tags
            continue
        f = entity.field(key)
        if f is None or f.hidden:
            raise InvalidFieldError(key, "unknown field")
        if f.managed is Managed.ID:
            write.values["ID"] = to_storage(f, value)
            if write.values["ID"] < 1:
                raise InvalidFieldError("ID", "must be a positive integer")
        elif f.managed is not None:
            continue
        elif f.kind is Kind.BINFILE:
            if isinstance(value, int) and not isinstance(value, bool):
                continue  # the current binfile ID sent back: read-only, unchanged
            if value is None:
                if not f.nullable:
                    raise InvalidFieldError(key, "must not be null")
                write.values[key] = None
            else:
                write.files[key] = decode_binfile(key, value)
        else:
            write.values[key] = to_storage(f, value)
    return write
