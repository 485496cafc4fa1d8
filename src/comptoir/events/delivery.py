"""The webhook delivery worker: claim due deliveries, send them signed, record every
attempt, schedule retries.

    async with httpx.AsyncClient() as client:
        sent = await run_once(db, client, now=time.time())
    await run_worker(db, stop_event, webhooks.fan_out, allowed=nets,
                     policy=Policy.from_settings(settings))  # until stopped

Claiming: in one transaction, the due deliveries of enabled endpoints are selected
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, so that several workers never take the same one;
SQLite has a single writer) and leased for `LEASE` seconds (`lease_until`, well beyond
the timeout of an attempt).  A worker killed mid-delivery leaves the lease to expire: the
delivery is then claimed again.  The worker sends each claimed delivery in a task of its
own (at most `CONCURRENCY` in flight) and keeps claiming: a hanging endpoint never holds
up the deliveries of the others.

Sending follows the Standard Webhooks specification: body `{"id", "type", "timestamp",
"data"}`, headers `webhook-id` (the event id), `webhook-timestamp` (seconds, the real time
of sending) and `webhook-signature` (`v1,<base64>`; during the 24 hours after a rotation
the previous secret signs too, space-separated).  A 2xx is a success; any other status, a
timeout (15 s), a redirect or a refused address is a failed attempt, retried after
`RETRY_DELAYS` (±10 % jitter, a longer `Retry-After` wins); the tenth failure makes the
delivery `dead`.  The schedule, the timeout and the lease are a `Policy`, read from the
settings `webhook_retry_delays`, `webhook_timeout` and `webhook_lease` (the defaults are
the ones above; tests and chaos runs shrink them).  A 410 disables the endpoint at once, failing for `DISABLE_AFTER`
seconds without a success disables it too.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook

from comptoir.config import Settings
from comptoir.errors import ComptoirError, InvalidFieldError
from comptoir.events import outbox as events
from comptoir.events.network import Network, resolve_url
from comptoir.storage import retention
from comptoir.storage.database import Database
from comptoir.storage.tables import outbox, webhook_attempts, webhook_deliveries, webhook_endpoints

log = logging.getLogger("comptoir.webhooks")

#: seconds to wait after the 1st, 2nd... 9th failure; the 10th failure is final
RETRY_DELAYS = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 50400.0, 72000.0, 86400.0)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
JITTER = 0.1
DISABLE_AFTER = 5 * 86400
EXCERPT = 1024
BATCH = 50
#: deliveries one worker has in flight at most, in all and to one endpoint
CONCURRENCY = 32
PER_ENDPOINT = 8
#: seconds between two prunings of old events (with a retention)
PRUNE_EVERY = 3600


@dataclass(frozen=True)
class Policy:
    """The retry schedule (seconds after the 1st, 2nd... failure; one attempt more than
    delays), the timeout of an attempt and the lease of a claimed delivery (seconds).  The
    lease must outlive an attempt: at least twice the timeout."""

    retry_delays: tuple[float, ...] = RETRY_DELAYS
    timeout: float = 15.0
    lease: float = 60.0
    #: days events are kept once delivered (`outbox.prune`, hourly); 0: for ever
    retention_days: int = 30
    #: days deletion-log entries are kept (`storage.retention.purge`, hourly); 0: for ever
    deletions_days: int = 90

    def __post_init__(self) -> None:
        if not self.retry_delays or any(not 0 < d <= 86400 for d in self.retry_delays):
            raise InvalidFieldError("webhook_retry_delays",
                                    "seconds between 0 and 86400, at least one")
        if not 0 < self.timeout <= 300:
            raise InvalidFieldError("webhook_timeout", "seconds, more than 0 and at most 300")
        if not 2 * self.timeout <= self.lease <= 86400:
            raise InvalidFieldError("webhook_lease",
                                    "at least twice webhook_timeout, at most 86400 seconds")
        if self.retention_days < 0:
            raise InvalidFieldError("webhook_retention_days", "days, 0 (keep all) or more")
        if self.deletions_days < 0:
            raise InvalidFieldError("deletion_retention_days", "days, 0 (keep all) or more")

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        try:
            delays = tuple(float(d) for d in settings.webhook_retry_delays.split(","))
        except ValueError:
            raise InvalidFieldError("webhook_retry_delays", "comma-separated seconds") from None
        return cls(delays, float(settings.webhook_timeout), float(settings.webhook_lease),
                   int(settings.webhook_retention_days), int(settings.deletion_retention_days))


DEFAULT = Policy()


def retry_delay(failures: int, retry_after: float | None = None,
                rand: random.Random | None = None,
                delays: Sequence[float] = RETRY_DELAYS) -> float | None:
    """Seconds before the next attempt after `failures` failed ones (None: no more)."""
    if failures > len(delays):
        return None
    base = delays[failures - 1]
    delay = base * (1 + (rand or random).uniform(-JITTER, JITTER))
    if retry_after is not None and retry_after > delay:
        delay = min(retry_after, 86400.0)
    return delay


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    return float(value) if value.isascii() and value.isdigit() else None


def sign(secrets: Sequence[str], msg_id: str, timestamp: int, body: str) -> str:
    stamp = datetime.fromtimestamp(timestamp, tz=UTC)
    return " ".join(Webhook(secret).sign(msg_id, stamp, body) for secret in secrets)


def payload(event: Mapping[str, Any]) -> str:
    data = orjson.loads(event["data"])
    occurred = datetime.fromtimestamp(event["occurred"] / 1000, tz=UTC)
    return orjson.dumps({
        "id": event["event"], "type": event["type"],
        "timestamp": occurred.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "data": {"entity": event["entity"], "ID": event["record"],
                 "sequence": event["sequence"], "actor": event["actor"], **data}}).decode()


_CLAIM_COLUMNS = (webhook_deliveries.c.ID, webhook_deliveries.c.attempts,
                  webhook_deliveries.c.endpoint, webhook_endpoints.c.url,
                  webhook_endpoints.c.secret, webhook_endpoints.c.previous_secret,
                  webhook_endpoints.c.previous_until, outbox.c.event, outbox.c.type,
                  outbox.c.entity, outbox.c.record, outbox.c.sequence, outbox.c.occurred,
                  outbox.c.actor, outbox.c.data)


async def claim(db: Database, now_ms: int, limit: int = BATCH,
                lease: float = DEFAULT.lease, busy: Mapping[int, int] | None = None,
                per_endpoint: int | None = None) -> list[dict[str, Any]]:
    """Lease the due deliveries of enabled endpoints (see the module's doc), at most
    `limit`; with `per_endpoint`, no endpoint gets more than that many in flight, counting
    those already `busy` (endpoint ID -> deliveries in flight)."""
    taken: Counter[int] = Counter(busy or {})
    full = [e for e, n in taken.items() if per_endpoint is not None and n >= per_endpoint]
    due = (sa.select(webhook_deliveries.c.ID, webhook_deliveries.c.endpoint)
           .join(webhook_endpoints, webhook_endpoints.c.ID == webhook_deliveries.c.endpoint)
           .where(webhook_deliveries.c.status.in_(("pending", "failed")),
                  webhook_deliveries.c.next_attempt <= now_ms,
                  sa.or_(webhook_deliveries.c.lease_until.is_(None),
                         webhook_deliveries.c.lease_until <= now_ms),
                  webhook_endpoints.c.enabled.is_(True),
                  webhook_deliveries.c.endpoint.not_in(full))
           .order_by(webhook_deliveries.c.next_attempt, webhook_deliveries.c.ID)
           .limit(limit if per_endpoint is None else max(limit, BATCH)))
    if db.name == "postgresql":
        due = due.with_for_update(of=webhook_deliveries, skip_locked=True)
    if db.name != "postgresql":  # nothing due: no write transaction (single writer)
        async with db.read() as conn:
            if not await conn.all(due.limit(1)):
                return []
    async with db.write() as conn:
        ids: list[int] = []
        for row in await conn.all(due):  # locked on PostgreSQL until commit, leased or not
            if len(ids) < limit and (per_endpoint is None
                                     or taken[row["endpoint"]] < per_endpoint):
                ids.append(row["ID"])
                taken[row["endpoint"]] += 1
        if not ids:
            return []
        await conn.run(sa.update(webhook_deliveries).where(webhook_deliveries.c.ID.in_(ids))
                       .values(lease_until=now_ms + int(lease * 1000)))
        claimed: list[dict[str, Any]] = await conn.all(
            sa.select(*_CLAIM_COLUMNS)
            .join(webhook_endpoints, webhook_endpoints.c.ID == webhook_deliveries.c.endpoint)
            .join(outbox, outbox.c.ID == webhook_deliveries.c.event)
            .where(webhook_deliveries.c.ID.in_(ids)).order_by(webhook_deliveries.c.ID))
        return claimed


async def _send(client: httpx.AsyncClient, delivery: Mapping[str, Any], now_ms: int,
                allowed: Sequence[Network], timeout: float) -> dict[str, Any]:
    """One attempt: its status, error, latency, answer excerpt and Retry-After."""
    body = payload(delivery)
    keys = [delivery["secret"]]
    if delivery["previous_secret"] and (delivery["previous_until"] or 0) > now_ms:
        keys.append(delivery["previous_secret"])
    timestamp = int(time.time())
    headers = {"content-type": "application/json", "user-agent": "Comptoir-Webhooks/1",
               "webhook-id": delivery["event"], "webhook-timestamp": str(timestamp),
               "webhook-signature": sign(keys, delivery["event"], timestamp, body)}
    started = time.monotonic()
    result: dict[str, Any] = {"status": None, "error": None, "response": None,
                              "retry_after": None}
    try:
        address = await resolve_url(delivery["url"], allowed)
        url = httpx.URL(delivery["url"])
        host = url.host
        headers["host"] = url.netloc.decode("ascii")
        response = await client.post(
            url.copy_with(host=str(address)), content=body.encode(), headers=headers,
            timeout=timeout, follow_redirects=False,
            extensions={"sni_hostname": host} if url.scheme == "https" else {})
        result["status"] = response.status_code
        result["response"] = response.text[:EXCERPT]
        result["retry_after"] = _retry_after(response)
        if response.is_redirect:
            result["error"] = "redirects are not followed"
    except ComptoirError as exc:
        result["error"] = ("address not allowed" if "address not allowed" in exc.message
                           else exc.message)
    except httpx.TimeoutException:
        result["error"] = "timeout"
    except httpx.HTTPError as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"[:EXCERPT]
    result["latency"] = int((time.monotonic() - started) * 1000)
    return result


async def _record(db: Database, delivery: Mapping[str, Any], result: Mapping[str, Any],
                  now_ms: int, rand: random.Random | None, delays: Sequence[float]) -> None:
    status = result["status"]
    ok = status is not None and 200 <= status < 300
    attempts = delivery["attempts"] + 1
    values: dict[str, Any] = {"attempts": attempts, "lease_until": None, "last_status": status}
    if ok:
        values.update(status="succeeded", next_attempt=None)
    else:
        delay = retry_delay(attempts, result["retry_after"], rand, delays)
        if delay is None:
            values.update(status="dead", next_attempt=None)
        else:
            values.update(status="failed", next_attempt=now_ms + int(delay * 1000))
    async with db.write() as conn:
        await conn.run(sa.insert(webhook_attempts).values(
            delivery=delivery["ID"], at=now_ms, status=status, latency=result["latency"],
            error=result["error"], response=result["response"]))
        await conn.run(sa.update(webhook_deliveries)
                       .where(webhook_deliveries.c.ID == delivery["ID"]).values(values))
        endpoint = webhook_endpoints.c.ID == delivery["endpoint"]
        if ok:
            await conn.run(sa.update(webhook_endpoints).where(
                endpoint, webhook_endpoints.c.failing_since.is_not(None))
                .values(failing_since=None))
            return
        await conn.run(sa.update(webhook_endpoints).where(
            endpoint, webhook_endpoints.c.failing_since.is_(None)).values(failing_since=now_ms))
        if status == 410:
            reason = "the endpoint answered 410 Gone"
            disable = endpoint
        else:
            reason = "failing for 5 days"
            disable = sa.and_(endpoint, webhook_endpoints.c.failing_since
                              <= now_ms - DISABLE_AFTER * 1000)
        if await conn.run(sa.update(webhook_endpoints).where(
                disable, webhook_endpoints.c.enabled.is_(True))
                .values(enabled=False, disabled_reason=reason)):
            log.warning("webhook endpoint %s disabled: %s", delivery["endpoint"], reason)


async def _deliver(db: Database, client: httpx.AsyncClient, delivery: Mapping[str, Any],
                   now_ms: int, allowed: Sequence[Network], rand: random.Random | None,
                   policy: Policy) -> None:
    """Send one claimed delivery and record the attempt."""
    result = await _send(client, delivery, now_ms, allowed, policy.timeout)
    await _record(db, delivery, result, now_ms, rand, policy.retry_delays)


async def run_once(db: Database, client: httpx.AsyncClient, now: float | None = None, *,
                   allowed: Sequence[Network] = (), rand: random.Random | None = None,
                   limit: int = BATCH, policy: Policy = DEFAULT) -> int:
    """Claim the due deliveries, send them concurrently, record the attempts (waiting for
    all of them: the worker does not, see `run_worker`); returns how many were sent.
    `now` (seconds) is the clock of the schedule."""
    now_ms = int((time.time() if now is None else now) * 1000)
    claimed = await claim(db, now_ms, limit, policy.lease)
    await asyncio.gather(*(_deliver(db, client, d, now_ms, allowed, rand, policy)
                           for d in claimed))
    return len(claimed)


async def _guarded(db: Database, client: httpx.AsyncClient, delivery: Mapping[str, Any],
                   now_ms: int, allowed: Sequence[Network], slots: asyncio.Semaphore,
                   busy: Counter[int], policy: Policy) -> None:
    try:
        await _deliver(db, client, delivery, now_ms, allowed, None, policy)
    except Exception:  # the lease expires and the delivery is claimed again
        log.exception("webhook delivery %s failed", delivery["ID"])
    finally:
        busy[delivery["endpoint"]] -= 1
        if not busy[delivery["endpoint"]]:
            del busy[delivery["endpoint"]]
        slots.release()


async def _first_of(events: Sequence[asyncio.Event], timeout: float) -> None:
    """Wait until one of `events` is set, `timeout` seconds at most."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def _housekeeping(db: Database, policy: Policy) -> None:
    """Hourly: prune delivered events past the retention, purge what expired."""
    if policy.retention_days:
        cutoff = time.time() - policy.retention_days * 86400
        if removed := await events.prune(db, int(cutoff * 1000)):
            log.info("pruned %d webhook events older than %d days", removed,
                     policy.retention_days)
    purged = await retention.purge(db, int(time.time()),
                                   retention.Lifetimes(deletions_days=policy.deletions_days))
    if any(purged.values()):
        log.info("purged what expired: %s", purged)


async def run_worker(db: Database, stop: asyncio.Event,
                     fan_out: Callable[[Database], Awaitable[Any]], *,
                     allowed: Sequence[Network] = (), idle: float = 0.25,
                     concurrency: int = CONCURRENCY, per_endpoint: int = PER_ENDPOINT,
                     policy: Policy = DEFAULT) -> None:
    """Fan out (`services.webhooks.fan_out`: which endpoint gets which event is a matter of
    permissions, decided above this layer) and deliver until `stop` is set; errors are
    logged, never fatal.

    No head-of-line blocking: each claimed delivery is sent by a task of its own (at most
    `concurrency` in flight, a semaphore, and at most `per_endpoint` to one endpoint) and
    the loop claims again at once, never waiting for a batch: an endpoint that hangs (up to
    the timeout, however many of its deliveries are due) holds `per_endpoint` slots at most
    and holds up nothing but its own deliveries.  Only as many deliveries are claimed as
    there are free slots (with none free, the loop waits for an attempt to end), so a
    claimed delivery is sent at once and its lease (twice the timeout at least) outlives
    the attempt.  Between passes that start nothing, the worker waits at most `idle`
    seconds: less when an attempt ends (its endpoint may take another) or when a change
    of this process commits events (`Database.events_committed`: the embedded set-up
    sends at once).  On stop, the attempts in flight are finished."""
    try:  # woken by other processes' commits too (PostgreSQL); else it polls every `idle`
        await db.listen_events()
    except Exception:
        log.exception("webhook worker cannot LISTEN for events: it polls every %ss", idle)
    slots = asyncio.Semaphore(concurrency)
    ended = asyncio.Event()  # an attempt ended
    pruned: float | None = None  # when old events were last pruned (monotonic seconds)
    busy: Counter[int] = Counter()  # endpoint ID -> deliveries in flight
    tasks: set[asyncio.Task[None]] = set()
    async with httpx.AsyncClient(follow_redirects=False, trust_env=False) as client:
        try:
            while not stop.is_set():
                ended.clear()
                db.events_committed.clear()
                started = 0
                try:
                    await fan_out(db)
                    if pruned is None or time.monotonic() - pruned >= PRUNE_EVERY:
                        pruned = time.monotonic()
                        await _housekeeping(db, policy)
                    await slots.acquire()  # all slots busy: until an attempt ends
                    free = 1
                    while free < BATCH and not slots.locked():
                        await slots.acquire()  # does not block: a slot is free
                        free += 1
                    now_ms = int(time.time() * 1000)
                    claimed: list[dict[str, Any]] = []
                    try:
                        claimed = await claim(db, now_ms, free, policy.lease, busy,
                                              per_endpoint)
                    finally:  # the slots of deliveries not claimed
                        for _ in range(free - len(claimed)):
                            slots.release()
                    for found in claimed:
                        busy[found["endpoint"]] += 1
                        task = asyncio.create_task(_guarded(
                            db, client, found, now_ms, allowed, slots, busy, policy))
                        tasks.add(task)
                        task.add_done_callback(tasks.discard)
                        task.add_done_callback(lambda _: ended.set())
                    started = len(claimed)
                except Exception:  # the worker's outermost handler: log, wait, go on
                    log.exception("webhook worker pass failed")
                if not started:
                    await _first_of((stop, ended, db.events_committed), idle)
        finally:
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
            await db.unlisten_events()
