"""`storage/retention.purge`: what expired goes, what is still valid stays, on SQLite and
PostgreSQL; and the webhook worker runs it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from conftest import database_with_admin

from comptoir.config import Settings
from comptoir.events import delivery
from comptoir.services import webhooks
from comptoir.storage import retention
from comptoir.storage.database import Database, run_with_database
from comptoir.storage.tables import (
    deletions,
    login_failures,
    tokens,
    ws_challenges,
    ws_sessions,
)

DAY = 86_400


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with database_with_admin(tmp_path_factory.mktemp("retention"), "comptoir_retention") as u:
        yield u


async def _seed(db: Database, now: int) -> None:
    """One expired and one live row of each kind, `old`/`new` in their text columns."""
    async with db.write() as conn:
        for name, expdate in (("old", now - 10), ("new", now + DAY), ("never", None)):
            await conn.run(sa.insert(tokens).values(
                user=1, digest=name.ljust(64, "0"), identifier=name, expdate=expdate,
                creationdate=now - DAY))
        for name, expires in (("old", now - 1), ("new", now + 300)):
            await conn.run(sa.insert(ws_challenges).values(user=1, token=name, expires=expires))
        for name, created, seen in (("lived", now - 2 * DAY, now - 10),
                                    ("idle", now - 3600, now - 3600),
                                    ("live", now - 3600, now - 60)):
            await conn.run(sa.insert(ws_sessions).values(
                user=1, digest=name.ljust(64, "0"), created=created, seen=seen))
        for name, at in (("old", now - DAY - 1), ("new", now - 3600)):
            await conn.run(sa.insert(login_failures).values(name=name, address="192.0.2.1",
                                                            at=at))
        for record, deleted in ((1, now - 100 * DAY), (2, now - DAY)):
            await conn.run(sa.insert(deletions).values(
                entity="contacts", record=record, deleted=deleted, deletedby=1, data="{}"))


async def _left(db: Database) -> dict[str, list[object]]:
    async with db.read() as conn:
        return {
            "tokens": sorted(r["identifier"] for r in await conn.all(sa.select(tokens))),
            "ws_challenges": sorted(r["token"] for r in await conn.all(sa.select(ws_challenges))),
            "ws_sessions": sorted(r["digest"].rstrip("0") for r in await conn.all(
                sa.select(ws_sessions))),
            "login_failures": sorted(r["name"] for r in await conn.all(
                sa.select(login_failures))),
            "deletions": sorted(r["record"] for r in await conn.all(sa.select(deletions))),
        }


async def _clear(db: Database) -> None:
    async with db.write() as conn:
        for table in (tokens, ws_challenges, ws_sessions, login_failures, deletions):
            await conn.run(sa.delete(table))


def test_purge_removes_what_expired_and_keeps_the_rest(url: str) -> None:
    now = int(time.time())

    async def work(db: Database) -> tuple[dict[str, int], dict[str, list[object]]]:
        await _clear(db)
        await _seed(db, now)
        removed = await retention.purge(db, now)
        return removed, await _left(db)

    removed, left = run_with_database(url, work)
    assert removed == {"tokens": 1, "ws_challenges": 1, "ws_sessions": 2, "login_failures": 1,
                       "deletions": 1}
    assert left == {"tokens": ["never", "new"], "ws_challenges": ["new"],
                    "ws_sessions": ["live"], "login_failures": ["new"], "deletions": [2]}


def test_a_deletion_retention_of_0_keeps_the_log(url: str) -> None:
    now = int(time.time())

    async def work(db: Database) -> dict[str, int]:
        await _clear(db)
        await _seed(db, now)
        return await retention.purge(db, now, retention.Lifetimes(deletions_days=0))

    assert "deletions" not in run_with_database(url, work)


def test_the_webhook_worker_purges_when_it_starts(url: str) -> None:
    policy = delivery.Policy.from_settings(Settings(deletion_retention_days=30))
    assert (policy.retention_days, policy.deletions_days) == (30, 30)  # 30: the default
    now = int(time.time())

    async def work(db: Database) -> dict[str, list[object]]:
        await _clear(db)
        await _seed(db, now)
        stop = asyncio.Event()
        worker = asyncio.create_task(delivery.run_worker(db, stop, webhooks.fan_out,
                                                         idle=0.05, policy=policy))
        await asyncio.sleep(0.5)
        stop.set()
        await worker
        return await _left(db)

    assert run_with_database(url, work)["tokens"] == ["never", "new"]


def test_bad_retentions_name_their_setting() -> None:
    from comptoir.errors import InvalidFieldError

    with pytest.raises(InvalidFieldError) as raised:
        delivery.Policy.from_settings(Settings(deletion_retention_days=-1))
    assert raised.value.details["field"] == "deletion_retention_days"
