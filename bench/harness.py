"""The measuring harness shared by the benchmarks (bench/run.py, bench/query.py): server
processes, CPU and memory from /proc, one measured load run, and the facts recorded with
every result (machine, versions, commit).

    with servers(url, scratch, columns, admin_password) as (comptoir, raw):
        token = login(comptoir.port, "admin", admin_password)
        result = measure(gen, comptoir, load, seconds=5, connections=16, pg_database=None,
                         gate=2.0)          # req/s, latency, CPU per request, other load

`servers` starts `comptoir serve` (granian) and bench/baseline_app.py (the bare Starlette
ceiling) side by side on 127.0.0.1, each in its own session, and ends both sessions on
exit, errors and Ctrl-C included.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import random
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from loadgen import HOST, Load, LoadGenerator

BENCH = Path(__file__).resolve().parent
INSTANCE = "bench"
CLK_TCK = os.sysconf("SC_CLK_TCK")
#: the body of the `create` load (PUT /accounts)
CREATE_BODY = {"lastname": "Bench Ltd", "firstname": "Ann", "currency": "EUR", "type": 1,
               "customernum": "C-1000", "description": "created by bench/run.py"}


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


class CpuWindow:
    """CPU used over a stretch of time, from /proc: the server's process tree, the
    PostgreSQL processes of one database, this process and its children (the load
    generator), the loopback network stack (softirq), and the rest of the machine ("other":
    other jobs in this VM, above ~0.3 core the stretch was disturbed)."""

    def __init__(self, server: Server, pg_database: str | None) -> None:
        self.server, self.pg_database = server, pg_database
        self.s0 = cpu_ticks(server.pids)
        self.p0 = cpu_ticks(postgres_pids(pg_database)) if pg_database else {}
        self.m0, self.i0, _ = machine_ticks()
        self.c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.self0 = resource.getrusage(resource.RUSAGE_SELF)
        self.wall0 = time.monotonic()

    def close(self) -> dict[str, Any]:
        """Seconds of CPU (`*_s`) and cores (`*_cores`) since the window opened."""
        wall = time.monotonic() - self.wall0
        s1 = cpu_ticks(self.server.pids)
        p1 = cpu_ticks(postgres_pids(self.pg_database)) if self.pg_database else {}
        m1, i1, _ = machine_ticks()
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self1 = resource.getrusage(resource.RUSAGE_SELF)
        server_s = ticks_used(self.s0, s1) / CLK_TCK
        loadgen_s = (c1.ru_utime + c1.ru_stime - self.c0.ru_utime - self.c0.ru_stime
                     + self1.ru_utime + self1.ru_stime - self.self0.ru_utime - self.self0.ru_stime)
        pg_s = max(0, ticks_used(self.p0, p1)) / CLK_TCK
        machine_s = (m1 - self.m0) / CLK_TCK
        irq_s = (i1 - self.i0) / CLK_TCK  # softirq: mostly the loopback network stack
        # the rest of the machine: other jobs in this VM (tests, builds), kernel threads
        other_s = max(0.0, machine_s - server_s - loadgen_s - pg_s - irq_s)
        return {"wall_s": wall, "server_s": server_s,
                "server_cores": round(server_s / wall, 2),
                "loadgen_cores": round(loadgen_s / wall, 2),
                "db_cores": round(pg_s / wall, 2) if self.pg_database else None,
                "irq_cores": round(irq_s / wall, 2),
                "other_cores": round(other_s / wall, 2)}


def measure(gen: LoadGenerator, server: Server, load: Load, seconds: int, connections: int,
            pg_database: str | None, gate: float) -> dict[str, Any]:
    waited = quiet_gate(gate)
    window = CpuWindow(server, pg_database)
    result = gen.run(server.port, load, seconds, connections)
    cpu = window.close()
    rps = result["requests"] / result["seconds"] if result["seconds"] else 0.0
    result.update(
        rps=round(rps, 1),
        server_cores=cpu["server_cores"],
        server_cpu_us_per_req=round(cpu["server_s"] * 1e6 / result["requests"], 1)
        if result["requests"] else None,
        loadgen_cores=cpu["loadgen_cores"],
        db_cores=cpu["db_cores"],
        irq_cores=cpu["irq_cores"],
        other_cores=cpu["other_cores"],
        quiet_wait_s=waited,
    )
    for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms", "seconds"):
        result[k] = round(result[k], 3)
    return result


# --- database preparation (in-process, through Comptoir's own layers) ----------------------


async def pg_admin(url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def pg_reachable(url: str) -> str | None:
    """None if the server answers, else the reason."""
    try:
        asyncio.run(pg_admin(url, "SELECT 1"))
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "skip PostgreSQL"
        return f"{type(exc).__name__}: {exc}"



def databases(no_sqlite: bool, no_postgres: bool, pg_url: str) -> tuple[list[str], dict[str, str]]:
    """The databases a bench runs on ("sqlite", "postgresql"), and those skipped with why:
    PostgreSQL when asked (`--no-postgres`) or when its server does not answer."""
    kinds = [k for k, off in (("sqlite", no_sqlite), ("postgresql", no_postgres)) if not off]
    skipped: dict[str, str] = {}
    if "postgresql" in kinds and (reason := pg_reachable(pg_url)) is not None:
        skipped["postgresql"] = f"not reachable at {pg_url}: {reason}"
        log(f"[postgresql] skipped: {skipped['postgresql']}")
        kinds.remove("postgresql")
    return kinds, skipped


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


@contextlib.contextmanager
def servers(url: str, workdir: Path, columns: list[str],
            admin_password: str) -> Iterator[tuple[Server, Server]]:
    """`comptoir serve` and the raw baseline on the same database, both ready."""
    started: list[Server] = []
    try:
        env = {**os.environ, "COMPTOIR_ADMIN_PASSWORD": admin_password}
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


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "cpu": cpu_model(), "kernel": platform.release()}


def finish(out: Path, report: dict[str, Any], table: str, skipped: dict[str, str],
           source: dict[str, Any]) -> None:
    """Write a bench's report as JSON, print its table, what was skipped and the source."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(table)
    if skipped:
        print("\nskipped: " + "; ".join(f"{k}: {v}" for k, v in skipped.items()))
    print(f"\nsource: {source['commit']} {source['subject']!r}"
          + (f" + uncommitted {', '.join(source['uncommitted_src'])}"
             if source["uncommitted_src"] else ""))


#: one endpoint to load: its name, the raw server's load (None: compare with the previous
#: endpoint's raw figure), Comptoir's load, and the status both must answer
Plan = list[tuple[str, Load | None, Load, int]]


def measure_pairs(gen: LoadGenerator, raw: Server, comptoir: Server, plan: Plan, *,
                  warmup: int, seconds: int, connections: int, pg_database: str | None,
                  gate: float) -> list[tuple[str, dict[str, Any], dict[str, Any], float]]:
    """Check every endpoint answers, warm both servers up, then load each endpoint on the
    raw server and on Comptoir right after it: (name, Comptoir, raw, Comptoir/raw)."""
    for name, raw_load, c_load, status in plan:
        if raw_load is not None:
            sanity(raw.port, raw_load, status, f"raw {name}")
        sanity(comptoir.port, c_load, status, f"comptoir {name}")
    for _name, raw_load, c_load, _status in plan:
        if raw_load is not None:
            gen.run(raw.port, raw_load, warmup, connections)
        gen.run(comptoir.port, c_load, warmup, connections)
    found, raw_result = [], {}
    for name, raw_load, c_load, _status in plan:
        if raw_load is not None:
            raw_result = measure(gen, raw, raw_load, seconds, connections, pg_database, gate)
        c_result = measure(gen, comptoir, c_load, seconds, connections, pg_database, gate)
        ratio = c_result["rps"] / raw_result["rps"] if raw_result["rps"] else 0.0
        found.append((name, c_result, raw_result, ratio))
    return found
