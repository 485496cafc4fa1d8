"""The sales services inside a transaction: an issue rolled back with the change around it
gives its number back (the next issue takes it), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from comptoir.services import records, sales
from comptoir.services.access import Caller
from comptoir.storage.database import open_database
from tests.conftest import database_with_admin

ADMIN = Caller(user=1, name="admin", admin=True)


class Abort(Exception):
    pass


async def _draft(db: object, account: int) -> int:
    made = await records.create_record(db, ADMIN, "transactions",  # type: ignore[arg-type]
                                       {"type": 3, "account": account, "currency": "EUR"})
    await records.create_record(db, ADMIN, "lineitems", {  # type: ignore[arg-type]
        "transaction": made.data["ID"], "quantity": 1, "listprice": 10, "tax1": 20})
    return int(made.data["ID"])


def test_a_rolled_back_issue_leaves_no_gap(tmp_path: Path) -> None:
    async def run(url: str) -> tuple[str, str, str]:
        db = open_database(url)
        await db.open()
        try:
            account = (await records.create_record(db, ADMIN, "accounts", {
                "lastname": "ACME", "currency": "EUR"})).data["ID"]
            first, second, third = [await _draft(db, account) for _ in range(3)]
            one = (await sales.issue_document(db, ADMIN, first, {})).data["transactionnum"]
            # when: an issue inside a change that then fails
            with pytest.raises(Abort):
                async with db.write():
                    await sales.issue_document(db, ADMIN, second, {})
                    raise Abort
            # then: the draft is still a draft, and the next issue takes the next number
            assert (await records.get_record(db, ADMIN, "transactions", second)).data[
                "transactionnum"] is None
            two = (await sales.issue_document(db, ADMIN, third, {})).data["transactionnum"]
            three = (await sales.issue_document(db, ADMIN, second, {})).data["transactionnum"]
            return one, two, three
        finally:
            await db.close()

    with database_with_admin(tmp_path, "sales_rollback") as url:
        numbers = asyncio.run(run(url))
    values = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert values == [values[0], values[0] + 1, values[0] + 2]
