"""The accounting service on SQLite and PostgreSQL: manual entries refused unless balanced,
validation and reversal, closed periods, lettering by hand, the closing of a year, the trial
balance, the VAT return and the FEC of a month of activity (`services/accounting.py`)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from comptoir.errors import ConflictError, InvalidFieldError, PermissionDeniedError
from comptoir.schema.registry import ENTITIES
from comptoir.services import accounting, queries, records, sales, settlement
from comptoir.services.access import Caller
from comptoir.storage import rows
from comptoir.storage.database import Database
from tests.services.test_posting import ADMIN, invoice, run_books
from tests.wire.fec_checker import check_fec

TODAY = dt.datetime.now(dt.UTC).date()
CLERK = Caller(user=1, name="clerk", permissions={"billing": True})


def manual(lines: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"journal": "OD", "date": TODAY.isoformat(), "name": "Frais", "pieceref": "F-1",
            "lines": lines, **extra}


def test_a_manual_entry_is_refused_unless_balanced(tmp_path: Path) -> None:
    async def body(db: Database) -> list[str]:
        problems = []
        for lines in ([{"account": "6226", "debit": "100"}, {"account": "401", "credit": "90"}],
                      [{"account": "6226", "debit": "100"}],
                      [{"account": "6226", "debit": "-5"}, {"account": "401", "credit": "-5"}],
                      [{"account": "999999", "debit": "5"}, {"account": "401", "credit": "5"}],
                      [{"account": "6226", "debit": "5", "credit": "5"},
                       {"account": "401", "credit": "0"}]):
            with pytest.raises(InvalidFieldError) as caught:
                await accounting.create_entry(db, ADMIN, manual(lines))
            problems.append(caught.value.field)
        with pytest.raises(InvalidFieldError, match="journal"):
            await accounting.create_entry(db, ADMIN, manual(
                [{"account": "6226", "debit": "5"}, {"account": "401", "credit": "5"}],
                journal="ZZ"))
        with pytest.raises(PermissionDeniedError):
            await accounting.create_entry(db, CLERK, manual([]))
        return problems

    assert run_books(tmp_path, "acc_unbalanced", body) == [
        "lines", "lines", "lines[1].debit", "lines[1].account", "lines[1]"]


def test_a_draft_is_validated_and_a_validated_entry_reversed(tmp_path: Path) -> None:
    async def body(db: Database) -> tuple[Any, ...]:
        draft = await accounting.create_entry(db, ADMIN, manual(
            [{"account": "6226", "debit": "120.50"}, {"account": "401", "credit": "120.50"}],
            validate=False))
        validated = await accounting.validate_entry(db, ADMIN, draft["ID"], {})
        with pytest.raises(ConflictError):
            await accounting.validate_entry(db, ADMIN, draft["ID"], {})
        with pytest.raises(ConflictError):
            await accounting.delete_entry(db, ADMIN, draft["ID"], {})
        reversal = await accounting.reverse_entry(db, ADMIN, draft["ID"], {})
        with pytest.raises(ConflictError):
            await accounting.reverse_entry(db, ADMIN, draft["ID"], {})
        balance = await accounting.trial_balance(db, ADMIN, {})
        return draft, validated, reversal, balance

    draft, validated, reversal, balance = run_books(tmp_path, "acc_validate", body)
    assert draft["status"] == 0 and draft["entrynum"] is None
    assert validated["status"] == 1 and validated["entrynum"].endswith("-000001")
    assert reversal["reverses"] == draft["ID"] and reversal["entrynum"].endswith("-000002")
    assert {a["number"]: a["balance"] for a in balance["accounts"]} == {
        "401": "0.00", "6226": "0.00"}
    assert balance["debit"] == balance["credit"] == "241.00"


def test_no_entry_goes_into_a_closed_period(tmp_path: Path) -> None:
    async def body(db: Database) -> None:
        account = (await records.create_record(db, ADMIN, "accounts", {
            "lastname": "ACME", "currency": "EUR", "type": 1})).data["ID"]
        await accounting.create_entry(db, ADMIN, manual(
            [{"account": "6226", "debit": "5"}, {"account": "401", "credit": "5"}]))
        periods = await queries.list_records(db, ADMIN, "accountingperiods", {"limit": 100})
        current = next(p for p in periods if p["startdate"] <= _stamp(TODAY) <= p["enddate"])
        await accounting.close_period(db, ADMIN, current["ID"], {})
        with pytest.raises(ConflictError, match="closed"):
            await accounting.create_entry(db, ADMIN, manual(
                [{"account": "6226", "debit": "5"}, {"account": "401", "credit": "5"}]))
        doc = await invoice(db, account, [("1", "10", "20")])
        with pytest.raises(ConflictError, match="closed"):  # nor is an invoice issued
            await sales.issue_document(db, ADMIN, doc, {})
        await accounting.reopen_period(db, ADMIN, current["ID"], {})
        await sales.issue_document(db, ADMIN, doc, {})

    run_books(tmp_path, "acc_closed", body)


def _stamp(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(), dt.UTC).timestamp())


def test_lettering_by_hand(tmp_path: Path) -> None:
    async def body(db: Database) -> tuple[Any, ...]:
        first = await accounting.create_entry(db, ADMIN, manual(
            [{"account": "6226", "debit": "40"}, {"account": "471", "credit": "40"}]))
        second = await accounting.create_entry(db, ADMIN, manual(
            [{"account": "471", "debit": "40"}, {"account": "512", "credit": "40"}]))
        suspense = [line["ID"] for entry in (first, second)
                    for line in await _lines(db, entry["ID"]) if line["accountnum"] == "471"]
        other = [line["ID"] for line in await _lines(db, first["ID"])
                 if line["accountnum"] == "6226"]
        with pytest.raises(InvalidFieldError, match="one account"):
            await accounting.letter(db, ADMIN, {"lines": [suspense[0], other[0]]})
        made = await accounting.letter(db, ADMIN, {"lines": suspense})
        with pytest.raises(ConflictError):
            await accounting.letter(db, ADMIN, {"lines": suspense})
        undone = await accounting.unletter(db, ADMIN, {"lettering": made["lettering"]})
        return made, undone

    made, undone = run_books(tmp_path, "acc_letter", body)
    assert made["lettering"] == "A" and undone == {"lettering": "A", "lines": 2}


async def _lines(db: Database, entry: int) -> list[dict[str, Any]]:
    return await queries.list_records(db, ADMIN, "entrylines", {"filter": {"entry": entry}})


def test_closing_a_year_carries_its_balances_forward(tmp_path: Path) -> None:
    async def body(db: Database) -> tuple[Any, ...]:
        year = await accounting.open_fiscal_year(db, ADMIN, {
            "startdate": "2024-01-01", "enddate": "2024-12-31"})
        account = (await records.create_record(db, ADMIN, "accounts", {
            "lastname": "ACME", "currency": "EUR", "type": 1})).data["ID"]
        await accounting.create_entry(db, ADMIN, {
            "journal": "VT", "date": "2024-06-01", "name": "Vente", "pieceref": "FA-1", "lines": [
                {"account": "411", "debit": "1200", "auxaccount": account},
                {"account": "706", "credit": "1000"}, {"account": "44571", "credit": "200"}]})
        await accounting.create_entry(db, ADMIN, {
            "journal": "AC", "date": "2024-07-01", "name": "Achat", "pieceref": "FF-1", "lines": [
                {"account": "6226", "debit": "300"}, {"account": "401", "credit": "300"}]})
        closed = await accounting.close_fiscal_year(db, ADMIN, year["ID"], {})
        with pytest.raises(ConflictError, match="closed"):
            await accounting.create_entry(db, ADMIN, {
                "journal": "OD", "date": "2024-08-01", "name": "Trop tard", "pieceref": "X", "lines": [
                    {"account": "6226", "debit": "1"}, {"account": "401", "credit": "1"}]})
        opening = await accounting.trial_balance(db, ADMIN, {
            "from": "2025-01-01", "to": "2025-01-01"})
        return closed, opening

    closed, opening = run_books(tmp_path, "acc_close_year", body)
    assert closed["fiscalyear"]["status"] == 1
    assert {a["number"]: a["balance"] for a in opening["accounts"]} == {
        "120": "-700.00", "401": "-300.00", "411": "1200.00", "44571": "-200.00"}
    (customer,) = [line for line in closed["opening"]["lines"] if line["accountnum"] == "411"]
    assert customer["auxname"] == "ACME"


def test_a_month_of_activity_gives_its_vat_return_and_fec(tmp_path: Path) -> None:
    async def body(db: Database) -> tuple[Any, ...]:
        await records.update_record(db, ADMIN, "companies", 1, {"siren": "732829320"})
        account = (await records.create_record(db, ADMIN, "accounts", {
            "lastname": "Société Générale d'Études", "currency": "EUR", "type": 1})).data["ID"]
        supplier = (await records.create_record(db, ADMIN, "accounts", {
            "lastname": "Fournisseur", "currency": "EUR", "type": 2})).data["ID"]
        # given two sales, a credit note, a purchase and payments
        first = await invoice(db, account, [("2", "500", "20"), ("1", "100", "5.5")])
        second = await invoice(db, account, [("1", "250", "10")])
        for doc in (first, second):
            await sales.issue_document(db, ADMIN, doc, {})
        await settlement.record_payment(db, ADMIN, first, {})
        await sales.cancel_document(db, ADMIN, second, {})
        bought = await invoice(db, supplier, [("1", "400", "20")], type=8)
        await sales.issue_document(db, ADMIN, bought, {})
        await settlement.record_payment(db, ADMIN, bought, {})
        month = {"from": TODAY.replace(day=1).isoformat(), "to": TODAY.isoformat()}
        returned = await accounting.vat_return(db, ADMIN, month)
        balance = await accounting.trial_balance(db, ADMIN, {})
        year = await accounting.fec_year(db, ADMIN, year_name=str(TODAY.year))
        out = io.BytesIO()
        name, count = await accounting.export_fec(db, ADMIN, year, out)
        return returned, balance, name, count, out.getvalue()

    returned, balance, name, count, data = run_books(tmp_path, "acc_month", body)
    lines = {line["code"]: line for line in returned["lines"]}
    # then: 1000 at 20 % and 100 at 5.5 % sold; the 10 % sale and its credit note cancel out
    assert lines["08"]["base"] == "1000" and lines["08"]["vat"] == "200"
    assert lines["09"]["base"] == "100" and lines["09"]["vat"] == "6"
    assert "9B" not in lines
    assert lines["20"]["vat"] == "80"
    assert returned["to_pay"] == "126"
    assert balance["balanced"] and balance["debit"] == balance["credit"]
    assert {a["number"]: a["balance"] for a in balance["accounts"]}["411"] == "0.00"
    # and the FEC is valid, named after the SIREN and the closing date
    assert name == f"732829320FEC{TODAY.year}1231.txt"
    assert count == len(data.splitlines()) - 1
    assert check_fec(data, name) == []
    assert Decimal(returned["collected"]) == Decimal("206")


LINES = [{"account": "6226", "debit": "5"}, {"account": "401", "credit": "5"}]


def test_bad_input_is_refused_naming_its_field_and_writes_nothing(tmp_path: Path) -> None:
    async def body(db: Database) -> tuple[list[str], int]:
        calls = [
            accounting.letter(db, ADMIN, {"lines": [10**30, 1]}),
            accounting.create_entry(db, ADMIN, manual(LINES, date="9999-12-31")),
            accounting.create_entry(db, ADMIN, manual(LINES, date="0001-01-01")),
            accounting.create_entry(db, ADMIN, manual(LINES, pieceref="")),
            accounting.create_entry(db, ADMIN, manual([
                {"account": "411", "debit": "5", "auxaccount": 10**20},
                {"account": "706", "credit": "5"}])),
            accounting.create_entry(db, ADMIN, manual([
                {"account": "6226", "debit": "1e30"}, {"account": "401", "credit": "1e30"}])),
            accounting.create_entry(db, ADMIN, manual([
                {"account": "6226", "debit": "5", "color": "red"}, LINES[1]])),
            accounting.create_entry(db, ADMIN, manual(LINES, journal=10**20)),
            accounting.trial_balance(db, ADMIN, {"company": "99999999999999999999"}),
            accounting.open_fiscal_year(db, ADMIN, {"startdate": "9999-01-01",
                                                    "enddate": "9999-12-31"}),
            accounting.delete_entry(db, ADMIN, 1, {"force": True}),
        ]
        fields = []
        for call in calls:
            with pytest.raises(InvalidFieldError) as caught:
                await call
            fields.append(caught.value.field)
        async with db.read() as conn:
            written = len(await rows.select_rows_where(conn, ENTITIES["journalentries"], {}))
        return fields, written

    fields, written = run_books(tmp_path, "acc_bad_input", body)
    assert fields == ["lines[1]", "date", "date", "pieceref", "lines[1].auxaccount",
                      "lines[1].debit", "lines[1].color", "journal", "company", "startdate",
                      "force"]
    assert written == 0


def test_a_draft_is_discarded_with_its_lines(tmp_path: Path) -> None:
    async def body(db: Database) -> tuple[Any, int]:
        draft = await accounting.create_entry(db, ADMIN, manual(LINES, validate=False))
        answer = await accounting.delete_entry(db, ADMIN, draft["ID"], {})
        return answer, len(await _lines(db, draft["ID"]))

    answer, left = run_books(tmp_path, "acc_discard", body)
    assert answer["discarded"] > 0 and left == 0
