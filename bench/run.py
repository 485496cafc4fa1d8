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
import contextlib
import json
import os
import platform
import random
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
INSTANCE = "bench"
ADMIN_PASSWORD = "bench-admin-" + secrets.token_hex(4)
USER_NAME, USER_PASSWORD = "bench_user", "bench-user-" + secrets.token_hex(4)
CLK_TCK = os.sysconf("SC_CLK_TCK")
HOST = "127.0.0.1"
CREATE_BODY = {"lastname": "Bench Ltd", "firstname": "Ann", "currency": "EUR", "type": 1,
               "customernum": "C-1000", "description": "created by bench/run.py"}

# §8 of the reference: Comptoir req/s as a share of the raw req/s, same run.
TARGETS = {
    ("health", None): 0.80,
    ("get", "sqlite"): 0.50, ("get", "postgresql"): 0.70,
    ("get (user)", "sqlite"): 0.50, ("get (user)", "postgresql"): 0.70,
    ("create", "sqlite"): 0.50, ("create", "postgresql"): 0.70,
}


def log(*args: Any) -> None:
    print(*args, file=sys.stderr, flush=True)


# --- processes and /proc ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # fields after the command name, which may contain spaces: state is index 0 here
    return raw[raw.rindex(")") + 2:].split()


def session_pids(sid: int) -> list[int]:
    """Processes in session `sid` (a server started with start_new_session=True)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st is not None and int(st[3]) == sid:
                found.append(int(entry))
    return found


def postgres_pids(database: str) -> list[int]:
    """PostgreSQL processes working for `database`: its client backends and the server's
    auxiliary processes (WAL writer, checkpointer, ...); other databases' backends (other
    people's tests on the same server) are left out."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError):
            if Path(f"/proc/{entry}/comm").read_text().strip() != "postgres":
                continue
            title = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            client = "(" in title or "[local]" in title  # "user db 127.0.0.1(port) state"
            if not client or f" {database} " in title:
                found.append(int(entry))
    return found


def cpu_ticks(pids: list[int]) -> dict[int, int]:
    """utime + stime of each process, in clock ticks."""
    ticks = {}
    for pid in pids:
        st = _stat(pid)
        if st is not None:
            ticks[pid] = int(st[11]) + int(st[12])
    return ticks


def ticks_used(before: dict[int, int], after: dict[int, int]) -> int:
    """CPU used between two snapshots by the processes alive at the second one."""
    return sum(t - before.get(pid, 0) for pid, t in after.items())


def machine_ticks() -> tuple[int, int, int]:
    """(busy, irq + softirq, total) jiffies of the whole machine."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return total - idle, values[5] + values[6], total


def memory_of(pid: int) -> dict[str, int]:
    out = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) // 1024  # MiB
    return out


class Server:
    """A server subprocess in its own session; `stop()` ends the whole session."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], port: int,
                 logdir: Path) -> None:
        self.name, self.port = name, port
        self.logpath = logdir / f"{name}.log"
        self._log = open(self.logpath, "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(cmd, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    @property
    def pids(self) -> list[int]:
        return session_pids(self.proc.pid)

    def wait_ready(self, path: str = "/healthz", timeout: float = 60) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://{HOST}:{self.port}{path}", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start; log:\n{self.logpath.read_text()[-3000:]}")

    def memory(self) -> dict[str, Any]:
        """RSS of each process of the server (granian: the supervisor and its worker)."""
        procs = []
        for pid in sorted(self.pids):
            mem = memory_of(pid)
            if mem:
                procs.append({"pid": pid, "role": "main" if pid == self.proc.pid else "worker",
                              "rss_mib": mem.get("VmRSS"), "peak_rss_mib": mem.get("VmHWM")})
        return {"processes": procs, "total_rss_mib": sum(p["rss_mib"] or 0 for p in procs)}

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
        # whatever is left in the session (a worker that ignored SIGTERM)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        self._log.close()


# --- load generation ----------------------------------------------------------------------


@dataclass
class Load:
    """One request shape: `path` + a random ID in 1..id_max; a fixed body or one with a
    random `offset` in 0..offset_max."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    id_max: int | None = None
    body: dict[str, Any] | None = None
    offset_max: int | None = None

    def make(self, rnd: random.Random) -> tuple[str, bytes | None]:
        path = self.path + (str(rnd.randint(1, self.id_max)) if self.id_max else "")
        if self.body is None:
            return path, None
        body = dict(self.body)
        if self.offset_max is not None:
            body["offset"] = rnd.randint(0, self.offset_max)
        return path, json.dumps(body, separators=(",", ":")).encode()


def _lua_str(s: str) -> str:
    return json.dumps(s)  # a JSON string literal is a valid Lua string literal here (ASCII)


def wrk_script(load: Load) -> str:
    headers = dict(load.headers)
    if load.body is not None:
        headers["Content-Type"] = "application/json"
    hdr = ", ".join(f"[{_lua_str(k)}] = {_lua_str(v)}" for k, v in headers.items())
    lines = [f"local headers = {{{hdr}}}"]
    path = _lua_str(load.path) + (f" .. math.random(1, {load.id_max})" if load.id_max else "")
    if load.body is None:
        body = "nil"
    elif load.offset_max is not None:
        base = {k: v for k, v in load.body.items() if k != "offset"}
        text = json.dumps(base, separators=(",", ":"))
        prefix = text[:-1] + ("," if base else "") + '"offset":'
        body = f"{_lua_str(prefix)} .. math.random(0, {load.offset_max}) .. \"}}\""
    else:
        body = _lua_str(json.dumps(load.body, separators=(",", ":")))
    lines += [
        "request = function()",
        f"  return wrk.format({_lua_str(load.method)}, {path}, headers, {body})",
        "end",
        "done = function(summary, latency, requests)",
        "  local e = summary.errors",
        '  io.write(string.format("BENCHJSON {\\"requests\\":%d,\\"duration_us\\":%d,'
        '\\"p50_us\\":%d,\\"p90_us\\":%d,\\"p99_us\\":%d,\\"max_us\\":%d,'
        '\\"connect\\":%d,\\"read\\":%d,\\"write\\":%d,\\"status\\":%d,\\"timeout\\":%d}\\n",',
        "    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),",
        "    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status,",
        "    e.timeout))",
        "end",
    ]
    return "\n".join(lines) + "\n"


def run_wrk(port: int, load: Load, seconds: int, connections: int, workdir: Path) -> dict[str, Any]:
    script = workdir / f"load_{secrets.token_hex(4)}.lua"
    script.write_text(wrk_script(load))
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s",
           "-s", str(script), f"http://{HOST}:{port}/"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30)
    script.unlink()
    for line in out.stdout.splitlines():
        if line.startswith("BENCHJSON "):
            r = json.loads(line[len("BENCHJSON "):])
            errors = r["connect"] + r["read"] + r["write"] + r["timeout"]
            return {"requests": r["requests"], "seconds": r["duration_us"] / 1e6,
                    "p50_ms": r["p50_us"] / 1000, "p90_ms": r["p90_us"] / 1000,
                    "p99_ms": r["p99_us"] / 1000, "max_ms": r["max_us"] / 1000,
                    "http_errors": r["status"], "socket_errors": errors}
    raise RuntimeError(f"wrk gave no result:\n{out.stdout}\n{out.stderr}")


async def _python_load(port: int, load: Load, seconds: float,
                       connections: int) -> dict[str, Any]:
    latencies: list[float] = []
    counts = {"status": 0, "socket": 0}
    start = time.perf_counter()
    deadline = start + seconds

    async def worker(seed: int) -> None:
        rnd = random.Random(seed)
        try:
            reader, writer = await asyncio.open_connection(HOST, port)
        except OSError:
            counts["socket"] += 1
            return
        base = "".join(f"{k}: {v}\r\n" for k, v in load.headers.items())
        try:
            while time.perf_counter() < deadline:
                path, body = load.make(rnd)
                head = f"{load.method} {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n{base}"
                if body is not None:
                    head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                t0 = time.perf_counter()
                writer.write(head.encode() + b"\r\n" + (body or b""))
                raw = await reader.readuntil(b"\r\n\r\n")
                status = int(raw[9:12])
                low = raw.lower()
                i = low.find(b"content-length:")
                if i >= 0:
                    await reader.readexactly(int(low[i + 15:low.index(b"\r\n", i)]))
                latencies.append(time.perf_counter() - t0)
                if status >= 400:
                    counts["status"] += 1
        except (OSError, asyncio.IncompleteReadError, ValueError):
            counts["socket"] += 1
        finally:
            writer.close()

    await asyncio.gather(*(worker(i) for i in range(connections)))
    elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 \
            if latencies else 0.0

    return {"requests": len(latencies), "seconds": elapsed, "p50_ms": pct(50), "p90_ms": pct(90),
            "p99_ms": pct(99), "max_ms": pct(100), "http_errors": counts["status"],
            "socket_errors": counts["socket"]}


class LoadGenerator:
    def __init__(self, force_python: bool, workdir: Path) -> None:
        self.wrk = None if force_python else shutil.which("wrk")
        self.workdir = workdir
        if self.wrk:
            out = subprocess.run([self.wrk, "--version"], capture_output=True, text=True)
            self.name = (out.stdout or out.stderr).split("Copyright")[0].strip() or "wrk"
        else:
            self.name = "python asyncio client (in the bench process)"

    def run(self, port: int, load: Load, seconds: int, connections: int) -> dict[str, Any]:
        if self.wrk:
            return run_wrk(port, load, seconds, connections, self.workdir)
        return asyncio.run(_python_load(port, load, seconds, connections))


# --- one measurement, with CPU accounting --------------------------------------------------


def quiet_gate(max_wait: float, threshold: float = 0.3) -> float:
    """Wait (at most max_wait s) until the machine is idle: < threshold cores busy over
    0.5 s.  Returns the seconds waited."""
    start = time.monotonic()
    while True:
        b0, _, t0 = machine_ticks()
        time.sleep(0.5)
        b1, _, t1 = machine_ticks()
        ncpu = os.cpu_count() or 1
        cores = (b1 - b0) / max(1, t1 - t0) * ncpu
        waited = time.monotonic() - start
        if cores < threshold or waited >= max_wait:
            return round(waited, 1)


def measure(gen: LoadGenerator, server: Server, load: Load, seconds: int, connections: int,
            pg_database: str | None, gate: float) -> dict[str, Any]:
    waited = quiet_gate(gate)
    pg = pg_database is not None
    s0 = cpu_ticks(server.pids)
    p0 = cpu_ticks(postgres_pids(pg_database)) if pg_database else {}
    m0, i0, _ = machine_ticks()
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    self0 = resource.getrusage(resource.RUSAGE_SELF)
    wall0 = time.monotonic()
    result = gen.run(server.port, load, seconds, connections)
    wall = time.monotonic() - wall0
    s1 = cpu_ticks(server.pids)
    p1 = cpu_ticks(postgres_pids(pg_database)) if pg_database else {}
    m1, i1, _ = machine_ticks()
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    self1 = resource.getrusage(resource.RUSAGE_SELF)
    server_s = ticks_used(s0, s1) / CLK_TCK
    loadgen_s = (c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime
                 + self1.ru_utime + self1.ru_stime - self0.ru_utime - self0.ru_stime)
    pg_s = max(0, ticks_used(p0, p1)) / CLK_TCK
    machine_s = (m1 - m0) / CLK_TCK
    irq_s = (i1 - i0) / CLK_TCK  # softirq: mostly the loopback network stack
    rps = result["requests"] / result["seconds"] if result["seconds"] else 0.0
    result.update(
        rps=round(rps, 1),
        server_cores=round(server_s / wall, 2),
        server_cpu_us_per_req=round(server_s * 1e6 / result["requests"], 1)
        if result["requests"] else None,
        loadgen_cores=round(loadgen_s / wall, 2),
        db_cores=round(pg_s / wall, 2) if pg else None,
        irq_cores=round(irq_s / wall, 2),
        # the rest of the machine: other jobs in this VM (tests, builds), kernel threads
        other_cores=round(max(0.0, machine_s - server_s - loadgen_s - pg_s - irq_s) / wall, 2),
        quiet_wait_s=waited,
    )
    for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms", "seconds"):
        result[k] = round(result[k], 3)
    return result


# --- database preparation (in-process, through Comptoir's own layers) ----------------------


async def _pg_admin(url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def pg_reachable(url: str) -> str | None:
    """None if the server answers, else the reason."""
    try:
        asyncio.run(_pg_admin(url, "SELECT 1"))
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "skip PostgreSQL"
        return f"{type(exc).__name__}: {exc}"


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


def login(port: int, name: str, password: str) -> str:
    import httpx

    r = httpx.post(f"http://{HOST}:{port}/{INSTANCE}/auth/v1/login",
                   data={"name": name, "password": password, "identifier": "bench"}, timeout=30)
    r.raise_for_status()
    return str(r.json()["token"])


def sanity(port: int, load: Load, expect: int, what: str) -> None:
    """One request of this shape must succeed: never measure error responses."""
    import httpx

    path, body = load.make(random.Random(1))
    headers = dict(load.headers)
    if body is not None:
        headers["Content-Type"] = "application/json"
    r = httpx.request(load.method, f"http://{HOST}:{port}{path}", headers=headers, content=body,
                      timeout=30)
    if r.status_code != expect:
        raise RuntimeError(f"{what}: {load.method} {path} answered {r.status_code}: {r.text[:300]}")


# --- one database ----------------------------------------------------------------------------


@dataclass
class Options:
    seconds: int
    warmup: int
    connections: int
    accounts: int
    gate: float
    with_health: bool = True


@contextlib.contextmanager
def servers(url: str, workdir: Path, columns: list[str]) -> Iterator[tuple[Server, Server]]:
    started: list[Server] = []
    try:
        env = {**os.environ, "COMPTOIR_ADMIN_PASSWORD": ADMIN_PASSWORD}
        for key in [k for k in env if k.startswith("COMPTOIR_") and k != "COMPTOIR_ADMIN_PASSWORD"]:
            del env[key]
        exe = Path(sys.executable).parent / "comptoir"
        cli = [str(exe)] if exe.exists() else [sys.executable, "-m", "comptoir.cli"]
        port = free_port()
        comptoir = Server("comptoir", [*cli, "serve", "--server", "granian", "--host", HOST,
                                       "--port", str(port), "--database", url,
                                       "--instance", INSTANCE], env, port, workdir)
        started.append(comptoir)
        raw_env = {**env, "BASELINE_DATABASE_URL": url, "BASELINE_TABLE": "accounts",
                   "BASELINE_COLUMNS": ",".join(columns),
                   "PYTHONPATH": os.pathsep.join(filter(None, [str(BENCH),
                                                               env.get("PYTHONPATH")]))}
        # the server options of `comptoir serve`, read in a separate process
        out = subprocess.run([sys.executable, str(BENCH / "baseline_app.py"), "--print-options"],
                             env={**env, "BASELINE_DATABASE_URL": url}, capture_output=True,
                             text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"baseline_app.py --print-options failed:\n{out.stderr[-2000:]}")
        raw_env["BASELINE_GRANIAN_OPTIONS"] = out.stdout.strip().splitlines()[-1]
        port = free_port()
        raw = Server("raw", [sys.executable, str(BENCH / "baseline_app.py"), "--port", str(port)],
                     raw_env, port, workdir)
        started.append(raw)
        comptoir.wait_ready()
        raw.wait_ready()
        yield comptoir, raw
    finally:
        for s in started:
            s.stop()


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
    with servers(url, workdir, info["columns"]) as (comptoir, raw):
        admin = {"Authorization": "Bearer " + login(comptoir.port, "admin", ADMIN_PASSWORD)}
        user = {"Authorization": "Bearer " + login(comptoir.port, USER_NAME, USER_PASSWORD)}
        api = f"/{INSTANCE}/api/v1/accounts"
        n = opts.accounts
        page = {"limit": 100, "offset": 0}
        # (endpoint, raw load or None = reuse the previous raw figure, Comptoir load, status)
        plan: list[tuple[str, Load | None, Load, int]] = []
        if opts.with_health:
            plan.append(("health", Load("GET", "/healthz"), Load("GET", "/healthz"), 200))
        plan += [
            ("get", Load("GET", "/items/", id_max=n), Load("GET", api + "/", admin, id_max=n), 200),
            ("get (user)", None, Load("GET", api + "/", user, id_max=n), 200),
            ("create", Load("PUT", "/items", body=CREATE_BODY),
             Load("PUT", api, admin, body=CREATE_BODY), 201),
            ("list 100", Load("POST", "/items", body=page, offset_max=n - 100),
             Load("POST", api, admin, body=page, offset_max=n - 100), 200),
        ]
        for name, raw_load, c_load, status in plan:
            if raw_load is not None:
                sanity(raw.port, raw_load, status, f"raw {name}")
            sanity(comptoir.port, c_load, status, f"comptoir {name}")
        log(f"[{kind}] warm-up ({opts.warmup} s per endpoint and server)")
        for _name, raw_load, c_load, _status in plan:
            if raw_load is not None:
                gen.run(raw.port, raw_load, opts.warmup, opts.connections)
            gen.run(comptoir.port, c_load, opts.warmup, opts.connections)
        raw_result: dict[str, Any] = {}
        for name, raw_load, c_load, _status in plan:
            if raw_load is not None:
                raw_result = measure(gen, raw, raw_load, opts.seconds, opts.connections,
                                     pg_database, opts.gate)
            c_result = measure(gen, comptoir, c_load, opts.seconds, opts.connections,
                               pg_database, opts.gate)
            database = None if name == "health" else kind
            target = TARGETS.get((name, database))
            ratio = c_result["rps"] / raw_result["rps"] if raw_result["rps"] else 0.0
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


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("comptoir", "granian", "starlette", "sqlalchemy", "asyncpg", "orjson", "uvloop"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    out["sqlite"] = __import__("sqlite3").sqlite_version
    return out


def source_state() -> dict[str, Any]:
    """The commit measured, and the files of src/ that differ from it (uncommitted work)."""
    root = BENCH.parent

    def git(*args: str) -> str:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(["git", "-C", str(root), *args], capture_output=True,
                                 text=True, timeout=10)
            if out.returncode == 0:
                return out.stdout.rstrip("\n")
        return ""

    dirty = [line[3:] for line in git("status", "--porcelain", "--", "src").splitlines() if line]
    return {"commit": git("rev-parse", "--short", "HEAD") or None,
            "subject": git("log", "-1", "--format=%s") or None, "uncommitted_src": dirty}


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


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
            asyncio.run(_pg_admin(args.pg_url, f'CREATE DATABASE "{name}"'))
            try:
                url = args.pg_url.rsplit("/", 1)[0] + "/" + name
                results.append(bench_database("postgresql", url, gen, opts, workdir))
            finally:
                asyncio.run(_pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "total_seconds": round(time.monotonic() - started, 1),
        "machine": {"cpus": os.cpu_count(), "cpu": cpu_model(), "kernel": platform.release()},
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
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(table(results))
    if skipped:
        print("\nskipped: " + "; ".join(f"{k}: {v}" for k, v in skipped.items()))
    print(f"\nsource: {source['commit']} {source['subject']!r}"
          + (f" + uncommitted {', '.join(source['uncommitted_src'])}"
             if source["uncommitted_src"] else ""))
    print(f"load generator: {gen.name}; {opts.seconds} s per run, c{opts.connections}; "
          f"total {report['total_seconds']} s; written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
