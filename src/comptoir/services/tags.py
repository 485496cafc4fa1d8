"""Tags of records in webservice terms (the vtiger Cloud REST form's `tags_*`): the same
tags the REST API reads and writes (`tags`, `+tags`, `-tags`)."""

from __future__ import annotations

from comptoir.errors import OperationNotAllowedError
from comptoir.schema.module import Module
from comptoir.schema.registry import ENTITIES
from comptoir.services import modules, records
from comptoir.services.access import Caller
from comptoir.storage.database import Database
from comptoir.wire import module_values as mv


async def _tagged(db: Database, caller: Caller, text_id: str) -> tuple[Module, int]:
    await modules.retrieve(db, caller, text_id)  # exists, in its module, readable
    module, record_id = mv.module_of(text_id)
    if not ENTITIES[module.entity].tags:
        raise OperationNotAllowedError(f"{module.name} records have no tags")
    return module, record_id


async def of(db: Database, caller: Caller, text_id: str) -> list[str]:
    module, record_id = await _tagged(db, caller, text_id)
    record = await records.get_record(db, caller, module.entity, record_id, tags=True)
    return list(record.data["tags"])


async def add(db: Database, caller: Caller, text_id: str, tags: list[str]) -> list[str]:
    module, record_id = await _tagged(db, caller, text_id)
    record = await records.update_record(db, caller, module.entity, record_id, {"+tags": tags})
    return list(record.data["tags"])


async def remove(db: Database, caller: Caller, text_id: str, tags: list[str] | None) -> list[str]:
    """Remove `tags` (None: every tag)."""
    module, record_id = await _tagged(db, caller, text_id)
    body = {"tags": []} if tags is None else {"-tags": tags}
    record = await records.update_record(db, caller, module.entity, record_id, body)
    return list(record.data["tags"])
