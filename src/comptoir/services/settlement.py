"""Settling invoices: payments and credit notes allocated over one or more invoices, the
balances they leave, and an account's balance.

    await allocate_payment(db, caller, 7, {"allocations": [
        {"transaction": 12, "amount": "100.00"}, {"transaction": 13}]})
    await allocate_credit(db, caller, 15, {"transaction": 12, "amount": "20"})
    await deallocate(db, caller, 7, allocation_id)

An allocation never takes more than what is left on the payment (or credit note), nor
more than the invoice's balance (`domain/settlement.py`); an amount left out takes as much
as both allow.  Each allocation updates, in the same transaction, the payment's
`allocated`, the invoice's `paidamount`, `balance` and status (PARTLYPAID, PAID), and emits
`allocations.created` and `payments.allocated` (`transactions.allocated` for a credit
note).  Money left on a payment is the account's credit, allocated later.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import orjson

from comptoir.domain import money
from comptoir.domain import settlement as rules
from comptoir.errors import ConflictError, InvalidFieldError, NotFoundError
from comptoir.events import outbox
from comptoir.schema.registry import ENTITIES
from comptoir.services import records
from comptoir.services.access import Caller, check_operation
from comptoir.services.issuing import BOOKED, CANCELLED, DRAFT, decimal, stored
from comptoir.services.sales import update_fields
from comptoir.storage import rows
from comptoir.storage.database import Connection, Database, Row
from comptoir.wire.module_values import parse_decimal

PAYMENTS, TRANSACTIONS = ENTITIES["payments"], ENTITIES["transactions"]
ALLOCATIONS, ACCOUNTS = ENTITIES["allocations"], ENTITIES["accounts"]
PARTLYPAID, PAID = 17, 20
#: payment direction -> the invoices it settles (incoming: customer invoices)
SETTLES = {0: 3, 1: 8}
#: credit note type -> the invoices it settles
CREDIT_SETTLES = {4: 3, 9: 8}


def _paid_status(invoice: Row, paid: Decimal) -> int:
    total = decimal(invoice["grandtotal"])
    if paid >= total:
        return PAID
    return PARTLYPAID if paid > 0 else BOOKED


def parse_id(field: str, value: Any) -> int:
    """A record ID given in a body (a number or its digits)."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise InvalidFieldError(field, "must be the ID of an invoice")
    return value


async def _invoice(conn: Connection, caller: Caller, record_id: Any, expected: int,
                   field: str) -> Row:
    invoice_id = parse_id(field, record_id)
    try:
        invoice = await records.load(conn, TRANSACTIONS, caller, invoice_id, lock=True)
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


def _entries(body: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    for key in body:
        if key not in ("allocations", "transaction", "amount"):
            raise InvalidFieldError(str(key)[:60], "unknown parameter; expected allocations, "
                                    "or transaction and amount")
    raw = body.get("allocations", [body])
    if not isinstance(raw, list) or not raw or not all(isinstance(e, dict) for e in raw):
        raise InvalidFieldError("allocations", "must be a non-empty list of "
                                "{transaction, amount}")
    return raw


async def _settle(conn: Connection, caller: Caller, invoice: Row, amount: Decimal, *,
                  payment: int | None, credit: int | None) -> dict[str, Any]:
    """Write one allocation and the invoice's new paid amount, balance and status."""
    now = int(time.time())
    values = {"amount": stored(amount), "payment": payment, "credit": credit,
              "transaction": invoice["ID"], "date": now, "creationdate": now,
              "creator": caller.user}
    allocation_id, _ = await rows.insert_row(conn, ALLOCATIONS, values)
    record = {f.name: values.get(f.name) for f in ALLOCATIONS.public_fields} | {
        "ID": allocation_id}
    await outbox.emit(conn, ALLOCATIONS, allocation_id, "created", actor=caller.user,
                      record=record)
    paid = decimal(invoice["paidamount"]) + amount
    await update_fields(conn, "transactions", invoice, {
        "paidamount": stored(paid), "balance": stored(decimal(invoice["grandtotal"]) - paid),
        "status": _paid_status(invoice, paid)}, caller.user)
    return record


def _check_same(field: str, source: Row, invoice: Row, currency: str | None) -> None:
    if source["account"] is not None and invoice["account"] != source["account"]:
        raise ConflictError(f"{field}: transaction {invoice['ID']} is another account's "
                            f"(account {invoice['account']})", code="other_account")
    if currency and invoice["currency"] and currency != invoice["currency"]:
        raise ConflictError(f"{field}: transaction {invoice['ID']} is in "
                            f"{invoice['currency']}, not {currency}", code="other_currency")


async def allocate_payment(db: Database, caller: Caller, payment_id: int,
                           body: Mapping[str, Any]) -> dict[str, Any]:
    """Allocate a payment over invoices; returns the payment and the allocations made."""
    entries = _entries(body)
    check_operation(PAYMENTS, caller, write=True)
    async with db.write() as conn:
        payment = await records.load(conn, PAYMENTS, caller, payment_id, lock=True)
        records.check_writer(PAYMENTS, caller, payment)
        if payment["status"] == 2:
            raise ConflictError(f"payment {payment_id} is cancelled", code="cancelled")
        left = abs(decimal(payment["amount"])) - decimal(payment["allocated"])
        made = []
        for n, entry in enumerate(entries, 1):
            field = f"allocations[{n}].transaction" if "allocations" in body else "transaction"
            invoice = await _invoice(conn, caller, entry.get("transaction"),
                                     SETTLES[payment["direction"]], field)
            if payment["transaction"] is not None and payment["transaction"] != invoice["ID"]:
                raise ConflictError(f"{field}: payment {payment_id} is booked to transaction "
                                    f"{payment['transaction']}", code="other_transaction")
            _check_same(field, payment, invoice, payment["currency"])
            amount = _amount(entry, body, n, left, decimal(invoice["balance"]))
            made.append(await _settle(conn, caller, invoice, amount, payment=payment_id,
                                      credit=None))
            left -= amount
        payment = await update_fields(conn, "payments", payment, {
            "allocated": stored(abs(decimal(payment["amount"])) - left)}, caller.user)
        await outbox.emit(conn, PAYMENTS, payment_id, "allocated", actor=caller.user,
                          record=records.render(PAYMENTS, payment),
                          changes={"allocations": {"before": None, "after": made}})
        return {"payment": records.render(PAYMENTS, payment), "allocations": made}


def _amount(entry: Mapping[str, Any], body: Mapping[str, Any], n: int, left: Decimal,
            balance: Decimal) -> Decimal:
    field = f"allocations[{n}].amount" if "allocations" in body else "amount"
    if entry.get("amount") is None:
        wanted = min(left, balance)
        if wanted <= 0:
            raise ConflictError(f"{field}: nothing left to allocate ({left} on the payment, "
                                f"{balance} due)", code="nothing_left")
        return wanted
    try:
        return rules.check_allocation(parse_decimal(field, entry["amount"]), unallocated=left,
                                      balance=balance)
    except InvalidFieldError as exc:
        raise InvalidFieldError(field, exc.details["problem"]) from None


async def allocate_credit(db: Database, caller: Caller, credit_id: int,
                          body: Mapping[str, Any]) -> dict[str, Any]:
    """Allocate an issued credit note against invoices of the same account."""
    entries = _entries(body)
    check_operation(TRANSACTIONS, caller, write=True)
    async with db.write() as conn:
        credit = await records.load(conn, TRANSACTIONS, caller, credit_id, lock=True)
        records.check_writer(TRANSACTIONS, caller, credit)
        if credit["type"] not in CREDIT_SETTLES or credit["status"] in (DRAFT, CANCELLED):
            raise ConflictError(f"transaction {credit_id} is not an issued credit note",
                                code="not_a_credit")
        left = decimal(credit["grandtotal"]) - decimal(credit["paidamount"])
        made = []
        for n, entry in enumerate(entries, 1):
            field = f"allocations[{n}].transaction" if "allocations" in body else "transaction"
            invoice = await _invoice(conn, caller, entry.get("transaction"),
                                     CREDIT_SETTLES[credit["type"]], field)
            _check_same(field, credit, invoice, credit["currency"])
            amount = _amount(entry, body, n, left, decimal(invoice["balance"]))
            made.append(await _settle(conn, caller, invoice, amount, payment=None,
                                      credit=credit_id))
            left -= amount
        used = decimal(credit["grandtotal"]) - left
        credit = await update_fields(conn, "transactions", credit, {
            "paidamount": stored(used), "balance": stored(left)}, caller.user)
        await outbox.emit(conn, TRANSACTIONS, credit_id, "allocated", actor=caller.user,
                          record=records.render(TRANSACTIONS, credit),
                          changes={"allocations": {"before": None, "after": made}})
        return {"credit": records.render(TRANSACTIONS, credit), "allocations": made}


async def deallocate(db: Database, caller: Caller, allocation_id: int) -> None:
    """Undo an allocation: the payment (or credit note) gets its money back and the
    invoice its balance."""
    check_operation(PAYMENTS, caller, write=True)
    async with db.write() as conn:
        allocation = await rows.select_row(conn, ALLOCATIONS, allocation_id, for_update=True)
        if allocation is None:
            raise NotFoundError(f"allocation {allocation_id} not found")
        invoice = await records.load(conn, TRANSACTIONS, caller, allocation["transaction"],
                                     lock=True)
        amount = decimal(allocation["amount"])
        if allocation["payment"] is not None:
            source = await records.load(conn, PAYMENTS, caller, allocation["payment"],
                                        lock=True)
            records.check_writer(PAYMENTS, caller, source)
            source = await update_fields(conn, "payments", source, {
                "allocated": stored(decimal(source["allocated"]) - amount)}, caller.user)
            name, source_id = "payments", source["ID"]
        else:
            source = await records.load(conn, TRANSACTIONS, caller, allocation["credit"],
                                        lock=True)
            used = decimal(source["paidamount"]) - amount
            source = await update_fields(conn, "transactions", source, {
                "paidamount": stored(used),
                "balance": stored(decimal(source["grandtotal"]) - used)}, caller.user)
            name, source_id = "transactions", source["ID"]
        paid = decimal(invoice["paidamount"]) - amount
        status = invoice["status"] if invoice["status"] == CANCELLED else _paid_status(
            invoice, paid)
        await update_fields(conn, "transactions", invoice, {
            "paidamount": stored(paid), "balance": stored(decimal(invoice["grandtotal"]) - paid),
            "status": status}, caller.user)
        await rows.delete_row(conn, ALLOCATIONS, allocation_id, None)
        record = records.render(ALLOCATIONS, allocation)
        await rows.log_deletion(conn, ALLOCATIONS, allocation_id, int(time.time()),
                                caller.user, orjson.dumps(record).decode())
        await outbox.emit(conn, ALLOCATIONS, allocation_id, "deleted", actor=caller.user,
                          record=record)
        await outbox.emit(conn, ENTITIES[name], source_id, "deallocated", actor=caller.user,
                          record=records.render(ENTITIES[name], source),
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
    total, paid = decimal(row["grandtotal"]), decimal(row["paidamount"])
    due = None if row["duedate"] is None else dt.datetime.fromtimestamp(
        row["duedate"], dt.UTC).date()
    state = rules.payment_state(total, paid, due, _today())
    return {"ID": record_id, "transactionnum": row["transactionnum"], "currency": row["currency"],
            "total": _text(total), "paid": _text(paid), "balance": _text(total - paid),
            "state": state.value, "duedate": row["duedate"],
            "allocations": [records.render(ALLOCATIONS, a) for a in allocations]}


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
    invoiced = sum((decimal(d["grandtotal"]) for d in issued if d["type"] == 3), Decimal(0))
    credited = sum((decimal(d["grandtotal"]) for d in issued if d["type"] == 4), Decimal(0))
    due = sum((decimal(d["balance"]) for d in issued if d["type"] == 3), Decimal(0))
    credit_left = sum((decimal(d["balance"]) for d in issued if d["type"] == 4), Decimal(0))
    incoming = [p for p in payments if p["direction"] == 0 and p["status"] != 2]
    received = sum((abs(decimal(p["amount"])) for p in incoming), Decimal(0))
    unallocated = sum((abs(decimal(p["amount"])) - decimal(p["allocated"]) for p in incoming),
                      Decimal(0))
    overdue = sum((decimal(d["balance"]) for d in issued if d["type"] == 3
                   and d["duedate"] is not None and d["duedate"] < time.time()), Decimal(0))
    return {"account": account_id, "invoiced": _text(invoiced), "credited": _text(credited),
            "received": _text(received), "due": _text(due), "overdue": _text(overdue),
            "unallocated": _text(unallocated), "credit_notes_left": _text(credit_left),
            "balance": _text(due - unallocated - credit_left)}


def _text(amount: Decimal) -> str:
    """An amount as the balances show it: a decimal string with cents (`"20.00"`)."""
    return str(money.round_money(amount))
