"""The `comptoir mailserver` command: the SMTP settings a password cannot go through.

    comptoir mailserver password ID [--user NAME]   (reads the password from stdin, or
                                                     asks for it on a terminal)

The other settings of a mail server are its record's fields (`PUT/PATCH /mailservers`);
`comptoir document send ID` sends a document (`cli_sales.py`).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from comptoir.cli_sales import _as_user
from comptoir.config import Settings
from comptoir.services import mail


def _read_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("SMTP password: ")
    return sys.stdin.readline().rstrip("\r\n")


def cmd_mailserver(settings: Settings, args: argparse.Namespace) -> None:
    password = _read_password()
    _as_user(settings, args.user, lambda db, caller: mail.set_password(
        db, caller, args.id, {"password": password}))
    print(f"{'set' if password else 'cleared'} the SMTP password of mail server {args.id} "
          "(sealed)")


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """The mail server commands, under the main parser's subcommands."""
    server = sub.add_parser("mailserver", help="SMTP settings of mail servers")
    server_sub = server.add_subparsers(dest="action", required=True)
    password = server_sub.add_parser(
        "password", parents=[common],
        help="set a mail server's SMTP password (from stdin or a prompt; empty clears it)")
    password.add_argument("id", type=int, metavar="ID")
    password.add_argument("--user", help="act as this user (default: the first administrator)")
    server.set_defaults(func=cmd_mailserver)
