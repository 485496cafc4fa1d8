"""The query benchmark: list, count and CSV export on N accounts with contacts, and the point
GET and create against the bare ceiling, on SQLite and on PostgreSQL.

    make bench-query N=1000000                 # both databases; installs wrk when missing
    .venv/bin/python bench/query.py --accounts 1000000 [--runs 30] [--export-runs 3]
        [--no-sqlite] [--no-postgres] [--pg-url URL] [--fresh] [--seconds 5]
    .venv/bin/python bench/query.py --accounts 10000 --runs 5 --export-runs 1 --seconds 2

For each database:
1. the data set of bench/dataset.py (N accounts, N contacts, users and groups): built, or
   reused when a kept copy matches (`--fresh` rebuilds);
2. `comptoir serve` and the bare Starlette ceiling (bench/baseline_app.py) start side by
   side, as in bench/run.py, and `admin` and `bench_user` (a group member: the visibility
   rules apply, to the joined contacts too) log in;
3. `POST /bench/api/v1/accounts`, one request at a time on one keep-alive connection,
   `--runs` times each, as each caller, after 3 unmeasured runs:
     list   {"fields": {id, name, city: contact.city, country: contact.country,
                        agent: assigneduser.name},
             "filter": {"contact.country": {"IN": ["DE", "AT"]}, "visibility": 0},
             "sort": ["-lastmodified"], "limit": 100}
     count  {"count": 1, "filter": (the same)}
   Each request is followed by the engine's own SQL for it, compiled in this process by
   Comptoir's compiler and run on the bare driver ("SQL alone": what the request costs
   beyond the database).  Its plan is recorded (EXPLAIN QUERY PLAN / EXPLAIN ANALYZE);
4. the CSV export of every account with the same fields (and of the filtered ones),
   `--export-runs` times, streamed and counted line by line: rows/s, time to the first
   byte, and the server's peak RSS, sampled from /proc every 10 ms during the export.
   Exports are for admins; bench_user's is tried once, for its status.  The ceiling is
   the same SQL straight from the driver: COPY ... TO STDOUT on PostgreSQL, sqlite3 +
   `csv.writer` on SQLite;
5. wrk (-t1 -c16, `--seconds` each, after a 1 s warm-up): GET /accounts/{random ID} as
   admin and as bench_user (IDs it may see), and PUT /accounts, each right after the raw
   server's GET /items/{ID} or PUT /items: the ratio of the two is the result.
The accounts created in step 5 are deleted at the end (and before the next run).

Figures are medians and p99 by nearest rank (with 30 runs, the p99 is the slowest run).
Targets (issue 3, PostgreSQL at 1,000,000 accounts): list p50 < 20 ms, count p50 < 200 ms,
export > 100,000 rows/s with the server under 200 MB RSS, point GET >= 50% of the bare
ceiling.  SQLite figures are shown against the same numbers, for information.

Prints the tables (Markdown) and writes bench/results/query-latest.json.  Everything
listens on 127.0.0.1; every process started here is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import math
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dataset
import httpx
from harness import (
    BENCH,
    CREATE_BODY,
    HOST,
    INSTANCE,
    CpuWindow,
    Plan,
    Server,
    databases,
    finish,
    log,
    login,
    machine,
    measure_pairs,
    memory_of,
    quiet_gate,
    servers,
    source_state,
    versions,
)
from loadgen import Load, LoadGenerator

RESULTS = BENCH / "results"
FIELDS = {"id": "ID", "name": "lastname", "city": "contact.city", "country": "contact.country",
          "agent": "assigneduser.name"}
FILTER = {"contact.country": {"IN": ["DE", "AT"]}, "visibility": 0}
QUERIES = {
    "list": {"fields": FIELDS, "filter": FILTER, "sort": ["-lastmodified"], "limit": 100},
    "count": {"count": 1, "filter": FILTER},
}
EXPORTS = {
    "export (all rows)": {"export": 1, "fields": FIELDS},
    "export (filtered)": {"export": 1, "fields": FIELDS, "filter": FILTER},
}
PROBE = {"fields": ["ID", "contact.city"], "limit": 1}
WARMUP_RUNS = 3
# issue 3, on PostgreSQL at 1M accounts
TARGET_LIST_P50_MS, TARGET_COUNT_P50_MS = 20.0, 200.0
TARGET_EXPORT_ROWS_S, TARGET_EXPORT_RSS_MIB = 100_000, 200
TARGET_GET_RATIO = 0.50


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary(ms: list[float]) -> dict[str, Any]:
    return {"runs": len(ms), "p50_ms": round(percentile(ms, 50), 2),
            "p99_ms": round(percentile(ms, 99), 2), "min_ms": round(min(ms), 2),
            "max_ms": round(max(ms), 2)}


# --- the engine's SQL on the bare driver ---------------------------------------------------


class Driver:
    """The bench database through its bare driver, in this process: stdlib sqlite3 (with
    Comptoir's pragmas) or one asyncpg connection (statements prepared and cached, as on
    Comptoir's pool)."""

    def __init__(self, data: dataset.DataSet) -> None:
        from comptoir.storage.database import SqliteDatabase, open_database

        self.kind, self.url = data.kind, data.url
        db = open_database(data.url)
        self.dialect = db.dialect
        self.runner: asyncio.Runner | None = None
        if isinstance(db, SqliteDatabase):
            self.lite = db.connect()  # Comptoir's own pragmas and SQL functions
        else:
            import asyncpg

            self.runner = asyncio.Runner()
            self.pg = self.runner.run(asyncpg.connect(data.url))

    def close(self) -> None:
        if self.runner is not None:
            self.runner.run(self.pg.close())
            self.runner.close()
        else:
            self.lite.close()

    def statement(self, caller: Any, body: dict[str, Any]) -> tuple[str, list[Any]]:
        """The SQL and values the engine runs for `body` and `caller` (services/queries.py:
        parse, compile with the caller's visibility rules, bind)."""
        from comptoir.query import compiler, json_query
        from comptoir.schema.registry import ENTITIES
        from comptoir.services.access import visible_on
        from comptoir.storage.database import compile_sql

        query, _export = json_query.parse(ENTITIES["accounts"], body)
        statement = compiler.compile_query(
            query, lambda entity, table, prefix: visible_on(entity, caller, table, prefix))
        compiled = compile_sql(statement, self.dialect, reusable=True)
        params = compiler.bind(query)
        params["caller"] = caller.user
        return compiled.sql, compiled.args(params)

    def fetch(self, sql: str, args: list[Any]) -> list[tuple[Any, ...]]:
        if self.runner is not None:
            return [tuple(r) for r in self.runner.run(self.pg.fetch(sql, *args))]
        return self.lite.execute(sql, args).fetchall()

    def explain(self, sql: str, args: list[Any], analyze: bool = True) -> list[str]:
        """The plan (PostgreSQL: with `analyze`, as run, with timings and buffers)."""
        if self.runner is not None:
            how = "EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN "
            return [r[0] for r in self.runner.run(self.pg.fetch(how + sql, *args))]
        return [f"{'  ' * (parent > 0)}{detail}" for _id, parent, _u, detail in
                self.lite.execute("EXPLAIN QUERY PLAN " + sql, args).fetchall()]

    def export(self, sql: str, args: list[Any]) -> tuple[int, float]:
        """(rows, seconds) of the same rows as CSV, straight from the driver."""
        t0 = time.perf_counter()
        if self.runner is not None:
            lines = 0

            async def sink(chunk: bytes) -> None:
                nonlocal lines
                lines += chunk.count(b"\n")

            self.runner.run(self.pg.copy_from_query(sql, *args, output=sink, format="csv",
                                                    delimiter=";", header=True))
            return lines - 1, time.perf_counter() - t0
        counter = _LineCounter()
        writer = csv.writer(counter, delimiter=";", lineterminator="\r\n")
        cur = self.lite.execute(sql, args)
        writer.writerow([d[0] for d in cur.description])
        while rows := cur.fetchmany(1000):
            writer.writerows(rows)
        return counter.lines - 1, time.perf_counter() - t0


class _LineCounter:
    def __init__(self) -> None:
        self.lines = 0

    def write(self, text: str) -> None:
        self.lines += text.count("\n")


def caller_of(url: str, token: str) -> Any:
    from comptoir.services import auth
    from comptoir.storage.database import run_with_database

    return run_with_database(url, lambda db: auth.authenticate(db, token))


# --- one request at a time -------------------------------------------------------------------


def timed_post(client: httpx.Client, path: str, headers: dict[str, str],
               body: dict[str, Any]) -> tuple[float, httpx.Response]:
    t0 = time.perf_counter()
    r = client.post(path, json=body, headers=headers)
    return (time.perf_counter() - t0) * 1000, r


def check_answer(name: str, r: httpx.Response, sql_rows: list[tuple[Any, ...]]) -> str | None:
    """None if the answer is what the engine's SQL gives, else what differs."""
    if r.status_code != 200:
        return f"{name}: status {r.status_code}: {r.text[:200]}"
    data = r.json()
    if name == "count":
        return None if data == {"count": sql_rows[0][0]} else f"count {data} != {sql_rows[0]}"
    ids = [row["id"] for row in data]
    if set(data[0]) != set(FIELDS):
        return f"list keys {sorted(data[0])}"
    return None if ids == [row[0] for row in sql_rows] else "list IDs differ from the SQL's"


def run_queries(client: httpx.Client, driver: Driver, server: Server, tokens: dict[str, str],
                callers: dict[str, Any], runs: int, pg_database: str | None,
                gate: float) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    path = f"/{INSTANCE}/api/v1/accounts"
    rows, plans = [], {}
    for name, body in QUERIES.items():
        for who, token in tokens.items():
            headers = {"Authorization": "Bearer " + token}
            sql, args = driver.statement(callers[who], body)
            plans[f"{name} as {who}"] = [sql, f"-- values: {args}", *driver.explain(sql, args)]
            problem = None
            for _ in range(WARMUP_RUNS):
                _ms, r = timed_post(client, path, headers, body)
                problem = problem or check_answer(name, r, driver.fetch(sql, args))
            if problem:
                raise RuntimeError(f"{name} as {who}: {problem}")
            quiet_gate(gate)
            window = CpuWindow(server, pg_database)
            http, alone = [], []
            for _ in range(runs):
                ms, r = timed_post(client, path, headers, body)
                if r.status_code != 200:
                    raise RuntimeError(f"{name} as {who}: {r.status_code} {r.text[:200]}")
                http.append(ms)
                t0 = time.perf_counter()
                found = driver.fetch(sql, args)
                alone.append((time.perf_counter() - t0) * 1000)
            cpu = window.close()
            result = r.json()
            answer = result["count"] if name == "count" else len(result)
            target = TARGET_LIST_P50_MS if name == "list" else TARGET_COUNT_P50_MS
            rows.append({"query": name, "caller": who, "answer": answer, "http": summary(http),
                         "sql_alone": summary(alone), "target_p50_ms": target,
                         "meets_target": percentile(http, 50) < target, "sql_rows": len(found),
                         "other_cores": cpu["other_cores"], "db_cores": cpu["db_cores"],
                         "server_cores": cpu["server_cores"],
                         # CPU of the server's processes per request (the SQL alone runs
                         # in this process): the overhead, whatever the machine's load
                         "server_cpu_ms_per_req": round(cpu["server_s"] * 1000 / runs, 2)})
            log(f"  {name:<5} as {who:<10} p50 {percentile(http, 50):8.2f} ms  p99 "
                f"{percentile(http, 99):8.2f} ms   (SQL alone p50 {percentile(alone, 50):.2f} ms)")
    return rows, plans


# --- exports ---------------------------------------------------------------------------------


class RssSampler:
    """The RSS of a server's processes, read from /proc every `interval` s in a thread."""

    def __init__(self, server: Server, interval: float = 0.01) -> None:
        self.server, self.interval = server, interval
        self.pids = server.pids
        self.peak: dict[int, int] = {}
        self.peak_total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for pid in self.pids:
                rss = memory_of(pid).get("VmRSS", 0)
                self.peak[pid] = max(self.peak.get(pid, 0), rss)
                total += rss
            self.peak_total = max(self.peak_total, total)
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def worker_peak(self) -> int:
        workers = [rss for pid, rss in self.peak.items() if pid != self.server.proc.pid]
        return max(workers or list(self.peak.values()) or [0])


def export_once(client: httpx.Client, path: str, headers: dict[str, str], body: dict[str, Any],
                server: Server) -> dict[str, Any]:
    before = {pid: memory_of(pid) for pid in server.pids}
    lines = size = 0
    first = None
    with RssSampler(server) as rss:
        t0 = time.perf_counter()
        with client.stream("POST", path, json=body, headers=headers) as r:
            if r.status_code != 200:
                r.read()
                return {"status": r.status_code, "error": r.text[:200]}
            for chunk in r.iter_raw():
                if first is None:
                    first = time.perf_counter() - t0
                lines += chunk.count(b"\n")
                size += len(chunk)
        seconds = time.perf_counter() - t0
    rows = lines - 1  # the header
    return {"status": 200, "content_type": r.headers.get("content-type"), "rows": rows,
            "seconds": round(seconds, 3), "rows_per_s": round(rows / seconds),
            "first_byte_ms": round((first or 0) * 1000, 1), "mb_per_s": round(size / seconds / 1e6, 1),
            "peak_rss_worker_mib": rss.worker_peak(), "peak_rss_total_mib": rss.peak_total,
            "rss_before_mib": {str(pid): m.get("VmRSS") for pid, m in before.items()}}


def run_exports(client: httpx.Client, driver: Driver, server: Server, tokens: dict[str, str],
                callers: dict[str, Any], runs: int, pg_database: str | None, gate: float,
                plans: dict[str, list[str]]) -> list[dict[str, Any]]:
    path = f"/{INSTANCE}/api/v1/accounts"
    admin = {"Authorization": "Bearer " + tokens["admin"]}
    results = []
    for name, body in EXPORTS.items():
        sql, args = driver.statement(callers["admin"], body)
        plans[f"{name} as admin"] = [sql, f"-- values: {args}",
                                     *driver.explain(sql, args, analyze=False)]
        attempts, ceiling = [], []
        for _ in range(runs):
            quiet_gate(gate)
            window = CpuWindow(server, pg_database)
            attempts.append(export_once(client, path, admin, body, server))
            if attempts[-1]["status"] != 200:
                raise RuntimeError(f"{name}: {attempts[-1]}")
            cpu = window.close()
            attempts[-1].update(server_cores=cpu["server_cores"], db_cores=cpu["db_cores"],
                                other_cores=cpu["other_cores"],
                                server_cpu_us_per_row=round(cpu["server_s"] * 1e6
                                                            / max(1, attempts[-1]["rows"]), 2))
            rows, seconds = driver.export(sql, args)
            ceiling.append({"rows": rows, "seconds": round(seconds, 3),
                            "rows_per_s": round(rows / seconds)})
        rates = [a["rows_per_s"] for a in attempts]
        median = percentile(rates, 50)
        peak = max(a["peak_rss_worker_mib"] for a in attempts)
        raw = percentile([c["rows_per_s"] for c in ceiling], 50)
        results.append({
            "export": name, "caller": "admin", "rows": attempts[0]["rows"],
            "rows_per_s_median": median, "rows_per_s_min": min(rates),
            "peak_rss_worker_mib": peak,
            "peak_rss_total_mib": max(a["peak_rss_total_mib"] for a in attempts),
            "first_byte_ms_median": percentile([a["first_byte_ms"] for a in attempts], 50),
            "server_cpu_us_per_row": percentile([a["server_cpu_us_per_row"] for a in attempts], 50),
            "ceiling": "COPY TO STDOUT (asyncpg)" if driver.kind == "postgresql"
            else "sqlite3 fetchmany + csv.writer",
            "ceiling_rows_per_s_median": raw, "ratio_to_ceiling": round(median / raw, 2),
            "meets_target": median > TARGET_EXPORT_ROWS_S and peak < TARGET_EXPORT_RSS_MIB,
            "other_cores": max(a["other_cores"] for a in attempts),
            "runs": attempts, "ceiling_runs": ceiling})
        log(f"  {name:<17} {median:>9,.0f} rows/s (ceiling {raw:,.0f}), worker peak RSS "
            f"{peak} MiB, {attempts[0]['rows']:,} rows")
    denied = export_once(client, path, {"Authorization": "Bearer " + tokens["bench_user"]},
                         EXPORTS["export (all rows)"], server)
    results.append({"export": "export (all rows)", "caller": "bench_user", **denied})
    return results


# --- point GET and create under load ---------------------------------------------------------


def run_load(gen: LoadGenerator, comptoir: Server, raw: Server, tokens: dict[str, str],
             n: int, opts: Options, pg_database: str | None) -> list[dict[str, Any]]:
    api = f"/{INSTANCE}/api/v1/accounts"
    admin = {"Authorization": "Bearer " + tokens["admin"]}
    user = {"Authorization": "Bearer " + tokens["bench_user"]}
    plan: Plan = [
        ("get", Load("GET", "/items/", id_max=n), Load("GET", api + "/", admin, id_max=n), 200),
        ("get (user)", None, Load("GET", api + "/", user, id_max=n,
                                  id_modulus=dataset.OWNER_MODULUS,
                                  id_residues=dataset.USER_VISIBLE), 200),
        ("create", Load("PUT", "/items", body=CREATE_BODY),
         Load("PUT", api, admin, body=CREATE_BODY), 201),
    ]
    rows = []
    for name, c_result, raw_result, ratio in measure_pairs(
            gen, raw, comptoir, plan, warmup=1, seconds=opts.seconds,
            connections=opts.connections, pg_database=pg_database, gate=opts.gate):
        target = TARGET_GET_RATIO if name.startswith("get") else None
        rows.append({"endpoint": name, "comptoir": c_result, "raw": raw_result,
                     "ratio": round(ratio, 3), "target": target,
                     "meets_target": None if target is None else ratio >= target})
        log(f"  {name:<10} comptoir {c_result['rps']:>8,.0f} req/s   raw "
            f"{raw_result['rps']:>8,.0f} req/s   ratio {ratio:.2f}")
    return rows


# --- one database ----------------------------------------------------------------------------


@dataclass
class Options:
    accounts: int
    runs: int
    export_runs: int
    seconds: int
    connections: int
    gate: float
    fresh: bool
    cache_dir: Path
    pg_url: str


def bench_database(data: dataset.DataSet, opts: Options, gen: LoadGenerator,
                   workdir: Path) -> dict[str, Any]:
    """Everything measured on one prepared data set (dataset.prepare)."""
    from comptoir.schema.registry import ENTITIES

    kind = data.kind
    pg_database = data.database if kind == "postgresql" else None
    columns = [f.name for f in ENTITIES["accounts"].public_fields] + ["_rev"]
    result: dict[str, Any] = {"database": kind, "dataset": data.meta, "built_now": data.built,
                              "location": data.url}
    driver = Driver(data)
    try:
        with servers(data.url, workdir, columns, data.passwords["admin"]) as (comptoir, raw), \
                httpx.Client(base_url=f"http://{HOST}:{comptoir.port}", timeout=600) as client:
            tokens = {who: login(comptoir.port, who, data.passwords[who])
                      for who in ("admin", "bench_user")}
            callers = {who: caller_of(data.url, token) for who, token in tokens.items()}
            probe = client.post(f"/{INSTANCE}/api/v1/accounts", json=PROBE,
                                headers={"Authorization": "Bearer " + tokens["admin"]})
            if probe.status_code != 200 or "contact.city" not in probe.json()[0]:
                raise RuntimeError(f"the query engine does not answer joins yet: "
                                   f"{probe.status_code} {probe.text[:200]}")
            log(f"[{kind}] list and count, {opts.runs} runs each per caller")
            result["queries"], result["plans"] = run_queries(
                client, driver, comptoir, tokens, callers, opts.runs, pg_database, opts.gate)
            log(f"[{kind}] exports, {opts.export_runs} runs each")
            result["exports"] = run_exports(client, driver, comptoir, tokens, callers,
                                            opts.export_runs, pg_database, opts.gate,
                                            result["plans"])
            log(f"[{kind}] point GET and create under load (wrk c{opts.connections}, "
                f"{opts.seconds} s)")
            result["load"] = run_load(gen, comptoir, raw, tokens, data.accounts, opts,
                                      pg_database)
            result["memory"] = {"comptoir": comptoir.memory(), "raw": raw.memory()}
    finally:
        driver.close()
        deleted = asyncio.run(dataset.restore(data.url, data.accounts))
        log(f"[{kind}] deleted the {deleted:,} accounts created by the load")
    return result


# --- report ----------------------------------------------------------------------------------


def _md(head: list[str], lines: list[list[str]]) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    return "\n".join(out + ["| " + " | ".join(line) + " |" for line in lines])


def _verdict(ok: bool | None, target: str) -> str:
    if ok is None:
        return "-"
    return f"{target} {'ok' if ok else 'MISSED'}"


def tables(results: list[dict[str, Any]]) -> str:
    q_lines, e_lines, l_lines = [], [], []
    for db in results:
        kind = db["database"]
        for q in db["queries"]:
            h, s = q["http"], q["sql_alone"]
            limit = f"< {q['target_p50_ms']:.0f} ms"
            q_lines.append([q["query"], kind, q["caller"], f"{q['answer']:,}",
                            f"{h['p50_ms']:.1f} / {h['p99_ms']:.1f}",
                            f"{s['p50_ms']:.1f} / {s['p99_ms']:.1f}",
                            f"{q['server_cpu_ms_per_req']:.1f}",
                            _verdict(q["meets_target"], limit), f"{q['other_cores']:.2f}"])
        for e in db["exports"]:
            if e["caller"] != "admin":
                e_lines.append([e["export"], kind, e["caller"], "-", "-", "-", "-", "-", "-",
                                f"status {e['status']}", "-"])
                continue
            e_lines.append([e["export"], kind, e["caller"], f"{e['rows']:,}",
                            f"{e['first_byte_ms_median']:,.0f}",
                            f"{e['rows_per_s_median']:,.0f} (min {e['rows_per_s_min']:,.0f})",
                            f"{e['ceiling_rows_per_s_median']:,.0f} ({e['ratio_to_ceiling']:.2f})",
                            f"{e['server_cpu_us_per_row']:.1f}",
                            f"{e['peak_rss_worker_mib']} / {e['peak_rss_total_mib']}",
                            _verdict(e["meets_target"], "> 100k rows/s, < 200 MiB"),
                            f"{e['other_cores']:.2f}"])
        for r in db["load"]:
            c, w = r["comptoir"], r["raw"]
            errors = c["http_errors"] + c["socket_errors"] + w["http_errors"] + w["socket_errors"]
            l_lines.append([r["endpoint"], kind, f"{c['rps']:,.0f}", f"{w['rps']:,.0f}",
                            f"{r['ratio']:.2f}",
                            _verdict(r["meets_target"], f">= {TARGET_GET_RATIO:.2f}"),
                            f"{c['p50_ms']:.1f} / {c['p99_ms']:.1f}",
                            f"{max(c['other_cores'], w['other_cores']):.2f}", str(errors)])
    return "\n\n".join([
        _md(["query", "db", "caller", "answer", "HTTP p50 / p99 ms", "SQL alone p50 / p99 ms",
             "server CPU ms/req", "target (p50)", "other load"], q_lines),
        _md(["export", "db", "caller", "rows", "first byte ms", "rows/s median",
             "ceiling rows/s (ratio)", "server CPU µs/row", "peak RSS MiB worker / all",
             "target", "other load"],
            e_lines),
        _md(["endpoint", "db", "Comptoir req/s", "raw req/s", "ratio", "target",
             "Comptoir p50 / p99 ms", "other load", "errors"], l_lines)])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Queries on N accounts: list, count, export, "
                                            "GET and create against the bare ceiling.")
    p.add_argument("--accounts", type=int, default=1_000_000, help="N (default 1,000,000)")
    p.add_argument("--runs", type=int, default=30, help="runs of each query and caller (30)")
    p.add_argument("--export-runs", type=int, default=3, help="runs of each export (3)")
    p.add_argument("--seconds", type=int, default=5, help="seconds per wrk run (5)")
    p.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    p.add_argument("--fresh", action="store_true", help="rebuild the data sets")
    p.add_argument("--cache-dir", type=Path, default=dataset.default_cache_dir(),
                   help="where the SQLite data sets are kept (~/.cache/comptoir-bench)")
    p.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", dataset.DEFAULT_PG_URL),
                   help="PostgreSQL server for the kept database ($BENCH_PG_URL)")
    p.add_argument("--quiet-wait", type=float, default=2.0,
                   help="seconds to wait at most, before each measurement, for the machine "
                        "to be idle (2; more on a shared machine)")
    p.add_argument("--no-sqlite", action="store_true")
    p.add_argument("--no-postgres", action="store_true")
    p.add_argument("--python-client", action="store_true",
                   help="use the Python load generator even if wrk is installed")
    p.add_argument("--out", type=Path, default=RESULTS / "query-latest.json")
    args = p.parse_args(argv)
    opts = Options(accounts=args.accounts, runs=args.runs, export_runs=args.export_runs,
                   seconds=args.seconds, connections=args.connections, gate=args.quiet_wait,
                   fresh=args.fresh, cache_dir=args.cache_dir, pg_url=args.pg_url)
    started = time.monotonic()
    source = source_state()
    workdir = Path(tempfile.mkdtemp(prefix="comptoir-query-bench-"))
    gen = LoadGenerator(args.python_client, workdir)
    if not gen.wrk:
        log("wrk not found (apt-get install -y wrk): the Python client will be the bottleneck")
    kinds, skipped = databases(args.no_sqlite, args.no_postgres, args.pg_url)
    results = []
    try:
        for kind in kinds:
            data = dataset.prepare(kind, opts.accounts, fresh=opts.fresh,
                                   cache_dir=opts.cache_dir, pg_url=opts.pg_url)
            results.append(bench_database(data, opts, gen, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "total_seconds": round(time.monotonic() - started, 1),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine(), "versions": versions(), "source": source,
        "load_generator": gen.name,
        "settings": {"accounts": opts.accounts, "runs": opts.runs,
                     "export_runs": opts.export_runs, "warmup_runs": WARMUP_RUNS,
                     "seconds": opts.seconds, "connections": opts.connections,
                     "queries": QUERIES, "exports": EXPORTS},
        "skipped": skipped, "results": results,
    }
    finish(args.out, report, tables(results), skipped, source)
    print(f"{opts.accounts:,} accounts; {opts.runs} runs per query, {opts.export_runs} per "
          f"export; load: {gen.name}, {opts.seconds} s, c{opts.connections}; "
          f"total {report['total_seconds']} s; written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
