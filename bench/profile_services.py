"""Time (and optionally cProfile) Comptoir's service path in-process: no HTTP, no server.

    .venv/bin/python bench/profile_services.py [--postgres] [--profile OP] [OP ...]

OPs: authenticate, get, get-user, get-noauth, get-user-noauth, create, list100 (all by
default).  Each is what one REST request does below the route handler: `authenticate` is
auth.authenticate (the per-request token check), `get` is authenticate + records.get_record
as admin, `-user` as a non-admin group member (the visibility rule applies), `-noauth`
without the token check.  Figures are the best of 3 loops, in microseconds of wall time per
operation (CPU for SQLite; PostgreSQL adds its round trips).  `--profile OP` then prints
the cProfile of 1000 (or 200) more calls of OP, by cumulative and by own time.

The database is seeded as by bench/run.py (10,000 accounts) in a scratch directory, or in a
throwaway PostgreSQL database (--pg-url, dropped at the end).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import logging
import os
import pstats
import random
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
import run as bench  # noqa: E402

OPS = ("authenticate", "get", "get-user", "get-noauth", "get-user-noauth", "create", "list100")


async def measure(url: str, ops: list[str], profile: str | None, accounts: int) -> None:
    from comptoir.services import auth, queries, records
    from comptoir.storage.database import open_database

    db = open_database(url)
    await db.open()
    try:
        admin_token = (await auth.login(db, "admin", bench.ADMIN_PASSWORD, "profile"))["token"]
        user_token = (await auth.login(db, bench.USER_NAME, bench.USER_PASSWORD,
                                       "profile"))["token"]
        admin = await auth.authenticate(db, admin_token)
        user = await auth.authenticate(db, user_token)
        rnd = random.Random(1)

        async def op_authenticate() -> None:
            await auth.authenticate(db, admin_token)

        async def op_get() -> None:
            caller = await auth.authenticate(db, admin_token)
            await records.get_record(db, caller, "accounts", rnd.randint(1, accounts))

        async def op_get_user() -> None:
            caller = await auth.authenticate(db, user_token)
            await records.get_record(db, caller, "accounts", rnd.randint(1, accounts))

        async def op_get_noauth() -> None:
            await records.get_record(db, admin, "accounts", rnd.randint(1, accounts))

        async def op_get_user_noauth() -> None:
            await records.get_record(db, user, "accounts", rnd.randint(1, accounts))

        async def op_create() -> None:
            caller = await auth.authenticate(db, admin_token)
            await records.create_record(db, caller, "accounts", dict(bench.CREATE_BODY))

        async def op_list100() -> None:
            caller = await auth.authenticate(db, admin_token)
            await queries.list_records(db, caller, "accounts", {
                "limit": 100, "offset": rnd.randint(0, accounts - 100)})

        table: dict[str, Callable[[], Awaitable[None]]] = {
            "authenticate": op_authenticate, "get": op_get, "get-user": op_get_user,
            "get-noauth": op_get_noauth, "get-user-noauth": op_get_user_noauth,
            "create": op_create, "list100": op_list100}
        for name in ops:
            fn = table[name]
            n = 300 if name in ("create", "list100") else 2000
            for _ in range(50):
                await fn()
            best = float("inf")
            for _ in range(3):
                t0 = time.perf_counter()
                for _ in range(n):
                    await fn()
                best = min(best, (time.perf_counter() - t0) / n)
            print(f"{db.name:<10} {name:<16} {best * 1e6:8.0f} us/op")
        if profile:
            fn = table[profile]
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(200 if profile in ("create", "list100") else 1000):
                await fn()
            prof.disable()
            for order in ("cumulative", "tottime"):
                out = io.StringIO()
                pstats.Stats(prof, stream=out).sort_stats(order).print_stats(40)
                print(out.getvalue())
    finally:
        await db.close()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("ops", nargs="*", metavar="OP", help=f"one of {', '.join(OPS)} (default: all)")
    p.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    p.add_argument("--pg-url", default=os.environ.get(
        "BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    p.add_argument("--profile", choices=OPS, help="cProfile this operation afterwards")
    p.add_argument("--accounts", type=int, default=10000)
    args = p.parse_args()
    ops = list(args.ops) or list(OPS)
    unknown = [op for op in ops if op not in OPS]
    if unknown:
        p.error(f"unknown operation {', '.join(unknown)} (known: {', '.join(OPS)})")
    from comptoir.storage import migrate

    logging.getLogger("alembic").setLevel(logging.WARNING)
    os.environ["COMPTOIR_ADMIN_PASSWORD"] = bench.ADMIN_PASSWORD
    scratch = Path(tempfile.mkdtemp(prefix="comptoir-profile-"))
    pg_name = None
    try:
        if args.postgres:
            pg_name = f"comptoir_profile_{os.getpid()}_{secrets.token_hex(3)}"
            asyncio.run(harness.pg_admin(args.pg_url, f'CREATE DATABASE "{pg_name}"'))
            url = args.pg_url.rsplit("/", 1)[0] + "/" + pg_name
        else:
            url = f"sqlite:///{scratch / 'profile.db'}"
        migrate.upgrade(url)
        asyncio.run(bench.seed(url, args.accounts))
        asyncio.run(measure(url, ops, args.profile, args.accounts))
    finally:
        if pg_name:
            asyncio.run(harness.pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
