"""Webhook latency: from a committed change to the first attempt at a healthy endpoint,
while another endpoint hangs (issue 5's target: p99 under 1 s).

    .venv/bin/python bench/webhooks.py [--events 600] [--rate 40] [--worker in-process|separate]
                                       [--no-postgres] [--pg-url URL]   (make bench-webhooks)

For SQLite, then PostgreSQL (a fresh database on --pg-url's server, dropped at the end):

1. a fresh database is migrated, with the admin and two webhook endpoints wanting every
   event: `healthy`, a receiver in this process answering 200 at once, and `hanging`, a
   receiver that reads each request and never answers (the worker gives up after its 15 s
   timeout, so during the whole run as many attempts of it are in flight as the worker
   lets one endpoint have);
2. `comptoir serve` starts (granian, 1 worker) with its in-process webhook worker, or with
   `--worker separate` without it and with a `comptoir worker` process beside it;
3. `--events` contacts are created through the REST API (PUT), `--rate` per second, one
   at a time; the latency of an event is its arrival at the healthy receiver minus the
   event's `timestamp` (taken inside the change's transaction, before the commit: an upper
   bound of commit-to-first-attempt);
4. the ceiling, measured in the same run: this process's own round trip to the healthy
   receiver (an empty POST), the least any delivery can take.

Prints the table and writes bench/results/webhooks.json.  Everything listens on
127.0.0.1; every process started here is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
from harness import (
    BENCH,
    INSTANCE,
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
TARGET_P99_MS = 1000.0
_LENGTH = re.compile(rb"content-length:\s*(\d+)", re.IGNORECASE)


class Receiver:
    """An HTTP/1.1 server on 127.0.0.1 (asyncio, keep-alive): `healthy` answers 200 at once
    and notes each event's arrival; `hanging` reads the request and never answers."""

    def __init__(self, hanging: bool) -> None:
        self.hanging = hanging
        self.arrivals: dict[str, tuple[float, float]] = {}  # event id -> (occurred, arrived)
        self.requests = 0
        self.open = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._serve, HOST, 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://{HOST}:{port}/hook"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                found = _LENGTH.search(head)
                body = await reader.readexactly(int(found.group(1)) if found else 0)
                arrived = time.time()
                self.requests += 1
                if self.hanging:
                    await asyncio.sleep(3600)
                if body:
                    event = orjson.loads(body)
                    occurred = datetime.fromisoformat(event["timestamp"]).timestamp()
                    self.arrivals.setdefault(event["id"], (occurred, arrived))
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self.open -= 1
            writer.close()

    def close(self) -> None:
        if self.server is not None:
            self.server.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _setup(url: str, healthy: str, hanging: str) -> None:
    from comptoir.events.network import parse_networks
    from comptoir.services import auth, webhooks
    from comptoir.services.access import Caller
    from comptoir.storage import migrate
    from comptoir.storage.database import open_database

    await asyncio.to_thread(migrate.upgrade, url)
    db = open_database(url)
    await db.open()
    try:
        admin = await auth.create_user(db, "admin", ADMIN_PASSWORD, admin=True)
        caller = Caller(user=admin, name="admin", admin=True)
        for target in (healthy, hanging):
            await webhooks.create_endpoint(db, caller, target, ["*"],
                                           allowed=parse_networks("127.0.0.0/8"))
    finally:
        await db.close()


async def _ceiling(target: str, count: int = 200) -> list[float]:
    async with httpx.AsyncClient() as client:
        times = []
        for _ in range(count):
            started = time.perf_counter()
            await client.post(target, content=b"")
            times.append((time.perf_counter() - started) * 1000)
    return times


async def _changes(port: int, token: str, events: int, rate: float) -> float:
    """PUT `events` contacts at `rate` per second; returns the seconds it took."""
    base = f"http://{HOST}:{port}/{INSTANCE}/api/v1/contacts"
    started = time.monotonic()
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as client:
        for n in range(events):
            await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
            answer = await client.put(base, json={"lastname": f"Hook {n}"})
            if answer.status_code != 201:
                raise RuntimeError(f"PUT /contacts answered {answer.status_code}: "
                                   f"{answer.text[:300]}")
    return time.monotonic() - started


def _processes(url: str, workdir: Path, worker: str) -> list[Server]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPTOIR_")}
    env.update(COMPTOIR_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8",
               COMPTOIR_WEBHOOK_WORKER="1" if worker == "in-process" else "0")
    exe = Path(sys.executable).parent / "comptoir"
    cli = [str(exe)] if exe.exists() else [sys.executable, "-m", "comptoir.cli"]
    port = free_port()
    started = [Server("comptoir", [*cli, "serve", "--host", HOST, "--port", str(port),
                                   "--database", url, "--instance", INSTANCE],
                      env, port, workdir)]
    if worker == "separate":
        started.append(Server("worker", [*cli, "worker", "--database", url], env, 0, workdir))
    return started


async def bench_database(name: str, url: str, workdir: Path,
                         args: argparse.Namespace) -> dict[str, Any]:
    healthy, hanging = Receiver(hanging=False), Receiver(hanging=True)
    healthy_url, hanging_url = await healthy.start(), await hanging.start()
    await _setup(url, healthy_url, hanging_url)
    procs = _processes(url, workdir, args.worker)
    try:
        await asyncio.to_thread(procs[0].wait_ready)
        token = await asyncio.to_thread(login, procs[0].port, "admin", ADMIN_PASSWORD)
        ceiling = await _ceiling(healthy_url)
        log(f"[{name}] {args.events} changes at {args.rate}/s, worker {args.worker}")
        took = await _changes(procs[0].port, token, args.events, args.rate)
        deadline = time.monotonic() + 30
        while len(healthy.arrivals) < args.events and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        hanging_in_flight = hanging.open
    finally:
        for proc in procs:
            proc.stop()
        healthy.close()
        hanging.close()
    latencies = [(arrived - occurred) * 1000 for occurred, arrived in healthy.arrivals.values()]
    if not latencies:
        raise RuntimeError(f"[{name}] no event reached the healthy receiver; log:\n"
                           + procs[0].logpath.read_text()[-3000:])
    p99 = percentile(latencies, 0.99)
    return {
        "database": name, "worker": args.worker, "events": args.events, "rate": args.rate,
        "changes_seconds": round(took, 1), "delivered": len(healthy.arrivals),
        "hanging_requests": hanging.requests, "hanging_in_flight_at_end": hanging_in_flight,
        "p50_ms": round(statistics.median(latencies), 1),
        "p90_ms": round(percentile(latencies, 0.90), 1), "p99_ms": round(p99, 1),
        "max_ms": round(max(latencies), 1),
        "ceiling_p50_ms": round(statistics.median(ceiling), 2),
        "ceiling_p99_ms": round(percentile(ceiling, 0.99), 2),
        "p99_of_target": round(p99 / TARGET_P99_MS, 2),
    }


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| database | worker | delivered | p50 ms | p90 ms | p99 ms | max ms "
             "| p99 / 1 s | receiver round trip p50 / p99 ms | hanging attempts |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(
            f"| {r['database']} | {r['worker']} | {r['delivered']}/{r['events']} "
            f"| {r['p50_ms']} | {r['p90_ms']} | {r['p99_ms']} | {r['max_ms']} "
            f"| {r['p99_of_target']} | {r['ceiling_p50_ms']} / {r['ceiling_p99_ms']} "
            f"| {r['hanging_requests']} ({r['hanging_in_flight_at_end']} in flight) |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=600)
    p.add_argument("--rate", type=float, default=40.0, help="changes per second")
    p.add_argument("--worker", choices=("in-process", "separate"), default="in-process")
    p.add_argument("--pg-url", default=os.environ.get(
        "BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    p.add_argument("--no-postgres", action="store_true")
    p.add_argument("--no-sqlite", action="store_true")
    p.add_argument("--out", type=Path, default=BENCH / "results" / "webhooks.json")
    args = p.parse_args(argv)
    source = source_state()
    workdir = Path(tempfile.mkdtemp(prefix="comptoir-bench-hooks-"))
    results: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    try:
        if not args.no_sqlite:
            results.append(asyncio.run(bench_database(
                "sqlite", f"sqlite:///{workdir / 'bench.db'}", workdir, args)))
        if args.no_postgres:
            skipped["postgresql"] = "--no-postgres"
        elif (reason := pg_reachable(args.pg_url)) is not None:
            skipped["postgresql"] = f"not reachable at {args.pg_url}: {reason}"
        else:
            name = f"comptoir_hooks_{os.getpid()}_{secrets.token_hex(3)}"
            asyncio.run(pg_admin(args.pg_url, f'CREATE DATABASE "{name}"'))
            try:
                url = args.pg_url.rsplit("/", 1)[0] + "/" + name
                results.append(asyncio.run(bench_database("postgresql", url, workdir, args)))
            finally:
                with contextlib.suppress(Exception):
                    asyncio.run(pg_admin(args.pg_url,
                                         f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine(),
              "versions": versions(), "source": source, "target_p99_ms": TARGET_P99_MS,
              "skipped": skipped, "results": results}
    finish(args.out, report, table(results), skipped, source)
    return 0


if __name__ == "__main__":
    sys.exit(main())
