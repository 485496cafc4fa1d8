"""Records the database deletes in cascade with a deleted record (ON DELETE CASCADE) are
deletions like it: a `deleted` event and a deletion log entry each, in its transaction;
references to any of them (ON DELETE SET NULL) are cleared as updates of their records."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import database_with_admin

from comptoir.errors import PreconditionFailedError
from comptoir.events import outbox
from comptoir.schema.fields import Managed
from comptoir.schema.registry import ENTITIES
from comptoir.services import records
from comptoir.services.access import Caller
from comptoir.storage import rows
from comptoir.storage.database import Connection, Database, run_with_database
from comptoir.storage.tables import outbox as outbox_table

ADMIN = Caller(user=1, name="admin", admin=True)


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with database_with_admin(tmp_path_factory.mktemp("cascade"), "comptoir_cascade") as found:
        yield found


async def _mark(db: Database) -> int:
    """The last event written so far."""
    async with db.read() as conn:
        return int(await conn.scalar(outbox_table.select().with_only_columns(
            outbox_table.c.ID).order_by(outbox_table.c.ID.desc()).limit(1)) or 0)


async def _events_after(db: Database, mark: int) -> list[tuple[str, int, dict[str, Any]]]:
    """(type, record, data) of the events written after `mark`, in order."""
    async with db.read() as conn:
        found = await outbox.read_events(conn, after=mark, limit=100000)
    return [(e["type"], e["record"], e["data"]) for e in found]


async def _logged(db: Database, entity: str, ids: set[int]) -> dict[int, dict[str, Any]]:
    """The deletion log entries of records `ids` of `entity`: record -> data."""
    found = await records.deleted_since(db, (entity,), 0, None, 100000)
    return {e["record"]: e["data"] for e in found if e["record"] in ids}


async def _exists(db: Database, entity: str, record_id: int) -> bool:
    async with db.read() as conn:
        return await rows.exists(conn, ENTITIES[entity], record_id)


async def _create(db: Database, entity: str, body: dict[str, Any]) -> int:
    return int((await records.create_record(db, ADMIN, entity, body)).data["ID"])


async def _insert(conn: Connection, entity: str, values: dict[str, Any]) -> int:
    """A row written as it is, without the service's rules."""
    now = int(time.time())
    stamps = {f.name: now for f in ENTITIES[entity].fields
              if f.managed in (Managed.CREATED, Managed.MODIFIED)}
    return (await rows.insert_row(conn, ENTITIES[entity], {**stamps, **values}))[0]


def test_an_accounts_addresses_are_deleted_with_their_events_and_log(url: str) -> None:
    async def work(db: Database) -> None:
        # given an account with two addresses (of a contact that stays)
        account = await _create(db, "accounts", {"lastname": "Gone", "currency": "EUR"})
        contact = await _create(db, "contacts", {"lastname": "Stays"})
        addresses = [await _create(db, "addresses", {"account": account, "contact": contact,
                                                     "type": kind}) for kind in (0, 1)]
        shown = {a: (await records.get_record(db, ADMIN, "addresses", a)).data
                 for a in addresses}
        mark = await _mark(db)
        # when the account is deleted
        await records.delete_record(db, ADMIN, "accounts", account)
        # then each address is deleted as the account is, the addresses first
        events = await _events_after(db, mark)
        assert [(t, r) for t, r, _ in events] == [
            ("addresses.deleted", addresses[0]), ("addresses.deleted", addresses[1]),
            ("accounts.deleted", account)]
        for _, record, data in events[:2]:
            assert data == {"record": shown[record]}
        assert events[2][2]["record"]["lastname"] == "Gone"
        async with db.read() as conn:
            actors = {e["actor"] for e in await outbox.read_events(conn, after=mark)}
        assert actors == {ADMIN.user}
        assert await _logged(db, "addresses", set(addresses)) == shown
        assert set(await _logged(db, "accounts", {account})) == {account}
        assert not any([await _exists(db, "addresses", a) for a in addresses])
        assert await _exists(db, "contacts", contact)

    run_with_database(url, work)


def test_a_reference_to_a_cascaded_record_is_cleared_as_an_update(url: str) -> None:
    async def work(db: Database) -> None:
        # given a production order of an item (deleted with it), paid by a payment and
        # referred to by a line of another document (both stay)
        item = await _create(db, "items", {"name": "Widget"})
        order = await _create(db, "transactions", {
            "transactionnum": "PF-1", "currency": "EUR", "type": 10, "item": item,
            "productionfactor": 1})
        own_line = await _create(db, "lineitems", {"transaction": order, "item": item})
        payment = await _create(db, "payments", {"amount": 5, "transaction": order})
        other = await _create(db, "transactions", {"transactionnum": "Q-1", "currency": "EUR"})
        other_line = await _create(db, "lineitems", {"transaction": other, "item": item})
        etag = (await records.get_record(db, ADMIN, "payments", payment)).etag
        line_etag = (await records.get_record(db, ADMIN, "lineitems", other_line)).etag
        mark = await _mark(db)
        # when the item is deleted
        await records.delete_record(db, ADMIN, "items", item)
        # then the payment's reference to the order is cleared, as an update of the payment
        events = await _events_after(db, mark)
        updates = {(t, r): d for t, r, d in events if t.endswith(".updated")}
        assert set(updates) == {("payments.updated", payment), ("lineitems.updated", other_line)}
        paid = updates["payments.updated", payment]
        assert paid["changes"] == {"transaction": {"before": order, "after": None}}
        assert paid["record"]["transaction"] is None
        after = await records.get_record(db, ADMIN, "payments", payment)
        assert after.data["transaction"] is None and after.etag != etag
        assert after.data["lastmodified"] == paid["record"]["lastmodified"]
        assert updates["lineitems.updated", other_line]["changes"] == {
            "item": {"before": item, "after": None}}
        assert (await records.get_record(db, ADMIN, "lineitems", other_line)).etag != line_etag
        # the order's own line, deleted too, is not updated first
        assert ("lineitems.deleted", own_line) in [(t, r) for t, r, _ in events]
        assert ("lineitems.updated", own_line) not in updates
        # the updates come before the deletions
        types = [t for t, _, _ in events]
        assert types.index("transactions.deleted") > max(
            types.index("payments.updated"), types.index("lineitems.updated"))
        assert types[-1] == "items.deleted"

    run_with_database(url, work)


def test_every_level_of_a_cascade_is_deleted_with_events(url: str) -> None:
    async def work(db: Database) -> None:
        # given an item with a price, a component made of itself (two references to it:
        # the service refuses it, the database does not) and a production order with two
        # lines (deleted with the order)
        item = await _create(db, "items", {"name": "Machine"})
        pricelist = await _create(db, "pricelists", {"name": "Retail", "currency": "EUR"})
        price = await _create(db, "prices", {"item": item, "pricelist": pricelist})
        async with db.write() as conn:
            component = await _insert(conn, "components", {"item": item, "component": item})
        order = await _create(db, "transactions", {
            "transactionnum": "PF-2", "currency": "EUR", "type": 10, "item": item,
            "productionfactor": 1})
        lines = [await _create(db, "lineitems", {"transaction": order}) for _ in range(2)]
        mark = await _mark(db)
        # when the item is deleted
        await records.delete_record(db, ADMIN, "items", item)
        # then every level has its events, the deepest first, each record once
        events = [(t, r) for t, r, _ in await _events_after(db, mark)]
        assert events[:2] == [("lineitems.deleted", lines[0]), ("lineitems.deleted", lines[1])]
        assert sorted(events[2:5]) == [("components.deleted", component),
                                       ("prices.deleted", price),
                                       ("transactions.deleted", order)]
        assert events[5:] == [("items.deleted", item)]
        assert set(await _logged(db, "lineitems", set(lines))) == set(lines)
        assert set(await _logged(db, "transactions", {order})) == {order}
        assert set(await _logged(db, "components", {component})) == {component}
        assert not await _exists(db, "transactions", order)
        assert await _exists(db, "pricelists", pricelist)

    run_with_database(url, work)


def test_a_cascade_of_more_records_than_one_query_takes(url: str) -> None:
    async def work(db: Database) -> None:
        item = await _create(db, "items", {"name": "Popular"})
        pricelist = await _create(db, "pricelists", {"name": "Many", "currency": "EUR"})
        async with db.write() as conn:
            prices = [await _insert(conn, "prices", {"item": item, "pricelist": pricelist})
                      for _ in range(rows.IN_CHUNK + 3)]
        mark = await _mark(db)
        await records.delete_record(db, ADMIN, "items", item)
        events = [(t, r) for t, r, _ in await _events_after(db, mark)]
        assert events == [*(("prices.deleted", p) for p in prices), ("items.deleted", item)]

    run_with_database(url, work)


def test_a_refused_delete_emits_and_logs_nothing(url: str) -> None:
    async def work(db: Database) -> None:
        account = await _create(db, "accounts", {"lastname": "Kept", "currency": "EUR"})
        contact = await _create(db, "contacts", {"lastname": "Kept", "account": account})
        address = await _create(db, "addresses", {"account": account, "contact": contact})
        mark = await _mark(db)
        with pytest.raises(PreconditionFailedError):
            await records.delete_record(db, ADMIN, "accounts", account, '"not-the-etag"')
        assert await _events_after(db, mark) == []
        assert await _logged(db, "addresses", {address}) == {}
        assert await _logged(db, "accounts", {account}) == {}
        assert await _exists(db, "addresses", address)
        kept = await records.get_record(db, ADMIN, "contacts", contact)
        assert kept.data["account"] == account

    run_with_database(url, work)
