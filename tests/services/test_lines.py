"""The lines of a draft, edited as a whole: replaced in one transaction with the totals
issuing computes, previewed without writing, refused once issued; and a payment recorded
on an invoice, created and allocated together (services/lines.py, settlement.record_payment),
on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from comptoir.errors import ConflictError, InvalidFieldError
from comptoir.services import lines, records, sales, settlement
from comptoir.services.access import Caller
from comptoir.storage.database import Database, run_with_database
from tests.conftest import database_with_admin

ADMIN = Caller(user=1, name="admin", admin=True)
TWO_LINES = [{"description": "Plateau", "quantity": "2", "listprice": "45", "tax1": "20"},
             {"description": "Livraison", "quantity": "1", "listprice": "15", "tax1": "20"}]


async def _draft(db: Database, kind: int = 3) -> int:
    account = (await records.create_record(db, ADMIN, "accounts", {
        "lastname": "Fromagerie", "currency": "EUR"})).data["ID"]
    made = await records.create_record(db, ADMIN, "transactions", {
        "type": kind, "account": account, "currency": "EUR"})
    return int(made.data["ID"])


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database for the module (each test makes its own documents)."""
    with database_with_admin(tmp_path_factory.mktemp("lines"), "lines") as made:
        yield made


def _run(url: str, work: Any) -> Any:
    return run_with_database(url, work)


def test_set_lines_replaces_them_and_keeps_the_totals(url: str) -> None:
    async def work(db: Database) -> tuple[Any, ...]:
        doc = await _draft(db)
        preview = await lines.preview_totals(db, ADMIN, doc, TWO_LINES)
        first = await lines.set_lines(db, ADMIN, doc, TWO_LINES)
        second = await lines.set_lines(db, ADMIN, doc, TWO_LINES[:1])
        stored = await records.get_record(db, ADMIN, "transactions", doc)
        found = await settlement.document_balance(db, ADMIN, doc)
        return preview, first.data, second.data, stored.data, found

    preview, first, second, stored, _balance = _run(url, work)
    assert (preview.net, preview.tax, preview.total) == (Decimal("105.00"), Decimal("21.00"),
                                                        Decimal("126.00"))
    assert Decimal(str(first["grandtotal"])) == Decimal("126.00")
    assert Decimal(str(second["grandtotal"])) == Decimal("108.00")  # 90 + 20 %
    assert Decimal(str(stored["netamount"])) == Decimal("90.00")


@pytest.mark.parametrize(("given", "field"), [
    ([{"quantity": "two"}], "lines[1].quantity"),
    ([TWO_LINES[0], {"listprice": "1e308"}], "lines[2].listprice"),
    ([{"colour": "red"}], "lines[1].colour"),
])
def test_a_bad_line_is_named_and_nothing_changes(url: str, given: list[dict[str, Any]],
                                                 field: str) -> None:
    async def work(db: Database) -> tuple[str, Any]:
        doc = await _draft(db)
        await lines.set_lines(db, ADMIN, doc, TWO_LINES)
        with pytest.raises(InvalidFieldError) as caught:
            await lines.set_lines(db, ADMIN, doc, given)
        after = await records.get_record(db, ADMIN, "transactions", doc)
        return caught.value.field, after.data["grandtotal"]

    named, total = _run(url, work)
    assert named.startswith(field)
    assert Decimal(str(total)) == Decimal("126.00")


def test_an_issued_document_keeps_its_lines_and_a_payment_settles_it(url: str) -> None:
    async def work(db: Database) -> tuple[Any, ...]:
        doc = await _draft(db)
        await lines.set_lines(db, ADMIN, doc, TWO_LINES)
        await sales.issue_document(db, ADMIN, doc, {})
        with pytest.raises(ConflictError):
            await lines.set_lines(db, ADMIN, doc, TWO_LINES[:1])
        with pytest.raises(InvalidFieldError):
            await settlement.record_payment(db, ADMIN, doc, {"amount": "-5"})
        part = await settlement.record_payment(db, ADMIN, doc, {"amount": "100", "means": 2})
        rest = await settlement.record_payment(db, ADMIN, doc, {})
        with pytest.raises(InvalidFieldError):
            await settlement.record_payment(db, ADMIN, doc, {"colour": "red"})
        return part, rest, await settlement.document_balance(db, ADMIN, doc)

    part, rest, balance = _run(url, work)
    assert Decimal(part["allocations"][0]["amount"]) == Decimal("100")
    assert part["payment"]["means"] == 2
    assert Decimal(str(rest["payment"]["amount"])) == Decimal("26.00")
    assert (balance["balance"], balance["state"]) == ("0.00", "paid")


def test_a_draft_is_not_payable(url: str) -> None:
    async def work(db: Database) -> None:
        doc = await _draft(db)
        with pytest.raises(ConflictError):
            await settlement.record_payment(db, ADMIN, doc, {"amount": "10"})

    _run(url, work)
