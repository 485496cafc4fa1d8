"""The entity registry: the single source of truth for Comptoir's data model.

One module per area (`crm`, `sales`, ...) declares its entities in a module-level
`ENTITIES` tuple; `comptoir.schema.registry` collects them.  This package module holds
what several areas share: the names of the canonical entities and common value labels.

First generated from the ZeyOS spec by tools/gen_registry.py; this file, not the spec,
is now the source of truth.
"""

from __future__ import annotations

#: entities whose records may be named by (entity, index) pairs: records.entity,
#: events.entity, associations.entity1/2, entities2channels.entity
CANONICAL_ENTITIES: tuple[str, ...] = (
    "accounts",
    "actionsteps",
    "applications",
    "appointments",
    "campaigns",
    "contacts",
    "contracts",
    "coupons",
    "davservers",
    "devices",
    "dunning",
    "feedservers",
    "groups",
    "items",
    "ledgers",
    "links",
    "mailinglists",
    "mailservers",
    "messages",
    "notes",
    "objects",
    "opportunities",
    "payments",
    "pricelists",
    "projects",
    "resources",
    "services",
    "storages",
    "tasks",
    "tickets",
    "transactions",
    "users",
    "weblets",
)

#: follows.entity: the canonical entities plus feed records
FOLLOWABLE_ENTITIES: tuple[str, ...] = tuple(sorted(CANONICAL_ENTITIES + ("records",)))

# value labels shared by many enum fields
NO_YES = {0: "NO", 1: "YES"}
VISIBILITY = {0: "REGULAR", 1: "ARCHIVED", 2: "DELETED"}
ACTIVITY = {0: "ACTIVE", 1: "DEACTIVATED", 2: "DELETED"}
PRIORITY = {0: "LOWEST", 1: "LOW", 2: "MEDIUM", 3: "HIGH", 4: "HIGHEST"}
CALCULATION = {0: "NET", 1: "GROSS", 2: "LEGACY"}
