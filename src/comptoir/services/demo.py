"""The demo data set (placeholder until filled in)."""

from __future__ import annotations

from comptoir.storage.database import Database


async def load_demo_if_empty(db: Database) -> bool:
    return False
