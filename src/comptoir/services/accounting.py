"""The accounting service: manual entries, validation and reversal, lettering, fiscal years
and periods, the closing of a year, and the books' outputs (trial balance, general ledger,
FEC, VAT return) — what every door calls (`docs/accounting.md`).

    await create_entry(db, caller, {"journal": "OD", "date": "2026-12-07", "name": "...",
                                    "lines": [{"account": "6226", "debit": "100"},
                                              {"account": "401", "credit": "100"}]})
    await reverse_entry(db, caller, 42, {"date": "2026-12-08"})
    await letter(db, caller, {"lines": [7, 9]})
    await close_period(db, caller, 12)
    await close_fiscal_year(db, caller, 3)
    await trial_balance(db, caller, {"company": 1, "from": "2026-01-01", "to": "2026-12-31"})
    name, count = await export_fec(db, caller, 3, out)

Each call is one transaction with the `accounting` permission (reads: the same).  An entry
is refused unless balanced, in an open period, on accounts of its company's chart; a
validated entry is never changed: it is reversed.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, BinaryIO

from comptoir.domain import chart, money, postings, vat
from comptoir.domain.money import ZERO, round_money
from comptoir.errors import ConflictError, InvalidFieldError, NotFoundError
from comptoir.schema.registry import ENTITIES
from comptoir.services import books as bk
from comptoir.services import derived, numbering, posting
from comptoir.services.access import Caller, check_operation
from comptoir.services.conversion import only
from comptoir.services.numbering import utc_day
from comptoir.storage import ledger, rows
from comptoir.storage.database import Connection, Database, Row
from comptoir.wire import chart_csv, fec
from comptoir.wire.module_values import parse_decimal
from comptoir.wire.values import (
    day_stamp,
    parse_day,
    record_id,
    render_record,
    stored_decimal,
)

ENTRIES, LINES = ENTITIES["journalentries"], ENTITIES["entrylines"]
YEARS, PERIODS, ACCOUNTS = ENTITIES["fiscalyears"], ENTITIES["accountingperiods"], ENTITIES["accounts"]
COMPANIES, JOURNALS = ENTITIES["companies"], ENTITIES["journals"]
LINE_KEYS = ("account", "debit", "credit", "name", "auxaccount")
ENTRY_KEYS = ("company", "journal", "date", "name", "pieceref", "piecedate", "lines",
              "validate")


async def _books(conn: Connection, given: Mapping[str, Any]) -> bk.Books:
    """The books of the `company` a body or query names (the default company)."""
    company = given.get("company")
    return await bk.books_of(conn, None if company in (None, "") else record_id(
        "company", company, COMPANIES))


def _amount(field: str, value: Any) -> Decimal:
    if value in (None, ""):
        return ZERO
    amount = money.check_amount(field, parse_decimal(field, value))
    if amount < 0 or amount != round_money(amount):
        raise InvalidFieldError(field, "must be a positive amount of at most two decimals")
    return amount


def _journal(books: bk.Books, value: Any) -> Row:
    if isinstance(value, str) and not value.strip().isdigit():
        found = next((j for j in books.journals if j["code"] == value.strip()), None)
        if found is None:
            raise InvalidFieldError("journal", f"company {books.id} has no journal "
                                    f"{value.strip()!r}")
        return found
    return bk.journal_of(books, 0, journal_id=record_id("journal", value, JOURNALS))


async def _line_account(conn: Any, books: bk.Books, field: str, value: Any) -> str:
    if isinstance(value, str) and not value.strip().isdigit() or value in (None, ""):
        raise InvalidFieldError(field, "must be an account number of the chart")
    number = str(value).strip()
    if await bk.find_account(conn, books, number) is None:
        raise InvalidFieldError(field, f"{number} is not an account of company "
                                f"{books.id}'s chart")
    return number


# --- entries ----------------------------------------------------------------------------


async def create_entry(db: Database, caller: Caller, body: Mapping[str, Any]) -> dict[str, Any]:
    """A manual entry in any journal: `journal` (code or ID), `date`, `name`, `pieceref`,
    `lines` [{account (number), debit | credit, name, auxaccount}], `validate` (default
    true; false keeps it a draft).  Refused unless balanced."""
    check_operation(ENTRIES, caller, write=True)
    only(body, ENTRY_KEYS)
    day = parse_day("date", body.get("date"))
    lines_in = body.get("lines")
    if not isinstance(lines_in, list) or not all(isinstance(x, dict) for x in lines_in):
        raise InvalidFieldError("lines", "must be a list of lines")
    async with db.write() as conn:
        books = await _books(conn, body)
        journal = _journal(books, body.get("journal") or "OD")
        made: list[postings.Posting] = []
        thirds: set[int] = set()
        for n, line in enumerate(lines_in, 1):
            where = f"lines[{n}]."
            only(line, LINE_KEYS, where)
            number = await _line_account(conn, books, where + "account", line.get("account"))
            aux = line.get("auxaccount")
            if aux not in (None, ""):
                aux_id = record_id(where + "auxaccount", aux, ACCOUNTS)
                if not await rows.exists(conn, ACCOUNTS, aux_id):
                    raise InvalidFieldError(where + "auxaccount", f"account {aux_id} does "
                                            "not exist")
                thirds.add(aux_id)
            made.append(postings.Posting(
                number, _amount(where + "debit", line.get("debit")),
                _amount(where + "credit", line.get("credit")),
                third_party=aux not in (None, ""), label=str(line.get("name") or "")))
        postings.check_balanced(made)
        if len(thirds) > 1:
            raise InvalidFieldError("lines", "an entry names one third party at most")
        third = None
        if thirds:
            account = await rows.select_row(conn, ACCOUNTS, thirds.pop())
            assert account is not None
            supplier = any(p.account.startswith("40") for p in made if p.third_party)
            third = posting.third_of(account, supplier)
        name = str(body.get("name") or "").strip()
        if not name:
            raise InvalidFieldError("name", "an entry has a label (EcritureLib)")
        pieceref = str(body.get("pieceref") or "").strip()
        if not pieceref:  # a mandatory column of the FEC
            raise InvalidFieldError("pieceref", "an entry names its voucher (PieceRef)")
        return await posting.write_entry(
            conn, books, journal=journal, day=day, label=name[:200],
            pieceref=pieceref[:60],
            piecedate=parse_day("piecedate", body.get("piecedate"), day), lines=made,
            origin="MANUAL", actor=caller.user, third=third,
            validate=body.get("validate", True) not in (False, 0, "0", "false"))


async def _entry(conn: Any, record_id: int, *, lock: bool = False) -> Row:
    row = await rows.select_row(conn, ENTRIES, record_id, for_update=lock)
    if row is None:
        raise NotFoundError(f"journal entry {record_id} not found")
    return row


async def validate_entry(db: Database, caller: Caller, record_id: int,
                         body: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a draft entry: numbered, then immutable."""
    check_operation(ENTRIES, caller, write=True)
    only(body, ())
    async with db.write() as conn:
        entry = await _entry(conn, record_id, lock=True)
        if entry["status"] == posting.VALIDATED:
            raise ConflictError(f"journal entry {record_id} is validated already: "
                                f"{entry['entrynum']}", code="validated")
        day = utc_day(entry["date"])
        if day > posting._today():
            raise ConflictError(f"journal entry {record_id} is dated {day.isoformat()}: an "
                                "entry is validated on or after its date", code="future")
        books = await bk.books_of(conn, entry["company"])
        year, _ = await bk.period_of(conn, books, day, actor=caller.user)
        after = await derived.update(conn, ENTRIES, entry, await posting.validation(conn, year),
                                     actor=caller.user)
        return render_record(ENTRIES, after)


async def reverse_entry(db: Database, caller: Caller, record_id: int,
                        body: Mapping[str, Any]) -> dict[str, Any]:
    """The reversing entry of a validated entry (`date`: today by default)."""
    check_operation(ENTRIES, caller, write=True)
    only(body, ("date", "name"))
    day = parse_day("date", body.get("date"), posting._today())
    async with db.write() as conn:
        entry = await _entry(conn, record_id)
        if entry["status"] != posting.VALIDATED:
            raise ConflictError(f"journal entry {record_id} is a draft: delete it instead",
                                code="draft")
        if await posting.entries_of(conn, "reverses", record_id):
            raise ConflictError(f"journal entry {record_id} is reversed already",
                                code="reversed")
        if day < utc_day(entry["date"]):
            raise InvalidFieldError("date", "a reversal is not dated before its entry")
        books = await bk.books_of(conn, entry["company"])
        return await posting.reverse_entry(conn, books, entry, day=day, actor=caller.user,
                                           label=body.get("name") or None)


async def delete_entry(db: Database, caller: Caller, record_id: int,
                       body: Mapping[str, Any]) -> dict[str, Any]:
    """Delete a draft entry (a validated one is reversed, never deleted)."""
    check_operation(ENTRIES, caller, write=True)
    only(body, ())
    async with db.write() as conn:
        entry = await _entry(conn, record_id, lock=True)
        if entry["status"] == posting.VALIDATED:
            raise ConflictError(f"journal entry {record_id} is validated: reverse it",
                                code="validated")
        await derived.delete(conn, ENTRIES, entry, actor=caller.user)
        return {"discarded": record_id}


# --- lettering --------------------------------------------------------------------------


async def letter(db: Database, caller: Caller, body: Mapping[str, Any]) -> dict[str, Any]:
    """Letter lines by hand: `lines` [IDs] of one company and one account, not lettered,
    whose debits equal their credits."""
    check_operation(LINES, caller, write=True)
    only(body, ("lines",))
    ids = body.get("lines")
    if not isinstance(ids, list) or len(ids) < 2:
        raise InvalidFieldError("lines", "give two line IDs at least")
    line_ids = [record_id(f"lines[{n}]", value, LINES) for n, value in enumerate(ids, 1)]
    async with db.write() as conn:
        found = [await rows.select_row(conn, LINES, line_id, for_update=True)
                 for line_id in line_ids]
        for n, line in enumerate(found, 1):
            if line is None:
                raise InvalidFieldError(f"lines[{n}]", f"line {line_ids[n - 1]} not found")
            if line["lettering"]:
                raise ConflictError(f"line {line['ID']} is lettered {line['lettering']} "
                                    "already", code="lettered")
        lines = [line for line in found if line is not None]
        if len({(line["company"], line["accountnum"]) for line in lines}) != 1:
            raise InvalidFieldError("lines", "lines lettered together are on one account")
        balance = sum((stored_decimal(line["debit"]) - stored_decimal(line["credit"])
                       for line in lines), ZERO)
        if round_money(balance) != 0:
            raise InvalidFieldError("lines", f"the lines do not balance: {round_money(balance)}")
        code = await posting.letter_lines(conn, int(lines[0]["company"]), line_ids)
        return {"lettering": code, "lines": line_ids}


async def unletter(db: Database, caller: Caller, body: Mapping[str, Any]) -> dict[str, Any]:
    """Remove a lettering code (`lettering`) of a company (`company`, default company)."""
    check_operation(LINES, caller, write=True)
    only(body, ("lettering", "company"))
    code = str(body.get("lettering") or "").strip()
    if not code:
        raise InvalidFieldError("lettering", "is required")
    async with db.write() as conn:
        books = await _books(conn, body)
        count = await posting.unletter(conn, books.id, code)
        if not count:
            raise NotFoundError(f"no line is lettered {code}")
        return {"lettering": code, "lines": count}


# --- fiscal years and periods -----------------------------------------------------------


async def open_fiscal_year(db: Database, caller: Caller, body: Mapping[str, Any],
                           ) -> dict[str, Any]:
    """Open a fiscal year: `company`, `startdate`, `enddate` (YYYY-MM-DD), with its
    monthly periods."""
    check_operation(YEARS, caller, write=True)
    only(body, ("company", "startdate", "enddate"))
    start, end = parse_day("startdate", body.get("startdate")), parse_day(
        "enddate", body.get("enddate"))
    async with db.write() as conn:
        books = await _books(conn, body)
        return render_record(YEARS, await bk.open_year(conn, books, start, end,
                                                       actor=caller.user))


async def _set_period(db: Database, caller: Caller, record_id: int, status: int,
                      ) -> dict[str, Any]:
    check_operation(PERIODS, caller, write=True)
    async with db.write() as conn:
        period = await rows.select_row(conn, PERIODS, record_id, for_update=True)
        if period is None:
            raise NotFoundError(f"accounting period {record_id} not found")
        year = await rows.select_row(conn, YEARS, int(period["fiscalyear"]))
        if year is not None and year["status"] == bk.CLOSED:
            raise ConflictError(f"fiscal year {year['name']} is closed", code="year_closed")
        if status == bk.CLOSED:
            drafts = await ledger.drafts_between(conn, int(period["company"]),
                                                 period["startdate"], period["enddate"])
            if drafts:
                raise ConflictError(f"period {period['name']} has {drafts} draft entries: "
                                    "validate or delete them first", code="has_drafts")
        after = await derived.update(conn, PERIODS, period, {"status": status},
                                     actor=caller.user)
        return render_record(PERIODS, after)


async def close_period(db: Database, caller: Caller, record_id: int,
                       body: Mapping[str, Any]) -> dict[str, Any]:
    """Close a period: no entry is posted into it afterwards (nor a document dated in it
    issued)."""
    only(body, ())
    return await _set_period(db, caller, record_id, bk.CLOSED)


async def reopen_period(db: Database, caller: Caller, record_id: int,
                        body: Mapping[str, Any]) -> dict[str, Any]:
    """Reopen a period of a fiscal year that is still open."""
    only(body, ())
    return await _set_period(db, caller, record_id, bk.OPEN)


async def close_fiscal_year(db: Database, caller: Caller, record_id: int,
                            body: Mapping[str, Any]) -> dict[str, Any]:
    """Close a fiscal year: its periods closed, the balances of the balance-sheet accounts
    (classes 1 to 5, per third party on subsidiary accounts) carried forward into the
    opening entry (journal AN) of the next year, opened if need be, the year's result
    (classes 6 and 7) to 120 (profit) or 129 (loss).  Refused while it has drafts."""
    check_operation(YEARS, caller, write=True)
    only(body, ())
    async with db.write() as conn:
        year = await rows.select_row(conn, YEARS, record_id, for_update=True)
        if year is None:
            raise NotFoundError(f"fiscal year {record_id} not found")
        if year["status"] == bk.CLOSED:
            raise ConflictError(f"fiscal year {year['name']} is closed already",
                                code="year_closed")
        drafts = await ledger.drafts_between(conn, int(year["company"]), year["startdate"],
                                             year["enddate"])
        if drafts:
            raise ConflictError(f"fiscal year {year['name']} has {drafts} draft entries: "
                                "validate or delete them first", code="has_drafts")
        books = await bk.books_of(conn, int(year["company"]))
        carried: list[postings.Posting] = []
        thirds: list[posting.Third | None] = []
        result = ZERO
        for row in await ledger.balances_by_third(conn, int(year["ID"])):
            amount = round_money(stored_decimal(row["debit"]) - stored_decimal(row["credit"]))
            if not amount:
                continue
            if chart.account_class(str(row["accountnum"])) >= 6:
                result += amount
                continue
            carried.append(postings.on_side(str(row["accountnum"]), amount, debit=True,
                                            third_party=row["auxaccount"] is not None))
            thirds.append(posting.Third(int(row["auxaccount"]), str(row["auxnum"]),
                                        str(row["auxname"])) if row["auxaccount"] else None)
        if result:
            # a profit is a credit balance of classes 6-7 (result < 0)
            carried.append(postings.on_side("120" if result < 0 else "129", result,
                                            debit=True))
            thirds.append(None)
        for period in await rows.select_rows_where(conn, PERIODS, {"fiscalyear": record_id}):
            if period["status"] != bk.CLOSED:
                await derived.update(conn, PERIODS, period, {"status": bk.CLOSED},
                                     actor=caller.user)
        opening = None
        if carried:
            # the à-nouveaux: one entry, each subsidiary balance on its own line
            day = utc_day(year["enddate"]) + dt.timedelta(days=1)
            opening = await posting.write_entry(
                conn, books, journal=bk.journal_of(books, bk.OPENING), day=day,
                label=f"À-nouveaux {year['name']}", pieceref="AN", piecedate=day,
                lines=carried, origin="OPENING", actor=caller.user, line_thirds=thirds)
        closed = await derived.update(conn, YEARS, year, {"status": bk.CLOSED,
                                                          "closed": int(time.time())},
                                      actor=caller.user)
        return {"fiscalyear": render_record(YEARS, closed), "opening": opening}



# --- the books' outputs -----------------------------------------------------------------

SALES_KINDS = frozenset({"sale", "sale_intra_eu_goods", "sale_intra_eu_services",
                         "sale_export", "sale_exempt"})


def _money(value: Any) -> Decimal:
    return round_money(stored_decimal(value or 0))


def _text(amount: Decimal) -> str:
    return str(round_money(amount))


async def _range(conn: Any, params: Mapping[str, Any]) -> tuple[bk.Books, dt.date, dt.date]:
    """The company and dates of a report: `company` (default company), `from` and `to`
    (default: the fiscal year holding today)."""
    only(params, ("company", "from", "to", "journal", "account", "credit_carried"))
    books = await _books(conn, params)
    today = posting._today()
    start, end = postings.fiscal_year_of(today, int(books.company["fiscalyearstart"]))
    start = parse_day("from", params.get("from"), start)
    end = parse_day("to", params.get("to"), end)
    if end < start:
        raise InvalidFieldError("to", "must not be before from")
    return books, start, end


async def trial_balance(db: Database, caller: Caller, params: Mapping[str, Any],
                        ) -> dict[str, Any]:
    """The trial balance (balance générale): per account, the debits, credits and balance
    of the lines dated `from` to `to` (of one `journal` when given), with the totals."""
    check_operation(LINES, caller, write=False)
    async with db.read() as conn:
        books, start, end = await _range(conn, params)
        journal = (_journal(books, params["journal"])
                   if params.get("journal") not in (None, "") else None)
        found = await ledger.balances(conn, books.id, day_stamp(start), day_stamp(end),
                                      int(journal["ID"]) if journal else None)
        names = await bk.chart_of(conn, books)
    accounts, debit, credit = [], ZERO, ZERO
    for row in found:
        d, c = _money(row["debit"]), _money(row["credit"])
        debit, credit = debit + d, credit + c
        known = names.get(row["accountnum"])
        accounts.append({"number": row["accountnum"], "name": known["name"] if known else "",
                         "debit": _text(d), "credit": _text(c), "balance": _text(d - c),
                         "lines": int(row["lines"])})
    return {"company": books.id, "from": start.isoformat(), "to": end.isoformat(),
            "journal": journal["code"] if journal else None, "accounts": accounts,
            "debit": _text(debit), "credit": _text(credit),
            "balanced": round_money(debit) == round_money(credit)}


async def general_ledger(db: Database, caller: Caller, params: Mapping[str, Any],
                         ) -> dict[str, Any]:
    """The general ledger (grand livre) of one `account` number and its sub-accounts:
    its lines from `from` to `to` with a running balance."""
    check_operation(LINES, caller, write=False)
    number = str(params.get("account") or "").strip()
    if not number:
        raise InvalidFieldError("account", "is required (an account number)")
    chart.check_number(number, "account")
    async with db.read() as conn:
        books, start, end = await _range(conn, params)
        found = await ledger.account_lines(conn, books.id, number, day_stamp(start),
                                           day_stamp(end))
    balance, lines = ZERO, []
    for row in found:
        d, c = _money(row["debit"]), _money(row["credit"])
        balance += d - c
        lines.append({"line": row["ID"], "entry": row["entry"], "entrynum": row["entrynum"],
                      "date": utc_day(row["date"]).isoformat(),
                      "account": row["accountnum"], "auxnum": row["auxnum"],
                      "pieceref": row["pieceref"], "name": row["name"], "debit": _text(d),
                      "credit": _text(c), "balance": _text(balance),
                      "lettering": row["lettering"]})
    return {"company": books.id, "account": number, "from": start.isoformat(),
            "to": end.isoformat(), "lines": lines, "balance": _text(balance)}


async def financial_statements(db: Database, caller: Caller, params: Mapping[str, Any],
                               ) -> dict[str, Any]:
    """The simplified balance sheet and income statement (forms 2033-A and 2033-B) of the
    balances from `from` to `to`, each line with the accounts it sums."""
    check_operation(LINES, caller, write=False)
    async with db.read() as conn:
        books, start, end = await _range(conn, params)
        found = await ledger.balances(conn, books.id, day_stamp(start), day_stamp(end))
    balances = {row["accountnum"]: _money(row["debit"]) - _money(row["credit"])
                for row in found}
    made = chart.statements(balances)

    def shown(amounts: Sequence[chart.LineAmount]) -> list[dict[str, Any]]:
        return [{"code": a.line.code, "label": a.line.label, "amount": _text(a.amount),
                 "accounts": [{"number": n, "balance": _text(b)} for n, b in a.accounts]}
                for a in amounts if a.amount or a.accounts]

    return {"company": books.id, "from": start.isoformat(), "to": end.isoformat(),
            "assets": shown(made.assets), "liabilities": shown(made.liabilities),
            "income": shown(made.income), "result": _text(made.result),
            "total_assets": _text(made.total_assets),
            "total_liabilities": _text(made.total_liabilities), "balanced": made.balanced}


def movements_of(found: Sequence[Mapping[str, Any]]) -> list[vat.VatMovement]:
    """The VAT return's movements from the sums of `ledger.vat_lines`: a taxable kind's
    base and VAT from its VAT lines, an exempt kind's base from its base lines; sales count
    credits, purchases debits."""
    kinds = {value: name for name, value in posting.KIND_NUMBER.items()}
    tax, pending, base = posting.ROLE_NUMBER["tax"], posting.ROLE_NUMBER["pending"], \
        posting.ROLE_NUMBER["base"]
    sums: dict[tuple[str, Decimal], list[Decimal]] = {}
    for row in found:
        kind = kinds.get(row["vatkind"])
        if kind is None or row["vatrole"] == pending:
            continue
        sale = kind in SALES_KINDS
        rate = round_money(stored_decimal(row["vatrate"] or 0), 4).normalize()
        sign = Decimal(1) if sale else Decimal(-1)
        amount = sign * (_money(row["credit"]) - _money(row["debit"]))
        entry = sums.setdefault((kind, rate), [ZERO, ZERO, ZERO])
        if row["vatrole"] == tax:
            entry[0] += sign * (_money(row["base_credit"]) - _money(row["base_debit"]))
            entry[1] += amount
        elif row["vatrole"] == base:
            entry[2] += amount
    movements = []
    for (kind, rate), (tax_base, vat_amount, base_amount) in sorted(sums.items()):
        if not vat_amount and not tax_base and rate != 0:
            continue  # a taxable base whose VAT is pending (VAT on payments)
        taxable = rate != 0
        movements.append(vat.VatMovement(kind, rate, tax_base if taxable else base_amount,
                                         vat_amount if taxable else ZERO))
    return movements


async def vat_return(db: Database, caller: Caller, params: Mapping[str, Any],
                     ) -> dict[str, Any]:
    """The CA3 of the lines dated `from` to `to` (`credit_carried`: the credit of the last
    return, line 22), computed from the entries (`domain/vat.py`)."""
    check_operation(LINES, caller, write=False)
    carried = (parse_decimal("credit_carried", params["credit_carried"])
               if params.get("credit_carried") not in (None, "") else ZERO)
    async with db.read() as conn:
        books, start, end = await _range(conn, params)
        found = await ledger.vat_lines(conn, books.id, day_stamp(start), day_stamp(end))
    movements = movements_of(found)
    made = vat.ca3_return(movements, credit_carried=carried)
    return {"company": books.id, "from": start.isoformat(), "to": end.isoformat(),
            "regime": books.company["vatregime"],
            "lines": [{"code": line.code, "label": line.label,
                       "base": None if line.base is None else str(line.base),
                       "vat": None if line.vat is None else str(line.vat)}
                      for line in made.lines],
            "movements": [{"kind": m.kind, "rate": str(m.rate), "base": _text(m.base),
                           "vat": _text(m.vat)} for m in movements],
            "collected": str(made.collected), "deductible": str(made.deductible),
            "credit": str(made.credit), "to_carry": str(made.to_carry),
            "net_due": str(made.net_due), "to_pay": str(made.to_pay)}


async def fec_year(db: Database, caller: Caller, *, year: int | None = None,
                   company: int | None = None, year_name: str | None = None) -> Row:
    """The fiscal year of an FEC: by ID, or by name (2026) of a company."""
    check_operation(LINES, caller, write=False)
    async with db.read() as conn:
        if year is not None:
            row = await rows.select_row(conn, YEARS, year)
        else:
            cid = int((await numbering.company_of(conn, company))["ID"])
            found = await rows.select_rows_where(conn, YEARS, {"company": cid})
            row = next((y for y in found if y["name"] == year_name or utc_day(
                y["enddate"]).year == (int(year_name) if year_name and year_name.isdigit()
                                       else None)), None)
        if row is None:
            raise NotFoundError("no such fiscal year" + (f" {year_name}" if year_name else ""))
        return row


def _fec_line(row: Sequence[Any]) -> fec.FecLine:
    (code, journal, number, day, account, account_name, auxnum, auxname, pieceref, piecedate,
     name, debit, credit, lettering, lettered, validated, currency_amount, currency) = row
    return fec.FecLine(
        code, journal, number or "", utc_day(day), account, account_name, auxnum or "",
        auxname or "", pieceref or "", utc_day(piecedate), name or "",
        _money(debit), _money(credit), lettering or "",
        utc_day(lettered) if lettered else None,
        utc_day(validated) if validated else utc_day(day),
        round_money(Decimal(str(currency_amount))) if currency_amount is not None else None,
        currency or "")


async def export_fec(db: Database, caller: Caller, year: Row, out: BinaryIO, *,
                     separator: str = "\t") -> tuple[str, int]:
    """Write the FEC of a fiscal year (its validated entries, in the order of validation)
    to `out`; returns the file's legal name and the number of lines."""
    check_operation(LINES, caller, write=False)
    async with db.read() as conn:
        company = await numbering.company_of(conn, int(year["company"]))
    siren = str(company["siren"] or "")
    if not siren:
        raise ConflictError(f"company {company['ID']} has no SIREN: the FEC is named after "
                            "it", code="no_siren")
    name = fec.fec_filename(siren, utc_day(year["enddate"]))

    async def lines() -> Any:
        async for batch in ledger.stream_fec(db, int(year["ID"])):
            yield [_fec_line(row) for row in batch]

    count = 0
    first = True
    async for batch in lines():
        count += fec.write_fec(batch, out, separator=separator, header=first)
        first = False
    if first:
        count += fec.write_fec([], out, separator=separator, header=True)
    return name, count


# --- the chart as CSV -------------------------------------------------------------------

CHART = ENTITIES["chartaccounts"]
AUXILIARY_NAMES = {0: "", 1: "customers", 2: "suppliers"}


async def export_chart(db: Database, caller: Caller, company: int | None) -> str:
    """The company's chart of accounts as CSV (`wire/chart_csv.py`)."""
    check_operation(CHART, caller, write=False)
    async with db.write() as conn:  # a company that never posted gets the PCG first
        books = await bk.books_of(conn, company)
        accounts = await bk.chart_of(conn, books)
    return chart_csv.chart_to_csv(
        chart.ChartAccount(str(row["number"]), str(row["name"]),
                           AUXILIARY_NAMES.get(row["auxiliary"], ""), bool(row["lettering"]))
        for row in accounts.values())


async def import_chart(db: Database, caller: Caller, company: int | None,
                       text: str) -> dict[str, int]:
    """Load a chart of accounts from CSV: accounts added, names and flags of the existing
    ones updated (none is deleted: an account may have lines).  All or nothing."""
    check_operation(CHART, caller, write=True)
    accounts = chart_csv.chart_from_csv(text)
    added = updated = 0
    async with db.write() as conn:
        books = await bk.books_of(conn, company)
        existing = await bk.chart_of(conn, books)
        for account in accounts:
            values = {"name": account.name, "lettering": int(account.lettering),
                      "auxiliary": bk.AUXILIARY.get(account.auxiliary, 0)}
            found = existing.get(account.number)
            if found is None:
                await derived.insert(conn, CHART, {"company": books.id, "active": 1,
                                                   "number": account.number, **values},
                                     actor=caller.user)
                added += 1
            elif any(found[key] != value for key, value in values.items()):
                await derived.update(conn, CHART, found, values, actor=caller.user)
                updated += 1
    return {"added": added, "updated": updated}
