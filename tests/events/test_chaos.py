"""The chaos test of webhook delivery: 1,000 changes while the receiver answers 500 to 30 %
of requests and hangs past the timeout on 5 %, and `comptoir worker` processes are killed
with SIGKILL five times.  Every event must reach the receiver at least once, every request
must carry a signature that verifies, and every delivery must end `succeeded` with one
recorded success; the duplicates (deliveries whose success the killed worker never
recorded, so they went out again) are counted and reported in the terminal summary.

Bounded in time: the workers run with a shrunken `Policy` (retries after 0.2 to 1 s, a 1 s
timeout, a 2.5 s lease), set through the same settings an operator would use.  On
PostgreSQL two workers run side by side (SKIP LOCKED), one of them killed each time.

Chance is per request, with one bound: an event refused `CAP` times is accepted, so that no
event exhausts its ten attempts by chance (0.35^10 per event: about one run in 35 would
otherwise lose an event to the schedule, which is the schedule working, not a loss)."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from functools import partial
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import ReceiverServer, database_with_admin
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from comptoir.events.network import parse_networks
from comptoir.services import records, webhooks
from comptoir.services.access import Caller
from comptoir.storage.database import Database, run_with_database
from comptoir.storage.tables import outbox, webhook_attempts, webhook_deliveries

ADMIN = Caller(user=1, name="admin", admin=True)
CHANGES = 1000
KILLS = 5
FAIL, HANG, CAP = 0.30, 0.05, 6
POLICY = {"COMPTOIR_WEBHOOK_RETRY_DELAYS": "0.2,0.5,1,1,1,1,1,1,1",
          "COMPTOIR_WEBHOOK_TIMEOUT": "1", "COMPTOIR_WEBHOOK_LEASE": "2.5"}
HANG_SECONDS = 2.5
DEADLINE = 240.0
#: seconds without a new event reaching the receiver: stuck, not slow
STALL = 30.0


class ChaosReceiver:
    """Answers 500, hangs or answers 200 by chance; verifies every request's signature and
    counts, per event id, the 200s it sent."""

    def __init__(self) -> None:
        self.secret = ""
        self.lock = threading.Lock()
        self.rand = random.Random(5)
        self.refused: Counter[str] = Counter()
        self.accepted: Counter[str] = Counter()
        self.outcomes: Counter[str] = Counter()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the http.server name)
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                if len(body) < length:  # the worker was killed while sending
                    with receiver.lock:
                        receiver.outcomes["cut short"] += 1
                    return
                headers = {k.lower(): v for k, v in self.headers.items()}
                event = receiver.check(body, headers)
                with receiver.lock:
                    roll = receiver.rand.random()
                    if receiver.refused[event] < CAP and roll < HANG:
                        outcome = "hang"
                    elif receiver.refused[event] < CAP and roll < HANG + FAIL:
                        outcome = "500"
                    else:
                        outcome = "200"
                    receiver.outcomes[outcome] += 1
                    if outcome != "200":
                        receiver.refused[event] += 1
                if outcome == "hang":  # past the worker's timeout: a failed attempt
                    time.sleep(HANG_SECONDS)
                try:
                    self.send_response(200 if outcome != "500" else 500)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except OSError:  # the worker gave up on a hanging request
                    return
                if outcome == "200":
                    with receiver.lock:
                        receiver.accepted[event] += 1

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ReceiverServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def check(self, body: bytes, headers: dict[str, str]) -> str:
        try:
            Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            with self.lock:
                self.outcomes["bad signature"] += 1
        return headers.get("webhook-id", "")

    def requests(self) -> int:
        with self.lock:
            return sum(self.outcomes.values())

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    with database_with_admin(tmp_path, "comptoir_chaos") as found:
        yield found


class Workers:
    """`comptoir worker` processes on one database, killed and restarted at will."""

    def __init__(self, url: str, folder: Path, count: int) -> None:
        self.url, self.folder = url, folder
        self.env = {**os.environ, **POLICY,
                    "COMPTOIR_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8"}
        self.logs: list[Path] = []
        self.procs = [self._start() for _ in range(count)]

    def _start(self) -> subprocess.Popen[bytes]:
        log = self.folder / f"worker-{len(self.logs)}.log"
        self.logs.append(log)
        with log.open("wb") as err:
            return subprocess.Popen([sys.executable, "-m", "comptoir.cli", "worker",
                                     "--database", self.url], cwd=self.folder, env=self.env,
                                    stdout=subprocess.DEVNULL, stderr=err)

    def kill_one(self, index: int) -> None:
        self.procs[index].send_signal(signal.SIGKILL)
        self.procs[index].wait()
        self.procs[index] = self._start()

    def stop(self) -> str:
        """SIGTERM every worker; returns what every worker, killed or not, logged."""
        for proc in self.procs:
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            proc.wait(timeout=30)
        return "".join(log.read_text() for log in self.logs)


async def _changes(db: Database) -> None:
    """CHANGES changes through the services layer: creates, updates and deletes of
    contacts, each its own transaction, spread over a few seconds."""
    made: list[int] = []
    rand = random.Random(7)
    for n in range(CHANGES):
        if len(made) < 20 or n % 2 == 0:
            record = await records.create_record(db, ADMIN, "contacts", {"lastname": f"C{n}"})
            made.append(int(record.data["ID"]))
        elif n % 10 == 1:
            await records.delete_record(db, ADMIN, "contacts", made.pop(rand.randrange(len(made))))
        else:
            await records.update_record(db, ADMIN, "contacts", rand.choice(made),
                                        {"firstname": f"F{n}"})
        if n % 50 == 0:
            await asyncio.sleep(0.1)  # the kills fall among the changes, not after them


async def _state(db: Database) -> tuple[set[str], Counter[str], Counter[int]]:
    """The events, the deliveries by status, the recorded 2xx attempts per delivery."""
    async with db.read() as conn:
        events = {row["event"] for row in await conn.all(sa.select(outbox.c.event))}
        statuses = Counter({row["status"]: row["n"] for row in await conn.all(
            sa.select(webhook_deliveries.c.status, sa.func.count().label("n"))
            .group_by(webhook_deliveries.c.status))})
        successes = Counter({row["delivery"]: row["n"] for row in await conn.all(
            sa.select(webhook_attempts.c.delivery, sa.func.count().label("n"))
            .where(webhook_attempts.c.status.between(200, 299))
            .group_by(webhook_attempts.c.delivery))})
    return events, statuses, successes


async def _undelivered(db: Database, missing: set[str]) -> list[dict[str, Any]]:
    """What the database knows of the events that did not arrive (a failure's message)."""
    async with db.read() as conn:
        found = await conn.all(
            sa.select(outbox.c.ID, outbox.c.event, outbox.c.type, outbox.c.fanned,
                      webhook_deliveries.c.status, webhook_deliveries.c.attempts,
                      webhook_deliveries.c.next_attempt, webhook_deliveries.c.lease_until)
            .outerjoin(webhook_deliveries, webhook_deliveries.c.event == outbox.c.ID)
            .where(outbox.c.event.in_(sorted(missing)[:10])))
    return [dict(row) for row in found]


def test_no_event_is_lost_under_chaos(url: str, tmp_path: Path,
                                      report: list[str]) -> None:
    receiver = ChaosReceiver()
    _, receiver.secret = run_with_database(url, lambda db: webhooks.create_endpoint(
        db, ADMIN, receiver.url, ["*"], allowed=parse_networks("127.0.0.0/8")))
    workers = Workers(url, tmp_path, 2 if url.startswith("postgres") else 1)
    started = time.monotonic()
    try:
        changer = threading.Thread(target=run_with_database, args=(url, _changes))
        changer.start()
        rand = random.Random(11)
        for kill in range(KILLS):  # mid-delivery: once the restarted worker is sending
            seen = receiver.requests()
            while receiver.requests() < seen + 20 and time.monotonic() - started < 60:
                time.sleep(0.01)
            time.sleep(rand.uniform(0, 0.3))
            workers.kill_one(kill % len(workers.procs))
        changer.join()
        progress = (0, time.monotonic())
        while True:
            events, statuses, successes = run_with_database(url, _state)
            with receiver.lock:
                reached = {e for e, n in receiver.accepted.items() if n}
            if len(events) == CHANGES and events <= reached and set(statuses) == {"succeeded"}:
                break
            if len(reached) > progress[0]:
                progress = (len(reached), time.monotonic())
            now = time.monotonic()
            assert now - started < DEADLINE and now - progress[1] < STALL, (
                f"after {time.monotonic() - started:.0f} s: {len(events - reached)} events not "
                f"delivered, deliveries {dict(statuses)}; undelivered: "
                f"{run_with_database(url, partial(_undelivered, missing=events - reached))}")
            time.sleep(0.5)
        elapsed = time.monotonic() - started
    finally:
        logged = workers.stop()
        receiver.close()
    assert statuses["succeeded"] == CHANGES  # one delivery per event, each succeeded once
    assert set(successes.values()) == {1} and len(successes) == CHANGES
    assert receiver.outcomes["bad signature"] == 0
    assert receiver.outcomes["500"] > 0 and receiver.outcomes["hang"] > 0
    assert "Traceback" not in logged, logged
    duplicates = sum(receiver.accepted.values()) - CHANGES
    requests = receiver.requests()
    report.append(
        f"webhook chaos ({'PostgreSQL, 2 workers' if len(workers.procs) == 2 else 'SQLite'}): "
        f"{CHANGES} events delivered in {elapsed:.1f} s; {requests} requests "
        f"({receiver.outcomes['500']} answered 500, {receiver.outcomes['hang']} timed out, "
        f"{receiver.outcomes['cut short']} cut short by a kill), {KILLS} SIGKILLs, "
        f"{duplicates} duplicates, 0 bad signatures")
