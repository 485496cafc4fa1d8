"""The sales cycle over HTTP: issuing an invoice of 20 lines (its legal number included) and
allocating a payment, as ratios to a plain create measured in the same run.

    .venv/bin/python bench/sales.py [--quick] [--rounds 3] [--per-round 30] [--lines 20]
                                    [--no-postgres] [--pg-url URL]        (make bench-sales)

For SQLite, then PostgreSQL (a fresh database on --pg-url's server, dropped at the end; the
PostgreSQL part is skipped when the server does not answer):

1. a fresh database is migrated, with the admin and one customer account;
2. `comptoir serve` starts (granian, 1 worker, the options of bench/run.py);
3. one client sends the requests one after the other (each operation changes state: a
   draft is issued once, an invoice settled once), in `--rounds` rounds; each round runs,
   `--per-round` times each, and in this order:
   - `create`: `PUT /transactions` of a draft invoice (the baseline),
   - `draft + 20 lines`: `PUT /transactions` and 20 `PUT /lineitems`,
   - `issue`: `POST /transactions/{id}/issue` of that draft (number, totals, lock),
   - `allocate`: `POST /payments/{id}/allocations` of a payment (created beforehand, not
     timed) over one of the invoices just issued, for what is due;
4. each operation's latency (p50, mean, p99), its throughput (1 / mean latency, one client)
   and the server's CPU per operation (from /proc) are given as ratios to `create`'s, from
   the same rounds (interleaved: host speed drifts, compare ratios).

Prints the table and writes bench/results/sales.json.  Everything listens on 127.0.0.1;
the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from harness import (
    BENCH,
    INSTANCE,
    CpuWindow,
    Server,
    finish,
    free_port,
    log,
    login,
    machine,
    pg_admin,
    pg_reachable,
    source_state,
    versions,
)
from loadgen import HOST

ADMIN_PASSWORD = "bench-admin-" + secrets.token_hex(4)
OPS = ("create", "draft + lines", "issue", "allocate")


def _check(answer: httpx.Response, status: int) -> dict[str, Any]:
    if answer.status_code != status:
        raise RuntimeError(f"{answer.request.method} {answer.request.url.path} answered "
                           f"{answer.status_code}: {answer.text[:300]}")
    return dict(answer.json())


class Timings:
    """Latencies and server CPU of one operation, over every round."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.server_s = 0.0
        self.db_s = 0.0

    def summary(self, count: int) -> dict[str, Any]:
        lat = sorted(self.latencies)
        mean = statistics.fmean(lat)
        return {"count": len(lat), "p50_ms": round(lat[len(lat) // 2] * 1000, 2),
                "mean_ms": round(mean * 1000, 2),
                "p99_ms": round(lat[min(len(lat) - 1, int(0.99 * len(lat)))] * 1000, 2),
                "ops_per_s": round(1 / mean, 1),
                "server_cpu_us_per_op": round(self.server_s * 1e6 / count, 0),
                "db_cpu_us_per_op": round(self.db_s * 1e6 / count, 0) if self.db_s else None}


def run_rounds(server: Server, token: str, customer: int, rounds: int, per_round: int,
               lines: int, pg_database: str | None) -> dict[str, Timings]:
    api = f"http://{HOST}:{server.port}/{INSTANCE}/api/v1"
    timings = {op: Timings() for op in OPS}
    draft_body = {"type": 3, "account": customer, "currency": "EUR"}
    with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {token}"},
                      timeout=30) as client:

        def timed(op: str, method: str, path: str, body: dict[str, Any],
                  status: int) -> dict[str, Any]:
            t0 = time.perf_counter()
            answer = client.request(method, path, json=body)
            timings[op].latencies.append(time.perf_counter() - t0)
            return _check(answer, status)

        def block(op: str, work: Any) -> Any:
            window = CpuWindow(server, pg_database)
            out = work()
            cpu = window.close()
            timings[op].server_s += cpu["server_s"]
            timings[op].db_s += (cpu["db_cores"] or 0) * cpu["wall_s"]
            return out

        def creates() -> None:
            for _ in range(per_round):
                timed("create", "PUT", "/transactions", draft_body, 201)

        def drafts() -> list[int]:
            made = []
            for _ in range(per_round):
                draft = timed("draft + lines", "PUT", "/transactions", draft_body, 201)
                t_lines = time.perf_counter()
                for n in range(1, lines + 1):
                    _check(client.put("/lineitems", json={
                        "transaction": draft["ID"], "sequence": n, "quantity": n % 5 + 1,
                        "listprice": 10.0 + n, "tax1": 20.0 if n % 3 else 5.5}), 201)
                # the whole draft is one operation: its header and its lines
                timings["draft + lines"].latencies[-1] += time.perf_counter() - t_lines
                made.append(int(draft["ID"]))
            return made

        def issues(ids: list[int]) -> None:
            for record_id in ids:
                timed("issue", "POST", f"/transactions/{record_id}/issue", {}, 200)

        def allocations(ids: list[int], payments: list[int]) -> None:
            for record_id, payment in zip(ids, payments, strict=True):
                timed("allocate", "POST", f"/payments/{payment}/allocations",
                      {"allocations": [{"transaction": record_id}]}, 201)

        for r in range(rounds):
            block("create", creates)
            ids = block("draft + lines", drafts)
            block("issue", lambda ids=ids: issues(ids))
            payments = [int(_check(client.put("/payments", json={
                "account": customer, "amount": 100000}), 201)["ID"]) for _ in ids]
            block("allocate", lambda ids=ids, payments=payments: allocations(ids, payments))
            log(f"  round {r + 1}/{rounds}: create p50 "
                f"{sorted(timings['create'].latencies)[len(timings['create'].latencies) // 2] * 1000:.1f} ms")
    return timings


async def setup(url: str) -> int:
    """The admin and one customer; returns the customer's ID."""
    from comptoir import cli
    from comptoir.services import records
    from comptoir.services.access import Caller
    from comptoir.storage.database import open_database

    db = open_database(url)
    await db.open()
    try:
        await cli.ensure_admin(db)
        admin = Caller(user=1, name="admin", admin=True)
        made = await records.create_record(db, admin, "accounts", {
            "lastname": "Bench Customer SAS", "type": 1, "currency": "EUR"})
        return int(made.data["ID"])
    finally:
        await db.close()


def bench_database(kind: str, url: str, workdir: Path,
                   args: argparse.Namespace) -> dict[str, Any]:
    import logging

    from comptoir.storage import migrate

    logging.getLogger("alembic").setLevel(logging.WARNING)
    migrate.upgrade(url)
    os.environ["COMPTOIR_ADMIN_PASSWORD"] = ADMIN_PASSWORD
    customer = asyncio.run(setup(url))
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("COMPTOIR_") or k == "COMPTOIR_ADMIN_PASSWORD"}
    exe = Path(sys.executable).parent / "comptoir"
    cli = [str(exe)] if exe.exists() else [sys.executable, "-m", "comptoir.cli"]
    port = free_port()
    server = Server("comptoir", [*cli, "serve", "--server", "granian", "--host", HOST,
                                 "--port", str(port), "--database", url,
                                 "--instance", INSTANCE], env, port, workdir)
    pg_database = url.rsplit("/", 1)[1] if kind == "postgresql" else None
    try:
        server.wait_ready()
        token = login(server.port, "admin", ADMIN_PASSWORD)
        log(f"[{kind}] warm-up round")
        run_rounds(server, token, customer, 1, 3, args.lines, pg_database)
        log(f"[{kind}] {args.rounds} rounds of {args.per_round} per operation, "
            f"{args.lines} lines per invoice")
        timings = run_rounds(server, token, customer, args.rounds, args.per_round, args.lines,
                             pg_database)
        memory = server.memory()
    finally:
        server.stop()
    count = args.rounds * args.per_round
    ops = {op: t.summary(count) for op, t in timings.items()}
    base = ops["create"]
    for s in ops.values():
        s["latency_ratio"] = round(s["mean_ms"] / base["mean_ms"], 2)
        s["throughput_ratio"] = round(s["ops_per_s"] / base["ops_per_s"], 3)
        s["cpu_ratio"] = round(s["server_cpu_us_per_op"] / base["server_cpu_us_per_op"], 2) \
            if base["server_cpu_us_per_op"] else None
    both = {"issue": ops["issue"], "draft": ops["draft + lines"]}
    ops["invoice (draft + lines + issue)"] = {
        "mean_ms": round(both["issue"]["mean_ms"] + both["draft"]["mean_ms"], 2),
        "server_cpu_us_per_op": both["issue"]["server_cpu_us_per_op"]
        + both["draft"]["server_cpu_us_per_op"]}
    whole = ops["invoice (draft + lines + issue)"]
    whole["ops_per_s"] = round(1000 / whole["mean_ms"], 1)
    whole["latency_ratio"] = round(whole["mean_ms"] / base["mean_ms"], 2)
    whole["throughput_ratio"] = round(whole["ops_per_s"] / base["ops_per_s"], 3)
    whole["cpu_ratio"] = round(whole["server_cpu_us_per_op"] / base["server_cpu_us_per_op"], 2)
    return {"database": kind, "operations": ops, "memory": memory}


def table(results: list[dict[str, Any]]) -> str:
    head = ["operation", "db", "ops/s", "p50 / mean / p99 ms", "latency x create",
            "throughput / create", "server CPU us/op", "CPU x create"]
    rows = []
    for db in results:
        for op, s in db["operations"].items():
            lat = (f"{s['p50_ms']:.1f} / {s['mean_ms']:.1f} / {s['p99_ms']:.1f}"
                   if "p50_ms" in s else f"- / {s['mean_ms']:.1f} / -")
            rows.append([op, db["database"], f"{s['ops_per_s']:,.1f}", lat,
                         f"{s['latency_ratio']:.2f}", f"{s['throughput_ratio']:.3f}",
                         f"{s['server_cpu_us_per_op']:,.0f}", f"{s['cpu_ratio']:.2f}"])
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(head)]
    out = ["| " + " | ".join(h.ljust(widths[i]) for i, h in enumerate(head)) + " |",
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += ["| " + " | ".join(v.ljust(widths[i]) for i, v in enumerate(r)) + " |" for r in rows]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="2 rounds of 10 (smoke run)")
    p.add_argument("--rounds", type=int, help="rounds (default 3)")
    p.add_argument("--per-round", type=int, help="operations of each kind per round (30)")
    p.add_argument("--lines", type=int, default=20, help="lines per invoice (20)")
    p.add_argument("--pg-url", default=os.environ.get(
        "BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL server to create the throwaway database on ($BENCH_PG_URL)")
    p.add_argument("--no-postgres", action="store_true")
    p.add_argument("--no-sqlite", action="store_true")
    p.add_argument("--out", type=Path, default=BENCH / "results" / "sales.json")
    args = p.parse_args(argv)
    args.rounds = args.rounds or (2 if args.quick else 3)
    args.per_round = args.per_round or (10 if args.quick else 30)
    started = time.monotonic()
    source = source_state()
    workdir = Path(tempfile.mkdtemp(prefix="comptoir-bench-sales-"))
    results: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    try:
        if not args.no_sqlite:
            results.append(bench_database("sqlite", f"sqlite:///{workdir / 'sales.db'}",
                                          workdir, args))
        if args.no_postgres:
            skipped["postgresql"] = "--no-postgres"
        elif (reason := pg_reachable(args.pg_url)) is not None:
            skipped["postgresql"] = f"not reachable at {args.pg_url}: {reason}"
        else:
            name = f"comptoir_bench_sales_{os.getpid()}_{secrets.token_hex(3)}"
            asyncio.run(pg_admin(args.pg_url, f'CREATE DATABASE "{name}"'))
            try:
                url = args.pg_url.rsplit("/", 1)[0] + "/" + name
                results.append(bench_database("postgresql", url, workdir, args))
            finally:
                asyncio.run(pg_admin(args.pg_url,
                                     f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
              "total_seconds": round(time.monotonic() - started, 1),
              "machine": machine(), "versions": versions(), "source": source,
              "settings": {"rounds": args.rounds, "per_round": args.per_round,
                           "lines": args.lines, "client": "httpx, one connection, sequential",
                           "server": "granian, 1 worker (comptoir serve)"},
              "skipped": skipped, "results": results}
    finish(args.out, report, table(results), skipped, source)
    print(f"total {report['total_seconds']} s; written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
