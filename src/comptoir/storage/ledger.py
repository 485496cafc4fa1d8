"""The SQL of the books: periods, entry numbers, the lines of entries, lettering codes and
the aggregates of the financial statements, compiled once per shape like every statement
(`database.Connection`).  Dialect-neutral Core; amounts are stored as doubles (exact for
cents below 10^13) and summed in SQL, then rounded to the cent by the caller.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from comptoir.storage.database import Connection, Database, Row
from comptoir.storage.tables import REV, TABLES


def _t(name: str) -> sa.Table:
    return TABLES[name]


async def period_at(conn: Connection, year: int, stamp: int) -> Row | None:
    """The period of fiscal year `year` holding the day starting at `stamp`."""
    def build() -> sa.Select[Any]:
        p = _t("accountingperiods")
        return sa.select(p).where(p.c.fiscalyear == sa.bindparam("year"),
                                  p.c.startdate <= sa.bindparam("stamp"),
                                  p.c.enddate >= sa.bindparam("stamp"))

    return await conn.one(build, {"year": year, "stamp": stamp}, key=("ledger-period",))


async def take_entry_sequence(conn: Connection, year: int) -> int:
    """The next entry sequence value of a fiscal year, taken in this transaction (the
    year's row is locked until it ends: numbers are given in the order of validation)."""
    def select() -> sa.Select[Any]:
        y = _t("fiscalyears")
        return sa.select(y.c.nextentry).where(y.c.ID == sa.bindparam("id")).with_for_update()

    def bump() -> sa.Update:
        y = _t("fiscalyears")
        return (sa.update(y).where(y.c.ID == sa.bindparam("id"))
                .values(nextentry=y.c.nextentry + 1, **{REV: y.c[REV] + 1}))

    value = int(await conn.scalar(select, {"id": year}, key=("ledger-next-entry",)))
    await conn.run(bump, {"id": year}, key=("ledger-bump-entry",))
    return value


LINE_COLUMNS = ("entry", "sequence", "company", "journal", "fiscalyear", "date", "account",
                "accountnum", "auxaccount", "auxnum", "auxname", "name", "debit", "credit",
                "currencyamount", "currency", "lettering", "lettered", "vatkind", "vatrate",
                "vatrole", "vatbase", "duedate", "transaction")


async def insert_lines(conn: Connection, lines: Sequence[Mapping[str, Any]]) -> None:
    """Insert the lines of an entry (no events: the entry's event carries them)."""
    def build() -> sa.Insert:
        return sa.insert(_t("entrylines")).values(
            **{name: sa.bindparam(name) for name in LINE_COLUMNS},
            **{REV: sa.bindparam("rev")})

    for line in lines:
        params = {name: line.get(name) for name in LINE_COLUMNS}
        for name in ("auxnum", "auxname", "name", "currency", "lettering", "accountnum"):
            params[name] = params[name] or ""
        params["rev"] = secrets.randbelow(2**30) + 1
        await conn.run(build, params, key=("ledger-insert-line",))


async def last_lettering(conn: Connection, company: int) -> str:
    """The highest lettering code of the company's lines ('' when none): the longest, then
    the last in alphabetical order."""
    def build() -> sa.Select[Any]:
        line = _t("entrylines")
        return (sa.select(line.c.lettering)
                .where(line.c.company == sa.bindparam("c"), line.c.lettering != "")
                .order_by(sa.func.length(line.c.lettering).desc(), line.c.lettering.desc())
                .limit(1))

    return str(await conn.scalar(build, {"c": company}, key=("ledger-last-lettering",)) or "")


async def balances(conn: Connection, company: int, start: int, end: int,
                   journal: int | None = None) -> list[Row]:
    """Per account number: the sums of debits and credits of the company's lines dated
    from `start` to `end` (Unix times of days), of one journal or all."""
    def build(by_journal: bool) -> sa.Select[Any]:
        line = _t("entrylines")
        where = [line.c.company == sa.bindparam("c"), line.c.date >= sa.bindparam("s"),
                 line.c.date <= sa.bindparam("e")]
        if by_journal:
            where.append(line.c.journal == sa.bindparam("j"))
        return (sa.select(line.c.accountnum, sa.func.sum(line.c.debit).label("debit"),
                          sa.func.sum(line.c.credit).label("credit"),
                          sa.func.count().label("lines"))
                .where(*where).group_by(line.c.accountnum).order_by(line.c.accountnum))

    params: dict[str, Any] = {"c": company, "s": start, "e": end}
    if journal is not None:
        params["j"] = journal
    return await conn.all(lambda: build(journal is not None), params,
                          key=("ledger-balances", journal is not None))


def fec_statement() -> sa.Select[Any]:
    """The FEC's columns of the validated lines of one fiscal year, in entry-number order."""
    line, entry = _t("entrylines"), _t("journalentries")
    journal, account = _t("journals"), _t("chartaccounts")
    return (sa.select(journal.c.code, journal.c.name, entry.c.entrynum, entry.c.date,
                      line.c.accountnum, account.c.name, line.c.auxnum, line.c.auxname,
                      entry.c.pieceref, entry.c.piecedate, line.c.name, line.c.debit,
                      line.c.credit, line.c.lettering, line.c.lettered, entry.c.validated,
                      line.c.currencyamount, line.c.currency)
            .select_from(line.join(entry, entry.c.ID == line.c.entry)
                         .join(journal, journal.c.ID == line.c.journal)
                         .join(account, account.c.ID == line.c.account))
            .where(line.c.fiscalyear == sa.bindparam("year"), entry.c.status == 1)
            # numbers are given in the order of validation: sorted as numbers
            .order_by(sa.func.length(entry.c.entrynum), entry.c.entrynum, line.c.sequence))


def stream_fec(db: Database, year: int, batch: int = 5000,
               ) -> AsyncIterator[Sequence[Sequence[Any]]]:
    return db.stream(fec_statement, {"year": year}, key=("ledger-fec",), batch=batch)


async def drafts_between(conn: Connection, company: int, start: int, end: int) -> int:
    """How many draft entries the company has dated from `start` to `end`."""
    def build() -> sa.Select[Any]:
        entry = _t("journalentries")
        return sa.select(sa.func.count()).where(
            entry.c.company == sa.bindparam("c"), entry.c.status == 0,
            entry.c.date >= sa.bindparam("s"), entry.c.date <= sa.bindparam("e"))

    return int(await conn.scalar(build, {"c": company, "s": start, "e": end},
                                 key=("ledger-drafts",)))


async def balances_by_third(conn: Connection, year: int) -> list[Row]:
    """Per account and third party: the sums of the fiscal year's debits and credits."""
    def build() -> sa.Select[Any]:
        line = _t("entrylines")
        return (sa.select(line.c.accountnum, line.c.auxaccount, line.c.auxnum, line.c.auxname,
                          sa.func.sum(line.c.debit).label("debit"),
                          sa.func.sum(line.c.credit).label("credit"))
                .where(line.c.fiscalyear == sa.bindparam("y"))
                .group_by(line.c.accountnum, line.c.auxaccount, line.c.auxnum,
                          line.c.auxname)
                .order_by(line.c.accountnum, line.c.auxnum))

    return await conn.all(build, {"y": year}, key=("ledger-balances-by-third",))


async def vat_lines(conn: Connection, company: int, start: int, end: int) -> list[Row]:
    """Per VAT kind, rate and role: the sums of the VAT bases, debits and credits of the
    company's validated lines dated from `start` to `end` (the VAT return's movements).
    A VAT base is unsigned: it is summed per side."""
    def build() -> sa.Select[Any]:
        line, entry = _t("entrylines"), _t("journalentries")
        debit_side = line.c.debit > 0
        return (sa.select(
            line.c.vatkind, line.c.vatrate, line.c.vatrole,
            sa.func.sum(line.c.debit).label("debit"), sa.func.sum(line.c.credit).label("credit"),
            sa.func.sum(sa.case((debit_side, sa.func.coalesce(line.c.vatbase, 0)), else_=0))
            .label("base_debit"),
            sa.func.sum(sa.case((debit_side, 0), else_=sa.func.coalesce(line.c.vatbase, 0)))
            .label("base_credit"))
                .join(entry, entry.c.ID == line.c.entry)
                .where(line.c.company == sa.bindparam("c"), line.c.date >= sa.bindparam("s"),
                       line.c.date <= sa.bindparam("e"), line.c.vatkind > 0,
                       entry.c.status == 1)
                .group_by(line.c.vatkind, line.c.vatrate, line.c.vatrole))

    return await conn.all(build, {"c": company, "s": start, "e": end}, key=("ledger-vat",))


async def account_lines(conn: Connection, company: int, number: str, start: int, end: int,
                        ) -> list[Row]:
    """The lines of one account (and its sub-accounts) from `start` to `end`, in date
    order, with their entry's number and voucher (the general ledger)."""
    def build() -> sa.Select[Any]:
        line, entry = _t("entrylines"), _t("journalentries")
        return (sa.select(line.c.ID, line.c.entry, line.c.date, line.c.accountnum,
                          line.c.auxnum, line.c.name, line.c.debit, line.c.credit,
                          line.c.lettering, entry.c.entrynum, entry.c.pieceref,
                          entry.c.journal)
                .join(entry, entry.c.ID == line.c.entry)
                .where(line.c.company == sa.bindparam("c"),
                       sa.or_(line.c.accountnum == sa.bindparam("n"),
                              line.c.accountnum.like(sa.bindparam("prefix"))),
                       line.c.date >= sa.bindparam("s"), line.c.date <= sa.bindparam("e"))
                .order_by(line.c.date, line.c.entry, line.c.sequence))

    return await conn.all(build, {"c": company, "n": number, "prefix": number + "%",
                                  "s": start, "e": end}, key=("ledger-account-lines",))


async def has_chart(conn: Connection, company: int) -> bool:
    def build() -> sa.Select[Any]:
        account = _t("chartaccounts")
        return sa.select(account.c.ID).where(account.c.company == sa.bindparam("c")).limit(1)

    return await conn.one(build, {"c": company}, key=("ledger-has-chart",)) is not None
