"""Record services at the edges of the ID space, on a database of their own (the highest ID
taken would block creates for every other test)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import fresh_database

from comptoir.errors import ConflictError
from comptoir.services import auth, queries, records
from comptoir.services.access import Caller
from comptoir.storage import migrate
from comptoir.storage.database import Database, run_with_database
from comptoir.wire.values import INT32, INT64

ADMIN = Caller(user=1, name="admin", admin=True)


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(tmp_path_factory.mktemp("ids"), "comptoir_ids") as found:
        migrate.upgrade(found)
        user = run_with_database(found, lambda db: auth.create_user(
            db, "admin", "admin-password", admin=True))
        assert user == ADMIN.user
        yield found


@pytest.mark.parametrize(("entity", "body", "top"), [
    ("accounts", {"lastname": "Max", "currency": "EUR"}, INT32[1]),
    ("follows", {"entity": "ledgers", "index": 0}, INT64[1]),
], ids=["32-bit IDs", "64-bit IDs"])
def test_no_id_left_is_a_conflict_that_writes_nothing(url: str, entity: str,
                                                      body: dict[str, Any], top: int) -> None:
    """After a create with the highest ID of the column, the next create is a 409, not a
    500, a database message, or a record stored under an ID nobody can read."""

    async def work(db: Database) -> tuple[int, int]:
        created = await records.create_record(db, ADMIN, entity, {**body, "ID": top})
        assert created.data["ID"] == top
        before = await queries.count_records(db, ADMIN, entity)
        with pytest.raises(ConflictError, match="no IDs are left"):
            await records.create_record(db, ADMIN, entity, body)
        return before, await queries.count_records(db, ADMIN, entity)

    before, after = run_with_database(url, work)
    assert after == before
