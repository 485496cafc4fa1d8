"""The `comptoir` command: parse, call services, print; nothing else.

    comptoir serve [--host H] [--port P] [--database URL] [--instance NAME] [--demo]
    comptoir db upgrade | db status
    comptoir user create NAME --password P [--email E] [--admin] [--group G ...]
    comptoir user accesskey NAME [--reset]
    comptoir group create NAME [--permission IDENTIFIER[:writable] ...]
    comptoir application create IDENTIFIER [--name NAME] [--setting KEY=VALUE ...]
    comptoir demo [--database URL]       (migrates and creates `admin` first, like serve)

Errors are one line on stderr and exit status 1 (2 for a bad command line).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from comptoir.config import Settings
from comptoir.errors import ComptoirError, SchemaBehindError
from comptoir.services import auth, demo, keyring
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


def cmd_user(settings: Settings, args: argparse.Namespace) -> None:
    ensure_schema(settings, create=False)
    if args.action == "create":
        user_id = _with_db(settings, lambda db: auth.create_user(
            db, args.name, args.password, email=args.email or "", admin=args.admin,
            nopublic=args.nopublic, group_names=tuple(args.group or ())))
        print(f"created user {args.name} (ID {user_id})")
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

    demo_cmd = sub.add_parser("demo", parents=[common], help="load the demo data set")
    demo_cmd.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    overrides = {k: getattr(args, k, None) for k in ("host", "port", "instance")}
    overrides["database_url"] = getattr(args, "database", None)
    settings = Settings.from_env(**overrides)
    try:
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
