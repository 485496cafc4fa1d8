"""The web interface benchmark: the server-rendered list and record pages against the REST
calls that fetch the same data, on N accounts with contacts, on SQLite and on PostgreSQL.

    .venv/bin/python bench/ui.py --accounts 1000000 [--runs 30] [--no-sqlite] [--no-postgres]
        [--pg-url URL] [--fresh] [--quiet-wait 2] [--profile]
    .venv/bin/python bench/ui.py --accounts 10000 --runs 10

For each database, on the data set of bench/dataset.py (built or reused as bench/query.py
does), `comptoir serve` starts (harness.servers: granian, beside the bare ceiling, idle
here); `admin` and `bench_user` (a group member: the visibility rules apply) log in to the
REST API (a bearer token) and to the browser's form (GET /bench/login: CSRF field and
`comptoir_login` cookie; the POST: `comptoir_session`):
1. list pages of 50 rows, /bench/ui/accounts?sort=-ID (the entity), /ui/Accounts?sort=-ID
   (the vtiger module: a fixed filter on the type) and the same with f.lastname=<text>
   (~~* '%text%'), each against POST /bench/api/v1/accounts with the body the page runs
   (comptoir.web.records.list_body for the same caller: the same fields with the joined
   labels of the references, filter and sort), limit 51 as the page asks;
2. the record page /bench/ui/Accounts/{ID} (the record, its reference labels, the inline
   related lists, notes, history) against GET /bench/api/v1/accounts/{ID} plus one POST
   list query per inline related list, with records._related's body (limit 11); a run's
   REST figure is the sum of its calls, also summed over the first three lists alone;
3. with --profile, the app in this process (no HTTP server): 100 list pages and 100 REST
   lists of case 1, wall time inside render, the queries, ui_settings and auth, then the
   cProfile top functions (in the JSON, and printed).
Page and REST requests alternate, one at a time, each side on one keep-alive connection,
after 3 unmeasured runs: --runs pairs per case and caller; p50 and p99 by nearest rank
(with 30 runs the p99 is the slowest).  Goal (issue 14): list page within 1.5x of the REST
list, p50 under 30 ms.  Prints Markdown tables and writes bench/results/ui-latest.json;
everything listens on 127.0.0.1 and the servers started here are stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import dataset
import httpx
from harness import (
    BENCH,
    INSTANCE,
    CpuWindow,
    Server,
    databases,
    finish,
    log,
    login,
    machine,
    quiet_gate,
    servers,
    source_state,
    versions,
)
from loadgen import HOST
from query import _md, caller_of, summary
from vocabulary import SURNAMES

RESULTS = BENCH / "results"
WARMUP_RUNS = 3
TEXT = SURNAMES[1]  # "Schmidt": in the accounts' names, the list's text filter
LISTS = (("accounts", {"sort": "-ID"}), ("Accounts", {"sort": "-ID"}),
         ("Accounts", {"sort": "-ID", "f.lastname": TEXT}))
RECORD_SCREEN = "Accounts"
GOAL_RATIO, GOAL_P50_MS = 1.5, 30.0
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def web_login(client: httpx.Client, name: str, password: str) -> str:
    """The browser's log-in: the form's CSRF field and cookie, then the POST; the session."""
    form = client.get(f"/{INSTANCE}/login")
    form.raise_for_status()
    nonce = form.cookies.get("comptoir_login")
    found = _CSRF.search(form.text)
    if not nonce or not found:
        raise RuntimeError(f"log-in form without CSRF field or cookie: {form.text[:300]}")
    r = client.post(f"/{INSTANCE}/login", cookies={"comptoir_login": nonce}, data={
        "name": name, "password": password, "csrf": found.group(1), "next": f"/{INSTANCE}/"})
    session = r.cookies.get("comptoir_session")
    if r.status_code != 303 or not session:
        raise RuntimeError(f"web log-in of {name}: {r.status_code} {r.text[:300]}")
    client.cookies.clear()
    return session


def list_body(caller: Any, slug: str, params: dict[str, str], limit: int) -> dict[str, Any]:
    """What records.list_page asks services.queries for (default columns, no layout)."""
    from comptoir.web.screens import SCREENS

    screen = SCREENS[slug]
    return {**_web_body(caller, screen, list(screen.columns), params), "limit": limit,
            "offset": 0}


def _web_body(caller: Any, screen: Any, columns: list[str], params: dict[str, str]) -> Any:
    from starlette.datastructures import QueryParams

    from comptoir.web import records
    from comptoir.web.render import Prefs

    return records.list_body(caller, screen, columns, QueryParams(params), Prefs())


def related_bodies(caller: Any, slug: str, rid: int) -> list[tuple[str, str, dict[str, Any]]]:
    """(label, entity, body) of each inline related list records._related runs."""
    from comptoir.web.records import RELATED_INLINE, RELATED_ROWS
    from comptoir.web.screens import SCREENS

    found = []
    for relation in SCREENS[slug].related[:RELATED_INLINE]:
        target = SCREENS[relation.screen]
        if target.visible_to(caller):
            columns = [c for c in target.columns if c != relation.field][:4]
            body = _web_body(caller, target, columns, {f"f.{relation.field}": str(rid)})
            found.append((relation.label, target.entity.name, {**body, "limit": RELATED_ROWS + 1}))
    return found


def timed(client: httpx.Client, method: str, path: str, **kw: Any) -> float:
    t0 = time.perf_counter()
    r = client.request(method, path, **kw)
    ms = (time.perf_counter() - t0) * 1000
    expect(r, f"{method} {path}")
    return ms


def expect(r: httpx.Response, what: str) -> httpx.Response:
    if r.status_code != 200:
        raise RuntimeError(f"{what}: status {r.status_code}: {r.text[:300]}")
    return r


def alternate(web: httpx.Client, api: httpx.Client, page: str, params: dict[str, str] | None,
              calls: list[tuple[str, str, Any]], runs: int, server: Server,
              pg_database: str | None, gate: float) -> tuple[dict[str, Any], list[list[float]]]:
    """`runs` times the page, then each REST call: the page's and the REST sum's figures,
    their ratios and the CPU used; and the times of each REST call."""
    quiet_gate(gate)
    window = CpuWindow(server, pg_database)
    page_ms: list[float] = []
    per_call: list[list[float]] = [[] for _ in calls]
    for _ in range(runs):
        page_ms.append(timed(web, "GET", page, params=params))
        for k, (method, url, body) in enumerate(calls):
            per_call[k].append(timed(api, method, url, json=body))
    cpu = window.close()
    p, q = summary(page_ms), summary([sum(ms) for ms in zip(*per_call, strict=True)])
    return {"page": p, "rest": q, "ratio_p50": round(p["p50_ms"] / q["p50_ms"], 2),
            "ratio_p99": round(p["p99_ms"] / q["p99_ms"], 2), "other_cores": cpu["other_cores"],
            "server_cpu_ms_per_run": round(cpu["server_s"] * 1000 / runs, 2)}, per_call


def run_lists(web: httpx.Client, api: httpx.Client, server: Server, who: str, caller: Any,
              runs: int, pg_database: str | None, gate: float) -> list[dict[str, Any]]:
    rows = []
    for slug, params in LISTS:
        path, body = f"/{INSTANCE}/ui/{slug}", list_body(caller, slug, params, 51)
        for _ in range(WARMUP_RUNS):
            html = expect(web.get(path, params=params), f"page {slug} as {who}").text
            found = expect(api.post(f"/{INSTANCE}/api/v1/accounts", json=body), "REST").json()
        shown = [r["ID"] for r in found[:50] if f"/ui/{slug}/{r['ID']}\"" in html]
        if len(shown) != min(50, len(found)):
            raise RuntimeError(f"{slug} as {who}: the page shows {len(shown)} of the REST "
                               f"list's first {min(50, len(found))} rows")
        result, _ = alternate(web, api, path, params, [
            ("POST", f"/{INSTANCE}/api/v1/accounts", body)], runs, server, pg_database, gate)
        p50 = result["page"]["p50_ms"]
        result.update(screen=slug, params=params, caller=who, rows=len(shown), body=body,
                      page_bytes=len(html),
                      meets_goal=result["ratio_p50"] <= GOAL_RATIO and p50 < GOAL_P50_MS)
        rows.append(result)
        log(f"  list {slug:<8} {'filtered' if len(params) > 1 else '':<8} as {who:<10} page "
            f"p50 {p50:7.2f} ms  REST p50 {result['rest']['p50_ms']:7.2f} ms  ratio "
            f"{result['ratio_p50']:.2f}")
    return rows


def pick_record(api: httpx.Client, n: int) -> int:
    """An account of the module's types with a contact, near N/2, public (ID % 20 == 1)."""
    found = expect(api.post(f"/{INSTANCE}/api/v1/accounts", json={
        "fields": ["ID", "contact", "type"], "filter": {"ID": {"<=": n // 2},
                                                        "type": {"IN": [0, 1, 3, 4, 5]}},
        "sort": ["-ID"], "limit": 200}), "pick a record").json()
    return next((int(r["ID"]) for r in found if r["ID"] % dataset.OWNER_MODULUS == 1
                 and r.get("contact")), int(found[0]["ID"]))


def run_record(web: httpx.Client, api: httpx.Client, server: Server, who: str, caller: Any,
               rid: int, runs: int, pg_database: str | None, gate: float) -> dict[str, Any]:
    path = f"/{INSTANCE}/ui/{RECORD_SCREEN}/{rid}"
    related = related_bodies(caller, RECORD_SCREEN, rid)
    calls = [("GET", f"/{INSTANCE}/api/v1/accounts/{rid}", None)] + [
        ("POST", f"/{INSTANCE}/api/v1/{entity}", body) for _l, entity, body in related]
    for _ in range(WARMUP_RUNS):
        html = expect(web.get(path), f"record page as {who}").text
        for method, url, body in calls:
            expect(api.request(method, url, json=body), f"REST {method} {url} as {who}")
    result, per_call = alternate(web, api, path, None, calls, runs, server, pg_database, gate)
    three = summary([sum(ms) for ms in zip(*per_call[:4], strict=True)])
    result.update(screen=RECORD_SCREEN, id=rid, caller=who, page_bytes=len(html),
                  related=[label for label, _e, _b in related], rest_first3=three,
                  ratio_first3_p50=round(result["page"]["p50_ms"] / three["p50_ms"], 2),
                  calls=[{"call": f"{m} {u}", "body": b, **summary(c)}
                         for (m, u, b), c in zip(calls, per_call, strict=True)])
    log(f"  record {rid} as {who:<10} page p50 {result['page']['p50_ms']:7.2f} ms  REST "
        f"(GET + {len(related)} lists) p50 {result['rest']['p50_ms']:7.2f} ms  ratio "
        f"{result['ratio_p50']:.2f}")
    return result


def profile_in_process(url: str, token: str, session: str, caller: Any, workdir: Path,
                       count: int = 100) -> dict[str, str]:
    """Case 1's page and REST list served `count` times by the app in this process: wall time
    per request and inside the wrapped calls, then under cProfile (top functions)."""
    import cProfile
    import io
    import pstats

    from comptoir.api.app import create_app
    from comptoir.config import Settings
    from comptoir.services import auth, queries, ui_settings
    from comptoir.web import records

    app = create_app(Settings.from_env(database_url=url, instance=INSTANCE, webhook_worker=0,
                                       mail_worker=0, secret_key_file=str(workdir / "key")))
    wrapped = ((records, "page", "render"), (records, "cells", "cells"),
               (queries, "list_records", "list query"), (queries, "query_records", "REST query"),
               (ui_settings, "listed", "ui_settings (3 per page)"), (auth, "authenticate", "auth"))
    spent = dict.fromkeys((label for _m, _a, label in wrapped), 0.0)

    def timing(label: str, fn: Any) -> Any:  # wraps this process's copy only
        async def waited(coro: Any, t0: float) -> Any:
            try:
                return await coro
            finally:
                spent[label] += time.perf_counter() - t0

        def call(*a: Any, **kw: Any) -> Any:
            t0 = time.perf_counter()
            out = fn(*a, **kw)
            if asyncio.iscoroutine(out):
                return waited(out, t0)
            spent[label] += time.perf_counter() - t0
            return out
        return call

    originals = [(module, attr, getattr(module, attr)) for module, attr, _l in wrapped]
    for module, attr, label in wrapped:
        setattr(module, attr, timing(label, getattr(module, attr)))
    slug, params = LISTS[0]
    cases: dict[str, dict[str, Any]] = {
        "page": {"method": "GET", "url": f"/{INSTANCE}/ui/{slug}", "params": params},
        "rest": {"method": "POST", "url": f"/{INSTANCE}/api/v1/accounts",
                 "json": list_body(caller, slug, params, 51),
                 "headers": {"Authorization": "Bearer " + token}}}
    out: dict[str, str] = {}

    async def go() -> None:
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://t",
                cookies={"comptoir_session": session}) as c:
            for name, kw in cases.items():
                for _ in range(WARMUP_RUNS):
                    expect(await c.request(**kw), f"in-process {name}")
                spent.update(dict.fromkeys(spent, 0.0))
                each = []
                for _ in range(count):
                    t0 = time.perf_counter()
                    await c.request(**kw)
                    each.append((time.perf_counter() - t0) * 1000)
                parts = ", ".join(f"{k} {v * 1000 / count:.2f}" for k, v in spent.items() if v)
                head = (f"{sum(each) / count:.2f} ms per request in-process (min "
                        f"{min(each):.2f}; inside, ms: {parts})")
                log(f"  profile {name}: {head}")
                prof = cProfile.Profile()
                prof.enable()
                for _ in range(count):
                    await c.request(**kw)
                prof.disable()
                text = io.StringIO()
                stats = pstats.Stats(prof, stream=text)
                stats.sort_stats("tottime").print_stats(25)
                stats.sort_stats("cumulative").print_stats(45)
                out[name] = head + "\n" + text.getvalue()

    try:
        asyncio.run(go())
    finally:
        for module, attr, fn in originals:
            setattr(module, attr, fn)
    return out


def bench_database(data: dataset.DataSet, runs: int, gate: float, profile: bool,
                   workdir: Path) -> dict[str, Any]:
    kind = data.kind
    pg_database = data.database if kind == "postgresql" else None
    result: dict[str, Any] = {"database": kind, "dataset": data.meta, "built_now": data.built,
                              "location": data.url, "lists": [], "records": []}
    from comptoir.schema.registry import ENTITIES

    columns = [f.name for f in ENTITIES["accounts"].public_fields] + ["_rev"]
    with servers(data.url, workdir, columns, data.passwords["admin"]) as (server, _raw):
        base = f"http://{HOST}:{server.port}"
        for who in ("admin", "bench_user"):
            token = login(server.port, who, data.passwords[who])
            caller = caller_of(data.url, token)
            with httpx.Client(base_url=base, timeout=600) as web, \
                    httpx.Client(base_url=base, timeout=600,
                                 headers={"Authorization": "Bearer " + token}) as api:
                session = web_login(web, who, data.passwords[who])
                web.cookies.set("comptoir_session", session)
                log(f"[{kind}] list pages as {who}, {runs} runs each")
                result["lists"] += run_lists(web, api, server, who, caller, runs,
                                             pg_database, gate)
                rid = pick_record(api, data.accounts)
                log(f"[{kind}] record page as {who}")
                result["records"].append(run_record(web, api, server, who, caller, rid, runs,
                                                    pg_database, gate))
                if profile and who == "admin":
                    result["profile"] = profile_in_process(data.url, token, session, caller,
                                                           workdir)
        result["memory"] = server.memory()
    asyncio.run(dataset.restore(data.url, data.accounts))  # the tokens of this run
    return result


def tables(results: list[dict[str, Any]]) -> str:
    lists, recs = [], []
    for db in results:
        for r in db["lists"]:
            p, q = r["page"], r["rest"]
            what = f"/ui/{r['screen']}?" + "&".join(f"{k}={v}" for k, v in r["params"].items())
            recs_ok = "ok" if r["meets_goal"] else "MISSED"
            lists.append([what, db["database"], r["caller"], str(r["rows"]),
                          f"{p['p50_ms']:.1f} / {p['p99_ms']:.1f}",
                          f"{q['p50_ms']:.1f} / {q['p99_ms']:.1f}",
                          f"{r['ratio_p50']:.2f} / {r['ratio_p99']:.2f}",
                          f"<= {GOAL_RATIO}x, < {GOAL_P50_MS:.0f} ms {recs_ok}",
                          f"{r['other_cores']:.2f}"])
        for r in db["records"]:
            p, q, t = r["page"], r["rest"], r["rest_first3"]
            recs.append([f"/ui/{r['screen']}/{r['id']}", db["database"], r["caller"],
                         ", ".join(r["related"]) or "-",
                         f"{p['p50_ms']:.1f} / {p['p99_ms']:.1f}",
                         f"{q['p50_ms']:.1f} / {q['p99_ms']:.1f}",
                         f"{r['ratio_p50']:.2f}",
                         f"{t['p50_ms']:.1f} ({r['ratio_first3_p50']:.2f})",
                         f"{r['other_cores']:.2f}"])
    return "\n\n".join([
        _md(["list page (50 rows)", "db", "caller", "rows", "page p50 / p99 ms",
             "REST list p50 / p99 ms", "ratio p50 / p99", "goal (issue 14)", "other load"],
            lists),
        _md(["record page", "db", "caller", "inline related lists", "page p50 / p99 ms",
             "REST GET + lists p50 / p99 ms", "ratio p50",
             "REST GET + 3 lists p50 ms (ratio)", "other load"], recs)])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="List and record pages against the REST calls "
                                            "that fetch the same data.")
    p.add_argument("--accounts", type=int, default=1_000_000, help="N (default 1,000,000)")
    p.add_argument("--runs", type=int, default=30, help="measured runs per case and caller (30)")
    p.add_argument("--fresh", action="store_true", help="rebuild the data sets")
    p.add_argument("--cache-dir", type=Path, default=dataset.default_cache_dir(),
                   help="where the SQLite data sets are kept (~/.cache/comptoir-bench)")
    p.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", dataset.DEFAULT_PG_URL),
                   help="PostgreSQL server for the kept database ($BENCH_PG_URL)")
    p.add_argument("--quiet-wait", type=float, default=2.0,
                   help="seconds to wait at most, before each case, for the machine to be idle")
    p.add_argument("--profile", action="store_true",
                   help="also cProfile the list page and the REST list in-process")
    p.add_argument("--no-sqlite", action="store_true")
    p.add_argument("--no-postgres", action="store_true")
    p.add_argument("--out", type=Path, default=RESULTS / "ui-latest.json")
    args = p.parse_args(argv)
    started = time.monotonic()
    source = source_state()
    workdir = Path(tempfile.mkdtemp(prefix="comptoir-ui-bench-"))
    kinds, skipped = databases(args.no_sqlite, args.no_postgres, args.pg_url)
    results = []
    try:
        for kind in kinds:
            data = dataset.prepare(kind, args.accounts, fresh=args.fresh,
                                   cache_dir=args.cache_dir, pg_url=args.pg_url)
            results.append(bench_database(data, args.runs, args.quiet_wait, args.profile,
                                          workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "total_seconds": round(time.monotonic() - started, 1),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine(), "versions": versions(), "source": source,
        "settings": {"accounts": args.accounts, "runs": args.runs, "warmup_runs": WARMUP_RUNS,
                     "lists": LISTS, "record_screen": RECORD_SCREEN,
                     "goal": {"ratio_p50": GOAL_RATIO, "page_p50_ms": GOAL_P50_MS}},
        "skipped": skipped, "results": results,
    }
    finish(args.out, report, tables(results), skipped, source)
    for db in results:
        for name, text in db.get("profile", {}).items():
            print(f"\n--- profile [{db['database']}] {name}: {text[:6000]}")
    print(f"{args.accounts:,} accounts; {args.runs} runs per case; total "
          f"{report['total_seconds']} s; written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
