"""The books post themselves: issuing an invoice, recording a payment, allocating it, VAT on
payments and cancelling by a credit note each write their balanced entry, on SQLite and
PostgreSQL (`services/posting.py`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from comptoir.schema.registry import ENTITIES
from comptoir.services import posting, records, sales, settlement
from comptoir.services.access import Caller
from comptoir.storage import rows
from comptoir.storage.database import Database, open_database
from tests.conftest import database_with_admin

ADMIN = Caller(user=1, name="admin", admin=True)


def run_books(tmp_path: Path, prefix: str, body: Callable[[Database], Awaitable[Any]]) -> Any:
    async def run(url: str) -> Any:
        db = open_database(url)
        await db.open()
        try:
            return await body(db)
        finally:
            await db.close()

    with database_with_admin(tmp_path, prefix) as url:
        return asyncio.run(run(url))


async def invoice(db: Database, account: int, lines: list[tuple[str, str, str]],
                  **header: Any) -> int:
    made = await records.create_record(db, ADMIN, "transactions", {
        "type": 3, "account": account, "currency": "EUR", **header})
    for quantity, price, rate in lines:
        await records.create_record(db, ADMIN, "lineitems", {
            "transaction": made.data["ID"], "quantity": quantity, "listprice": price,
            "tax1": rate})
    return int(made.data["ID"])


async def entries(db: Database, **where: Any) -> list[dict[str, Any]]:
    async with db.read() as conn:
        found = []
        for entry in await posting.entries_of(conn, *next(iter(where.items()))):
            lines = await posting.lines_of(conn, entry=entry["ID"])
            found.append({**entry, "lines": [
                (line["accountnum"], Decimal(str(line["debit"])).quantize(Decimal("0.01")),
                 Decimal(str(line["credit"])).quantize(Decimal("0.01")), line["lettering"])
                for line in lines]})
        return found


def test_an_invoice_its_payment_and_their_lettering(tmp_path: Path) -> None:
    async def body(db: Database) -> tuple[Any, ...]:
        account = (await records.create_record(db, ADMIN, "accounts", {
            "lastname": "ACME", "currency": "EUR", "type": 1, "customernum": "C042"})).data["ID"]
        # given an invoice of a service at 20 % and one at 5.5 %
        doc = await invoice(db, account, [("1", "100", "20"), ("2", "25", "5.5")])
        issued = await sales.issue_document(db, ADMIN, doc, {})
        posted = await entries(db, transaction=doc)
        # when it is paid in full
        await settlement.record_payment(db, ADMIN, doc, {})
        return issued.data, posted, await entries(db, transaction=doc)

    issued, posted, after = run_books(tmp_path, "posting_invoice", body)
    (entry,) = posted
    assert entry["status"] == 1 and entry["entrynum"].endswith("-000001")
    assert entry["pieceref"] == issued["transactionnum"]
    assert sorted(entry["lines"]) == sorted([
        ("411", Decimal("172.75"), Decimal("0.00"), ""),
        ("706", Decimal("0.00"), Decimal("100.00"), ""),  # a base line per rate
        ("706", Decimal("0.00"), Decimal("50.00"), ""),
        ("44571", Decimal("0.00"), Decimal("20.00"), ""),
        ("44571", Decimal("0.00"), Decimal("2.75"), "")])
    # then the customer line of the invoice is lettered with the payment's
    customer = [line for line in after[0]["lines"] if line[0] == "411"]
    assert customer[0][3] == "A"


def test_vat_on_payments_becomes_due_as_the_invoice_is_paid(tmp_path: Path) -> None:
    async def body(db: Database) -> list[dict[str, Any]]:
        await records.update_record(db, ADMIN, "companies", 1, {"vatonpayments": 1})
        account = (await records.create_record(db, ADMIN, "accounts", {
            "lastname": "Dupont", "currency": "EUR", "type": 1})).data["ID"]
        doc = await invoice(db, account, [("1", "100", "20")])
        await sales.issue_document(db, ADMIN, doc, {})
        # when 60 of its 120 are paid
        await settlement.record_payment(db, ADMIN, doc, {"amount": "60"})
        return await entries(db, transaction=doc)

    found = run_books(tmp_path, "posting_cash_vat", body)
    document, vat = found
    assert ("44574", Decimal("0.00"), Decimal("20.00"), "") in document["lines"]
    # then half the VAT moves from the waiting account to the VAT collected
    assert sorted(vat["lines"]) == [("44571", Decimal("0.00"), Decimal("10.00"), ""),
                                    ("44574", Decimal("10.00"), Decimal("0.00"), "")]
    assert vat["origin"] == 3 and vat["allocation"] is not None


def test_cancelling_an_invoice_posts_its_credit_note(tmp_path: Path) -> None:
    async def body(db: Database) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        account = (await records.create_record(db, ADMIN, "accounts", {
            "lastname": "Martin", "currency": "EUR", "type": 1})).data["ID"]
        doc = await invoice(db, account, [("3", "10", "20")])
        await sales.issue_document(db, ADMIN, doc, {})
        await sales.cancel_document(db, ADMIN, doc, {})
        return await entries(db, transaction=doc), await _credit_entries(db, doc)

    async def _credit_entries(db: Database, doc: int) -> list[dict[str, Any]]:
        async with db.read() as conn:
            made = await rows.select_rows_where(conn, ENTITIES["transactions"], {"source": doc})
        return await entries(db, transaction=made[0]["ID"])

    invoice_entries, credit_entries = run_books(tmp_path, "posting_credit", body)
    assert sorted(credit_entries[0]["lines"]) == sorted([
        ("411", Decimal("0.00"), Decimal("36.00"), "A"),
        ("706", Decimal("30.00"), Decimal("0.00"), ""),
        ("44571", Decimal("6.00"), Decimal("0.00"), "")])
    assert ("411", Decimal("36.00"), Decimal("0.00"), "A") in invoice_entries[0]["lines"]


def test_a_payment_changed_or_cancelled_is_reversed(tmp_path: Path) -> None:
    async def body(db: Database) -> list[dict[str, Any]]:
        account = (await records.create_record(db, ADMIN, "accounts", {
            "lastname": "Bernard", "currency": "EUR", "type": 1})).data["ID"]
        made = await records.create_record(db, ADMIN, "payments", {
            "account": account, "amount": "50", "status": 1, "means": 3})
        payment = int(made.data["ID"])
        await records.update_record(db, ADMIN, "payments", payment, {"amount": "55"})
        await records.update_record(db, ADMIN, "payments", payment, {"status": 2})
        return await entries(db, payment=payment)

    first, reversal, second, second_reversal = run_books(tmp_path, "posting_payment", body)
    assert sorted(first["lines"]) == [("411", Decimal("0.00"), Decimal("50.00"), ""),
                                      ("530", Decimal("50.00"), Decimal("0.00"), "")]
    assert reversal["reverses"] == first["ID"]
    assert ("530", Decimal("55.00"), Decimal("0.00"), "") in second["lines"]
    assert second_reversal["reverses"] == second["ID"]
