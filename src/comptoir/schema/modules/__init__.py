"""The webservice modules, by name and by id prefix: every vtiger module Comptoir serves,
each a view of a canonical entity (see `schema/module.py`).

`listtypes` lists them in the order of the default vtiger install (by prefix)."""

from __future__ import annotations

from comptoir.schema.module import Module
from comptoir.schema.modules import (
    calendar,
    catalog,
    crm,
    documents,
    finance,
    leads,
    projects,
    sales,
    service,
    system,
)

AREAS = (
    crm,
    leads,
    catalog,
    projects,
    calendar,
    documents,
    sales,
    finance,
    service,
    system,
)

MODULES: dict[str, Module] = {
    module.name: module
    for module in sorted((m for area in AREAS for m in area.MODULES), key=lambda m: m.prefix)
}
BY_PREFIX: dict[int, Module] = {module.prefix: module for module in MODULES.values()}
#: canonical entity -> its modules, in prefix order
OF_ENTITY: dict[str, tuple[Module, ...]] = {}
for _module in MODULES.values():
    OF_ENTITY[_module.entity] = (*OF_ENTITY.get(_module.entity, ()), _module)
