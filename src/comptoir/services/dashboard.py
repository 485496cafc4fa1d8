"""Dashboard metrics: turnover per month, the opportunity pipeline, overdue invoices and
open tickets, each the caller's own view (what they may list: `services/reports.py`).

    await turnover_by_month(db, caller, months=12, company=1, today=date(2026, 12, 7))
    await pipeline_by_stage(db, caller)
    await overdue_invoices(db, caller, today=date(2026, 12, 7))
    await open_tickets(db, caller)
    await dashboard(db, caller)        # the default dashboard: the metrics the caller may read

Each metric is a report whose filter says exactly which records it counts (the filters
below; `docs/reports.md`).  `company` narrows the metrics of documents (turnover, overdue
invoices); opportunities and tickets belong to no company.  `today` is a UTC day (default:
today).  Amounts are `Decimal`, to the cent, in the documents' currency (one assumed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from comptoir.errors import InvalidFieldError, PermissionDeniedError
from comptoir.schema.registry import ENTITIES
from comptoir.services import queries
from comptoir.services.access import Caller
from comptoir.services.issuing import CANCELLED, DRAFT
from comptoir.services.reports import group_report, reference_labels
from comptoir.storage.database import Database
from comptoir.wire.values import day_stamp, stored_decimal

SALES_INVOICE, SALES_CREDIT = 3, 4
#: issued: left DRAFT and not cancelled, or cancelled after issue (by a credit note, which
#: counts too), as `services/settlement.account_balance` counts documents
ISSUED: list[Any] = ["OR", {"status": {"!IN": [DRAFT, CANCELLED]}},
                     {"status": CANCELLED, "issued": {"!=": None}}]
#: opportunities.status won and lost; the others are open
WON, LOST = 5, 6
#: tickets.status of a ticket that is done with: REJECTED, CANCELLED, COMPLETED, FAILED,
#: BOOKED (its work invoiced)
CLOSED_TICKETS = (3, 8, 9, 10, 11)
REGULAR = 0  # visibility: neither archived nor deleted
OLDEST = 10
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class MonthTurnover:
    month: str  # "2026-01"
    invoiced: Decimal  # net amounts of the invoices issued, dated in the month
    credited: Decimal  # net amounts of the credit notes issued, dated in the month
    turnover: Decimal  # invoiced - credited


@dataclass(frozen=True, slots=True)
class StageTotal:
    status: int
    label: str  # "INNEGOTIATION"
    open: bool  # neither won nor lost
    count: int
    amount: Decimal  # the sum of the most likely outcomes


@dataclass(frozen=True, slots=True)
class OverdueInvoice:
    id: int
    number: str | None  # the legal number
    account: int | None
    account_name: str | None
    duedate: dt.date
    days_overdue: int
    balance: Decimal


@dataclass(frozen=True, slots=True)
class Overdue:
    count: int
    outstanding: Decimal  # the balances due, summed
    oldest: tuple[OverdueInvoice, ...]  # the 10 due the longest, the oldest first


@dataclass(frozen=True, slots=True)
class StatusCount:
    status: int
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Dashboard:
    """The default dashboard; a metric the caller may not read is None."""

    turnover: list[MonthTurnover] | None
    pipeline: list[StageTotal] | None
    overdue: Overdue | None
    tickets: list[StatusCount] | None


def _today(today: dt.date | None) -> dt.date:
    return today if today is not None else dt.datetime.now(dt.UTC).date()


def _of_company(company: int | None) -> dict[str, Any]:
    return {} if company is None else {"company": company}


def _months(last: dt.date, count: int) -> list[dt.date]:
    """The first days of the `count` months ending with the month of `last`, and of the
    month after."""
    index = last.year * 12 + last.month - 1
    return [dt.date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 2)]


async def turnover_by_month(db: Database, caller: Caller, months: int = 12, *,
                            company: int | None = None,
                            today: dt.date | None = None) -> list[MonthTurnover]:
    """Turnover (HT) per month for the `months` months ending with today's: the net amounts
    of the sales invoices issued less those of the sales credit notes issued, by the month
    (UTC) of their document date; every month listed, the oldest first."""
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 120:
        raise InvalidFieldError("months", "must be an integer from 1 to 120")
    firsts = _months(_today(today), months)
    report = await group_report(db, caller, "transactions", {
        "group": ["date:month", "type"], "measures": ["sum:netamount"],
        "filters": {"type": [SALES_INVOICE, SALES_CREDIT], "issued": ISSUED,
                    "date": {">=": day_stamp(firsts[0]), "<": day_stamp(firsts[-1])},
                    **_of_company(company)}})
    sums = {(month, kind): total for month, kind, total in report.rows}
    found = []
    for first in firsts[:-1]:
        month = first.strftime("%Y-%m")
        invoiced = sums.get((month, SALES_INVOICE), ZERO)
        credited = sums.get((month, SALES_CREDIT), ZERO)
        found.append(MonthTurnover(month, invoiced, credited, invoiced - credited))
    return found


async def pipeline_by_stage(db: Database, caller: Caller, *, company: int | None = None,
                            today: dt.date | None = None) -> list[StageTotal]:
    """The opportunities (neither archived nor deleted) by status: how many, and the sum
    of their most likely outcomes; every status listed, in the registry's order."""
    report = await group_report(db, caller, "opportunities", {
        "group": ["status"], "measures": ["count", "sum:mostlikely"],
        "filters": {"visibility": REGULAR}})
    by_status = {status: (count, amount) for status, count, amount in report.rows}
    choices: Mapping[int, str] = ENTITIES["opportunities"].by_name["status"].choices
    return [StageTotal(status, label, status not in (WON, LOST),
                       *by_status.get(status, (0, ZERO)))
            for status, label in choices.items()]


def _overdue_filter(day: dt.date, company: int | None) -> dict[str, Any]:
    """As dunning lists them (`services/dunning.py`): issued sales invoices with a balance
    left whose due date is before `day`."""
    return {"type": SALES_INVOICE, "status": {"!IN": [DRAFT, CANCELLED]},
            "issued": {"!=": None}, "balance": {">": 0}, "duedate": {"<": day_stamp(day)},
            **_of_company(company)}


async def overdue_invoices(db: Database, caller: Caller, *, company: int | None = None,
                           today: dt.date | None = None) -> Overdue:
    """The invoices overdue today: how many, the balance they leave, the oldest ones."""
    day = _today(today)
    filters = _overdue_filter(day, company)
    report = await group_report(db, caller, "transactions", {
        "group": ["type"], "measures": ["count", "sum:balance"], "filters": filters})
    count, outstanding = (report.rows[0][1], report.rows[0][2]) if report.rows else (0, ZERO)
    listed = await queries.list_records(db, caller, "transactions", {
        "fields": ["ID", "transactionnum", "account", "duedate", "balance"],
        "filter": filters, "sort": ["duedate", "ID"], "limit": OLDEST})
    async with db.read() as conn:
        names = await reference_labels(conn, caller, ENTITIES["accounts"], {
            row["account"] for row in listed if row["account"] is not None}) or {}
    oldest = []
    for row in listed:
        due = dt.datetime.fromtimestamp(row["duedate"], dt.UTC).date()
        oldest.append(OverdueInvoice(
            row["ID"], row["transactionnum"], row["account"], names.get(row["account"]),
            due, (day - due).days, stored_decimal(row["balance"]).quantize(ZERO)))
    return Overdue(count, outstanding, tuple(oldest))


async def open_tickets(db: Database, caller: Caller, *, company: int | None = None,
                       today: dt.date | None = None) -> list[StatusCount]:
    """The open tickets (neither archived nor deleted, nor in a closed status) by status;
    every open status listed, in the registry's order."""
    report = await group_report(db, caller, "tickets", {
        "group": ["status"], "measures": ["count"],
        "filters": {"status": {"!IN": list(CLOSED_TICKETS)}, "visibility": REGULAR}})
    counts = dict(report.rows)
    choices: Mapping[int, str] = ENTITIES["tickets"].by_name["status"].choices
    return [StatusCount(status, label, counts.get(status, 0))
            for status, label in choices.items() if status not in CLOSED_TICKETS]


async def dashboard(db: Database, caller: Caller, *, company: int | None = None,
                    today: dt.date | None = None) -> Dashboard:
    """The default dashboard of the caller: every metric, those they may not read None."""
    found: list[Any] = []
    for metric in (turnover_by_month, pipeline_by_stage, overdue_invoices, open_tickets):
        try:
            found.append(await metric(db, caller, company=company, today=today))
        except PermissionDeniedError:
            found.append(None)
    return Dashboard(*found)
