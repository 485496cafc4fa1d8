"""Dunning: the overdue invoices listed by age, and dunning letters (`dunning`) of
increasing level sent for them (`docs/dunning.md`).

    await overdue(db, caller, {"date": "2026-12-07", "account": "12"})
    await run_dunning(db, caller, {"date": "2026-12-07", "account": 12})

An invoice is overdue on a day when it is an issued sales invoice (BILLING_INVOICE) with a
balance above 0 and a due date before that day.  Its level is the number of dunning
letters (REMINDER or NOTICE, BOOKED or CLOSED) that covered it, at most 3; a run sends it
the next level `domain.settlement.dunning_level` allows for its age, at least
INTERVAL_DAYS after its last letter, so a run repeated the same day sends nothing.  One
letter per account and company covers its invoices due a letter; it is numbered (`dunning`
numbering format), addressed as the last invoice, claims the recovery indemnity of
D441-5 C. com. for the invoices it takes to level 2 (professional debtors only), and is
written with its links and events in one transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from comptoir.domain import money
from comptoir.domain import settlement as rules
from comptoir.domain.documents import person_name
from comptoir.domain.settlement import RECOVERY_INDEMNITY, DunningLevel
from comptoir.errors import InvalidFieldError, NotFoundError
from comptoir.events import outbox
from comptoir.schema.modules import MODULES
from comptoir.schema.registry import ENTITIES
from comptoir.services import conversion, derived, issuing, numbering, printing, records
from comptoir.services.access import Caller, check_operation, view_of, visible_on
from comptoir.services.issuing import CANCELLED, DAY, DRAFT
from comptoir.storage.database import Connection, Database, Row
from comptoir.storage.tables import TABLES
from comptoir.wire import module_values as mv
from comptoir.wire.values import stored_decimal, to_storage

TRANSACTIONS, ACCOUNTS = ENTITIES["transactions"], ENTITIES["accounts"]
DUNNING, LINKS = ENTITIES["dunning"], ENTITIES["dunning2transactions"]
SALES_INVOICE = 3
#: dunning.status of a letter sent, dunning.type of a letter
BOOKED, CLOSED = 1, 3
REMINDER, NOTICE = 1, 2
#: days between two letters about one invoice: time for the customer to answer
INTERVAL_DAYS = 14
#: days a letter gives to pay (its due date)
TERM_DAYS = 8
#: the level whose letter claims the recovery indemnity (once per invoice)
INDEMNITY_LEVEL = DunningLevel.SECOND_REMINDER
#: the penalty rate when the company states none (L441-10 C. com.): the ECB's main
#: refinancing rate (2.15 % since 11 June 2025) plus 10 points
LEGAL_PENALTY_RATE = Decimal("12.15")
#: the buckets of overdue invoices, youngest first
BUCKETS = (*(bucket for _, bucket in rules.AGEING_BUCKETS[1:]), "90+")
LIST_PARAMS = ("date", "account", "company")
RUN_PARAMS = (*LIST_PARAMS, "transactions")
#: the invoice columns a listing shows
COLUMNS = ("ID", "transactionnum", "account", "company", "currency", "date", "duedate",
           "grandtotal", "paidamount", "balance", "ownergroup", "billingrecipient",
           "billingaddress", "billingpostalcode", "billingcity", "billingregion",
           "billingcountry")
#: dunning fields <- invoice fields
ADDRESS = {"recipient": "billingrecipient", "address": "billingaddress",
           "postalcode": "billingpostalcode", "city": "billingcity",
           "region": "billingregion", "country": "billingcountry"}


@dataclasses.dataclass(frozen=True)
class Filters:
    day: dt.date
    account: int | None = None
    company: int | None = None
    transactions: tuple[int, ...] | None = None


def _id(field: str, value: Any, ref: str = "ID") -> int:
    """An ID given as `field`: an integer (or its digits) in range, else InvalidFieldError."""
    f = dataclasses.replace(TRANSACTIONS.by_name[ref], name=field, nullable=False)
    return int(to_storage(f, value))


async def _filters(conn: Connection, caller: Caller, params: Mapping[str, Any],
                   allowed: Sequence[str]) -> Filters:
    conversion.only(params, allowed)
    given = {name: params.get(name) for name in ("account", "company")}
    account, company = (None if given[n] in (None, "") else _id(n, given[n], n) for n in given)
    if account is not None:  # one the caller may not see answers as one that does not exist
        try:
            await records.load(conn, ACCOUNTS, caller, account)
        except NotFoundError:
            raise InvalidFieldError("account", f"account {account} does not exist") from None
    if company is not None:
        await numbering.company_of(conn, company)
    chosen = None
    if "transactions" in params:
        raw = params["transactions"]
        if not isinstance(raw, list) or not raw:
            raise InvalidFieldError("transactions", "must be a non-empty list of invoice IDs")
        chosen = tuple(_id(f"transactions[{n}]", v) for n, v in enumerate(raw, 1))
    day = params.get("date")
    if isinstance(day, str) and day.isascii() and day.isdigit() and len(day) <= 12:
        day = int(day)  # a Unix time in a query string
    return Filters(issuing.document_day(day), account, company, chosen)


# --- the overdue invoices ------------------------------------------------------------------


def _statement(caller: Caller, filters: Filters, lock: bool) -> sa.Select[Any]:
    t, a, c = TABLES["transactions"], TABLES["accounts"], TABLES["companies"]
    links, letters = TABLES["dunning2transactions"], TABLES["dunning"]
    where = [t.c.type == SALES_INVOICE, t.c.status != DRAFT, t.c.status != CANCELLED,
             t.c.issued.is_not(None), t.c.balance > 0, t.c.duedate < sa.bindparam("before")]
    if (visible := visible_on(TRANSACTIONS, caller, t)) is not None:
        where.append(visible)
    if filters.account is not None:
        where.append(t.c.account == sa.bindparam("account"))
    if filters.company is not None:
        where.append(t.c.company == sa.bindparam("company"))
    if lock:
        return sa.select(t.c.ID).where(*where).with_for_update(of=t)
    dunned = (sa.select(links.c.transaction, sa.func.count().label("letters"),
                        sa.func.max(letters.c.date).label("lastdunned"))
              .join(letters, letters.c.ID == links.c.dunning)
              .where(sa.or_(letters.c.status == BOOKED, letters.c.status == CLOSED),
                     sa.or_(letters.c.type == REMINDER, letters.c.type == NOTICE))
              .group_by(links.c.transaction).subquery())
    return (sa.select(*(t.c[name] for name in COLUMNS), a.c.firstname, a.c.lastname,
                      a.c.taxid, c.c.latepenaltyrate, dunned.c.letters, dunned.c.lastdunned)
            .select_from(t.outerjoin(a, a.c.ID == t.c.account)
                         .outerjoin(c, c.c.ID == t.c.company)
                         .outerjoin(dunned, dunned.c.transaction == t.c.ID))
            .where(*where).order_by(t.c.account, t.c.duedate, t.c.ID))


async def _overdue_rows(conn: Connection, caller: Caller, filters: Filters, *,
                        lock: bool = False) -> list[Row]:
    """The overdue invoices the caller sees (`lock`: only their IDs, locked until the end
    of the transaction, so that concurrent runs dun each invoice once)."""
    key = ("dunning-overdue", lock, view_of(caller, [TRANSACTIONS]),
           filters.account is None, filters.company is None)
    midnight = dt.datetime.combine(filters.day, dt.time(), dt.UTC)
    params = {"before": int(midnight.timestamp()), "caller": caller.user,
              "account": filters.account, "company": filters.company}
    return await conn.all(lambda: _statement(caller, filters, lock), params, key=key)


def _text(amount: Decimal) -> str:
    return str(money.round_money(amount))


def _professional(row: Row) -> bool:
    """A business debtor, owing the recovery indemnity: an account with a tax ID, or named
    by a company name alone (no first name)."""
    return bool(row["taxid"]) or not row["firstname"]


def _entry(row: Row, day: dt.date) -> dict[str, Any]:
    """An overdue invoice as listed: its age, balance, level, and the level a run would
    send it now (`next_level`, null when none is due)."""
    due = numbering.utc_day(row["duedate"])
    days = (day - due).days
    level = min(int(row["letters"] or 0), DunningLevel.NOTICE)
    wanted = rules.dunning_level(days, level)
    last = row["lastdunned"]
    rested = last is None or (day - numbering.utc_day(last)).days >= INTERVAL_DAYS
    balance = stored_decimal(row["balance"])
    rate = (LEGAL_PENALTY_RATE if row["latepenaltyrate"] is None
            else stored_decimal(row["latepenaltyrate"]))
    return {
        "ID": row["ID"], "transactionnum": row["transactionnum"], "account": row["account"],
        "company": row["company"], "currency": row["currency"], "date": row["date"],
        "duedate": row["duedate"], "days_overdue": days, "bucket": rules.ageing_bucket(due, day),
        "total": _text(stored_decimal(row["grandtotal"])),
        "paid": _text(stored_decimal(row["paidamount"])), "balance": _text(balance),
        "level": level, "lastdunned": last,
        "next_level": int(wanted) if wanted > level and rested else None,
        "penaltyrate": str(rate), "penalty": _text(rules.late_penalty(balance, rate, days)),
        "indemnity": _text(RECOVERY_INDEMNITY if _professional(row) else Decimal(0)),
    }


def _buckets(entries: Iterable[dict[str, Any]]) -> dict[str, str]:
    sums = dict.fromkeys(BUCKETS, Decimal(0))
    for entry in entries:
        sums[entry["bucket"]] += Decimal(entry["balance"])
    return {bucket: _text(amount) for bucket, amount in sums.items()}


def _name(row: Row) -> str:
    return person_name(row["firstname"], row["lastname"])


async def overdue(db: Database, caller: Caller, params: Mapping[str, Any]) -> dict[str, Any]:
    """The invoices overdue on `date` (default today), per account, the oldest first; an
    optional `account` and `company` narrow them.  Amounts are decimal strings."""
    check_operation(TRANSACTIONS, caller, write=False)
    async with db.read() as conn:
        filters = await _filters(conn, caller, params, LIST_PARAMS)
        found = await _overdue_rows(conn, caller, filters)
    accounts: dict[int | None, dict[str, Any]] = {}
    for row in found:
        account = accounts.setdefault(row["account"], {
            "account": row["account"], "name": _name(row), "invoices": []})
        account["invoices"].append(_entry(row, filters.day))
    listed = []
    for account in accounts.values():
        account["invoices"].sort(key=lambda e: (-e["days_overdue"], e["ID"]))
        balance = sum((Decimal(e["balance"]) for e in account["invoices"]), Decimal(0))
        listed.append({**account, "balance": _text(balance),
                       "buckets": _buckets(account["invoices"])})
    listed.sort(key=lambda a: (-a["invoices"][0]["days_overdue"], a["account"] or 0))
    every = [e for a in listed for e in a["invoices"]]
    return {"date": filters.day.isoformat(),
            "balance": _text(sum((Decimal(e["balance"]) for e in every), Decimal(0))),
            "buckets": _buckets(every), "accounts": listed}


# --- the dunning run -----------------------------------------------------------------------


def _chosen(found: list[Row], chosen: tuple[int, ...] | None) -> list[Row]:
    if chosen is None:
        return found
    by_id = {row["ID"]: row for row in found}
    for n, record_id in enumerate(chosen, 1):
        if record_id not in by_id:
            raise InvalidFieldError(f"transactions[{n}]", f"transaction {record_id} is not "
                                    "an overdue invoice (issued, unpaid, past its due date)")
    return [by_id[record_id] for record_id in dict.fromkeys(chosen)]


def _covered(entry: dict[str, Any]) -> dict[str, Any]:
    """An invoice as a letter covers it: at the level the letter gives it, with the
    indemnity when the letter claims it."""
    covered = {name: value for name, value in entry.items() if name != "next_level"}
    covered["level"] = entry["next_level"]
    if entry["next_level"] != INDEMNITY_LEVEL:
        covered["indemnity"] = _text(Decimal(0))
    return covered


async def _send(conn: Connection, caller: Caller, day: dt.date,
                due: list[tuple[Row, dict[str, Any]]]) -> dict[str, Any]:
    """One letter for the invoices `due` (one account's, of one company), its links to
    them and its `dunning.issued` event; returns it with the invoices it covers."""
    first, last = due[0][0], max((row for row, _ in due), key=lambda r: (r["date"], r["ID"]))
    company = await numbering.company_of(conn, first["company"])
    number = await numbering.take_number(conn, company["ID"], "dunning", day, actor=caller.user)
    level = max(entry["next_level"] for _, entry in due)
    covered = [_covered(entry) for _, entry in due]
    fee = sum((Decimal(entry["indemnity"]) for entry in covered), Decimal(0))
    owners = {row["ownergroup"] for row, _ in due}
    when = int(dt.datetime.combine(day, dt.time(12), dt.UTC).timestamp())
    address = {name: last[source] for name, source in ADDRESS.items()}
    address["recipient"] = address["recipient"] or _name(first) or None
    values = {
        "account": first["account"], "date": when, "duedate": when + TERM_DAYS * DAY,
        "dunningnum": number, "fee": float(fee), "status": BOOKED,
        "type": NOTICE if level >= DunningLevel.NOTICE else REMINDER,
        "ownergroup": owners.pop() if len(owners) == 1 else None, "creator": caller.user,
        **address}
    values["pdf"] = await printing.dunning_copy(conn, values, [row for row, _ in due])
    letter = await derived.insert(conn, DUNNING, values, actor=caller.user)
    for row, _ in due:
        await derived.insert(conn, LINKS, {"dunning": letter["ID"], "transaction": row["ID"],
                                           "creator": caller.user}, actor=caller.user)
    await outbox.emit(conn, DUNNING, letter["ID"], "issued", actor=caller.user, record=letter,
                      changes={"transactions": {"before": None, "after": [
                          {"ID": e["ID"], "level": e["level"]} for e in covered]}})
    return {"letter": letter, "level": level, "fee": _text(fee), "transactions": covered}


async def run_dunning(db: Database, caller: Caller, body: Mapping[str, Any]) -> dict[str, Any]:
    """Send the dunning letters due on `date` (default today): for the overdue invoices
    the caller sees, of one `account` or `company`, or the `transactions` listed."""
    check_operation(TRANSACTIONS, caller, write=False)
    for entity in (DUNNING, LINKS):
        check_operation(entity, caller, write=True)
    async with db.write() as conn:
        filters = await _filters(conn, caller, body, RUN_PARAMS)
        await _overdue_rows(conn, caller, filters, lock=True)
        found = _chosen(await _overdue_rows(conn, caller, filters), filters.transactions)
        groups: dict[tuple[Any, Any], list[tuple[Row, dict[str, Any]]]] = {}
        for row in found:
            entry = _entry(row, filters.day)
            if entry["next_level"] is not None:
                groups.setdefault((row["account"], row["company"]), []).append((row, entry))
        letters = [await _send(conn, caller, filters.day, due) for due in groups.values()]
    day = filters.day.isoformat()
    message = (f"{len(letters)} dunning letter(s) issued on {day}" if letters else
               f"nothing to dun on {day}: no overdue invoice is due a new letter")
    return {"date": day, "created": len(letters), "message": message, "letters": letters}


# --- the webservice's view: Invoice and Accounts ids ----------------------------------------

INVOICE, ACCOUNT = MODULES["Invoice"], MODULES["Accounts"]


def _record_id(field: str, value: Any, module: Any) -> Any:
    """The record ID of a webservice id of `module` (`7x12`); other values as given."""
    if not isinstance(value, str) or "x" not in value:
        return value
    found, record_id = mv.module_of(value)
    if found.prefix != module.prefix:
        raise InvalidFieldError(field, f"{value[:40]} is not an id of {module.name}")
    return record_id


def _from_ws(params: Mapping[str, Any]) -> dict[str, Any]:
    body = dict(params)
    if "account" in body:
        body["account"] = _record_id("account", body["account"], ACCOUNT)
    if isinstance(body.get("transactions"), list):
        body["transactions"] = [_record_id(f"transactions[{n}]", value, INVOICE)
                                for n, value in enumerate(body["transactions"], 1)]
    return body


def _ws_ids(record: dict[str, Any], own: Any = None) -> dict[str, Any]:
    """`record` with its `account` (and its own `ID`, of module `own`) as webservice ids."""
    changed = dict(record)
    if changed.get("account") is not None:
        changed["account"] = mv.ws_id(ACCOUNT.prefix, changed["account"])
    if own is not None:
        changed["ID"] = mv.ws_id(own.prefix, changed["ID"])
    return changed


async def overdue_ws(db: Database, caller: Caller, params: Mapping[str, Any]) -> dict[str, Any]:
    listed = await overdue(db, caller, _from_ws(params))
    listed["accounts"] = [{**_ws_ids(a), "invoices": [_ws_ids(e, INVOICE) for e in a["invoices"]]}
                          for a in listed["accounts"]]
    return listed


async def run_ws(db: Database, caller: Caller, element: Mapping[str, Any]) -> dict[str, Any]:
    done = await run_dunning(db, caller, _from_ws(element))
    done["letters"] = [{**sent, "letter": _ws_ids(sent["letter"]), "transactions": [
        _ws_ids(e, INVOICE) for e in sent["transactions"]]} for sent in done["letters"]]
    return done
