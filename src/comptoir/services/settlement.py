"""Settling invoices: payments and credit notes allocated over one or more invoices, the
balances they leave, and an account's balance.

    await allocate_payment(db, caller, 7, {"allocations": [
        {"transaction": 12, "amount": "100.00"}, {"transaction": 13}]})
    await allocate_credit(db, caller, 15, {"transaction": 12, "amount": "20"})
    await deallocate(db, caller, allocation_id, payment=7)

An allocation never takes more than what is left on the payment (or credit note), nor
more than the invoice's balance (`domain/settlement.py`); an amount left out takes as much
as both allow.  Each allocation updates, in the same transaction, the payment's
`allocated`, the invoice's `paidamount`, `balance` and status (PARTLYPAID, PAID), and emits
`allocations.created` and `payments.allocated` (`transactions.allocated` for a credit
note).  Money left on a payment is the account's credit, allocated later.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from comptoir.domain import money
from comptoir.domain import settlement as rules
from comptoir.errors import ConflictError, InvalidFieldError, NotFoundError
from comptoir.events import outbox
from comptoir.schema.registry import ENTITIES
from comptoir.services import derived, posting, records
from comptoir.services.access import Caller, check_operation
from comptoir.services.issuing import BOOKED, CANCELLED, DRAFT, stored
from comptoir.storage import rows
from comptoir.storage.database import Connection, Database, Row
from comptoir.wire.module_values import parse_decimal
from comptoir.wire.values import render_record, stored_decimal, to_storage

PAYMENTS, TRANSACTIONS = ENTITIES["payments"], ENTITIES["transactions"]
ALLOCATIONS, ACCOUNTS = ENTITIES["allocations"], ENTITIES["accounts"]
PARTLYPAID, PAID = 17, 20
CANCELLED_PAYMENT = posting.CANCELLED_PAYMENT
#: payment direction -> the invoices it settles (incoming: customer invoices)
SETTLES = {0: 3, 1: 8}
#: credit note type -> the invoices it settles
CREDIT_SETTLES = {4: 3, 9: 8}


def _paid_status(invoice: Row, paid: Decimal) -> int:
    total = stored_decimal(invoice["grandtotal"])
    if paid >= total:
        return PAID
    return PARTLYPAID if paid > 0 else BOOKED


def _given(field: str, name: str, value: Any) -> Any:
    """`value` of the allocation field `name`, coerced by the registry's field (`amount` as
    an exact Decimal), the error naming `field`."""
    if name == "amount":
        return parse_decimal(field, value)
    return to_storage(dataclasses.replace(ALLOCATIONS.by_name[name], name=field,
                                          nullable=False), value)


async def _invoice(conn: Connection, caller: Caller, value: Any, expected: int,
                   field: str) -> Row:
    invoice_id = _given(field, "transaction", value)
    try:
        invoice = await records.load_writable(conn, TRANSACTIONS, caller, invoice_id)
    except NotFoundError:
        raise InvalidFieldError(field, f"transaction {invoice_id} does not exist") from None
    if invoice["type"] != expected:
        raise ConflictError(f"{field}: transaction {invoice_id} is not a "
                            f"{TRANSACTIONS.by_name['type'].choices[expected]}",
                            code="not_settled_by_this")
    if invoice["status"] in (DRAFT, CANCELLED):
        state = "a draft" if invoice["status"] == DRAFT else "cancelled"
        raise ConflictError(f"{field}: transaction {invoice_id} is {state}: only issued "
                            "invoices are settled", code="not_issued")
    return invoice


def _entries(body: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The allocations asked for, each with the name of its place in the body."""
    for key in body:
        if key not in ("allocations", "transaction", "amount"):
            raise InvalidFieldError(str(key)[:60], "unknown parameter; expected allocations, "
                                    "or transaction and amount")
    if "allocations" not in body:
        return [("", body)]
    raw = body["allocations"]
    if not isinstance(raw, list) or not raw or not all(isinstance(e, dict) for e in raw):
        raise InvalidFieldError("allocations", "must be a non-empty list of "
                                "{transaction, amount}")
    return [(f"allocations[{n}].", entry) for n, entry in enumerate(raw, 1)]


def _check_same(field: str, source: Row, invoice: Row, currency: str | None) -> None:
    if source["account"] is not None and invoice["account"] != source["account"]:
        raise ConflictError(f"{field}: transaction {invoice['ID']} is another account's "
                            f"(account {invoice['account']})", code="other_account")
    if currency and invoice["currency"] and currency != invoice["currency"]:
        raise ConflictError(f"{field}: transaction {invoice['ID']} is in "
                            f"{invoice['currency']}, not {currency}", code="other_currency")


def _amount(field: str, entry: Mapping[str, Any], left: Decimal, balance: Decimal) -> Decimal:
    """The amount of an allocation: as given, within what is left on both sides, or, left
    out, as much as both allow."""
    if entry.get("amount") is None:
        wanted = min(left, balance)
        if wanted <= 0:
            raise ConflictError(f"{field}: nothing left to allocate ({left} on the payment, "
                                f"{balance} due)", code="nothing_left")
        return wanted
    try:
        return rules.check_allocation(_given(field, "amount", entry["amount"]),
                                      unallocated=left, balance=balance)
    except InvalidFieldError as exc:
        raise InvalidFieldError(field, exc.details["problem"]) from None


async def _allocate(conn: Connection, caller: Caller, source: Row, left: Decimal,
                    body: Mapping[str, Any], *, settles: int, payment: int | None = None,
                    credit: int | None = None) -> tuple[list[dict[str, Any]], Decimal]:
    """The allocations of `body` from a payment or credit note with `left` to allocate:
    each checked, written, and the invoice's paid amount, balance and status updated.
    Returns them and what is left."""
    made = []
    for where, entry in _entries(body):
        field = where + "transaction"
        invoice = await _invoice(conn, caller, entry.get("transaction"), settles, field)
        if payment is not None and source["transaction"] not in (None, invoice["ID"]):
            raise ConflictError(f"{field}: payment {payment} is booked to transaction "
                                f"{source['transaction']}", code="other_transaction")
        _check_same(field, source, invoice, source["currency"])
        amount = _amount(where + "amount", entry, left, stored_decimal(invoice["balance"]))
        made.append(await derived.insert(conn, ALLOCATIONS, {
            "amount": stored(amount), "payment": payment, "credit": credit,
            "transaction": invoice["ID"], "date": int(time.time()), "creator": caller.user},
            actor=caller.user))
        # the books: VAT on payments made due, what is settled lettered (`posting.py`)
        await posting.allocated(conn, made[-1], invoice, actor=caller.user)
        paid = stored_decimal(invoice["paidamount"]) + amount
        await derived.update(conn, TRANSACTIONS, invoice, {
            "paidamount": stored(paid), "balance": stored(stored_decimal(invoice["grandtotal"]) - paid),
            "status": _paid_status(invoice, paid)}, actor=caller.user)
        left -= amount
    return made, left


async def allocate_payment(db: Database, caller: Caller, payment_id: int,
                           body: Mapping[str, Any]) -> dict[str, Any]:
    """Allocate a payment over invoices; returns the payment and the allocations made."""
    async with db.write() as conn:
        payment = await records.load_writable(conn, PAYMENTS, caller, payment_id)
        if payment["status"] == CANCELLED_PAYMENT:
            raise ConflictError(f"payment {payment_id} is cancelled", code="cancelled")
        total = abs(stored_decimal(payment["amount"]))
        made, left = await _allocate(conn, caller, payment, total - stored_decimal(payment["allocated"]),
                                     body, settles=SETTLES[payment["direction"]],
                                     payment=payment_id)
        payment = await derived.update(conn, PAYMENTS, payment,
                                       {"allocated": stored(total - left)}, actor=caller.user)
        await outbox.emit(conn, PAYMENTS, payment_id, "allocated", actor=caller.user,
                          record=render_record(PAYMENTS, payment),
                          changes={"allocations": {"before": None, "after": made}})
        return {"payment": render_record(PAYMENTS, payment), "allocations": made}


#: what a payment recorded on an invoice may say; the rest comes from the invoice
PAYMENT_FIELDS = ("amount", "date", "means", "subject")


async def record_payment(db: Database, caller: Caller, invoice_id: int,
                         body: Mapping[str, Any]) -> dict[str, Any]:
    """Record a payment of an issued invoice and allocate it to that invoice, in one
    transaction: the payment's account, currency, company and direction are the invoice's;
    `amount` defaults to the invoice's balance; `date`, `means` (0 transfer) and `subject`
    may be given.  Returns `{"payment": ..., "allocations": [...]}`."""
    for key in body:
        if key not in PAYMENT_FIELDS:
            raise InvalidFieldError(key, f"unknown: give {', '.join(PAYMENT_FIELDS)}")
    check_operation(TRANSACTIONS, caller, write=False)
    async with db.write() as conn:
        invoice = await records.load(conn, TRANSACTIONS, caller, invoice_id)
        direction = next((d for d, kind in SETTLES.items() if kind == invoice["type"]), None)
        if direction is None or invoice["status"] in (DRAFT, CANCELLED):
            raise ConflictError(f"transaction {invoice_id} is not an issued invoice",
                                code="not_payable")
        balance = stored_decimal(invoice["balance"])
        amount = (parse_decimal("amount", body["amount"]) if body.get("amount") not in
                  (None, "") else balance)
        if amount <= 0:
            raise InvalidFieldError("amount", "must be more than 0")
        values = {"account": invoice["account"], "amount": str(amount), "direction": direction,
                  "status": posting.COMPLETED_PAYMENT,  # the money was received (or paid)
                  "currency": invoice["currency"], "company": invoice["company"],
                  "means": body.get("means", 0), "subject": body.get("subject") or (
                      f"{invoice['transactionnum']}")}
        if body.get("date") not in (None, ""):
            values["date"] = body["date"]
        payment = await records.create_record(db, caller, "payments", values)
        return await allocate_payment(db, caller, int(payment.data["ID"]), {
            "transaction": invoice_id, "amount": str(min(amount, balance))})


async def allocate_credit(db: Database, caller: Caller, credit_id: int,
                          body: Mapping[str, Any]) -> dict[str, Any]:
    """Allocate an issued credit note against invoices of the same account."""
    async with db.write() as conn:
        credit = await records.load_writable(conn, TRANSACTIONS, caller, credit_id)
        if credit["type"] not in CREDIT_SETTLES or credit["status"] in (DRAFT, CANCELLED):
            raise ConflictError(f"transaction {credit_id} is not an issued credit note",
                                code="not_a_credit")
        total = stored_decimal(credit["grandtotal"])
        made, left = await _allocate(conn, caller, credit, total - stored_decimal(credit["paidamount"]),
                                     body, settles=CREDIT_SETTLES[credit["type"]],
                                     credit=credit_id)
        credit = await derived.update(conn, TRANSACTIONS, credit, {
            "paidamount": stored(total - left), "balance": stored(left)}, actor=caller.user)
        await outbox.emit(conn, TRANSACTIONS, credit_id, "allocated", actor=caller.user,
                          record=render_record(TRANSACTIONS, credit),
                          changes={"allocations": {"before": None, "after": made}})
        return {"credit": render_record(TRANSACTIONS, credit), "allocations": made}


async def deallocate(db: Database, caller: Caller, allocation_id: int, *,
                     payment: int | None = None) -> None:
    """Undo an allocation (of `payment`, when given): the payment (or credit note) gets its
    money back and the invoice its balance."""
    async with db.write() as conn:
        allocation = await rows.select_row(conn, ALLOCATIONS, allocation_id, for_update=True)
        if allocation is None or (payment is not None and allocation["payment"] != payment):
            raise NotFoundError(f"allocation {allocation_id} not found" + (
                f" on payment {payment}" if payment is not None else ""))
        invoice = await records.load_writable(conn, TRANSACTIONS, caller,
                                              allocation["transaction"])
        amount = stored_decimal(allocation["amount"])
        if allocation["payment"] is not None:
            entity = PAYMENTS
            source = await records.load_writable(conn, PAYMENTS, caller, allocation["payment"])
            source = await derived.update(conn, PAYMENTS, source, {
                "allocated": stored(stored_decimal(source["allocated"]) - amount)}, actor=caller.user)
        else:
            entity = TRANSACTIONS
            source = await records.load_writable(conn, TRANSACTIONS, caller,
                                                 allocation["credit"])
            used = stored_decimal(source["paidamount"]) - amount
            source = await derived.update(conn, TRANSACTIONS, source, {
                "paidamount": stored(used),
                "balance": stored(stored_decimal(source["grandtotal"]) - used)}, actor=caller.user)
        paid = stored_decimal(invoice["paidamount"]) - amount
        status = invoice["status"] if invoice["status"] == CANCELLED else _paid_status(
            invoice, paid)
        await derived.update(conn, TRANSACTIONS, invoice, {
            "paidamount": stored(paid), "balance": stored(stored_decimal(invoice["grandtotal"]) - paid),
            "status": status}, actor=caller.user)
        await posting.deallocated(conn, allocation, actor=caller.user)
        record = await derived.delete(conn, ALLOCATIONS, allocation, actor=caller.user)
        await outbox.emit(conn, entity, source["ID"], "deallocated", actor=caller.user,
                          record=render_record(entity, source),
                          changes={"allocation": {"before": record, "after": None}})


# --- balances ------------------------------------------------------------------------------


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


async def document_balance(db: Database, caller: Caller, record_id: int) -> dict[str, Any]:
    """What an invoice or credit note totals, what was settled, what is left, its state
    (unpaid, partly_paid, paid, overdue) and its allocations."""
    check_operation(TRANSACTIONS, caller, write=False)
    async with db.read() as conn:
        row = await records.load(conn, TRANSACTIONS, caller, record_id)
        allocations = await rows.select_rows_where(
            conn, ALLOCATIONS, {"credit" if row["type"] in CREDIT_SETTLES else "transaction":
                                record_id})
    total, paid = stored_decimal(row["grandtotal"]), stored_decimal(row["paidamount"])
    due = None if row["duedate"] is None else dt.datetime.fromtimestamp(
        row["duedate"], dt.UTC).date()
    state = rules.payment_state(total, paid, due, _today())
    return {"ID": record_id, "transactionnum": row["transactionnum"], "currency": row["currency"],
            "total": _text(total), "paid": _text(paid), "balance": _text(total - paid),
            "state": state.value, "duedate": row["duedate"],
            "allocations": [render_record(ALLOCATIONS, a) for a in allocations]}


async def account_balance(db: Database, caller: Caller, account_id: int) -> dict[str, Any]:
    """An account's position: issued invoices, credit notes, payments and what it owes
    (positive) or is owed (negative), in the documents' currency (one currency assumed)."""
    check_operation(TRANSACTIONS, caller, write=False)
    async with db.read() as conn:
        await records.load(conn, ACCOUNTS, caller, account_id)
        documents = await rows.select_rows_where(conn, TRANSACTIONS, {"account": account_id})
        payments = await rows.select_rows_where(conn, PAYMENTS, {"account": account_id})
    issued = [d for d in documents if d["status"] not in (DRAFT, CANCELLED)
              or (d["status"] == CANCELLED and d["issued"] is not None)]
    invoiced = sum((stored_decimal(d["grandtotal"]) for d in issued if d["type"] == 3), Decimal(0))
    credited = sum((stored_decimal(d["grandtotal"]) for d in issued if d["type"] == 4), Decimal(0))
    due = sum((stored_decimal(d["balance"]) for d in issued if d["type"] == 3), Decimal(0))
    credit_left = sum((stored_decimal(d["balance"]) for d in issued if d["type"] == 4), Decimal(0))
    incoming = [p for p in payments if p["direction"] == 0 and p["status"] != 2]
    received = sum((abs(stored_decimal(p["amount"])) for p in incoming), Decimal(0))
    unallocated = sum((abs(stored_decimal(p["amount"])) - stored_decimal(p["allocated"]) for p in incoming),
                      Decimal(0))
    overdue = sum((stored_decimal(d["balance"]) for d in issued if d["type"] == 3
                   and d["duedate"] is not None and d["duedate"] < time.time()), Decimal(0))
    return {"account": account_id, "invoiced": _text(invoiced), "credited": _text(credited),
            "received": _text(received), "due": _text(due), "overdue": _text(overdue),
            "unallocated": _text(unallocated), "credit_notes_left": _text(credit_left),
            "balance": _text(due - unallocated - credit_left)}


def _text(amount: Decimal) -> str:
    """An amount as the balances show it: a decimal string with cents (`"20.00"`)."""
    return str(money.round_money(amount))
