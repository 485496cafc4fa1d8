"""The `comptoir template` commands: the document and e-mail templates (`docs/documents.md`).

    comptoir template list
    comptoir template show ID [--versions]
    comptoir template show --shipped [--email] [--language fr|en]
    comptoir template set [ID] [--kind KIND] [--email] [--language fr|en] [--company ID]
                          [--name N] [--body FILE] [--css FILE] [--subject S] [--default]
    comptoir template preview ID RECORD [--dunning] [--html] [-o FILE]

`set` without an ID creates a template, with one changes it (the previous text is kept as
a version); its placeholders are checked as through any door.  `comptoir document pdf`
prints a document (`cli_sales.py`).  They act as the first administrator (`--user NAME`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from comptoir.cli_sales import _as_user
from comptoir.config import Settings
from comptoir.errors import InvalidFieldError
from comptoir.schema.entities.companies import NUMBERING_KINDS
from comptoir.services import printing, records, templates

FORMATS = {0: "document", 1: "email"}


def _read(path: str | None, option: str) -> str | None:
    if path is None:
        return None
    try:
        return sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidFieldError(option, f"{path} cannot be read ({exc})") from None


def _list(settings: Settings, args: argparse.Namespace) -> None:
    found = _as_user(settings, args.user, templates.list_templates)
    for row in found:
        default = "default" if row["isdefault"] else "-"
        print(f"{row['ID']}\t{NUMBERING_KINDS[row['kind']].lower()}\t{FORMATS[row['format']]}"
              f"\t{row['language']}\tcompany {row['company'] or '*'}\tv{row['version']}"
              f"\t{default}\t{row['name'] or ''}")
    if not found:
        print("no template records: the shipped templates are used "
              "(`comptoir template show --shipped`)")


def _show(settings: Settings, args: argparse.Namespace) -> None:
    if args.shipped or args.id is None:
        shipped = templates.shipped("invoice", 1 if args.email else 0, args.language or "fr")
        if shipped.subject:
            print(f"subject: {shipped.subject}\n")
        print(shipped.body, end="")
        if shipped.css:
            print(f"\n/* --- css --- */\n{shipped.css}", end="")
        return
    record = _as_user(settings, args.user, lambda db, caller: records.get_record(
        db, caller, "templates", args.id))
    data = record.data
    print(f"template {data['ID']}: {data['name'] or ''} ({data['kind']}, {data['format']}, "
          f"{data['language']}, version {data['version']}"
          f"{', default' if data['isdefault'] in (1, 'YES') else ''})")
    if data.get("subject"):
        print(f"subject: {data['subject']}")
    print(data.get("body") or "", end="\n")
    if data.get("css"):
        print(f"/* --- css --- */\n{data['css']}")
    if args.versions:
        versions = _as_user(settings, args.user, lambda db, caller: templates.template_versions(
            db, caller, args.id))
        for version in versions:
            print(f"version {version['version']}: {len(version['body'] or '')} characters "
                  f"of body, {len(version['css'] or '')} of css")


def _set(settings: Settings, args: argparse.Namespace) -> None:
    body: dict[str, Any] = {"body": _read(args.body, "--body"), "css": _read(args.css, "--css"),
                            "subject": args.subject, "name": args.name,
                            "language": args.language, "company": args.company}
    if args.kind is not None:
        body["kind"] = next(value for value, name in NUMBERING_KINDS.items()
                            if name == args.kind.upper())
    if args.email:
        body["format"] = 1
    elif args.id is None:
        body["format"] = 0
    if args.default:
        body["isdefault"] = 1
    body = {name: value for name, value in body.items() if value is not None}
    if args.id is None:
        record = _as_user(settings, args.user, lambda db, caller: records.create_record(
            db, caller, "templates", body))
        print(f"created template {record.data['ID']} (version {record.data['version']})")
        return
    record = _as_user(settings, args.user, lambda db, caller: records.update_record(
        db, caller, "templates", args.id, body))
    print(f"changed template {record.data['ID']} (version {record.data['version']})")


def _preview(settings: Settings, args: argparse.Namespace) -> None:
    entity = "dunning" if args.dunning else "transactions"
    media, content = _as_user(settings, args.user, lambda db, caller: printing.preview(
        db, caller, args.id, entity, args.record, html=args.html))
    if args.output in (None, "-"):
        sys.stdout.buffer.write(content)
        return
    Path(args.output).write_bytes(content)
    print(f"wrote the preview ({media.split(';')[0]}, {len(content)} bytes) to {args.output}")


def cmd_template(settings: Settings, args: argparse.Namespace) -> None:
    {"list": _list, "show": _show, "set": _set, "preview": _preview}[args.action](settings, args)


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """The template commands, under the main parser's subcommands."""
    user = argparse.ArgumentParser(add_help=False, parents=[common])
    user.add_argument("--user", help="act as this user (default: the first administrator)")
    template = sub.add_parser("template", help="document and e-mail templates")
    template_sub = template.add_subparsers(dest="action", required=True)
    template_sub.add_parser("list", parents=[user], help="list the template records")
    show = template_sub.add_parser("show", parents=[user], help="print a template")
    show.add_argument("id", type=int, nargs="?", help="template ID")
    show.add_argument("--versions", action="store_true", help="list its earlier versions")
    show.add_argument("--shipped", action="store_true", help="the template shipped with "
                      "Comptoir (the default when no record is)")
    show.add_argument("--email", action="store_true", help="the shipped e-mail template")
    show.add_argument("--language", choices=("fr", "en"), help="of the shipped template")
    tset = template_sub.add_parser("set", parents=[user], help="create a template (no ID) "
                                   "or change one")
    tset.add_argument("id", type=int, nargs="?", help="template ID (none: a new one)")
    tset.add_argument("--kind", choices=[k.lower() for k in NUMBERING_KINDS.values()],
                      help="kind of document (default: invoice)")
    tset.add_argument("--email", action="store_true", help="an e-mail template")
    tset.add_argument("--language", choices=("fr", "en"), help="language (default: fr)")
    tset.add_argument("--company", type=int, help="only this company's documents")
    tset.add_argument("--name", help="its name")
    tset.add_argument("--body", metavar="FILE", help="the HTML (or e-mail text) file; - for stdin")
    tset.add_argument("--css", metavar="FILE", help="the style sheet file")
    tset.add_argument("--subject", help="the subject of an e-mail template")
    tset.add_argument("--default", action="store_true", help="make it the default of its "
                      "kind, format, language and company")
    preview = template_sub.add_parser("preview", parents=[user], help="render a template "
                                      "against a record (nothing stored)")
    preview.add_argument("id", type=int, help="template ID")
    preview.add_argument("record", type=int, help="the document (or letter) rendered")
    preview.add_argument("--dunning", action="store_true", help="RECORD is a dunning letter")
    preview.add_argument("--html", action="store_true", help="the HTML instead of the PDF")
    preview.add_argument("-o", "--output", help="write it to this file (default: stdout)")
    template.set_defaults(func=cmd_template)
