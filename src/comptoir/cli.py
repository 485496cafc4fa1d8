"""The `comptoir` command: parse, call services, print; nothing else.

    comptoir serve [--host H] [--port P] [--database URL] [--instance NAME] [--demo]
    comptoir db upgrade | db status
    comptoir user create NAME --password P [--email E] [--admin] [--group G ...]
    comptoir user accesskey NAME [--reset]
    comptoir group create NAME [--permission IDENTIFIER[:writable] ...]
    comptoir application create IDENTIFIER [--name NAME] [--setting KEY=VALUE ...]
    comptoir apikey create --user NAME [--name N] [--scope S ...] [--expires DATE|DAYS]
    comptoir apikey list [--user NAME] | apikey revoke ID | apikey rotate ID
    comptoir webhook create --url URL --event PATTERN ... [--user NAME] [--description D]
                            [--filter JSON]
    comptoir webhook list | webhook enable|disable|rotate|delete ID
    comptoir worker [--database URL]     (delivers webhooks and e-mails until SIGTERM/SIGINT)
    comptoir demo [--database URL]       (migrates and creates `admin` first, like serve)
    comptoir numbering | document | payment ...   (the sales cycle: `cli_sales.py`)
    comptoir accounting fec|trialbalance|vatreturn|close-year|chart-...   (`cli_accounting.py`)
    comptoir mailserver password ID      (the SMTP password, from stdin: `cli_mail.py`)
    comptoir template list|show|set|preview   (document and e-mail templates: `cli_documents.py`)

Errors are one line on stderr and exit status 1 (2 for a bad command line).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import secrets
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from comptoir import cli_accounting, cli_documents, cli_mail, cli_sales
from comptoir.config import Settings
from comptoir.errors import BadRequestError, ComptoirError, SchemaBehindError
from comptoir.events import delivery, network
from comptoir.services import apikeys, auth, demo, keyring, mailer, webhooks
from comptoir.services.access import Caller
from comptoir.storage import migrate
from comptoir.storage.database import Database, run_with_database


def _with_db(settings: Settings, work: Callable[[Database], Awaitable[Any]]) -> Any:
    return run_with_database(settings.database_url, work)


def ensure_schema(settings: Settings, *, create: bool) -> None:
    """Migrate an empty database; refuse one whose schema is behind (or unknown)."""
    current, head = migrate.status(settings.database_url)
    if current == head:
        return
    if current is None and create:
        if migrate.table_names(settings.database_url):
            raise SchemaBehindError(
                "the database has tables but no schema revision: use an empty database "
                "or one made by `comptoir db upgrade`")
        migrate.upgrade(settings.database_url)
        return
    raise migrate.schema_behind(current)


async def ensure_admin(db: Database) -> str | None:
    """Create the `admin` user on the first start; returns a generated password."""
    if await auth.user_count(db):
        return None
    given = os.environ.get("COMPTOIR_ADMIN_PASSWORD")
    password = given or secrets.token_urlsafe(12)
    await auth.create_user(db, "admin", password, admin=True)
    return None if given else password


def _prepare(settings: Settings, *, load_demo: bool) -> None:
    """Migrate an empty database, create `admin` on the first start, load the demo data."""
    ensure_schema(settings, create=True)
    password = _with_db(settings, ensure_admin)
    if password:
        print(f"created user admin with password: {password}  (shown once)")
    if load_demo:
        loaded = _with_db(settings, demo.load_demo_if_empty)
        print("loaded the demo data" if loaded else "demo data already present")


def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    network.parse_networks(settings.webhook_allowed_networks)  # bad settings: before anything
    delivery.Policy.from_settings(settings)
    _prepare(settings, load_demo=args.demo)
    for name, value in vars(settings).items():
        os.environ["COMPTOIR_" + name.upper()] = str(value)
    base = f"http://{settings.host}:{settings.port}/{settings.instance}"
    print(f"Comptoir serving {base}/api/v1 (auth: {base}/auth/v1/login)", flush=True)
    if args.server == "uvicorn":
        import uvicorn

        uvicorn.run("comptoir.api.asgi:app", host=settings.host, port=settings.port,
                    workers=args.workers, log_level="warning")
        return
    from granian import Granian

    Granian("comptoir.api.asgi:app", address=settings.host, port=settings.port,
            interface="asgi", loop="uvloop", workers=args.workers, log_access=False).serve()  # type: ignore[arg-type]


def cmd_db(settings: Settings, args: argparse.Namespace) -> None:
    if args.action == "upgrade":
        migrate.upgrade(settings.database_url)
        print(f"database at {migrate.head_revision()}")
    else:
        current, head = migrate.status(settings.database_url)
        print(f"current: {current or 'empty'}  head: {head}")


def _read_password() -> str:
    """A password from the terminal (asked twice), else the first line of stdin."""
    if sys.stdin.isatty():
        first, second = getpass.getpass("New password: "), getpass.getpass("Again: ")
        if first != second:
            raise BadRequestError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def cmd_user(settings: Settings, args: argparse.Namespace) -> None:
    ensure_schema(settings, create=False)
    if args.action == "create":
        user_id = _with_db(settings, lambda db: auth.create_user(
            db, args.name, args.password, email=args.email or "", admin=args.admin,
            nopublic=args.nopublic, group_names=tuple(args.group or ())))
        print(f"created user {args.name} (ID {user_id})")
    elif args.action == "list":
        for user in _with_db(settings, auth.list_users):
            state = "active" if user["activity"] == 0 else "deactivated"
            role = "admin" if user["admin"] else "user"
            print(f"{user['ID']}\t{user['name']}\t{user['email'] or '-'}\t{role}\t{state}")
    elif args.action == "passwd":
        password = args.password if args.password is not None else _read_password()
        _with_db(settings, lambda db: auth.set_password(db, args.name, password))
        print(f"changed the password of {args.name}; their logins ended")
    elif args.action == "deactivate":
        _with_db(settings, lambda db: auth.deactivate_user(db, args.name))
        print(f"deactivated {args.name}; their logins, sessions and API keys stopped")
    elif args.reset:
        print(_with_db(settings, lambda db: auth.reset_access_key(db, args.name)))
    else:
        print(_with_db(settings, lambda db: auth.access_key(db, args.name)))


def _grant(text: str) -> tuple[str, bool]:
    identifier, colon, mode = text.partition(":")
    if not identifier or (colon and mode != "writable"):
        raise argparse.ArgumentTypeError(f"expected IDENTIFIER or IDENTIFIER:writable: {text}")
    if identifier not in auth.PERMISSIONS:
        known = ", ".join(sorted(auth.PERMISSIONS))
        raise argparse.ArgumentTypeError(f"unknown permission {identifier} (known: {known})")
    return identifier, mode == "writable"


def cmd_group(settings: Settings, args: argparse.Namespace) -> None:
    ensure_schema(settings, create=False)
    grants = tuple(args.permission or ())
    group_id = _with_db(settings, lambda db: auth.create_group(db, args.name, grants))
    print(f"created group {args.name} (ID {group_id})")


def _setting_pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not key or not sep:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE: {text}")
    return key, value


def cmd_application(settings: Settings, args: argparse.Namespace) -> None:
    ensure_schema(settings, create=False)
    app_settings = dict(args.setting or ())
    app_id, secret = _with_db(settings, lambda db: auth.create_application(
        db, args.identifier, args.name or args.identifier, app_settings))
    print(f"created application {args.identifier} (ID {app_id})")
    print(f"appsecret: {secret}  (shown once)")


def _date(stamp: int | None) -> str:
    return "-" if stamp is None else time.strftime("%Y-%m-%d %H:%M", time.gmtime(stamp))


def cmd_apikey(settings: Settings, args: argparse.Namespace) -> None:
    ensure_schema(settings, create=False)
    if args.action == "create":
        expires = apikeys.parse_expires(args.expires)
        key_id, secret = _with_db(settings, lambda db: apikeys.create(
            db, args.user, args.name or "", tuple(args.scope or ()), expires))
        print(f"created API key {key_id} for {args.user}")
        print(f"key: {secret}  (shown once)")
    elif args.action == "list":
        for key in _with_db(settings, lambda db: apikeys.list_keys(db, args.user)):
            state = "revoked" if key["revoked"] is not None else "active"
            print(f"{key['ID']}\t{key['prefix']}...\t{key['username']}\t{key['name'] or '-'}\t"
                  f"{','.join(key['scopes']) or '*'}\texpires {_date(key['expires'])}\t"
                  f"last used {_date(key['lastused'])}\t{state}")
    elif args.action == "revoke":
        _with_db(settings, lambda db: apikeys.revoke(db, args.id))
        print(f"revoked API key {args.id}")
    else:
        secret = _with_db(settings, lambda db: apikeys.rotate(db, args.id))
        print(f"rotated API key {args.id}")
        print(f"key: {secret}  (shown once)")


#: the CLI acts as an administrator (it holds the database)
_CLI = Caller(user=0, name="cli", admin=True)


def cmd_webhook(settings: Settings, args: argparse.Namespace) -> None:
    ensure_schema(settings, create=False)
    allowed = network.parse_networks(settings.webhook_allowed_networks)
    if args.action == "create":
        owner = args.user or "admin"
        endpoint, secret = _with_db(settings, lambda db: webhooks.create_endpoint(
            db, _CLI, args.url, args.event, description=args.description or "", owner=owner,
            filter=args.filter, allowed=allowed))
        print(f"created webhook endpoint {endpoint['ID']} for {endpoint['ownername']}")
        print(f"secret: {secret}  (shown once)")
    elif args.action == "list":
        for e in _with_db(settings, lambda db: webhooks.list_endpoints(db, _CLI)):
            state = "enabled" if e["enabled"] else f"disabled ({e['disabled_reason']})"
            print(f"{e['ID']}\t{e['url']}\t{','.join(e['events'])}\t{e['ownername']}\t{state}")
    elif args.action == "rotate":
        secret = _with_db(settings, lambda db: webhooks.rotate_secret(db, _CLI, args.id))
        print(f"rotated webhook endpoint {args.id} (the old secret signs for 24 hours more)")
        print(f"secret: {secret}  (shown once)")
    elif args.action == "delete":
        _with_db(settings, lambda db: webhooks.delete_endpoint(db, _CLI, args.id))
        print(f"deleted webhook endpoint {args.id}")
    else:
        enabled = args.action == "enable"
        _with_db(settings, lambda db: webhooks.update_endpoint(db, _CLI, args.id,
                                                               enabled=enabled))
        print(f"{args.action}d webhook endpoint {args.id}")


def cmd_worker(settings: Settings, args: argparse.Namespace) -> None:
    allowed = network.parse_networks(settings.webhook_allowed_networks)
    policy = delivery.Policy.from_settings(settings)
    mail_policy = mailer.MailPolicy.from_settings(settings)
    ensure_schema(settings, create=False)

    async def work(db: Database) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        print("Comptoir worker running: webhooks and e-mails (SIGTERM or SIGINT stops it)",
              flush=True)
        await asyncio.gather(
            delivery.run_worker(db, stop, webhooks.fan_out, allowed=allowed, policy=policy),
            mailer.run_worker(db, stop, policy=mail_policy))

    _with_db(settings, work)


def cmd_demo(settings: Settings, args: argparse.Namespace) -> None:
    _prepare(settings, load_demo=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="comptoir", description="Comptoir ERP/CRM server")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database", metavar="URL",
                        help="database URL (default: $COMPTOIR_DATABASE_URL or sqlite:///comptoir.db)")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", parents=[common], help="run the API server")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8000)")
    serve.add_argument("--instance", help="instance name (default: $COMPTOIR_INSTANCE or demo)")
    serve.add_argument("--demo", action="store_true", help="load the demo data into an empty database")
    serve.add_argument("--workers", type=int, default=1, help="worker processes")
    serve.add_argument("--server", choices=("granian", "uvicorn"), default="granian")
    serve.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="database schema")
    db.add_argument("action", choices=("upgrade", "status"))
    db.add_argument("--database", metavar="URL", help="database URL")
    db.set_defaults(func=cmd_db)

    user = sub.add_parser("user", help="manage users")
    user_sub = user.add_subparsers(dest="action", required=True)
    create = user_sub.add_parser("create", parents=[common], help="create a user")
    create.add_argument("name")
    create.add_argument("--password", required=True)
    create.add_argument("--email")
    create.add_argument("--admin", action="store_true")
    create.add_argument("--nopublic", action="store_true", help="deny access to public records")
    create.add_argument("--group", action="append", metavar="G", help="add to group (repeatable)")
    key = user_sub.add_parser("accesskey", parents=[common], help="print a user's access key")
    key.add_argument("name")
    key.add_argument("--reset", action="store_true",
                     help="issue a new access key (the old one stops working) and print it")
    user_sub.add_parser("list", parents=[common], help="list the users")
    passwd = user_sub.add_parser("passwd", parents=[common],
                                 help="set a user's password (ends their logins)")
    passwd.add_argument("name")
    passwd.add_argument("--password", help="the new password (default: read from stdin)")
    deactivate = user_sub.add_parser("deactivate", parents=[common],
                                     help="deactivate a user (ends their logins)")
    deactivate.add_argument("name")
    user.set_defaults(func=cmd_user)

    group = sub.add_parser("group", help="manage groups")
    group_sub = group.add_subparsers(dest="action", required=True)
    gcreate = group_sub.add_parser("create", parents=[common], help="create a group")
    gcreate.add_argument("name")
    gcreate.add_argument("--permission", action="append", type=_grant,
                         metavar="IDENTIFIER[:writable]", help="grant a permission (repeatable)")
    group.set_defaults(func=cmd_group)

    application = sub.add_parser("application", help="manage applications (API clients)")
    app_sub = application.add_subparsers(dest="action", required=True)
    acreate = app_sub.add_parser("create", parents=[common],
                                 help="register an application and print its appsecret")
    acreate.add_argument("identifier")
    acreate.add_argument("--name", help="display name (default: the identifier)")
    acreate.add_argument("--setting", action="append", type=_setting_pair,
                         metavar="KEY=VALUE", help="a setting for GET /settings (repeatable)")
    application.set_defaults(func=cmd_application)

    apikey = sub.add_parser("apikey", help="manage API keys (the token: header)")
    key_sub = apikey.add_subparsers(dest="action", required=True)
    kcreate = key_sub.add_parser("create", parents=[common],
                                 help="create an API key acting as a user and print it once")
    kcreate.add_argument("--user", required=True, metavar="NAME", help="the user it acts as")
    kcreate.add_argument("--name", help="a label for listings")
    kcreate.add_argument("--scope", action="append", metavar="S",
                         help="ENTITY (read+write), ENTITY:read, ENTITY:write or * (repeatable; "
                              "none: the user's full rights)")
    kcreate.add_argument("--expires", metavar="DATE|DAYS",
                         help="an ISO date (UTC) or a number of days (default: never)")
    klist = key_sub.add_parser("list", parents=[common], help="list API keys (no secrets)")
    klist.add_argument("--user", metavar="NAME", help="only this user's keys")
    krevoke = key_sub.add_parser("revoke", parents=[common], help="revoke an API key")
    krevoke.add_argument("id", type=int, metavar="ID")
    krotate = key_sub.add_parser("rotate", parents=[common],
                                 help="issue a new secret for an API key and print it once")
    krotate.add_argument("id", type=int, metavar="ID")
    apikey.set_defaults(func=cmd_apikey)

    webhook = sub.add_parser("webhook", help="manage webhook endpoints")
    hook_sub = webhook.add_subparsers(dest="action", required=True)
    hcreate = hook_sub.add_parser("create", parents=[common],
                                  help="create a webhook endpoint and print its secret once")
    hcreate.add_argument("--url", required=True, help="an http(s) URL on a public address")
    hcreate.add_argument("--event", action="append", required=True, metavar="PATTERN",
                         help="contacts.created, contacts.*, *.deleted or * (repeatable)")
    hcreate.add_argument("--user", metavar="NAME",
                         help="the owner, whose read rights filter the events (default admin)")
    hcreate.add_argument("--description")
    hcreate.add_argument("--filter", metavar="JSON",
                         help='a JSON query filter the records must match: {"country": "FR"}')
    hook_sub.add_parser("list", parents=[common], help="list webhook endpoints (no secrets)")
    for action, text in (("enable", "enable an endpoint (clears its failures)"),
                         ("disable", "disable an endpoint"),
                         ("rotate", "issue a new secret; the old one signs for 24 hours more"),
                         ("delete", "delete an endpoint and its deliveries")):
        hook = hook_sub.add_parser(action, parents=[common], help=text)
        hook.add_argument("id", type=int, metavar="ID")
    webhook.set_defaults(func=cmd_webhook)

    worker = sub.add_parser("worker", parents=[common],
                            help="deliver webhooks and send queued e-mails until SIGTERM "
                            "or SIGINT")
    worker.set_defaults(func=cmd_worker)

    demo_cmd = sub.add_parser("demo", parents=[common], help="load the demo data set")
    demo_cmd.set_defaults(func=cmd_demo)
    cli_sales.add_parsers(sub, common)
    cli_accounting.add_parsers(sub, common)
    cli_mail.add_parsers(sub, common)
    cli_documents.add_parsers(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    overrides = {k: getattr(args, k, None) for k in ("host", "port", "instance")}
    overrides["database_url"] = getattr(args, "database", None)
    try:
        settings = Settings.from_env(**overrides)
        if args.command != "db":  # the key sealing access keys, before any service runs
            keyring.configure(settings)
        args.func(settings, args)
    except ComptoirError as exc:
        print(f"comptoir: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the outermost handler: one line, no traceback
        lines = str(exc).strip().splitlines() or [""]
        print(f"comptoir: {type(exc).__name__}: {lines[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
