"""Comptoir's HTTP benchmark: Comptoir against the raw ceiling, measured in the same run.

    .venv/bin/python bench/run.py [--quick] [--no-postgres] [--pg-url URL]   (make bench)

For SQLite, then PostgreSQL (a fresh database on --pg-url's server, dropped at the end; the
PostgreSQL part is skipped when the server does not answer):

1. a fresh database is migrated and seeded: the admin, a group `bench` with the `accounts`
   permission (writable) and its member `bench_user`, N accounts (one created through the
   services layer, the rest bulk-copied from it in one transaction);
2. two servers run side by side, both granian, ASGI, 1 worker, the same options:
   `comptoir serve` and bench/baseline_app.py (bare Starlette on stdlib sqlite3 / an
   asyncpg pool, on the same `accounts` table and the same database);
3. each endpoint is loaded with wrk (-t1 -c16, bounded), the raw server first, Comptoir
   right after, so that both figures come from the same minutes of this machine (host
   speed drifts by up to 1.7x over an hour: compare the ratios, not the absolute numbers);
4. prints the table and writes bench/results/latest.json.

Endpoints: `health` (GET /healthz), `get` (GET /accounts/{random ID}, as admin),
`get (user)` (the same as a non-admin group member: the visibility rule applies),
`ws retrieve` (webservice.php `retrieve` of `11x{random ID}` in an admin session),
`create` (PUT /accounts), `list 100` (POST /accounts {"limit": 100, "offset": random}).
Targets (docs/performance.md): get and create >= 70% of raw on PostgreSQL, >= 50% on
SQLite; health >= 80%.

Load generator: `wrk` when installed (`apt-get install -y wrk`), else a small asyncio
client in this process; on a 2-core machine that client is the bottleneck and the ratios
are compressed towards 1, so the results are marked with the generator used.

Everything listens on 127.0.0.1 only; every process started here is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import (
    BENCH,
    CREATE_BODY,
    INSTANCE,
    Plan,
    finish,
    log,
    login,
    machine,
    measure_pairs,
    pg_admin,
    pg_reachable,
    servers,
    source_state,
    versions,
)
from loadgen import Load, LoadGenerator

RESULTS = BENCH / "results"
ADMIN_PASSWORD = "bench-admin-" + secrets.token_hex(4)
USER_NAME, USER_PASSWORD = "bench_user", "bench-user-" + secrets.token_hex(4)

# §8 of the reference: Comptoir req/s as a share of the raw req/s, same run.
TARGETS = {
    ("health", None): 0.80,
    ("get", "sqlite"): 0.50, ("get", "postgresql"): 0.70,
    ("get (user)", "sqlite"): 0.50, ("get (user)", "postgresql"): 0.70,
    ("create", "sqlite"): 0.50, ("create", "postgresql"): 0.70,
}


# --- database preparation (in-process, through Comptoir's own layers) ----------------------


async def seed(url: str, accounts: int) -> dict[str, Any]:
    """Admin, group `bench` (accounts, writable), `bench_user` in it, and `accounts`
    accounts with IDs 1..accounts: the first through records.create_record, the others
    copied from it (varied names and types) in one transaction."""
    import sqlalchemy as sa

    from comptoir import cli
    from comptoir.schema.registry import ENTITIES
    from comptoir.services import auth, records
    from comptoir.services.access import Caller
    from comptoir.storage.database import compile_sql, open_database
    from comptoir.storage.tables import TABLES

    db = open_database(url)
    await db.open()
    try:
        await cli.ensure_admin(db)
        users = TABLES["users"]
        async with db.read() as conn:
            admin_id = await conn.scalar(sa.select(users.c.ID).where(users.c.name == "admin"))
        await auth.create_group(db, "bench", (("accounts", True),))
        await auth.create_user(db, USER_NAME, USER_PASSWORD, group_names=("bench",))
        admin = Caller(user=int(admin_id), name="admin", admin=True)
        first = await records.create_record(db, admin, "accounts",
                                            {**CREATE_BODY, "lastname": "Account 1"})
        table = TABLES["accounts"]
        t0 = time.perf_counter()
        async with db.write() as conn:
            row = await conn.one(sa.select(table).where(table.c.ID == first.data["ID"]))
            assert row is not None
            columns = [c.name for c in table.columns if c.name != "ID"]
            stmt = sa.insert(table).values({c: sa.bindparam("p_" + c) for c in columns})
            compiled = compile_sql(stmt, db.dialect, reusable=True)
            args = []
            for i in range(2, accounts + 1):
                values = {**row, "lastname": f"Account {i}", "customernum": f"C-{i}",
                          "type": i % 6}
                args.append(compiled.args({"p_" + c: values[c] for c in columns}))
            if db.name == "sqlite":
                conn.raw.executemany(compiled.sql, args)
            else:
                await conn.raw.executemany(compiled.sql, args)
        if db.name == "postgresql":
            async with db.read() as conn:
                await conn.raw.execute("ANALYZE")
        return {"admin_id": int(admin_id), "first_id": first.data["ID"],
                "bulk_seconds": round(time.perf_counter() - t0, 2),
                "columns": [f.name for f in ENTITIES["accounts"].public_fields]
                + ["_rev"]}
    finally:
        await db.close()



# --- one database ----------------------------------------------------------------------------


@dataclass
class Options:
    seconds: int
    warmup: int
    connections: int
    accounts: int
    gate: float
    with_health: bool = True



def ws_retrieve_path(port: int, url: str) -> str:
    """The path of a webservice.php `retrieve` of account `11x<ID>` (the ID appended), with
    the session of a challenge login of the admin."""
    import hashlib

    import httpx

    from comptoir.services import auth
    from comptoir.storage.database import run_with_database

    key = run_with_database(url, lambda db: auth.access_key(db, "admin"))
    ws = f"http://127.0.0.1:{port}/{INSTANCE}/webservice.php"
    token = httpx.get(ws, params={"operation": "getchallenge", "username": "admin"}).json()
    digest = hashlib.md5((token["result"]["token"] + key).encode()).hexdigest()
    login = httpx.post(ws, data={"operation": "login", "username": "admin",
                                 "accessKey": digest}).json()
    session = login["result"]["sessionName"]
    return f"/{INSTANCE}/webservice.php?operation=retrieve&sessionName={session}&id=11x"


def bench_database(kind: str, url: str, gen: LoadGenerator, opts: Options,
                   workdir: Path) -> dict[str, Any]:
    import logging

    from comptoir.storage import migrate

    logging.getLogger("alembic").setLevel(logging.WARNING)
    t0 = time.perf_counter()
    migrate.upgrade(url)
    os.environ["COMPTOIR_ADMIN_PASSWORD"] = ADMIN_PASSWORD
    info = asyncio.run(seed(url, opts.accounts))
    setup_s = time.perf_counter() - t0
    log(f"[{kind}] migrated and seeded {opts.accounts} accounts in {setup_s:.1f} s")
    pg_database = url.rsplit("/", 1)[1] if kind == "postgresql" else None
    rows: list[dict[str, Any]] = []
    with servers(url, workdir, info["columns"], ADMIN_PASSWORD) as (comptoir, raw):
        admin = {"Authorization": "Bearer " + login(comptoir.port, "admin", ADMIN_PASSWORD)}
        user = {"Authorization": "Bearer " + login(comptoir.port, USER_NAME, USER_PASSWORD)}
        api = f"/{INSTANCE}/api/v1/accounts"
        n = opts.accounts
        page = {"limit": 100, "offset": 0}
        # (endpoint, raw load or None = reuse the previous raw figure, Comptoir load, status)
        plan: Plan = []
        if opts.with_health:
            plan.append(("health", Load("GET", "/healthz"), Load("GET", "/healthz"), 200))
        plan += [
            ("get", Load("GET", "/items/", id_max=n), Load("GET", api + "/", admin, id_max=n), 200),
            ("get (user)", None, Load("GET", api + "/", user, id_max=n), 200),
            ("ws retrieve", None, Load("GET", ws_retrieve_path(comptoir.port, url), id_max=n),
             200),
            ("create", Load("PUT", "/items", body=CREATE_BODY),
             Load("PUT", api, admin, body=CREATE_BODY), 201),
            ("list 100", Load("POST", "/items", body=page, offset_max=n - 100),
             Load("POST", api, admin, body=page, offset_max=n - 100), 200),
        ]
        log(f"[{kind}] warm-up ({opts.warmup} s per endpoint and server)")
        for name, c_result, raw_result, ratio in measure_pairs(
                gen, raw, comptoir, plan, warmup=opts.warmup, seconds=opts.seconds,
                connections=opts.connections, pg_database=pg_database, gate=opts.gate):
            database = None if name == "health" else kind
            target = TARGETS.get((name, database))
            cpu_ratio = (c_result["server_cpu_us_per_req"] / raw_result["server_cpu_us_per_req"]
                         if c_result["server_cpu_us_per_req"]
                         and raw_result["server_cpu_us_per_req"] else None)
            row = {"endpoint": name, "database": database or "-", "comptoir": c_result,
                   "raw": raw_result, "ratio": round(ratio, 3), "target": target,
                   "meets_target": None if target is None else ratio >= target,
                   "cpu_per_req_ratio": None if cpu_ratio is None else round(cpu_ratio, 2)}
            rows.append(row)
            log(f"[{kind}] {name:<10} comptoir {c_result['rps']:>8.0f} req/s   "
                f"raw {raw_result['rps']:>8.0f} req/s   ratio {ratio:.2f}")
        memory = {"comptoir": comptoir.memory(), "raw": raw.memory()}
        options = next((line.split(":", 1)[1].strip() for line in
                        raw.logpath.read_text(errors="replace").splitlines()
                        if line.startswith("baseline granian options:")), None)
    return {"database": kind, "setup_seconds": round(setup_s, 1), "seed": info, "rows": rows,
            "memory": memory, "server_options": options}


# --- report -------------------------------------------------------------------------------




def table(results: list[dict[str, Any]]) -> str:
    head = ["endpoint", "db", "Comptoir req/s", "raw req/s", "ratio", "target",
            "Comptoir p50/p99 ms", "raw p50/p99 ms", "CPU us/req C/raw", "other load", "errors"]
    lines = []
    for db in results:
        for r in db["rows"]:
            c, w = r["comptoir"], r["raw"]
            if r["target"] is None:
                target = "-"
            else:
                target = f">={r['target']:.2f} " + ("ok" if r["meets_target"] else "BELOW")
            errs = c["http_errors"] + c["socket_errors"] + w["http_errors"] + w["socket_errors"]
            lines.append([
                r["endpoint"], r["database"], f"{c['rps']:,.0f}", f"{w['rps']:,.0f}",
                f"{r['ratio']:.2f}", target,
                f"{c['p50_ms']:.1f} / {c['p99_ms']:.1f}", f"{w['p50_ms']:.1f} / {w['p99_ms']:.1f}",
                f"{c['server_cpu_us_per_req'] or 0:.0f} / {w['server_cpu_us_per_req'] or 0:.0f}",
                f"{max(c['other_cores'], w['other_cores']):.2f}", str(errs)])
    widths = [max([len(h), *(len(line[i]) for line in lines)]) for i, h in enumerate(head)]
    out = ["| " + " | ".join(h.ljust(widths[i]) for i, h in enumerate(head)) + " |",
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += ["| " + " | ".join(v.ljust(widths[i]) for i, v in enumerate(line)) + " |"
            for line in lines]
    mem = []
    for db in results:
        m = db["memory"]
        for side in ("comptoir", "raw"):
            procs = ", ".join(f"{p['role']} {p['rss_mib']} MiB (peak {p['peak_rss_mib']})"
                              for p in m[side]["processes"])
            mem.append(f"  {db['database']:<10} {side:<8} RSS after the run: {procs}")
    notes = ("\nCPU us/req: server process tree CPU per request (Comptoir / raw).  other load: "
             "cores used by the rest of the machine during the noisier of the two runs "
             "(other jobs in this VM); above ~0.3 the pair is disturbed: re-run.")
    return ("\n".join(out) + "\n" + notes + "\n\nMemory (VmRSS / VmHWM from /proc):\n"
            + "\n".join(mem))



def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Comptoir vs the raw ceiling, same run.")
    p.add_argument("--quick", action="store_true",
                   help="2 s per measurement, 2,000 accounts, no health row (smoke run)")
    p.add_argument("--seconds", type=int, help="seconds per measurement (default 5)")
    p.add_argument("--connections", type=int, default=16, help="concurrent connections (16)")
    p.add_argument("--accounts", type=int, help="accounts seeded (default 10000)")
    p.add_argument("--pg-url", default=os.environ.get(
        "BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL server to create the throwaway database on ($BENCH_PG_URL)")
    p.add_argument("--no-postgres", action="store_true")
    p.add_argument("--no-sqlite", action="store_true")
    p.add_argument("--python-client", action="store_true",
                   help="use the Python load generator even if wrk is installed")
    p.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    args = p.parse_args(argv)
    opts = Options(seconds=args.seconds or (2 if args.quick else 5),
                   warmup=1, connections=args.connections,
                   accounts=args.accounts or (2000 if args.quick else 10000),
                   gate=1.0 if args.quick else 2.0, with_health=not args.quick)
    started = time.monotonic()
    source = source_state()  # before the servers start: the code they import
    workdir = Path(tempfile.mkdtemp(prefix="comptoir-bench-"))
    gen = LoadGenerator(args.python_client, workdir)
    log(f"load generator: {gen.name}; {opts.seconds} s per measurement, c{opts.connections}, "
        f"{opts.accounts} accounts; scratch: {workdir}")
    if not gen.wrk:
        log("wrk not found (apt-get install -y wrk): the Python client will be the bottleneck")
    results: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    try:
        if not args.no_sqlite:
            results.append(bench_database("sqlite", f"sqlite:///{workdir / 'bench.db'}", gen,
                                          opts, workdir))
            opts.with_health = False
        if args.no_postgres:
            skipped["postgresql"] = "--no-postgres"
        elif (reason := pg_reachable(args.pg_url)) is not None:
            skipped["postgresql"] = f"not reachable at {args.pg_url}: {reason}"
            log(f"[postgresql] skipped: {skipped['postgresql']}")
        else:
            name = f"comptoir_bench_{os.getpid()}_{secrets.token_hex(3)}"
            asyncio.run(pg_admin(args.pg_url, f'CREATE DATABASE "{name}"'))
            try:
                url = args.pg_url.rsplit("/", 1)[0] + "/" + name
                results.append(bench_database("postgresql", url, gen, opts, workdir))
            finally:
                asyncio.run(pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "total_seconds": round(time.monotonic() - started, 1),
        "machine": machine(),
        "versions": versions(),
        "source": source,
        "load_generator": gen.name,
        "settings": {"seconds": opts.seconds, "warmup_seconds": opts.warmup,
                     "connections": opts.connections, "wrk_threads": 1 if gen.wrk else None,
                     "accounts": opts.accounts, "quick": args.quick,
                     "server": "granian, 1 worker, the options of `comptoir serve` for both"},
        "skipped": skipped,
        "results": results,
    }
    finish(args.out, report, table(results), skipped, source)
    print(f"load generator: {gen.name}; {opts.seconds} s per run, c{opts.connections}; "
          f"total {report['total_seconds']} s; written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
