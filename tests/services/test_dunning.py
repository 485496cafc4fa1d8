"""The dunning services on SQLite and PostgreSQL: letters escalate one level per run up to
the formal notice, the indemnity is claimed once and from businesses only, the company's
penalty rate wins over the legal one, events are emitted, and a refused run writes
nothing (no number taken)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from comptoir.errors import InvalidFieldError
from comptoir.events import outbox
from comptoir.services import dunning, records, sales
from comptoir.services.access import Caller
from comptoir.storage.database import Database, open_database
from tests.conftest import database_with_admin

ADMIN = Caller(user=1, name="admin", admin=True)
TODAY = dt.datetime.now(dt.UTC).date()


def ago(days: int) -> str:
    return (TODAY - dt.timedelta(days=days)).isoformat()


async def _create(db: Database, name: str, values: dict[str, Any]) -> int:
    return int((await records.create_record(db, ADMIN, name, values)).data["ID"])


async def _invoice(db: Database, account: int, company: int, days_ago: int) -> int:
    draft = await _create(db, "transactions", {"type": 3, "account": account,
                                               "company": company, "currency": "EUR"})
    await _create(db, "lineitems", {"transaction": draft, "quantity": 1, "listprice": 500,
                                    "tax1": 20})
    await sales.issue_document(db, ADMIN, draft, {"date": ago(days_ago)})
    return draft


async def _scenario(db: Database) -> dict[str, Any]:
    company = await _create(db, "companies", {"name": "Relances SAS", "paymentterms": 30,
                                              "latepenaltyrate": 10})
    business = await _create(db, "accounts", {"lastname": "Durand SARL", "type": 1,
                                              "currency": "EUR"})
    person = await _create(db, "accounts", {"firstname": "Jean", "lastname": "Martin",
                                            "type": 1, "currency": "EUR"})
    owed = {await _invoice(db, business, company, 100): "business",
            await _invoice(db, person, company, 100): "person"}
    # a refused run takes no number and writes nothing
    with pytest.raises(InvalidFieldError, match=r"^transactions\[3\]: "):
        await dunning.run_dunning(db, ADMIN, {"date": ago(40),
                                              "transactions": [*owed, 999999]})
    runs = [await dunning.run_dunning(db, ADMIN, {"date": ago(days), "company": company})
            for days in (40, 20, 0)]
    listed = await dunning.overdue(db, ADMIN, {"company": company})
    async with db.read() as conn:
        events = await outbox.read_events(conn, entity="dunning")
    return {"owed": owed, "runs": runs, "listed": listed,
            "events": [e["type"] for e in events]}


def test_letters_escalate_to_the_formal_notice(tmp_path: Path) -> None:
    async def run(url: str) -> dict[str, Any]:
        db = open_database(url)
        await db.open()
        try:
            return await _scenario(db)
        finally:
            await db.close()

    with database_with_admin(tmp_path, "dunning") as url:
        found = asyncio.run(run(url))
    # levels 1, 2, 3 (REMINDER, REMINDER, NOTICE), one letter per account and run
    levels = [[(sent["level"], sent["letter"]["type"], sent["fee"]) for sent in done["letters"]]
              for done in found["runs"]]
    assert levels == [[(1, 1, "0.00")] * 2,
                      [(2, 1, "40.00"), (2, 1, "0.00")],  # the person owes no indemnity
                      [(3, 2, "0.00")] * 2]
    numbers = [sent["letter"]["dunningnum"][-5:] for done in found["runs"]
               for sent in done["letters"]]
    assert numbers == ["00001", "00002", "00003", "00004", "00005", "00006"]
    # 600 x 10 % x 70 / 365 = 11.506..., at the company's rate
    invoices = [e for a in found["listed"]["accounts"] for e in a["invoices"]]
    assert {(e["level"], e["next_level"], e["penaltyrate"], e["penalty"]) for e in invoices} \
        == {(3, None, "10", "11.51")}
    assert sorted(e["indemnity"] for e in invoices) == ["0.00", "40.00"]
    assert found["events"].count("dunning.created") == 6
    assert found["events"].count("dunning.issued") == 6
