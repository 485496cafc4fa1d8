"""Related records in webservice terms: `relatedtypes`, `query_related`, `retrieve_related`,
`add_related`, `delete_related`.

A module's related lists are declared on it (`Module.relations`).  Each is 1:n: the related
records point to the source record through a canonical reference field (a Contact's
`account`), so relating a record sets that field and unrelating clears it, through the
ordinary record update (permissions, rules, ETags and events hold).

A relation is named by its vtiger label (`Projects`) or, as Kafinea documents it, by the
related module's name (`Project`); an empty label picks the only relation to the related
module.  Anything else is `UnknownRelationError` ("Relation specified is incorrect").

    await query_related(db, caller, "SELECT * FROM Contacts WHERE lastname LIKE 'D%'",
                        "11x5", "Contacts")
    await add_related(db, caller, "11x5", "12x7", "Contacts")
"""

from __future__ import annotations

from typing import Any

from comptoir.errors import MissingFieldError, PermissionDeniedError, UnknownRelationError
from comptoir.query import vtql
from comptoir.query.ast import Compare, FieldRef
from comptoir.query.operators import BY_SYMBOL
from comptoir.schema.module import Module, Relation
from comptoir.schema.modules import MODULES
from comptoir.services import modules, records
from comptoir.services.access import Caller
from comptoir.storage.database import Database
from comptoir.wire import module_values as mv


def related_types(caller: Caller, element_type: Any) -> dict[str, Any]:
    """The related lists of a module whose records the caller may read, keyed by label."""
    module = modules.find_module(element_type)
    if not modules.may(caller, module, write=False):
        raise PermissionDeniedError("Permission to perform the operation is denied")
    found = [r for r in module.relations
             if modules.may(caller, MODULES[r.module], write=False)]
    return {"types": list(dict.fromkeys(r.module for r in found)),
            "information": {r.label: {"name": r.module, "label": r.label, "isEntity": "1"}
                            for r in found}}


def find_relation(module: Module, label: str, related: str | None) -> Relation:
    """The relation of `module` named `label` (its label or its module's name; empty: the
    only one) to the module named `related` (None: any)."""
    found = [r for r in module.relations
             if (related is None or r.module == related)
             and (not label or label in (r.label, r.module))]
    exact = [r for r in found if r.label == label]
    if len(exact) == 1:
        return exact[0]
    if len(found) == 1:
        return found[0]
    what = f"{label!r}" if label else "no label"
    to = f" to {related[:60]}" if related else ""
    raise UnknownRelationError(
        f"Relation specified is incorrect: {module.name} has no related list {what[:60]}{to}"
        + (" (several match: give its label)" if found else ""))


async def _related_rows(db: Database, caller: Caller, text_id: Any, label: str,
                        stmt: vtql.Statement) -> list[dict[str, Any]]:
    source, _ = mv.module_of(text_id)
    relation = find_relation(source, label, stmt.module.name)
    _, data = await modules.load_record(db, caller, text_id)
    related = Compare(FieldRef(relation.field), BY_SYMBOL["="], data["ID"])
    return await modules.run_statement(db, caller, stmt, related)


async def query_related(db: Database, caller: Caller, text: Any, text_id: Any,
                        label: str) -> list[dict[str, Any]]:
    """Rows of a VTQL query on the related module (its FROM), restricted to the records
    related to `text_id` through the relation `label` (a trailing `;` is optional)."""
    stmt = vtql.parse(text if isinstance(text, str) else "", require_semicolon=False)
    return await _related_rows(db, caller, text_id, label, stmt)


async def retrieve_related(db: Database, caller: Caller, text_id: Any, related_type: str,
                           label: str) -> list[dict[str, Any]]:
    """Every field of the records related to `text_id` (at most 100): `query_related` with
    `SELECT * FROM <related_type>` (empty: the module the label names)."""
    source, _ = mv.module_of(text_id)
    relation = find_relation(source, label, related_type or None)
    stmt = vtql.parse(f"SELECT * FROM {relation.module}", require_semicolon=False)
    return await _related_rows(db, caller, text_id, relation.label, stmt)


async def _pair(db: Database, caller: Caller, source_id: Any, related_id: Any,
                label: str) -> tuple[Relation, Module, dict[str, Any], int]:
    """The relation, the related module and record, and the source record's ID; both
    records must be visible and the related module writable."""
    source, _ = mv.module_of(source_id)
    related, _ = mv.module_of(related_id)
    relation = find_relation(source, label, related.name)
    _, source_data = await modules.load_record(db, caller, source_id)
    _, related_data = await modules.load_record(db, caller, related_id)
    if not modules.may(caller, related, write=True):
        raise PermissionDeniedError("Permission to write is denied")
    return relation, related, related_data, source_data["ID"]


async def add_related(db: Database, caller: Caller, source_id: Any, related_id: Any,
                      label: str) -> None:
    """Relate `related_id` to `source_id`: its reference field now points to the source
    (moving it from another record, as a vtiger dependent list does)."""
    relation, related, data, source = await _pair(db, caller, source_id, related_id, label)
    if data.get(relation.field) != source:
        await records.update_record(db, caller, related.entity, data["ID"],
                                    {relation.field: source})


async def delete_related(db: Database, caller: Caller, source_id: Any, related_id: Any,
                         label: str) -> None:
    """Unrelate `related_id` from `source_id`: its reference field is cleared if it points
    to the source (a mandatory one cannot be: MissingFieldError)."""
    relation, related, data, source = await _pair(db, caller, source_id, related_id, label)
    if data.get(relation.field) != source:
        return
    for f in related.fields:
        if f.source == relation.field and f.mandatory:
            raise MissingFieldError(f.name)
    await records.update_record(db, caller, related.entity, data["ID"], {relation.field: None})
