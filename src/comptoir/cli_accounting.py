"""The accounting commands of `comptoir`: parse, call the accounting service, print.

    comptoir accounting fec --year YYYY [--company ID] [-o DIR] [--pipe]
    comptoir accounting trialbalance [--company ID] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
    comptoir accounting vatreturn [--company ID] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                                  [--credit-carried AMOUNT]
    comptoir accounting close-year ID
    comptoir accounting chart-export [--company ID] [-o FILE]
    comptoir accounting chart-import FILE [--company ID]

They act as the first administrator (`--user NAME` for another user), with that user's
rights.  The FEC is written to DIR (default: the current directory) under its legal name,
`<SIREN>FEC<closing date>.txt`; the command prints its path and line count.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from comptoir.cli_sales import _as_user
from comptoir.config import Settings
from comptoir.services import accounting
from comptoir.services.access import Caller
from comptoir.storage.database import Database


def _params(args: argparse.Namespace) -> dict[str, Any]:
    params = {"company": args.company, "from": args.start, "to": args.end}
    return {key: value for key, value in params.items() if value is not None}


def cmd_accounting(settings: Settings, args: argparse.Namespace) -> None:
    if args.action == "fec":
        folder = Path(args.output or ".")
        if not folder.is_dir():
            raise SystemExit(f"error: {folder} is not a directory")

        async def fec(db: Database, caller: Caller) -> tuple[Path, int]:
            year = await accounting.fec_year(db, caller, company=args.company,
                                             year_name=args.year)
            partial = folder / ".fec.partial"
            with partial.open("wb") as out:
                name, count = await accounting.export_fec(
                    db, caller, year, out, separator="|" if args.pipe else "\t")
            partial.replace(folder / name)
            return folder / name, count

        path, count = _as_user(settings, args.user, fec)
        print(f"{path}\t{count} lines")
    elif args.action == "trialbalance":
        found = _as_user(settings, args.user, lambda db, caller: accounting.trial_balance(
            db, caller, _params(args)))
        for account in found["accounts"]:
            print(f"{account['number']}\t{account['name']}\t{account['debit']}\t"
                  f"{account['credit']}\t{account['balance']}")
        print(f"total\t\t{found['debit']}\t{found['credit']}")
    elif args.action == "vatreturn":
        params = _params(args)
        if args.credit_carried is not None:
            params["credit_carried"] = args.credit_carried
        found = _as_user(settings, args.user, lambda db, caller: accounting.vat_return(
            db, caller, params))
        for line in found["lines"]:
            print(f"{line['code']}\t{line['label']}\t{line['base'] or ''}\t{line['vat'] or ''}")
        print(f"to pay\t{found['to_pay']}\tcredit to carry\t{found['to_carry']}")
    elif args.action == "close-year":
        found = _as_user(settings, args.user, lambda db, caller: accounting.close_fiscal_year(
            db, caller, args.id, {}))
        print(f"fiscal year {found['fiscalyear']['name']} closed")
    elif args.action == "chart-export":
        text = _as_user(settings, args.user, lambda db, caller: accounting.export_chart(
            db, caller, args.company))
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    elif args.action == "chart-import":
        text = Path(args.file).read_text(encoding="utf-8-sig")
        found = _as_user(settings, args.user, lambda db, caller: accounting.import_chart(
            db, caller, args.company, text))
        print(f"{found['added']} added, {found['updated']} updated")
    else:  # pragma: no cover - argparse allows nothing else
        sys.exit(2)


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """The accounting commands, under the main parser's subcommands."""
    user = argparse.ArgumentParser(add_help=False, parents=[common])
    user.add_argument("--user", help="act as this user (default: the first administrator)")
    company = argparse.ArgumentParser(add_help=False, parents=[user])
    company.add_argument("--company", type=int, help="company ID (default: the default one)")
    dated = argparse.ArgumentParser(add_help=False, parents=[company])
    dated.add_argument("--from", dest="start", help="first day YYYY-MM-DD (default: the "
                       "fiscal year's)")
    dated.add_argument("--to", dest="end", help="last day YYYY-MM-DD (default: the fiscal "
                       "year's)")

    parser = sub.add_parser("accounting", help="the books: FEC, trial balance, VAT return")
    actions = parser.add_subparsers(dest="action", required=True)
    fec = actions.add_parser("fec", parents=[company],
                             help="write the FEC of a fiscal year (LPF art. A47 A-1)")
    fec.add_argument("--year", required=True, help="the fiscal year: its name (2026)")
    fec.add_argument("-o", "--output", help="the directory to write it to (default: .)")
    fec.add_argument("--pipe", action="store_true", help="separate fields by | (default: tab)")
    actions.add_parser("trialbalance", parents=[dated], help="the trial balance")
    vat = actions.add_parser("vatreturn", parents=[dated], help="the VAT return (CA3)")
    vat.add_argument("--credit-carried", help="the credit of the last return (line 22)")
    close = actions.add_parser("close-year", parents=[user],
                               help="close a fiscal year and carry its balances forward")
    close.add_argument("id", type=int, help="the fiscal year's ID")
    export = actions.add_parser("chart-export", parents=[company],
                                help="write the chart of accounts as CSV")
    export.add_argument("-o", "--output", help="the file (default: standard output)")
    load = actions.add_parser("chart-import", parents=[company],
                              help="add or update accounts from a CSV file")
    load.add_argument("file", help="CSV: number;name;auxiliary;lettering")
    parser.set_defaults(func=cmd_accounting)
