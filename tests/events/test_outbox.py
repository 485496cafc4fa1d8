"""The transactional outbox: every create, update and delete, through any front door,
writes one event in the change's transaction; a rolled-back change writes none."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from conftest import database_with_admin

from comptoir.errors import InvalidFieldError
from comptoir.events import outbox
from comptoir.services import records
from comptoir.services.access import Caller
from comptoir.storage.database import Connection, Database, run_with_database

ADMIN = Caller(user=1, name="admin", admin=True)


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with database_with_admin(tmp_path_factory.mktemp("outbox"), "comptoir_outbox") as found:
        yield found


def _events(url: str, entity: str, record: int) -> list[dict[str, Any]]:
    async def work(db: Database) -> list[dict[str, Any]]:
        async with db.read() as conn:
            return await outbox.read_events(conn, entity=entity, record=record)
    return run_with_database(url, work)


def test_create_update_delete_emit_in_order(url: str) -> None:
    async def work(db: Database) -> int:
        made = await records.create_record(db, ADMIN, "contacts",
                                           {"lastname": "Ada", "city": "London"})
        record_id = int(made.data["ID"])
        await records.update_record(db, ADMIN, "contacts", record_id,
                                    {"city": "Paris", "phone": "1"})
        await records.update_record(db, ADMIN, "contacts", record_id, {"city": "Paris"})
        await records.delete_record(db, ADMIN, "contacts", record_id)
        return record_id

    record_id = run_with_database(url, work)
    events = _events(url, "contacts", record_id)
    # the update that changed nothing emitted nothing
    assert [(e["type"], e["sequence"]) for e in events] == [
        ("contacts.created", 1), ("contacts.updated", 2), ("contacts.deleted", 3)]
    created, updated, deleted = events
    assert created["data"]["record"]["lastname"] == "Ada"
    assert updated["data"]["changes"] == {"city": {"before": "London", "after": "Paris"},
                                          "phone": {"before": "", "after": "1"}}
    assert updated["data"]["record"]["city"] == "Paris"
    assert deleted["data"]["record"]["city"] == "Paris"
    assert len({e["event"] for e in events}) == 3
    assert all(e["event"].startswith("evt_") and e["actor"] == ADMIN.user for e in events)
    assert [e["ID"] for e in events] == sorted(e["ID"] for e in events)


def test_a_rolled_back_change_emits_nothing(url: str) -> None:
    async def failing(conn: Connection, record_id: int) -> None:
        raise InvalidFieldError("LineItems", "a line is wrong")  # after the row was written

    async def work(db: Database) -> tuple[int, int]:
        async with db.read() as conn:
            before = len(await outbox.read_events(conn, limit=100000))
        with pytest.raises(InvalidFieldError):
            await records.create_record(db, ADMIN, "contacts", {"lastname": "Ghost"},
                                        after=failing)
        made = await records.create_record(db, ADMIN, "contacts", {"lastname": "Kept"})
        with pytest.raises(InvalidFieldError):
            await records.update_record(db, ADMIN, "contacts", int(made.data["ID"]),
                                        {"lastname": "Changed"}, after=failing)
        async with db.read() as conn:
            after = len(await outbox.read_events(conn, limit=100000))
        return before, after

    before, after = run_with_database(url, work)
    assert after == before + 1  # only the create of "Kept"


def test_concurrent_updates_all_land_with_one_sequence(url: str) -> None:
    """Twenty updates of one record at once, without If-Match: on PostgreSQL each waits for
    the record's lock and then writes over what the previous one wrote (none is refused as
    modified concurrently), and the record's events are numbered 1 to 21 without a gap."""
    async def work(db: Database) -> tuple[int, list[Any]]:
        made = await records.create_record(db, ADMIN, "contacts", {"lastname": "Busy"})
        record_id = int(made.data["ID"])
        answers = await asyncio.gather(*(
            records.update_record(db, ADMIN, "contacts", record_id, {"firstname": f"F{n}"})
            for n in range(20)), return_exceptions=True)
        return record_id, answers

    record_id, answers = run_with_database(url, work)
    assert not [a for a in answers if isinstance(a, BaseException)]
    events = _events(url, "contacts", record_id)
    assert [e["sequence"] for e in events] == list(range(1, 22))
    befores = [e["data"]["changes"]["firstname"]["before"] for e in events[1:]]
    afters = [e["data"]["changes"]["firstname"]["after"] for e in events[1:]]
    assert befores[1:] == afters[:-1]  # each update saw the one before it


def test_every_front_door_emits(server: Any, database_url: str, admin: httpx.Client) -> None:
    from api.webservice.conftest import ws_login

    ws_admin = ws_login(server, database_url, "admin")
    # a REST create and a webservice update of the same record
    record_id = admin.put("/contacts", json={"lastname": "Doors"}).json()["ID"]
    try:
        ws_admin.okpost("revise", element={"id": f"12x{record_id}", "lastname": "Both doors"})
    finally:
        ws_admin.http.close()
    events = _events(database_url, "contacts", record_id)
    # (the shared database may have had an earlier record of this ID: take this one's)
    last = max(i for i, e in enumerate(events) if e["type"] == "contacts.created")
    events = events[last:]
    assert [e["type"] for e in events] == ["contacts.created", "contacts.updated"]
    assert events[1]["data"]["changes"]["lastname"] == {"before": "Doors",
                                                        "after": "Both doors"}


def test_document_lines_are_events_too(server: Any, database_url: str) -> None:
    from api.webservice.conftest import ws_login

    ws = ws_login(server, database_url, "admin")
    try:
        owner = ws.ok("query", query="SELECT id FROM Users WHERE user_name = 'admin';")[0]["id"]
        account = ws.okpost("create", elementType="Accounts",
                            element={"accountname": "Outbox Ltd", "assigned_user_id": owner})
        product = ws.okpost("create", elementType="Products",
                            element={"productname": "Gear", "assigned_user_id": owner,
                                     "unit_price": "5"})
        quote = ws.okpost("create", elementType="Quotes", element={
            "subject": "Q", "account_id": account["id"], "assigned_user_id": owner,
            "quotestage": "Created", "bill_street": "1", "ship_street": "1",
            "productid": product["id"],
            "LineItems": [{"productid": product["id"], "quantity": "2"}]})
        ws.okpost("update", element={**{k: v for k, v in quote.items() if k != "LineItems"},
                                     "LineItems": [{"productid": product["id"],
                                                    "quantity": "3"}]})
    finally:
        ws.http.close()
    first = int(quote["LineItems"][0]["id"].split("x")[1])
    events = _events(database_url, "lineitems", first)
    assert [e["type"] for e in events] == ["lineitems.created", "lineitems.deleted"]
    assert events[0]["data"]["record"]["quantity"] == 2
    transaction = int(quote["id"].split("x")[1])
    assert [e["type"] for e in _events(database_url, "transactions", transaction)] == [
        "transactions.created", "transactions.updated"]


def test_a_cleared_reference_is_an_update_of_its_record(url: str) -> None:
    async def work(db: Database) -> tuple[int, int]:
        account = await records.create_record(db, ADMIN, "accounts",
                                              {"lastname": "Gone", "currency": "EUR"})
        contact = await records.create_record(db, ADMIN, "contacts",
                                              {"lastname": "Stays",
                                               "account": account.data["ID"]})
        await records.delete_record(db, ADMIN, "accounts", int(account.data["ID"]))
        return int(account.data["ID"]), int(contact.data["ID"])

    account_id, contact_id = run_with_database(url, work)
    events = _events(url, "contacts", contact_id)
    assert [e["type"] for e in events] == ["contacts.created", "contacts.updated"]
    assert events[1]["data"]["changes"] == {"account": {"before": account_id, "after": None}}
    assert events[1]["data"]["record"]["account"] is None
