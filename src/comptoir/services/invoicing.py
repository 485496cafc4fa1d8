"""Invoicing an order in stages, and invoicing what was consumed.

    await advance_invoice(db, caller, order, {"percent": "30"})
    await progress_invoice(db, caller, order, {"percent": "40"})
    await progress_invoice(db, caller, order, {"lines": [{"line": 31, "percent": "60"}]})
    await consumption_invoice(db, caller, account, {"item": 3, "to": "2026-11-30"})

Each makes a draft invoice (issued by `issue` like any other) in one transaction, and
emits `transactions.converted` on the order as a conversion does.

- An **advance** (acompte, CGI art. 289 I-1-c) is a percent or an amount of an issued
  order's net, one line per VAT rate of the order in proportion to its bases
  (`domain/invoicing.advance_lines`).  The advances of an order never exceed its net.
- A **progress** (situation) invoice takes, per order line, the quantity between the
  percent of completion already invoiced and the new cumulative percent (at most 100:
  `domain/invoicing.check_progress`); each line says what was invoiced before, and the
  invoice's `progress` is the order's cumulative percent weighted by the lines' nets.
- The invoice that completes an order (a conversion or a progress invoice taking the
  last quantities) deducts every issued advance not yet deducted: it is the FINAL invoice
  (`services/conversion.with_deductions`).
- A **consumption** invoice bills the work logged as action steps (`effort` in minutes,
  COMPLETED) on an account, on the tasks of its projects, or on its tickets, over a
  period, at the price of a service item: one line per action step, in hours.  An action
  step is invoiced once: it keeps the invoice in its `transaction`, and is free again only
  when that invoice is deleted or cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from comptoir.domain import invoicing, money
from comptoir.errors import ConflictError, InvalidFieldError, MissingFieldError, NotFoundError
from comptoir.schema.registry import ENTITIES
from comptoir.services import conversion, derived, issuing, records
from comptoir.services.access import Caller
from comptoir.services.conversion import INVOICE, KINDS, ORDER, TRANSACTIONS, only
from comptoir.services.issuing import CANCELLED, stored
from comptoir.storage import rows
from comptoir.storage.database import Connection, Database, Row
from comptoir.wire.module_values import parse_decimal
from comptoir.wire.values import day_stamp, parse_day, stored_decimal

ACTIONSTEPS, TASKS, PROJECTS = ENTITIES["actionsteps"], ENTITIES["tasks"], ENTITIES["projects"]
TICKETS, ITEMS, ACCOUNTS = ENTITIES["tickets"], ENTITIES["items"], ENTITIES["accounts"]
HUNDRED = Decimal(100)
#: hours on a consumption line keep 4 decimal places (20 minutes: 0.3333 h)
HOURS_STEP = Decimal("0.0001")
COMPLETED = 1
DAY = 86400


async def _order(conn: Connection, caller: Caller, record_id: int) -> Row:
    order = await conversion.load_document(conn, caller, record_id)
    if order["type"] != ORDER:
        raise ConflictError(f"transaction {record_id} is not a customer order: only an "
                            "order is invoiced by advance or progress", code="not_convertible")
    conversion.check_source(order, INVOICE)
    return order


def _percent(field: str, value: Any) -> Decimal:
    percent = parse_decimal(field, value)
    money.check_amount(field, percent)
    return percent


# --- advance -------------------------------------------------------------------------------


async def advance_invoice(db: Database, caller: Caller, record_id: int,
                          body: Mapping[str, Any]) -> records.Record:
    """A draft advance invoice of an order: `{"percent": p}` of its net or `{"amount": a}`
    (net of VAT), spread over its VAT rates."""
    only(body, ("percent", "amount"))
    percent = None if body.get("percent") is None else _percent("percent", body["percent"])
    amount = None if body.get("amount") is None else _percent("amount", body["amount"])
    async with db.write() as conn:
        order = await _order(conn, caller, record_id)
        if stored_decimal(order["discountpercent"]) != 0:
            raise ConflictError("an order with a document discount percent takes no advance "
                                "(its final invoice would discount the deduction): give "
                                "the discount on the lines", code="document_discount")
        lines = await issuing.document_lines(conn, record_id)
        bases = {row.rate: row.base for row in issuing.totals_of(order, lines).vat}
        shares = invoicing.advance_lines(bases, percent=percent, amount=amount)
        net = sum(bases.values(), Decimal(0))
        before = await _advanced(conn, record_id)
        if before + sum(shares.values(), Decimal(0)) > net:
            raise ConflictError(f"the advances would be more than the order's net {net}: "
                                f"{before} is already advanced", code="over_amount",
                                available=str(net - before))
        what = f"{percent} %" if percent is not None else f"{amount} {order['currency'] or ''}"
        label = f"Acompte de {what.strip()} sur la commande {order['transactionnum']}"
        values = {**conversion.header(order, INVOICE, whole=False),
                  "invoicekind": KINDS["ADVANCE"]}
        values.pop("discountpercent", None)
        new_lines = [{"quantity": 1.0, "listprice": stored(share), "tax1": stored(rate),
                      "comment": "Acompte", "description": f"{label} (TVA {rate} %)"}
                     for rate, share in shares.items()]
        made = await conversion.make_document(db, conn, caller, values, new_lines)
        await conversion.made_from(conn, caller, order, lines, made)
        return await records.current(conn, TRANSACTIONS, caller, made.data["ID"])


async def _advanced(conn: Connection, order_id: int) -> Decimal:
    """The net of the order's advance invoices (drafts included)."""
    return sum((stored_decimal(row["netamount"])
                for row in await conversion.advance_invoices(conn, order_id)), Decimal(0))


# --- progress ------------------------------------------------------------------------------


def _done(p: invoicing.Progress) -> Decimal:
    """The percent of a line already invoiced."""
    return HUNDRED if p.ordered == 0 else p.invoiced * HUNDRED / p.ordered


def _asked(body: Mapping[str, Any], lines: Sequence[Row]) -> dict[int, tuple[str, Decimal]]:
    """Line ID -> (the field named in errors, the cumulative percent asked)."""
    if (body.get("percent") is None) == (body.get("lines") is None):
        raise InvalidFieldError("percent", "give exactly one of percent (the whole order) "
                                "and lines ([{line, percent}])")
    if body.get("percent") is not None:
        percent = _percent("percent", body["percent"])
        return {line["ID"]: ("percent", percent) for line in lines}
    asked = body["lines"]
    if not isinstance(asked, list) or not asked:
        raise InvalidFieldError("lines", "must be a non-empty list of {line, percent}")
    ids = {line["ID"] for line in lines}
    wanted: dict[int, tuple[str, Decimal]] = {}
    for n, entry in enumerate(asked, 1):
        line_id = entry.get("line") if isinstance(entry, dict) else None
        if isinstance(line_id, bool) or not isinstance(line_id, int) or line_id not in ids:
            raise InvalidFieldError(f"lines[{n}].line", "must be the ID of a line of the order")
        if line_id in wanted:
            raise InvalidFieldError("lines", "names a line twice")
        if entry.get("percent") is None:
            raise MissingFieldError(f"lines[{n}].percent", "the cumulative percent of "
                                    "completion is required")
        wanted[line_id] = (f"lines[{n}].percent", _percent(f"lines[{n}].percent",
                                                           entry["percent"]))
    return wanted


async def progress_invoice(db: Database, caller: Caller, record_id: int,
                           body: Mapping[str, Any]) -> records.Record:
    """A draft progress invoice of an order up to a cumulative percent of completion: of
    the whole order (`{"percent": p}`: lines already at p or beyond are left out) or per
    line (`{"lines": [{"line": ID, "percent": p}]}`)."""
    only(body, ("percent", "lines"))
    async with db.write() as conn:
        order = await _order(conn, caller, record_id)
        lines = await issuing.document_lines(conn, record_id)
        progress = await conversion.progress_of(conn, order, lines)
        asked = _asked(body, lines)
        whole = body.get("percent") is not None
        new_lines = []
        for line in lines:
            if line["ID"] not in asked:
                continue
            field, cumulative = asked[line["ID"]]
            p, before = progress[line["ID"]], _done(progress[line["ID"]])
            if whole and cumulative <= before:
                continue
            step = invoicing.check_progress(field, before, cumulative)
            quantity = (p.ordered - p.invoiced if cumulative == HUNDRED
                        else p.ordered * step / HUNDRED)
            invoicing.check_take(field, quantity, p.ordered, p.invoiced)
            note = (f"Avancement cumulé {_text(cumulative)} % (facturé précédemment "
                    f"{_text(before)} %)")
            description = f"{line['description']}\n{note}" if line["description"] else note
            new_lines.append(conversion.taken_line(line, quantity, description=description))
        if not new_lines:
            raise ConflictError(f"every line is invoiced at {asked[lines[0]['ID']][1]} % or "
                                "beyond", code="not_progressing")
        values = {**conversion.header(order, INVOICE, whole=False),
                  "invoicekind": KINDS["PROGRESS"]}
        cumulative = _cumulative(order, lines, progress, new_lines)
        await conversion.with_deductions(conn, order, lines, values, new_lines)
        made = await conversion.make_document(db, conn, caller, values, new_lines,
                                              computed={"progress": stored(cumulative)})
        await conversion.made_from(conn, caller, order, lines, made)
        return await records.current(conn, TRANSACTIONS, caller, made.data["ID"])


def _text(percent: Decimal) -> str:
    return format(percent.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize(), "f")


def _cumulative(order: Row, lines: Sequence[Row], progress: Mapping[int, invoicing.Progress],
                new_lines: Sequence[Mapping[str, Any]]) -> Decimal:
    """The order's percent of completion invoiced once the new lines are: the invoiced
    quantities weighted by the lines' nets, to 2 decimal places."""
    taking = {line["sourceline"]: stored_decimal(line["quantity"]) for line in new_lines}
    nets = dict(zip((line["ID"] for line in lines),
                    issuing.totals_of(order, lines).line_nets, strict=True))
    total = sum(nets.values(), Decimal(0))
    if total == 0:
        return HUNDRED
    done = sum((nets[line_id] * (p.invoiced + taking.get(line_id, Decimal(0))) / p.ordered
                for line_id, p in progress.items() if p.ordered != 0), Decimal(0))
    return money.round_money(done * HUNDRED / total)


# --- consumption ---------------------------------------------------------------------------


def day_start(field: str, value: Any) -> int | None:
    """A `YYYY-MM-DD` date as the Unix time of its start (UTC); None when absent."""
    if value is None or value == "":
        return None
    return day_stamp(parse_day(field, value))


def _reference(field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise InvalidFieldError(field, "must be a record ID")
    return value


async def _visible(conn: Connection, caller: Caller, name: str, field: str,
                   value: Any) -> Row:
    """The record `value` of entity `name` the caller may read, or InvalidFieldError."""
    record_id = _reference(field, value)
    try:
        return await records.load(conn, ENTITIES[name], caller, record_id)
    except NotFoundError:
        raise InvalidFieldError(field, f"{ENTITIES[name].singular} {record_id} does not "
                                "exist") from None


async def _work_of(conn: Connection, account: int, project: int | None,
                   ticket: int | None) -> list[Row]:
    """The action steps logged on the account, its projects' tasks and its tickets (or
    only on one project or ticket)."""
    if project is not None:
        projects = [project]
    else:
        projects = [row["ID"] for row in await rows.select_rows_where(
            conn, PROJECTS, {"account": account})]
    tasks = [row["ID"] for row in await rows.select_rows_in(conn, TASKS, "project", projects)]
    tickets = [ticket] if ticket is not None else [
        row["ID"] for row in await rows.select_rows_where(conn, TICKETS, {"account": account})]
    found = await rows.select_rows_in(conn, ACTIONSTEPS, "task", tasks)
    if project is None:
        found += await rows.select_rows_in(conn, ACTIONSTEPS, "ticket", tickets)
        if ticket is None:
            found += await rows.select_rows_where(conn, ACTIONSTEPS, {"account": account})
    elif ticket is not None:
        found += await rows.select_rows_in(conn, ACTIONSTEPS, "ticket", tickets)
    return found


async def _free(conn: Connection, steps: Sequence[Row]) -> list[Row]:
    """The steps not on an invoice, or on a cancelled one."""
    linked = sorted({step["transaction"] for step in steps if step["transaction"] is not None})
    cancelled = {row["ID"] for row in await rows.select_rows_in(conn, TRANSACTIONS, "ID", linked)
                 if row["status"] == CANCELLED}
    return [step for step in steps
            if step["transaction"] is None or step["transaction"] in cancelled]


def hours(minutes: int) -> Decimal:
    """Minutes of work as hours, to 4 decimal places."""
    return (Decimal(minutes) / 60).quantize(HOURS_STEP, rounding=ROUND_HALF_UP)


async def consumption_invoice(db: Database, caller: Caller, account_id: int,
                              body: Mapping[str, Any]) -> records.Record:
    """A draft invoice of the work logged for the account (or on one `project` or `ticket`
    of it) from `from` to `to` (dates, both included; `to` defaults to today) at the
    price of the service `item` (its selling price, or `price`), VAT at the item's rate."""
    only(body, ("project", "ticket", "item", "price", "from", "to"))
    if body.get("item") is None:
        raise MissingFieldError("item", "the service item whose price the hours take")
    since = day_start("from", body.get("from"))
    until = day_start("to", body.get("to") or dt.datetime.now(dt.UTC).date().isoformat())
    assert until is not None
    async with db.write() as conn:
        account = await records.load(conn, ACCOUNTS, caller, account_id)
        item = await _visible(conn, caller, "items", "item", body["item"])
        project = ticket = None
        if body.get("project") is not None:
            project = (await _visible(conn, caller, "projects", "project", body["project"]))
            if project["account"] != account["ID"]:
                raise InvalidFieldError("project", f"project {project['ID']} is not one of "
                                        f"account {account['ID']}")
        if body.get("ticket") is not None:
            ticket = await _visible(conn, caller, "tickets", "ticket", body["ticket"])
            if ticket["account"] != account["ID"]:
                raise InvalidFieldError("ticket", f"ticket {ticket['ID']} is not one of "
                                        f"account {account['ID']}")
        price = (stored_decimal(item["sellingprice"]) if body.get("price") is None
                 else _percent("price", body["price"]))
        steps = await _work_of(conn, account["ID"], None if project is None else project["ID"],
                               None if ticket is None else ticket["ID"])
        steps = [step for step in await _free(conn, steps)
                 if step["status"] == COMPLETED and step["effort"] > 0
                 and (since is None or step["date"] >= since) and step["date"] < until + DAY]
        if not steps:
            raise ConflictError("no completed work left to invoice in that period",
                                code="nothing_left")
        steps.sort(key=lambda step: (step["date"], step["ID"]))
        new_lines = [{"item": item["ID"], "quantity": stored(hours(step["effort"])),
                      "listprice": stored(price), "tax1": item["taxrate"],
                      "comment": item["name"],
                      "description": f"{_date(step['date'])} {step['name'] or ''} "
                                     f"({step['effort']} min)".replace("  ", " ")}
                     for step in steps]
        values = {"type": INVOICE, "status": 0, "account": account["ID"],
                  "invoicekind": KINDS["CONSUMPTION"], "currency": account["currency"]}
        values = {name: value for name, value in values.items() if value is not None}
        made = await conversion.make_document(db, conn, caller, values, new_lines)
        for step in steps:  # a step taken meanwhile by another invoice: ConflictError
            await derived.update(conn, ACTIONSTEPS, step, {"transaction": made.data["ID"]},
                                 actor=caller.user)
        return await records.current(conn, TRANSACTIONS, caller, made.data["ID"])


def _date(timestamp: int) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%d/%m/%Y")
