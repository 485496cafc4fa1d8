"""The books of a company, inside a transaction a service opened: its chart of accounts,
journals, accounting strategies, fiscal years and periods, set up the first time the company
posts so that posting needs no hand work.

    books = await books_of(conn, company_id)
    account = await account_of(conn, books, "44571")
    year, period = await period_of(conn, books, day)     # raises when the period is closed

A company that never posted gets the French PCG (`domain/chart.py`) and six journals (VT
sales, AC purchases, BQ bank on 512, CA cash on 530, OD miscellaneous, AN opening entries);
a date with no fiscal year opens the twelve months holding it, from the company's
`fiscalyearstart` month, with a period per month.  The accounts an accounting strategy or
a default names are created when the chart lacks them (a sub-account takes its parent's
name).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from comptoir.domain import chart, postings
from comptoir.errors import ConflictError, InvalidFieldError
from comptoir.schema.registry import ENTITIES
from comptoir.services import derived, numbering
from comptoir.services.numbering import utc_day
from comptoir.storage import ledger, rows
from comptoir.storage.database import Connection, Row
from comptoir.wire.values import day_stamp

CHART, JOURNALS = ENTITIES["chartaccounts"], ENTITIES["journals"]
YEARS, PERIODS = ENTITIES["fiscalyears"], ENTITIES["accountingperiods"]
RULES = ENTITIES["accountingrules"]
SALES, PURCHASES, BANK, CASH, MISC, OPENING = range(6)
OPEN, CLOSED = 0, 1
#: the journals of a new company's books: code, name, kind, account
DEFAULT_JOURNALS = (("VT", "Ventes", SALES, None), ("AC", "Achats", PURCHASES, None),
                    ("BQ", "Banque", BANK, "512"), ("CA", "Caisse", CASH, "530"),
                    ("OD", "Opérations diverses", MISC, None),
                    ("AN", "À-nouveaux", OPENING, None))
AUXILIARY = {"": 0, "customers": 1, "suppliers": 2}
PCG_BY_NUMBER = {account.number: account for account in chart.PCG}


@dataclass
class Books:
    """A company's books as loaded in one transaction."""

    company: Row
    accounts: dict[str, Row]
    journals: list[Row]
    rules: list[Row]
    years: list[Row] = field(default_factory=list)

    @property
    def id(self) -> int:
        return int(self.company["ID"])


async def _load_chart(conn: Connection, company: int) -> None:
    now = int(time.time())
    await rows.insert_missing_many(conn, CHART, [{
        "company": company, "number": account.number, "name": account.name,
        "auxiliary": AUXILIARY.get(account.auxiliary, 0), "lettering": int(account.lettering),
        "active": 1, "creationdate": now, "lastmodified": now} for account in chart.PCG],
        ("company", "number"))


async def _load_journals(conn: Connection, books: Books) -> None:
    now = int(time.time())
    for code, name, kind, number in DEFAULT_JOURNALS:
        account = await find_account(conn, books, number) if number else None
        await rows.insert_missing(conn, JOURNALS, {
            "company": books.id, "code": code, "name": name, "kind": kind, "active": 1,
            "account": account["ID"] if account else None,
            "creationdate": now, "lastmodified": now}, ("company", "code"))


async def books_of(conn: Connection, company_id: int | None) -> Books:
    """The books of a company (the default company for None), set up if it has none.  The
    accounts are read as they are needed (`find_account`, `account_of`)."""
    company = await numbering.company_of(conn, company_id)
    books = Books(company, {}, [], [])
    if not await ledger.has_chart(conn, books.id):
        await _load_chart(conn, books.id)
    books.journals = await rows.select_rows_where(conn, JOURNALS, {"company": books.id})
    if not books.journals:
        await _load_journals(conn, books)
        books.journals = await rows.select_rows_where(conn, JOURNALS, {"company": books.id})
    books.rules = await rows.select_rows_where(conn, RULES, {"company": books.id})
    return books


async def find_account(conn: Connection, books: Books, number: str) -> Row | None:
    """The chart account `number` of the company, if it has it."""
    if number not in books.accounts:
        found = await rows.select_rows_where(conn, CHART, {"company": books.id,
                                                           "number": number})
        if not found:
            return None
        books.accounts[number] = found[0]
    return books.accounts[number]


async def chart_of(conn: Connection, books: Books) -> dict[str, Row]:
    """The company's whole chart, by number."""
    found = await rows.select_rows_where(conn, CHART, {"company": books.id}, ("number",))
    books.accounts.update((row["number"], row) for row in found)
    return {row["number"]: row for row in found}


async def account_of(conn: Connection, books: Books, number: str) -> Row:
    """The chart account `number`, created (named as its parent) when the chart lacks it."""
    found = await find_account(conn, books, number)
    if found is not None:
        return found
    number = chart.check_number(number, "account")
    parent = None
    for length in range(len(number) - 1, 1, -1):
        parent = await find_account(conn, books, number[:length])
        if parent is not None:
            break
    pcg = PCG_BY_NUMBER.get(number)
    name = pcg.name if pcg else (parent["name"] if parent else f"Compte {number}")
    row = await derived.insert(conn, CHART, {
        "company": books.id, "number": number, "name": name,
        "auxiliary": parent["auxiliary"] if parent else 0,
        "lettering": parent["lettering"] if parent else 0, "active": 1}, actor=None)
    loaded = await rows.select_row(conn, CHART, int(row["ID"]))
    assert loaded is not None
    books.accounts[number] = loaded
    return loaded


async def account_by_id(conn: Connection, books: Books, account_id: int) -> Row | None:
    """A chart account of the company by ID (None when it is another company's)."""
    found = next((row for row in books.accounts.values() if row["ID"] == account_id), None)
    if found is None:
        found = await rows.select_row(conn, CHART, account_id)
        if found is None or found["company"] != books.id:
            return None
        books.accounts[found["number"]] = found
    return found


def journal_of(books: Books, kind: int, *, ledger_id: int | None = None,
               journal_id: int | None = None) -> Row:
    """The journal of `kind`: the one named, else the one of the payment's ledger (bank and
    cash journals), else the first active one of that kind."""
    if journal_id is not None:
        named = next((j for j in books.journals if j["ID"] == journal_id), None)
        if named is None:
            raise InvalidFieldError("journal", f"journal {journal_id} is not one of "
                                    f"company {books.id}'s")
        return named
    if ledger_id is not None:
        for journal in books.journals:
            if journal["ledger"] == ledger_id and journal["active"]:
                return journal
    for journal in books.journals:
        if journal["kind"] == kind and journal["active"]:
            return journal
    raise ConflictError(f"company {books.id} has no active journal of kind "
                        f"{JOURNALS.by_name['kind'].choices[kind]}", code="no_journal")


async def _years(conn: Connection, books: Books) -> list[Row]:
    if not books.years:
        books.years = await rows.select_rows_where(conn, YEARS, {"company": books.id},
                                                   ("startdate",))
    return books.years


async def open_year(conn: Connection, books: Books, start: dt.date, end: dt.date, *,
                    actor: int | None) -> Row:
    """Open a fiscal year from `start` to `end` with its monthly periods; it may not
    overlap another of the company's."""
    postings.check_fiscal_year(start, end)
    for year in await _years(conn, books):
        if utc_day(year["startdate"]) <= end and start <= utc_day(year["enddate"]):
            raise ConflictError(f"{start.isoformat()} to {end.isoformat()} overlaps fiscal "
                                f"year {year['name']}", code="overlapping_year")
    record = await derived.insert(conn, YEARS, {
        "company": books.id, "name": postings.fiscal_year_name(start, end),
        "startdate": day_stamp(start), "enddate": day_stamp(end), "status": OPEN,
        "nextentry": 1}, actor=actor)
    for first, last in postings.month_periods(start, end):
        await derived.insert(conn, PERIODS, {
            "company": books.id, "fiscalyear": record["ID"], "name": first.strftime("%Y-%m"),
            "startdate": day_stamp(first), "enddate": day_stamp(last), "status": OPEN},
            actor=actor)
    books.years = []
    row = await rows.select_row(conn, YEARS, int(record["ID"]))
    assert row is not None
    return row


async def year_of(conn: Connection, books: Books, day: dt.date, *,
                  actor: int | None) -> Row:
    """The fiscal year holding `day`, opened if there is none (the company's twelve months,
    shortened where they would overlap a year already open)."""
    years = await _years(conn, books)
    stamp = day_stamp(day)
    for year in years:
        if year["startdate"] <= stamp <= year["enddate"]:
            return year
    start, end = postings.fiscal_year_of(day, int(books.company["fiscalyearstart"]))
    for year in years:
        first, last = utc_day(year["startdate"]), utc_day(year["enddate"])
        if last < day and last >= start:
            start = last + dt.timedelta(days=1)
        if first > day and first <= end:
            end = first - dt.timedelta(days=1)
    return await open_year(conn, books, start, end, actor=actor)


async def period_of(conn: Connection, books: Books, day: dt.date, *,
                    actor: int | None) -> tuple[Row, Row]:
    """The open fiscal year and period of `day`; a closed one refuses the entry."""
    year = await year_of(conn, books, day, actor=actor)
    if year["status"] == CLOSED:
        raise ConflictError(f"{day.isoformat()} is in fiscal year {year['name']}, which is "
                            "closed", code="period_closed")
    period = await ledger.period_at(conn, int(year["ID"]), day_stamp(day))
    if period is None:
        raise ConflictError(f"fiscal year {year['name']} has no period holding "
                            f"{day.isoformat()}", code="period_closed")
    if period["status"] == CLOSED:
        raise ConflictError(f"{day.isoformat()} is in period {period['name']}, which is "
                            "closed: no entry is posted into a closed period",
                            code="period_closed")
    return year, period


def rule_account(books: Books, target: int, context: Mapping[str, Any]) -> int | None:
    """The account ID the most specific accounting strategy of `target` gives, if any."""
    rule = postings.choose_rule(books.rules, target, context)
    return None if rule is None or rule["account"] is None else int(rule["account"])
