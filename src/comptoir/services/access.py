"""Who the caller is and what they may do.

Two levels, as in ZeyOS:
- function access: the permission identifiers of the caller's groups (`permissions`
  rows; `writable` for writes), checked per entity and operation (`check_operation`);
- object access: ownership.  `ownergroup`/`owneruser` null = public; otherwise only the
  owner user, members of the owner group and admins see the record; a `nopublic` user does
  not see public records.  Child entities ("Has dependency on ...") are seen through their
  parents.  `visible(entity, caller)` is that rule as one SQL expression, used by every
  read, so that a record the caller may not see answers exactly like a missing one.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from comptoir.errors import PermissionDeniedError
from comptoir.schema.entity import Access, Entity, Ownership
from comptoir.schema.registry import ENTITIES
from comptoir.storage.rows import EVERYTHING, Scope
from comptoir.storage.tables import TABLES


@dataclass(frozen=True)
class Caller:
    user: int
    name: str
    admin: bool = False
    nopublic: bool = False
    #: group ID -> may write group-owned data
    groups: dict[int, bool] = field(default_factory=dict)
    #: permission identifier -> writable
    permissions: dict[str, bool] = field(default_factory=dict)
    application: int | None = None
    token: int | None = None
    #: an API key's scopes ("contacts" read+write, "contacts:read", "contacts:write", "*",
    #: "*:read"); None: the user's full rights
    scopes: frozenset[str] | None = None

    def in_scope(self, entity: str, write: bool) -> bool:
        """Does the key this caller came with reach `entity` (for writing)?  Scopes only
        narrow the user's rights, they never add to them."""
        if self.scopes is None:
            return True
        if entity in self.scopes or "*" in self.scopes or f"{entity}:write" in self.scopes:
            return True
        return not write and (f"{entity}:read" in self.scopes or "*:read" in self.scopes)

    def may(self, access: Access, write: bool) -> bool:
        """Function access (the creator condition is checked per record)."""
        if self.admin:
            return True
        if access.admin_only:
            return False
        if not access.permissions:
            return True
        return any(p in self.permissions and (self.permissions[p] or not write)
                   for p in access.permissions)

    def may_own(self, group: int | None, user: int | None) -> bool:
        """May this caller write a record owned by `group` / `user` (both None: public)?"""
        if self.admin:
            return True
        if group is None and user is None:
            return not self.nopublic
        if group is not None and not self.groups.get(group, False):
            return False
        return user is None or user == self.user


def check_operation(entity: Entity, caller: Caller, write: bool) -> None:
    access = entity.write if write else entity.read
    if not caller.in_scope(entity.name, write):
        raise PermissionDeniedError(f"Outside the scopes of the API key ({entity.name})")
    if not caller.may(access, write):
        need = access.describe(write)
        raise PermissionDeniedError(f"Lacking access permission ({need})")


def may_read(caller: Caller, entity: Entity, record: Mapping[str, Any]) -> bool:
    """`visible` for one record in hand rather than in SQL (a deleted record, an event's
    copy of one): function access and the record's owner columns.  A child entity (no
    owner columns of its own) counts as readable: its parent is not at hand."""
    if not caller.in_scope(entity.name, write=False) or not caller.may(entity.read, False):
        return False
    if caller.admin or entity.ownership is Ownership.NONE:
        return True
    group, user = record.get("ownergroup"), record.get("owneruser")
    if group is None and user is None:
        return not caller.nopublic
    return (group is not None and group in caller.groups) or (user is not None
                                                              and user == caller.user)


def _my_groups() -> sa.Select[tuple[int]]:
    """The active groups of the caller (`:caller`), as a subquery: the SQL of a visibility
    rule is then the same for every caller, so it is compiled once per entity."""
    members, groups = TABLES["groups2users"], TABLES["groups"]
    return (sa.select(members.c.group)
            .join(groups, groups.c.ID == members.c.group)
            .where(members.c.user == sa.bindparam("caller"), groups.c.activity == 0))


def _owner_clause(entity: Entity, table: sa.FromClause,
                  nopublic: bool) -> sa.ColumnElement[bool] | None:
    if entity.ownership is Ownership.NONE:
        return None
    mine: list[sa.ColumnElement[bool]] = [table.c.ownergroup.in_(_my_groups())]
    public: sa.ColumnElement[bool] = table.c.ownergroup.is_(None)
    if entity.ownership is Ownership.USER_OR_GROUP:
        mine.append(table.c.owneruser == sa.bindparam("caller"))
        public = sa.and_(public, table.c.owneruser.is_(None))
    if not nopublic:
        mine.append(public)
    return sa.or_(*mine)


def _visible(entity: Entity, nopublic: bool, table: sa.FromClause,
             depth: int, prefix: str = "") -> sa.ColumnElement[bool] | None:
    clauses = []
    own = _owner_clause(entity, table, nopublic)
    if own is not None:
        clauses.append(own)
    if depth < 3:
        for name in entity.parents:
            parent_name = entity.by_name[name].ref
            parent = ENTITIES[parent_name] if parent_name else None
            if parent is None:
                continue
            parent_table = TABLES[parent.name].alias(f"{prefix}p{depth}_{name}")
            inner = _visible(parent, nopublic, parent_table, depth + 1, prefix)
            if inner is None:
                continue
            exists = sa.exists().where(parent_table.c.ID == table.c[name], inner)
            clauses.append(sa.or_(table.c[name].is_(None), exists))
    if not clauses:
        return None
    return sa.and_(*clauses)


def visible(entity: Entity, caller: Caller) -> Scope:
    """The scope of "the caller may see this record"."""
    if caller.admin:
        return EVERYTHING
    where = _visibility(entity.name, caller.nopublic)
    if where is None:
        return EVERYTHING
    return Scope(where, {"caller": caller.user}, "nopublic" if caller.nopublic else "member")


def visible_on(entity: Entity, caller: Caller, table: sa.FromClause,
               prefix: str = "") -> sa.ColumnElement[bool] | None:
    """"The caller may read this record", for the records of `entity` in `table` (an
    alias in a join, whose own aliases start with `prefix`): function access and ownership together; None when everything is
    visible.  The caller is the bound parameter `:caller`."""
    if not caller.in_scope(entity.name, write=False) or not caller.may(entity.read, write=False):
        return sa.false()
    if caller.admin:
        return None
    if prefix == "" and table is TABLES[entity.name]:
        return _visibility(entity.name, caller.nopublic)
    return _visible(entity, caller.nopublic, table, 0, prefix)


def view_of(caller: Caller, entities: list[Entity]) -> tuple[Any, ...]:
    """What decides the SQL of `visible_on` for these entities: a cache key part."""
    scoped = tuple(caller.in_scope(e.name, write=False) for e in entities)
    if caller.admin:
        return ("admin", *scoped)
    return ("nopublic" if caller.nopublic else "member", *scoped,
            *(caller.may(e.read, write=False) for e in entities))


@functools.cache
def _visibility(name: str, nopublic: bool) -> sa.ColumnElement[bool] | None:
    """Built once per entity and kind of caller: the caller is a bound parameter."""
    return _visible(ENTITIES[name], nopublic, TABLES[name], 0)
