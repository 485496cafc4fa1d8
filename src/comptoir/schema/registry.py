"""The registry: every entity of Comptoir, by REST name.

Everything that needs to know about entities (tables, validation, the REST routes, the
generic tests, the docs) walks `ENTITIES`; nothing else lists them.
"""

from __future__ import annotations

from comptoir.schema.entities import (
    CANONICAL_ENTITIES,
    FOLLOWABLE_ENTITIES,
    accounting,
    catalog,
    collaboration,
    companies,
    crm,
    finance,
    marketing,
    messaging,
    projects,
    sales,
    system,
    templates,
)
from comptoir.schema.entity import Entity

_MODULES = (crm, companies, sales, catalog, finance, accounting, projects, marketing, messaging,
            collaboration, system, templates)

ENTITIES: dict[str, Entity] = {
    entity.name: entity for module in _MODULES for entity in module.ENTITIES
}

__all__ = ["CANONICAL_ENTITIES", "ENTITIES", "FOLLOWABLE_ENTITIES", "get_entity"]


def get_entity(name: str) -> Entity | None:
    return ENTITIES.get(name)
