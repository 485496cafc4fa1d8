"""The price lists read for a document (`services/pricing.py`): which lists apply, the
quantity breaks, _MIN and _MAX lists, the base price of each side, and the lines priced
when they are created.  Real database: SQLite, or PostgreSQL when
COMPTOIR_TEST_DATABASE_URL names one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from comptoir.schema.registry import ENTITIES
from comptoir.services import pricing, records
from comptoir.services.access import Caller
from comptoir.storage.database import Database, open_database
from tests.conftest import database_with_admin

ADMIN = Caller(user=1, name="admin", admin=True)
DAY = 86400
NOW = int(time.time())


def run(tmp_path: Path, scenario: Callable[[Database], Awaitable[None]]) -> None:
    async def go(url: str) -> None:
        db = open_database(url)
        await db.open()
        try:
            await scenario(db)
        finally:
            await db.close()

    with database_with_admin(tmp_path, "pricing") as url:
        asyncio.run(go(url))


async def make(db: Database, entity: str, **values: Any) -> int:
    return int((await records.create_record(db, ADMIN, entity, values)).data["ID"])


async def priced(db: Database, item: int, quantity: str = "1", **document: Any
                 ) -> tuple[Decimal, int | None]:
    async with db.read() as conn:
        return await pricing.price_line(conn, {"type": 3, "date": NOW, **document}, item,
                                        Decimal(quantity))


def test_which_lists_apply_and_which_price_wins(tmp_path: Path) -> None:
    async def scenario(db: Database) -> None:
        # given: an item at 100 (bought 60), two customers
        item = await make(db, "items", name="Câble", sellingprice=100, purchaseprice=60)
        customer = await make(db, "accounts", lastname="ACME", currency="EUR")
        other = await make(db, "accounts", lastname="Other", currency="EUR")
        # a list of the customer: 90, from 10 units 100 less 2.5 rebate less its 10 %
        mine = await make(db, "pricelists", name="Contrat", currency="EUR", discount=10)
        await make(db, "prices", item=item, pricelist=mine, price=90, discount=0)
        await make(db, "prices", item=item, pricelist=mine, minamount=10, rebate=2.5)
        await make(db, "pricelists2accounts", pricelist=mine, account=customer)
        # lists that never apply: expired, not yet, deactivated, in dollars, procurement
        for values in ({"dateto": NOW - DAY}, {"datefrom": NOW + DAY}, {"activity": 1},
                       {"currency": "USD"}, {"type": 2}):
            dead = await make(db, "pricelists", name="Dead", applytoall=1,
                              **{"currency": "EUR", **values})
            await make(db, "prices", item=item, pricelist=dead, price=1)
        # then: the customer's list, its quantity break, rounded to 4 places
        assert await priced(db, item, "2", account=customer, currency="EUR") == (
            Decimal("90.0000"), mine)
        assert await priced(db, item, "12", account=customer, currency="EUR") == (
            Decimal("87.7500"), mine)
        assert await priced(db, item, "-12", account=customer, currency="EUR") == (
            Decimal("87.7500"), mine)  # a credit line like a sale
        # a document without a currency is in its company's (EUR)
        assert await priced(db, item, "2", account=customer) == (Decimal("90.0000"), mine)
        # another account, another currency: the item's price
        assert await priced(db, item, "2", account=other, currency="EUR") == (
            Decimal(100), None)
        assert await priced(db, item, "2", account=customer, currency="GBP") == (
            Decimal(100), None)
        # _MIN lists: the lowest wins, a tie goes to the smallest ID
        low = await make(db, "pricelists", name="Low", currency="EUR", applytoall=1)
        await make(db, "prices", item=item, pricelist=low, price=85)
        tie = await make(db, "pricelists", name="Tie", currency="EUR", applytoall=1)
        await make(db, "prices", item=item, pricelist=tie, price=85)
        assert await priced(db, item, "2", account=customer) == (Decimal("85.0000"), low)
        # _MAX lists: the highest wins, but only where no _MIN list prices the line
        high = await make(db, "pricelists", name="High", currency="EUR", applytoall=1, type=1)
        higher = await make(db, "pricelists", name="Higher", currency="EUR", applytoall=1, type=1)
        for pricelist in (high, higher):
            await make(db, "prices", item=item, pricelist=pricelist, price=500)
        await make(db, "prices", item=item, pricelist=higher, price=120, discount=-10,
                   minamount=100)
        assert await priced(db, item, "2", account=customer) == (Decimal("85.0000"), low)
        for pricelist in (mine, low, tie):
            await records.update_record(db, ADMIN, "pricelists", pricelist, {"activity": 1})
        assert await priced(db, item, "2", account=customer) == (Decimal("500.0000"), high)
        assert await priced(db, item, "100", account=customer) == (Decimal("500.0000"), high)
        await make(db, "prices", item=item, pricelist=high, price=100, minamount=50)
        # high's break at 50 gives 100; higher's at 100 gives 120 less -10 %: 132
        assert await priced(db, item, "100", account=customer) == (
            Decimal("132.0000"), higher)

    run(tmp_path, scenario)


def test_the_base_price_of_each_side(tmp_path: Path) -> None:
    async def scenario(db: Database) -> None:
        item = await make(db, "items", name="Vis", sellingprice=0.05, purchaseprice=0.0125)
        service = await make(db, "items", name="Support", sellingprice=50)
        # a supplier's list: 20 % off the purchase price
        bought = await make(db, "pricelists", name="Fournisseur", currency="EUR", type=2, applytoall=1,
                            discount=20)
        await make(db, "prices", item=item, pricelist=bought)
        assert await priced(db, item, type=6) == (Decimal("0.0100"), bought)
        assert await priced(db, item, type=3) == (Decimal("0.05"), None)
        # an item without a purchase price is bought at its selling price
        assert await priced(db, service, type=6) == (Decimal(50), None)
        # a production order takes no list
        assert await priced(db, item, type=10) == (Decimal("0.05"), None)

    run(tmp_path, scenario)


def test_a_new_line_is_priced_only_without_a_price_and_on_a_draft(tmp_path: Path) -> None:
    async def scenario(db: Database) -> None:
        item = await make(db, "items", name="Câble", sellingprice=100)
        customer = await make(db, "accounts", lastname="ACME", currency="EUR")
        mine = await make(db, "pricelists", name="Contrat", currency="EUR", applytoall=1)
        await make(db, "prices", item=item, pricelist=mine, price=90)
        quote = await make(db, "transactions", type=0, account=customer, currency="EUR")

        async def line(**values: Any) -> dict[str, Any]:
            made = await records.create_record(db, ADMIN, "lineitems", {
                "transaction": quote, "item": item, **values})
            stored = await records.get_record(db, ADMIN, "lineitems", made.data["ID"])
            assert (made.data["listprice"], made.data["pricelist"]) == (
                stored.data["listprice"], stored.data["pricelist"])
            return stored.data

        assert (await line())["listprice"] == 90 and (await line())["pricelist"] == mine
        given = await line(listprice=95)
        assert (given["listprice"], given["pricelist"]) == (95, None)
        # a line without an item, a record of another entity: nothing filled
        async with db.read() as conn:
            free = {"transaction": quote, "quantity": 1}
            assert await pricing.price_new_record(conn, ENTITIES["lineitems"], free,
                                                  free) == {}
            account = {"lastname": "X"}
            assert await pricing.price_new_record(conn, ENTITIES["accounts"], account,
                                                  account) == {}
        # a document no longer a draft: its new lines are not priced
        await records.update_record(db, ADMIN, "transactions", quote, {"status": 2})
        held = await line()
        assert (held["listprice"], held["pricelist"]) == (0, None)

    run(tmp_path, scenario)
