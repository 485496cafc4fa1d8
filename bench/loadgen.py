"""HTTP load for the benchmarks: one request shape (`Load`), run by wrk or, without wrk, by
a small asyncio client in the calling process.

    gen = LoadGenerator(force_python=False, workdir=scratch)
    result = gen.run(port, Load("GET", "/items/", id_max=10_000), seconds=5, connections=16)
    # {"requests", "seconds", "p50_ms", "p90_ms", "p99_ms", "max_ms", "http_errors", ...}

wrk (`apt-get install -y wrk`) runs a generated Lua script that picks the random IDs and
offsets and prints its summary as one JSON line.  The Python client is the fallback: on a
2-core machine it is the bottleneck, so results must name the generator used (`gen.name`).
"""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"


@dataclass
class Load:
    """One request shape: `path` + a random ID, and a fixed body or one with a random
    `offset` in 0..offset_max.

    IDs are drawn from 1..id_max; with `id_residues`, only from the IDs whose remainder
    modulo `id_modulus` is one of them (k * id_modulus + r, k >= 1): the records a
    non-admin may see when ownership follows the ID (bench/dataset.py)."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    id_max: int | None = None
    body: dict[str, Any] | None = None
    offset_max: int | None = None
    id_modulus: int = 1
    id_residues: tuple[int, ...] = ()

    def pick_id(self, rnd: random.Random) -> int:
        assert self.id_max is not None
        if not self.id_residues:
            return rnd.randint(1, self.id_max)
        blocks = self.id_max // self.id_modulus - 1
        return rnd.randint(1, blocks) * self.id_modulus + rnd.choice(self.id_residues)

    def make(self, rnd: random.Random) -> tuple[str, bytes | None]:
        path = self.path + (str(self.pick_id(rnd)) if self.id_max else "")
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
    if load.id_max and load.id_residues:
        residues = ", ".join(str(r) for r in load.id_residues)
        lines.append(f"local residues = {{{residues}}}")
        blocks = load.id_max // load.id_modulus - 1
        pick = (f"math.random(1, {blocks}) * {load.id_modulus}"
                " + residues[math.random(1, #residues)]")
    else:
        pick = f"math.random(1, {load.id_max})"
    path = _lua_str(load.path) + (f" .. ({pick})" if load.id_max else "")
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
