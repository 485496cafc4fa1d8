"""Automatic entries, inside the transaction that issues a document, records a payment or
allocates one: the books post themselves (`docs/accounting.md`).

    await post_document(conn, issued_row, lines, totals, actor=caller.user)
    await post_payment(conn, payment_row, actor=caller.user)       # on every payment write
    await allocated(conn, allocation, invoice, actor=caller.user)   # VAT on payments, lettering

Each picks its accounts by the company's accounting strategies (`books.rule_account`), else
the PCG defaults (`domain.postings.DEFAULT_ACCOUNTS`), computes the entry
(`domain/postings.py`) and writes it validated: numbered in the fiscal year's continuous
sequence.  An entry dated after today stays a draft until it is validated (its ValidDate
may not precede its date).  A payment changed after it was posted (amount, date, account,
cancelled) gets its entry reversed and, unless cancelled, a new one.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from comptoir.domain import money, postings
from comptoir.domain.documents import person_name
from comptoir.domain.einvoice import EU_COUNTRIES
from comptoir.domain.postings import DEFAULT_ACCOUNTS, Posting
from comptoir.events import outbox
from comptoir.schema.entities.accounting import ENTRY_ORIGINS, VAT_KINDS, VAT_ROLES
from comptoir.schema.entity import Entity
from comptoir.schema.registry import ENTITIES
from comptoir.services import books as bk
from comptoir.services import issuing
from comptoir.services.numbering import utc_day
from comptoir.storage import ledger, rows
from comptoir.storage.database import Connection, Row
from comptoir.wire.values import day_stamp, render_record, stored_decimal, stored_decimal_or_none

ENTRIES, LINES = ENTITIES["journalentries"], ENTITIES["entrylines"]
TRANSACTIONS, PAYMENTS = ENTITIES["transactions"], ENTITIES["payments"]
ACCOUNTS, ITEMS, ALLOCATIONS = ENTITIES["accounts"], ENTITIES["items"], ENTITIES["allocations"]
ORIGIN = {name: value for value, name in ENTRY_ORIGINS.items()}
KIND_NUMBER = {name.lower(): value for value, name in VAT_KINDS.items() if value}
KIND_NAME = {value: name for name, value in KIND_NUMBER.items()}
ROLE_NUMBER = {name.lower(): value for value, name in VAT_ROLES.items() if value}
ROLE_NAME = {value: name for name, value in ROLE_NUMBER.items()}
#: transactions.type posted -> (purchase, credit note)
POSTED_TYPES = {3: (False, False), 4: (False, True), 8: (True, False), 9: (True, True)}
#: items.type of what is not a good: NOSTOCK (services, fees)
SERVICE_ITEM_TYPES = frozenset({6})
PAYMENT_STATUS = {label: value for value, label in PAYMENTS.by_name["status"].choices.items()}
COMPLETED_PAYMENT, CANCELLED_PAYMENT = PAYMENT_STATUS["COMPLETED"], PAYMENT_STATUS["CANCELLED"]
#: payments.status posted: COMPLETED, BOOKED
POSTED_PAYMENT_STATUSES = frozenset({COMPLETED_PAYMENT, PAYMENT_STATUS["BOOKED"]})
(T_SALES, T_PURCHASES, T_CUSTOMERS, T_SUPPLIERS, T_VAT_COLLECTED, T_VAT_DEDUCTIBLE,
 T_VAT_PENDING, T_PAYMENTS, T_SHIPPING, T_ROUNDING) = range(10)
VALIDATED = 1


@dataclass(frozen=True, slots=True)
class Third:
    """The customer or supplier of the lines on its subsidiary account."""

    account: int
    number: str
    name: str


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def account_name(account: Mapping[str, Any]) -> str:
    return person_name(account.get("firstname"), account.get("lastname")) or (
        f"Account {account['ID']}")


def third_of(account: Mapping[str, Any], purchase: bool) -> Third:
    """A customer's (or supplier's) subsidiary account: its customer (supplier) number,
    else C (F) and its ID."""
    number = account.get("suppliernum" if purchase else "customernum") or (
        f"{'F' if purchase else 'C'}{int(account['ID']):06d}")
    return Third(int(account["ID"]), str(number), account_name(account))


async def _number(conn: Connection, books: bk.Books, target: int,
                  context: Mapping[str, Any], default: str) -> str:
    account_id = bk.rule_account(books, target, context)
    if account_id is not None:
        found = await bk.account_by_id(conn, books, account_id)
        if found is not None:
            return str(found["number"])
    return default


async def write_entry(conn: Connection, books: bk.Books, *, journal: Row, day: dt.date,
                      label: str, pieceref: str, piecedate: dt.date,
                      lines: Sequence[Posting], origin: str, actor: int | None,
                      third: Third | None = None, duedate: int | None = None,
                      document: int | None = None, currency: tuple[Decimal, str] | None = None,
                      refs: Mapping[str, int | None] | None = None,
                      validate: bool = True,
                      line_thirds: Sequence[Third | None] | None = None) -> dict[str, Any]:
    """Write a balanced entry and its lines; validated (numbered) unless `validate` is
    false or it is dated after today.  `third` is the third party of the lines on a
    subsidiary account, unless `line_thirds` names one per line.  Returns the entry as the
    REST API shows it, with its lines."""
    postings.check_balanced(lines)
    year, _ = await bk.period_of(conn, books, day, actor=actor)
    debit, credit = postings.totals_of(lines)
    now = int(time.time())
    values: dict[str, Any] = {
        "company": books.id, "journal": journal["ID"], "fiscalyear": year["ID"],
        "date": day_stamp(day), "name": label, "pieceref": pieceref,
        "piecedate": day_stamp(piecedate), "status": 0, "origin": ORIGIN[origin],
        "debit": float(debit), "credit": float(credit), "creator": actor,
        "creationdate": now, **(refs or {})}
    if validate and day <= _today():
        values.update(await validation(conn, year))
    entry_id, _ = await rows.insert_row(conn, ENTRIES, values)
    stored = []
    for n, line in enumerate(lines, 1):
        account = await bk.account_of(conn, books, line.account)
        if line_thirds is not None:
            third = line_thirds[n - 1]
        on_third = line.third_party and third is not None
        stored.append({
            "entry": entry_id, "sequence": n, "company": books.id, "journal": journal["ID"],
            "fiscalyear": year["ID"], "date": values["date"], "account": account["ID"],
            "accountnum": account["number"], "name": line.label or label,
            "debit": float(line.debit), "credit": float(line.credit),
            "auxaccount": third.account if on_third and third else None,
            "auxnum": third.number if on_third and third else "",
            "auxname": third.name if on_third and third else "",
            "duedate": duedate if line.third_party else None,
            "transaction": document,
            "currencyamount": (float(currency[0] if line.debit else -currency[0])
                               if currency and line.third_party else None),
            "currency": currency[1] if currency and line.third_party else "",
            "vatkind": KIND_NUMBER.get(line.vat_kind, 0),
            "vatrate": float(line.vat_rate) if line.vat_rate is not None else None,
            "vatrole": ROLE_NUMBER.get(line.vat_role, 0),
            "vatbase": float(line.vat_base) if line.vat_base is not None else None})
    await ledger.insert_lines(conn, stored)
    record = render_record(ENTRIES, {**values, "ID": entry_id})
    record["lines"] = [render_record(LINES, {**line, "ID": None}) for line in stored]
    for line in record["lines"]:
        line.pop("ID", None)
    await outbox.emit(conn, ENTRIES, entry_id, "created", actor=actor, record=record)
    return record


async def validation(conn: Connection, year: Row) -> dict[str, Any]:
    """The values that validate an entry of fiscal year `year`: its number, the next of
    the year's continuous sequence (taken in this transaction), and its ValidDate."""
    sequence = await ledger.take_entry_sequence(conn, int(year["ID"]))
    return {"status": VALIDATED, "validated": int(time.time()),
            "entrynum": postings.entry_number(year["name"], sequence)}


def live_entries(entries: Sequence[Row], origin: str) -> list[Row]:
    """The entries of `origin` that no entry among `entries` reverses."""
    reversed_ids = {entry["reverses"] for entry in entries if entry["reverses"] is not None}
    return [entry for entry in entries
            if entry["origin"] == ORIGIN[origin] and entry["ID"] not in reversed_ids]


async def entries_of(conn: Connection, field: str, value: int) -> list[Row]:
    """The entries whose `field` (transaction, payment, allocation, reverses) is `value`."""
    return await rows.select_rows_where(conn, ENTRIES, {field: value})


async def lines_of(conn: Connection, **where: Any) -> list[Row]:
    """The entry lines whose fields equal `where`, entry by entry, in order."""
    return await rows.select_rows_where(conn, LINES, where, ("entry", "sequence"))


def posting_of(line: Mapping[str, Any]) -> Posting:
    """A stored line back as a posting."""
    return Posting(str(line["accountnum"]), stored_decimal(line["debit"]),
                   stored_decimal(line["credit"]), third_party=line["auxaccount"] is not None,
                   vat_kind=KIND_NAME.get(line["vatkind"], ""),
                   vat_rate=stored_decimal_or_none(line["vatrate"]),
                   vat_role=ROLE_NAME.get(line["vatrole"], ""),
                   vat_base=stored_decimal_or_none(line["vatbase"]), label=str(line["name"]))


async def reverse_entry(conn: Connection, books: bk.Books, entry: Row, *, day: dt.date,
                        actor: int | None, label: str | None = None) -> dict[str, Any]:
    """The reversing entry of `entry` (contre-passation), dated `day`, in its journal."""
    lines = await lines_of(conn, entry=entry["ID"])
    third = next((Third(int(line["auxaccount"]), str(line["auxnum"]), str(line["auxname"]))
                  for line in lines if line["auxaccount"] is not None), None)
    journal = bk.journal_of(books, 0, journal_id=int(entry["journal"]))
    return await write_entry(
        conn, books, journal=journal, day=day, label=label or f"Annulation {entry['name']}",
        pieceref=str(entry["pieceref"]), piecedate=day,
        lines=postings.reversal([posting_of(line) for line in lines]), origin="REVERSAL",
        actor=actor, third=third, document=lines[0]["transaction"] if lines else None,
        refs={"reverses": int(entry["ID"]), "transaction": entry["transaction"],
              "payment": entry["payment"], "allocation": entry["allocation"]})


# --- documents --------------------------------------------------------------------------


def sale_vat_kind(rate: Decimal, *, seller_country: str, buyer_country: str,
                  buyer_vatid: str, services: bool) -> str:
    """The VAT kind of a sale at `rate` (as `domain/einvoice.py` chooses the category): a
    positive rate is a taxable sale; at 0 %, an export outside the EU, an intra-community
    supply to a buyer with a VAT number (goods, or services reverse charged), else an
    exempt operation."""
    if rate > 0:
        return "sale"
    buyer = (buyer_country or seller_country).upper()
    if buyer not in EU_COUNTRIES:
        return "sale_export"
    if buyer != seller_country.upper() and buyer_vatid:
        return "sale_intra_eu_services" if services else "sale_intra_eu_goods"
    return "sale_exempt"


async def _tags(conn: Connection, entity: Any, record_id: int | None) -> tuple[str, ...]:
    if record_id is None or not entity.tags:
        return ()
    return tuple(await rows.read_tags(conn, entity, record_id))


async def post_document(conn: Connection, document: Mapping[str, Any],
                        lines: Sequence[Mapping[str, Any]], totals: money.DocumentTotals, *,
                        actor: int | None) -> dict[str, Any] | None:
    """Post an invoice or credit note being issued (`document` with its issued values,
    `lines` its line items in order, `totals` its totals); other documents post nothing."""
    kind = POSTED_TYPES.get(document["type"])
    if kind is None:
        return None
    purchase, credit_note = kind
    books = await bk.books_of(conn, document["company"])
    company = books.company
    account = await rows.select_row(conn, ACCOUNTS, document["account"])
    assert account is not None
    account_tags = await _tags(conn, ACCOUNTS, account["ID"])
    base_lines = []
    # each line's VAT rate as issuing totalled it (group tax mode: the first line's)
    sale_lines = issuing.sale_lines(document, lines)
    for line, sale, net in zip(lines, sale_lines, totals.line_nets, strict=True):
        item = await rows.select_row(conn, ITEMS, line["item"]) if line.get("item") else None
        services = item is None or item["type"] in SERVICE_ITEM_TYPES
        rate = sale.vat_rate
        vat_kind = "purchase" if purchase else sale_vat_kind(
            rate, seller_country=str(company["country"] or "FR"),
            buyer_country=str(document.get("billingcountry") or ""),
            buyer_vatid=str(document.get("taxid") or account.get("taxid") or ""),
            services=services)
        context = {"vatrate": rate, "vatkind": KIND_NUMBER[vat_kind],
                   "goods": 2 if services else 1, "item": line.get("item"),
                   "itemtags": await _tags(conn, ITEMS, line.get("item")),
                   "accounttags": account_tags}
        side = "purchases" if purchase else "sales"
        number = await _number(conn, books, T_PURCHASES if purchase else T_SALES, context,
                               DEFAULT_ACCOUNTS[f"{side}_{'services' if services else 'goods'}"])
        if purchase and number.startswith("2"):
            vat_kind = "purchase_assets"  # a fixed asset bought: VAT deductible on line 19
        base_lines.append(postings.BaseLine(number, rate, net, vat_kind, services))
    vat_numbers: dict[tuple[str, Decimal], str] = {}
    for base in base_lines:
        key = (base.vat_kind, base.rate)
        if key not in vat_numbers:
            default = (DEFAULT_ACCOUNTS["vat_deductible_assets"] if base.vat_kind ==
                       "purchase_assets" else DEFAULT_ACCOUNTS[
                           "vat_deductible" if purchase else "vat_collected"])
            vat_numbers[key] = await _number(
                conn, books, T_VAT_DEDUCTIBLE if purchase else T_VAT_COLLECTED,
                {"vatrate": base.rate, "vatkind": KIND_NUMBER[base.vat_kind]}, default)
    pending = None
    if company["vatonpayments"] and not purchase:
        pending = await _number(conn, books, T_VAT_PENDING, {},
                                DEFAULT_ACCOUNTS["vat_pending"])
    side = "purchases" if purchase else "sales"
    shipping = await _number(conn, books, T_SHIPPING, {}, DEFAULT_ACCOUNTS[f"shipping_{side}"])
    third_number = await _number(
        conn, books, T_SUPPLIERS if purchase else T_CUSTOMERS, {"accounttags": account_tags},
        DEFAULT_ACCOUNTS["suppliers" if purchase else "customers"])
    gain = await _number(conn, books, T_ROUNDING, {"goods": 1}, DEFAULT_ACCOUNTS["rounding_gain"])
    loss = await _number(conn, books, T_ROUNDING, {"goods": 2}, DEFAULT_ACCOUNTS["rounding_loss"])
    rate = stored_decimal(document.get("exchangerate") or 1)
    number = str(document["transactionnum"])
    third = third_of(account, purchase)
    label = f"{number} {third.name}"[:200]
    entry_lines = postings.document_postings(
        base_lines, totals, purchase=purchase, credit_note=credit_note,
        third_party=third_number,
        vat_account=lambda vat_kind, vat_rate_: vat_numbers.get(
            (vat_kind, vat_rate_), DEFAULT_ACCOUNTS["vat_deductible" if purchase
                                                    else "vat_collected"]),
        pending_account=pending, shipping_account=shipping, rounding_accounts=(gain, loss),
        exchange_rate=rate, label=label)
    day = utc_day(document["date"])
    currency = str(document.get("currency") or company["currency"])
    foreign = (totals.total, currency) if currency != company["currency"] else None
    journal = bk.journal_of(books, bk.PURCHASES if purchase else bk.SALES)
    return await write_entry(
        conn, books, journal=journal, day=day, label=label, pieceref=number, piecedate=day,
        lines=entry_lines, origin="DOCUMENT", actor=actor, third=third,
        duedate=document.get("duedate"), document=int(document["ID"]), currency=foreign,
        refs={"transaction": int(document["ID"])})


# --- payments ---------------------------------------------------------------------------


async def _payment_third(conn: Connection, payment: Mapping[str, Any],
                         purchase: bool) -> Third | None:
    account_id = payment.get("account")
    if account_id is None and payment.get("transaction") is not None:
        document = await rows.select_row(conn, TRANSACTIONS, payment["transaction"])
        account_id = document["account"] if document else None
    if account_id is None:
        return None
    account = await rows.select_row(conn, ACCOUNTS, account_id)
    return third_of(account, purchase) if account else None


async def _live_entry(conn: Connection, payment_id: int) -> Row | None:
    """The payment's entry that no later entry reverses, if any."""
    live = live_entries(await entries_of(conn, "payment", payment_id), "PAYMENT")
    return live[-1] if live else None


async def post_payment(conn: Connection, payment: Mapping[str, Any], *,
                       actor: int | None) -> None:
    """Bring a payment's entry in line with the payment: post a completed (or booked) one,
    reverse the entry of one cancelled, changed or back to draft."""
    live = await _live_entry(conn, int(payment["ID"]))
    wanted = payment["status"] in POSTED_PAYMENT_STATUSES
    amount = stored_decimal(payment["amount"])
    day = utc_day(payment["date"])
    if live is not None:
        same = (wanted and Decimal(str(live["debit"])) == abs(amount)
                and utc_day(live["date"]) == day
                and await _same_third(conn, live, payment))
        if same:
            return
    if live is None and not wanted:
        return
    books = await bk.books_of(conn, payment.get("company"))
    if live is not None:
        await reverse_entry(conn, books, live, day=max(day, utc_day(live["date"])) if
                            wanted else _today(), actor=actor)
    if not wanted:
        return
    purchase = payment["direction"] == 1
    third = await _payment_third(conn, payment, purchase)
    rule = postings.choose_rule(books.rules, T_PAYMENTS, {"means": payment["means"]})
    journal = bk.journal_of(
        books, bk.CASH if payment["means"] == 3 else bk.BANK,
        journal_id=int(rule["journal"]) if rule and rule["journal"] else None,
        ledger_id=payment.get("ledger"))
    cash_account = None
    for account_id in (rule["account"] if rule else None, journal["account"]):
        found = await bk.account_by_id(conn, books, int(account_id)) if account_id else None
        if found is not None and cash_account is None:
            cash_account = str(found["number"])
    cash_account = cash_account or DEFAULT_ACCOUNTS["cash" if journal["kind"] == bk.CASH
                                                    else "bank"]
    third_number = "471" if third is None else await _number(
        conn, books, T_SUPPLIERS if purchase else T_CUSTOMERS, {},
        DEFAULT_ACCOUNTS["suppliers" if purchase else "customers"])
    reference = str(payment.get("paymentnum") or payment.get("subject") or payment["ID"])
    label = f"{'Règlement' if not purchase else 'Paiement'} {reference}"
    if third is not None:
        label += f" {third.name}"
    await write_entry(
        conn, books, journal=journal, day=day, label=label[:200], pieceref=reference,
        piecedate=day, lines=postings.payment_postings(
            amount, incoming=not purchase, cash_account=cash_account,
            third_party=third_number, label=label[:200]),
        origin="PAYMENT", actor=actor, third=third,
        document=payment.get("transaction"), refs={"payment": int(payment["ID"])})


async def _same_third(conn: Connection, entry: Row, payment: Mapping[str, Any]) -> bool:
    lines = await lines_of(conn, entry=entry["ID"])
    posted = next((line["auxaccount"] for line in lines if line["auxaccount"] is not None), None)
    third = await _payment_third(conn, payment, payment["direction"] == 1)
    return posted == (third.account if third else None)


async def record_written(conn: Connection, entity: Entity, record_id: int, *,
                         actor: int | None, deleted: Row | None = None) -> None:
    """After a record was created, updated or (`deleted`, its last row) deleted through
    any door (`records.py`): the books follow the records they post.  A payment's entry
    follows it; a deleted payment's is reversed."""
    if entity is not PAYMENTS:
        return
    payment = ({**deleted, "status": CANCELLED_PAYMENT} if deleted is not None
               else await rows.select_row(conn, PAYMENTS, record_id))
    if payment is not None:
        await post_payment(conn, payment, actor=actor)


# --- allocations: VAT on payments, lettering --------------------------------------------


async def _document_lines(conn: Connection, document_id: int) -> list[Row]:
    """The lines of the live (not reversed) document entries of a transaction."""
    found: list[Row] = []
    for entry in live_entries(await entries_of(conn, "transaction", document_id), "DOCUMENT"):
        found.extend(await lines_of(conn, entry=entry["ID"]))
    return found


async def _move_pending(conn: Connection, books: bk.Books, document: Row, *, paid_before: Decimal,
                        paid: Decimal, allocation: int, actor: int | None) -> None:
    pending = [posting_of(line) for line in await _document_lines(conn, int(document["ID"]))
               if ROLE_NAME.get(line["vatrole"]) == postings.PENDING]
    if not pending:
        return
    numbers: dict[tuple[str, Decimal], str] = {}
    for line in pending:
        key = (line.vat_kind, line.vat_rate or Decimal(0))
        numbers[key] = await _number(conn, books, T_VAT_COLLECTED, {
            "vatrate": key[1], "vatkind": KIND_NUMBER.get(key[0], 0)},
            DEFAULT_ACCOUNTS["vat_collected"])
    moved = postings.vat_on_payment(
        pending, total=stored_decimal(document["grandtotal"]), paid_before=paid_before,
        paid=paid, collected_account=lambda kind, rate: numbers[(kind, rate)],
        label=f"TVA sur encaissement {document['transactionnum']}")
    if not moved:
        return
    day = _today()
    await write_entry(conn, books, journal=bk.journal_of(books, bk.MISC), day=day,
                      label=f"TVA sur encaissement {document['transactionnum']}",
                      pieceref=str(document["transactionnum"]), piecedate=day, lines=moved,
                      origin="ALLOCATION", actor=actor, document=int(document["ID"]),
                      refs={"allocation": allocation, "transaction": int(document["ID"])})


async def allocated(conn: Connection, allocation: Mapping[str, Any], invoice: Row, *,
                    actor: int | None) -> None:
    """After an allocation of a payment or credit note to `invoice` (as it was before):
    the VAT on payments it makes due, then the lettering of what is now settled."""
    books = await bk.books_of(conn, invoice["company"])
    amount = stored_decimal(allocation["amount"])
    allocation_id = int(allocation["ID"])
    await _move_pending(conn, books, invoice, paid_before=stored_decimal(invoice["paidamount"]),
                        paid=amount, allocation=allocation_id, actor=actor)
    if allocation.get("credit") is not None:
        credit = await rows.select_row(conn, TRANSACTIONS, int(allocation["credit"]))
        if credit is not None:
            await _move_pending(conn, books, credit,
                                paid_before=stored_decimal(credit["paidamount"]), paid=amount,
                                allocation=allocation_id, actor=actor)
    await letter_settled(conn, books, int(invoice["ID"]))


async def deallocated(conn: Connection, allocation: Row, *, actor: int | None) -> None:
    """After an allocation was undone: its VAT entries reversed, its lettering removed."""
    invoice = await rows.select_row(conn, TRANSACTIONS, int(allocation["transaction"]))
    if invoice is None:
        return
    books = await bk.books_of(conn, invoice["company"])
    for entry in live_entries(await entries_of(conn, "allocation", int(allocation["ID"])),
                              "ALLOCATION"):
        await reverse_entry(conn, books, entry, day=_today(), actor=actor)
    for line in await _third_lines(conn, int(invoice["ID"]), set()):
        if line["lettering"]:
            await unletter(conn, books.id, str(line["lettering"]))


async def _third_lines(conn: Connection, invoice_id: int, seen: set[tuple[str, int]],
                       ) -> list[Row]:
    """The subsidiary-account lines of an invoice and of everything allocated to it, and of
    whatever else those settle (the connected allocations), not yet in `seen`."""
    found: list[Row] = []
    todo: list[tuple[str, int]] = [("transaction", invoice_id)]
    while todo:
        kind, record_id = todo.pop()
        if (kind, record_id) in seen:
            continue
        seen.add((kind, record_id))
        field = "transaction" if kind == "transaction" else "payment"
        for entry in await entries_of(conn, field, record_id):
            if entry["origin"] in (ORIGIN["DOCUMENT"], ORIGIN["PAYMENT"], ORIGIN["REVERSAL"]) \
                    and (kind == "payment" or entry["payment"] is None):
                found.extend(line for line in await lines_of(conn, entry=entry["ID"])
                             if line["auxaccount"] is not None)
        if kind == "transaction":
            for allocation in await rows.select_rows_where(conn, ALLOCATIONS,
                                                           {"transaction": record_id}):
                todo.append(("payment", allocation["payment"]) if allocation["payment"]
                            else ("transaction", allocation["credit"]))
            for allocation in await rows.select_rows_where(conn, ALLOCATIONS,
                                                           {"credit": record_id}):
                todo.append(("transaction", allocation["transaction"]))
        else:
            for allocation in await rows.select_rows_where(conn, ALLOCATIONS,
                                                           {"payment": record_id}):
                todo.append(("transaction", allocation["transaction"]))
    return found


async def letter_settled(conn: Connection, books: bk.Books, invoice_id: int) -> str | None:
    """Letter the subsidiary-account lines of an invoice and what settles it when they
    balance (the automatic lettering of a fully paid invoice); returns the code given."""
    lines = [line for line in await _third_lines(conn, invoice_id, set())
             if not line["lettering"]]
    by_account: dict[str, list[Row]] = {}
    for line in lines:
        by_account.setdefault(str(line["accountnum"]), []).append(line)
    code = None
    for group in by_account.values():
        balance = sum((stored_decimal(line["debit"]) - stored_decimal(line["credit"])
                       for line in group), Decimal(0))
        if len(group) > 1 and money.round_money(balance) == 0:
            code = await letter_lines(conn, books.id, [int(line["ID"]) for line in group])
    return code


async def letter_lines(conn: Connection, company: int, line_ids: Sequence[int]) -> str:
    """Give `line_ids` the company's next lettering code (the caller checked they
    balance)."""
    code = postings.lettering_code(postings.lettering_number(
        await ledger.last_lettering(conn, company)) + 1)
    await rows.update_rows_in(conn, LINES, line_ids,
                              {"lettering": code, "lettered": day_stamp(_today())})
    return code


async def unletter(conn: Connection, company: int, code: str) -> int:
    """Remove a lettering code from the company's lines; returns how many lines."""
    lines = await lines_of(conn, company=company, lettering=code)
    await rows.update_rows_in(conn, LINES, [int(line["ID"]) for line in lines],
                              {"lettering": "", "lettered": None})
    return len(lines)
