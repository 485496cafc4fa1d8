"""The sales commands of `comptoir`: parse, call the sales services, print.

    comptoir numbering list [--company ID]
    comptoir numbering set KIND [--pattern P] [--reset never|yearly|monthly] [--next N]
                               [--company ID]
    comptoir document issue ID [--date YYYY-MM-DD]
    comptoir document convert ID --type TYPE [--line LINE[:QUANTITY] ...]
    comptoir document cancel ID
    comptoir document advance ORDER (--percent P | --amount A)
    comptoir document progress ORDER (--percent P | --line LINE:PERCENT ...)
    comptoir document consumption ACCOUNT --item ID [--price P] [--project ID]
                               [--ticket ID] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
    comptoir document facturx ID [--ubl] [-o FILE]
    comptoir document pdf ID [--dunning] [-o FILE]
    comptoir document receive FILE [--company ID]
    comptoir document send ID [--dunning] [--to ADDR ...] [--cc ADDR ...] [--subject S]
    comptoir payment allocate ID --invoice ID[:AMOUNT] ...
    comptoir price ITEM [--account ID] [--quantity Q] [--date YYYY-MM-DD] [--type TYPE]
    comptoir dunning list [--date YYYY-MM-DD] [--account ID]
    comptoir dunning run [--date YYYY-MM-DD] [--account ID]

They act as the first administrator (`--user NAME` for another user), with that user's
rights, as a request of theirs would.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from comptoir.config import Settings
from comptoir.errors import InvalidFieldError, NotFoundError
from comptoir.services import (
    auth,
    companies,
    dunning,
    einvoicing,
    invoicing,
    mail,
    printing,
    sales,
    settlement,
)
from comptoir.services.access import Caller
from comptoir.storage.database import Database, run_with_database


def _as_user(settings: Settings, name: str | None,
             work: Callable[[Database, Caller], Awaitable[Any]]) -> Any:
    async def run(db: Database) -> Any:
        user = await (auth.find_user(db, name) if name else auth.first_admin(db))
        if user is None:
            raise NotFoundError(f"no user {name}" if name else "no administrator")
        async with db.read() as conn:
            caller = await auth.load_caller(conn, user)
        return await work(db, caller)

    return run_with_database(settings.database_url, run)


def _pair(text: str, option: str) -> dict[str, Any]:
    """`ID` or `ID:VALUE` of --line / --invoice."""
    head, _, tail = text.partition(":")
    if not head.isdigit():
        raise InvalidFieldError(option, f"{text!r} is not ID or ID:VALUE")
    return {"id": int(head), "value": tail or None}


def cmd_numbering(settings: Settings, args: argparse.Namespace) -> None:
    if args.action == "list":
        found = _as_user(settings, args.user, lambda db, caller: companies.list_numberings(
            db, caller, args.company))
        for entry in found:
            print(f"{entry['kind']}\t{entry['pattern']}\t{entry['reset']}\t"
                  f"next {entry['next']}\tlast {entry['lastnumber'] or '-'}")
        return
    given = {"kind": args.kind, "company": args.company, "pattern": args.pattern,
             "reset": args.reset, "nextvalue": args.next}
    entry = _as_user(settings, args.user, lambda db, caller: companies.set_numbering(
        db, caller, {k: v for k, v in given.items() if v is not None}))
    print(f"{entry['kind']}: {entry['pattern']} ({entry['reset']}), next {entry['next']}")


def cmd_document(settings: Settings, args: argparse.Namespace) -> None:
    if args.action == "issue":
        options = {"date": args.date} if args.date else {}
        record = _as_user(settings, args.user, lambda db, caller: sales.issue_document(
            db, caller, args.id, options))
        print(f"issued {record.data['ID']} as {record.data['transactionnum']} "
              f"(total {record.data['grandtotal']})")
    elif args.action == "convert":
        body: dict[str, Any] = {"type": args.type}
        if args.line:
            lines = [_pair(text, "--line") for text in args.line]
            body["lines"] = [{"line": p["id"], "quantity": p["value"]} for p in lines]
        record = _as_user(settings, args.user, lambda db, caller: sales.convert_document(
            db, caller, args.id, body))
        print(f"made draft {record.data['ID']} ({record.data['draftnum']}) from {args.id}")
    elif args.action == "cancel":
        record = _as_user(settings, args.user, lambda db, caller: sales.cancel_document(
            db, caller, args.id, {}))
        print(f"cancelled {record.data['ID']} ({record.data['transactionnum']})")
    elif args.action in ("facturx", "receive"):
        cmd_einvoice(settings, args)
    elif args.action == "pdf":
        entity = "dunning" if args.dunning else "transactions"
        name, pdf = _as_user(settings, args.user, lambda db, caller: printing.document_pdf(
            db, caller, entity, args.id))
        output = args.output or name
        if output == "-":
            sys.stdout.buffer.write(pdf)
            return
        Path(output).write_bytes(pdf)
        print(f"wrote {name} ({len(pdf)} bytes) to {output}")
    elif args.action == "send":
        given = {"to": args.to, "cc": args.cc, "subject": args.subject,
                 "language": args.language}
        entity = "dunning" if args.dunning else "transactions"
        message = _as_user(settings, args.user, lambda db, caller: mail.send_document(
            db, caller, entity, args.id, {k: v for k, v in given.items() if v is not None}))
        print(f"queued message {message['ID']} to {message['to']}: {message['subject']}")
    else:
        cmd_invoicing(settings, args)


def cmd_einvoice(settings: Settings, args: argparse.Namespace) -> None:
    """`document facturx|receive`: an invoice's e-invoice XML, a supplier's e-invoice."""
    if args.action == "facturx":
        syntax = "ubl" if args.ubl else "cii"
        name, xml = _as_user(settings, args.user, lambda db, caller: einvoicing.invoice_xml(
            db, caller, args.id, syntax))
        if args.output in (None, "-"):
            sys.stdout.buffer.write(xml)
            return
        Path(args.output).write_bytes(xml)
        print(f"wrote {name} ({len(xml)} bytes) to {args.output}")
        return
    path = Path(args.file)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise InvalidFieldError("FILE", f"cannot be read ({exc.strerror})") from None
    made = _as_user(settings, args.user, lambda db, caller: einvoicing.receive(
        db, caller, path.name, content, args.company))
    print(f"received {made['number']} ({made['profile']}) as draft "
          f"{made['transaction']['ID']}: total {made['transaction']['grandtotal']}, "
          f"supplier account {made['account']}"
          f"{' (created)' if made['created_account'] else ''}")


def cmd_invoicing(settings: Settings, args: argparse.Namespace) -> None:
    """`document advance|progress|consumption`: a draft invoice in stages or of work."""
    given: dict[str, Any] = {name: getattr(args, name, None) for name in (
        "percent", "amount", "item", "price", "project", "ticket", "from", "to")}
    if getattr(args, "line", None):
        lines = [_pair(text, "--line") for text in args.line]
        given["lines"] = [{"line": p["id"], "percent": p["value"]} for p in lines]
    body = {name: value for name, value in given.items() if value is not None}
    run = {"advance": invoicing.advance_invoice, "progress": invoicing.progress_invoice,
           "consumption": invoicing.consumption_invoice}[args.action]
    record = _as_user(settings, args.user, lambda db, caller: run(db, caller, args.id, body))
    print(f"made draft invoice {record.data['ID']} ({record.data['draftnum']}): net "
          f"{record.data['netamount']}, total {record.data['grandtotal']}")


def cmd_payment(settings: Settings, args: argparse.Namespace) -> None:
    pairs = [_pair(text, "--invoice") for text in args.invoice]
    body = {"allocations": [{"transaction": p["id"], "amount": p["value"]} for p in pairs]}
    result = _as_user(settings, args.user, lambda db, caller: settlement.allocate_payment(
        db, caller, args.id, body))
    for made in result["allocations"]:
        print(f"allocated {made['amount']} of payment {args.id} to {made['transaction']}")


def cmd_price(settings: Settings, args: argparse.Namespace) -> None:
    given = {"account": args.account, "quantity": args.quantity, "date": args.date,
             "type": args.type}
    found = _as_user(settings, args.user, lambda db, caller: sales.item_price(
        db, caller, args.item, {k: v for k, v in given.items() if v is not None}))
    source = f"price list {found['pricelist']}" if found["pricelist"] else "the item's price"
    print(f"{found['quantity']} x item {args.item}: {found['price']} ({source}; base "
          f"{found['base']})")


def cmd_dunning(settings: Settings, args: argparse.Namespace) -> None:
    given = {k: v for k, v in (("date", args.date), ("account", args.account)) if v}
    if args.action == "run":
        done = _as_user(settings, args.user, lambda db, caller: dunning.run_dunning(
            db, caller, given))
        print(done["message"])
        for sent in done["letters"]:
            letter = sent["letter"]
            print(f"{letter['dunningnum']} to account {letter['account']}: level "
                  f"{sent['level']}, {len(sent['transactions'])} invoice(s), fee {sent['fee']}")
        return
    listed = _as_user(settings, args.user, lambda db, caller: dunning.overdue(
        db, caller, given))
    for account in listed["accounts"]:
        print(f"account {account['account']} {account['name']}: {account['balance']} overdue")
        for e in account["invoices"]:
            print(f"  {e['transactionnum']}\t{e['days_overdue']} days ({e['bucket']})\t"
                  f"balance {e['balance']}\tlevel {e['level']}\tnext {e['next_level'] or '-'}")
    print(f"total overdue on {listed['date']}: {listed['balance']}")


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """The sales commands, under the main parser's subcommands."""
    user = argparse.ArgumentParser(add_help=False, parents=[common])
    user.add_argument("--user", help="act as this user (default: the first administrator)")

    numbering = sub.add_parser("numbering", help="numbering formats of documents")
    numbering_sub = numbering.add_subparsers(dest="action", required=True)
    nlist = numbering_sub.add_parser("list", parents=[user], help="list a company's formats")
    nlist.add_argument("--company", type=int, help="company ID (default: the default one)")
    nset = numbering_sub.add_parser("set", parents=[user], help="change a format")
    nset.add_argument("kind", help="quote, order, delivery, invoice, credit, supplierorder, "
                      "receipt, supplierinvoice, suppliercredit, payment or dunning")
    nset.add_argument("--pattern", help="e.g. FA-{YYYY}-{SEQ:5}")
    nset.add_argument("--reset", choices=("never", "yearly", "monthly"))
    nset.add_argument("--next", type=int, help="the next sequence value")
    nset.add_argument("--company", type=int, help="company ID (default: the default one)")
    numbering.set_defaults(func=cmd_numbering)

    document = sub.add_parser("document", help="issue, convert and cancel documents")
    document_sub = document.add_subparsers(dest="action", required=True)
    issue = document_sub.add_parser("issue", parents=[user], help="issue a draft")
    issue.add_argument("id", type=int)
    issue.add_argument("--date", help="issue date YYYY-MM-DD (default: today)")
    convert = document_sub.add_parser("convert", parents=[user],
                                      help="make a document from an issued one")
    convert.add_argument("id", type=int)
    convert.add_argument("--type", required=True, help="BILLING_ORDER, BILLING_INVOICE, ...")
    convert.add_argument("--line", action="append",
                         help="LINE[:QUANTITY] to convert (default: every line's rest)")
    cancel = document_sub.add_parser("cancel", parents=[user],
                                     help="cancel (an issued invoice: by a credit note)")
    cancel.add_argument("id", type=int)
    advance = document_sub.add_parser("advance", parents=[user],
                                      help="make a draft advance invoice of an order")
    advance.add_argument("id", type=int, help="the issued order")
    advance.add_argument("--percent", help="percent of the order's net")
    advance.add_argument("--amount", help="amount, net of VAT")
    progress = document_sub.add_parser("progress", parents=[user],
                                       help="make a draft progress invoice of an order")
    progress.add_argument("id", type=int, help="the issued order")
    progress.add_argument("--percent", help="cumulative percent of the whole order")
    progress.add_argument("--line", action="append",
                          help="LINE:PERCENT, a line's cumulative percent")
    consumption = document_sub.add_parser("consumption", parents=[user],
                                          help="make a draft invoice of an account's work")
    consumption.add_argument("id", type=int, help="the account")
    consumption.add_argument("--item", type=int, required=True,
                             help="the service item whose price the hours take")
    consumption.add_argument("--price", help="the price of an hour (default: the item's)")
    consumption.add_argument("--project", type=int, help="only this project's work")
    consumption.add_argument("--ticket", type=int, help="only this ticket's work")
    consumption.add_argument("--from", help="first day YYYY-MM-DD")
    consumption.add_argument("--to", help="last day YYYY-MM-DD (default: today)")
    facturx = document_sub.add_parser("facturx", parents=[user],
                                      help="the e-invoice XML of an issued invoice")
    facturx.add_argument("id", type=int)
    facturx.add_argument("--ubl", action="store_true",
                         help="UBL 2.1 instead of Factur-X CII")
    facturx.add_argument("-o", "--output", help="write it to this file (default: stdout)")
    pdf = document_sub.add_parser("pdf", parents=[user], help="the PDF of a document: the "
                                  "legal copy once issued, a draft's marked as one")
    pdf.add_argument("id", type=int)
    pdf.add_argument("--dunning", action="store_true", help="ID is a dunning letter's")
    pdf.add_argument("-o", "--output", help="write it to this file (default: its name, "
                     "FA-2026-00001.pdf; - for stdout)")
    receive = document_sub.add_parser("receive", parents=[user],
                                      help="a supplier's Factur-X PDF or CII XML made a "
                                      "draft supplier invoice")
    receive.add_argument("file", help="the PDF or XML file")
    receive.add_argument("--company", type=int, help="company ID (default: the default one)")
    send = document_sub.add_parser("send", parents=[user],
                                   help="send a document by e-mail, its PDF attached")
    send.add_argument("id", type=int)
    send.add_argument("--dunning", action="store_true", help="ID is a dunning letter")
    send.add_argument("--to", action="append",
                      help="recipient (default: the customer's e-mail; repeatable)")
    send.add_argument("--cc", action="append", help="copy to (repeatable)")
    send.add_argument("--subject", help="subject (default: the e-mail template's)")
    send.add_argument("--language", help="fr or en: the e-mail template's language")
    document.set_defaults(func=cmd_document)

    payment = sub.add_parser("payment", help="allocate payments to invoices")
    payment_sub = payment.add_subparsers(dest="action", required=True)
    allocate = payment_sub.add_parser("allocate", parents=[user],
                                      help="allocate a payment over invoices")
    allocate.add_argument("id", type=int)
    allocate.add_argument("--invoice", action="append", required=True,
                          help="INVOICE[:AMOUNT] (default amount: as much as both allow)")
    payment.set_defaults(func=cmd_payment)

    price = sub.add_parser("price", parents=[user],
                           help="the price a line of an item takes (the price lists)")
    price.add_argument("item", type=int)
    price.add_argument("--account", help="the customer or supplier account ID")
    price.add_argument("--quantity", help="the line's quantity (default 1)")
    price.add_argument("--date", help="the document's date YYYY-MM-DD (default today)")
    price.add_argument("--type", help="the document type (default BILLING_QUOTE)")
    price.set_defaults(func=cmd_price)

    dunning_parser = sub.add_parser("dunning", help="overdue invoices and dunning letters")
    dunning_sub = dunning_parser.add_subparsers(dest="action", required=True)
    for name, text in (("list", "list the overdue invoices by account and age"),
                       ("run", "send the dunning letters due")):
        command = dunning_sub.add_parser(name, parents=[user], help=text)
        command.add_argument("--date", help="the day YYYY-MM-DD (default today)")
        command.add_argument("--account", type=int, help="only this account's invoices")
    dunning_parser.set_defaults(func=cmd_dunning)
