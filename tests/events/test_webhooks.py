"""Webhooks: fan-out of outbox events, signed delivery to real receivers on 127.0.0.1, the
retry schedule on an injected clock, 410, Retry-After, replay, permissions, SSRF, and
SKIP LOCKED claiming on PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime
import os
import random
import ssl
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy as sa
from conftest import ReceiverServer, database_with_admin
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from standardwebhooks.webhooks import Webhook

from comptoir.config import Settings
from comptoir.errors import InvalidFieldError, PermissionDeniedError
from comptoir.events import delivery, outbox
from comptoir.events.network import AddressNotAllowedError, parse_networks, resolve_url
from comptoir.services import auth, records, webhooks
from comptoir.services.access import Caller
from comptoir.storage.database import Connection, Database, run_with_database
from comptoir.storage.tables import outbox as outbox_table
from comptoir.storage.tables import webhook_attempts, webhook_deliveries, webhook_endpoints

ADMIN = Caller(user=1, name="admin", admin=True)
LOOPBACK = parse_networks("127.0.0.0/8,::1/128")
POSTGRES = os.environ.get("COMPTOIR_TEST_DATABASE_URL", "").startswith("postgres")


class Receiver:
    """An HTTP server on 127.0.0.1 recording every request; answers come from `answers`
    ((status, headers) in turn, the last one repeated).  With `hold` set, it answers only
    when that event is set or 10 s have passed (a hanging endpoint); `answered` counts the
    answers sent."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[tuple[int, dict[str, str]]] = [(200, {})]
        self.lock = threading.Lock()
        self.hold: threading.Event | None = None
        self.answered = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the http.server name)
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver.lock:
                    receiver.requests.append((dict(self.headers.items()), body))
                    status, headers = (receiver.answers.pop(0) if len(receiver.answers) > 1
                                       else receiver.answers[0])
                if receiver.hold is not None:
                    receiver.hold.wait(10)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                with receiver.lock:
                    receiver.answered += 1

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ReceiverServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        if tls is not None:  # https://localhost: the name the certificate is for
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
            self.url = f"https://localhost:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with database_with_admin(tmp_path_factory.mktemp("webhooks"), "comptoir_webhooks") as found:
        yield found


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.close()


def run(url: str, work: Callable[[Database], Coroutine[Any, Any, Any]]) -> Any:
    return run_with_database(url, work)


@pytest.fixture(autouse=True)
def no_endpoints(url: str) -> None:
    """Each test starts with no endpoint and every earlier event fanned out."""
    async def work(db: Database) -> None:
        async with db.write() as conn:
            await conn.run(sa.delete(webhook_endpoints))
        await webhooks.fan_out(db)
    run(url, work)


async def _endpoint(db: Database, target: str, events: Any = ("*",),
                    owner: str | None = None, filter: Any = None) -> tuple[dict[str, Any], str]:
    return await webhooks.create_endpoint(db, ADMIN, target, list(events), owner=owner,
                                          filter=filter, allowed=LOOPBACK)


async def _deliver(db: Database, now: float | None = None) -> int:
    await webhooks.fan_out(db)
    async with httpx.AsyncClient() as client:
        return await delivery.run_once(db, client, now=now, allowed=LOOPBACK)


async def _delivery(db: Database, endpoint: int) -> dict[str, Any]:
    [found] = await webhooks.list_deliveries(db, ADMIN, endpoint)
    return found


def test_a_change_is_delivered_signed(url: str, receiver: Receiver) -> None:
    async def work(db: Database) -> tuple[str, int, dict[str, Any]]:
        endpoint, secret = await _endpoint(db, receiver.url, ["contacts.created"])
        made = await records.create_record(db, ADMIN, "contacts", {"lastname": "Ada"})
        await records.update_record(db, ADMIN, "contacts", int(made.data["ID"]),
                                    {"lastname": "Not wanted"})
        assert await _deliver(db) == 1
        return secret, int(made.data["ID"]), await _delivery(db, endpoint["ID"])

    secret, record_id, found = run(url, work)
    [(headers, body)] = receiver.requests
    event = Webhook(secret).verify(body, headers)
    assert event["type"] == "contacts.created" and event["id"] == headers["webhook-id"]
    assert event["id"].startswith("evt_") and event["timestamp"].endswith("Z")
    assert event["data"]["ID"] == record_id and event["data"]["record"]["lastname"] == "Ada"
    assert headers["webhook-signature"].startswith("v1,")
    assert found["status"] == "succeeded" and found["attempts"] == 1
    assert found["history"][0]["status"] == 200 and found["history"][0]["response"] == "ok"


def test_a_failure_is_retried_on_the_schedule(url: str, receiver: Receiver) -> None:
    receiver.answers = [(500, {}), (200, {})]

    async def work(db: Database) -> dict[str, Any]:
        endpoint, _ = await _endpoint(db, receiver.url)
        await records.create_record(db, ADMIN, "contacts", {"lastname": "Retry"})
        await webhooks.fan_out(db)  # its deliveries are due from now on: the clock
        start = time.time()
        assert await _deliver(db, start) == 1
        first = await _delivery(db, endpoint["ID"])
        assert first["status"] == "failed" and first["last_status"] == 500
        # in the worker's own unit, whole milliseconds of the clock it was given
        assert 4500 <= first["next_attempt"] - int(start * 1000) <= 5500
        assert await _deliver(db, start + 4) == 0  # not due yet
        assert await _deliver(db, start + 6) == 1
        return await _delivery(db, endpoint["ID"])

    found = run(url, work)
    assert found["status"] == "succeeded" and found["attempts"] == 2
    assert [a["status"] for a in found["history"]] == [500, 200]
    assert len({h["webhook-id"] for h, _ in receiver.requests}) == 1  # the same event id


def test_the_full_schedule_then_dead(url: str, receiver: Receiver) -> None:
    receiver.answers = [(500, {})]

    async def work(db: Database) -> tuple[list[float], dict[str, Any]]:
        endpoint, _ = await _endpoint(db, receiver.url)
        await records.create_record(db, ADMIN, "contacts", {"lastname": "Doomed"})
        await webhooks.fan_out(db)  # its deliveries are due from now on: the clock
        clock = time.time()
        waits: list[float] = []
        for _ in range(delivery.MAX_ATTEMPTS):
            assert await _deliver(db, clock) == 1
            found = await _delivery(db, endpoint["ID"])
            if found["next_attempt"] is not None:
                waits.append(found["next_attempt"] / 1000 - clock)
                clock = found["next_attempt"] / 1000
        assert await _deliver(db, clock + 10 * 86400) == 0
        return waits, await _delivery(db, endpoint["ID"])

    waits, found = run(url, work)
    assert len(waits) == 9
    for waited, planned in zip(waits, delivery.RETRY_DELAYS, strict=True):
        assert planned * 0.9 - 0.002 <= waited <= planned * 1.1 + 0.002
    assert found["status"] == "dead" and found["attempts"] == 10
    assert len(receiver.requests) == 10


def test_a_policy_shrinks_the_schedule(url: str, receiver: Receiver) -> None:
    """The operator's settings: three attempts, one and two seconds apart, then dead."""
    receiver.answers = [(500, {})]
    policy = delivery.Policy.from_settings(
        Settings(webhook_retry_delays="1,2", webhook_timeout=0.5, webhook_lease=1))

    async def work(db: Database) -> tuple[list[int], dict[str, Any]]:
        endpoint, _ = await _endpoint(db, receiver.url)
        await records.create_record(db, ADMIN, "contacts", {"lastname": "Short"})
        await webhooks.fan_out(db)
        clock, waits = time.time(), []
        async with httpx.AsyncClient() as client:
            for _ in range(3):
                assert await delivery.run_once(db, client, clock, allowed=LOOPBACK,
                                               policy=policy) == 1
                async with db.read() as conn:
                    [row] = await conn.all(sa.select(webhook_deliveries).where(
                        webhook_deliveries.c.endpoint == endpoint["ID"]))
                if row["next_attempt"] is not None:
                    waits.append(round(row["next_attempt"] / 1000 - clock))
                    clock = row["next_attempt"] / 1000
        return waits, row

    waits, row = run(url, work)
    assert waits == [1, 2] and row["status"] == "dead" and row["attempts"] == 3


@pytest.mark.parametrize(("settings", "field"), [
    ({"webhook_retry_delays": "5,soon"}, "webhook_retry_delays"),
    ({"webhook_retry_delays": "5,0"}, "webhook_retry_delays"),
    ({"webhook_retry_delays": ""}, "webhook_retry_delays"),
    ({"webhook_timeout": 0.0}, "webhook_timeout"),
    ({"webhook_timeout": 30.0, "webhook_lease": 59.0}, "webhook_lease"),
    ({"webhook_retention_days": -1}, "webhook_retention_days"),
    ({"webhook_lease": float("inf")}, "webhook_lease"),
    ({"webhook_timeout": float("nan")}, "webhook_timeout"),
])
def test_a_bad_policy_is_refused(settings: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidFieldError) as caught:
        delivery.Policy.from_settings(Settings(**settings))
    assert caught.value.field == field and caught.value.message.startswith(field + ": ")


def test_retry_delay_jitter_and_retry_after() -> None:
    rand = random.Random(5)
    assert [round(delivery.retry_delay(n, rand=rand) or 0) > 0 for n in range(1, 10)] == [True] * 9
    assert delivery.retry_delay(10) is None
    assert delivery.retry_delay(1, retry_after=120) == 120  # longer than 5 s: honoured
    assert 4.5 <= (delivery.retry_delay(2, retry_after=10) or 0) / 60 <= 5.5  # shorter: not


def test_retry_after_is_honoured(url: str, receiver: Receiver) -> None:
    receiver.answers = [(503, {"Retry-After": "120"}), (200, {})]

    async def work(db: Database) -> None:
        endpoint, _ = await _endpoint(db, receiver.url)
        await records.create_record(db, ADMIN, "contacts", {"lastname": "Busy"})
        await webhooks.fan_out(db)  # its deliveries are due from now on: the clock
        start = time.time()
        await _deliver(db, start)
        found = await _delivery(db, endpoint["ID"])
        assert round(found["next_attempt"] / 1000 - start) == 120
        assert await _deliver(db, start + 60) == 0
        assert await _deliver(db, start + 121) == 1

    run(url, work)


def test_410_disables_the_endpoint(url: str, receiver: Receiver) -> None:
    receiver.answers = [(410, {})]

    async def work(db: Database) -> dict[str, Any]:
        endpoint, _ = await _endpoint(db, receiver.url)
        await records.create_record(db, ADMIN, "contacts", {"lastname": "Gone"})
        await _deliver(db)
        await records.create_record(db, ADMIN, "contacts", {"lastname": "Later"})
        assert await _deliver(db, time.time() + 3600) == 0  # a disabled endpoint gets nothing
        return await webhooks.get_endpoint(db, ADMIN, endpoint["ID"])

    found = run(url, work)
    assert not found["enabled"] and "410" in found["disabled_reason"]
    assert len(receiver.requests) == 1


def test_failing_for_five_days_disables(url: str, receiver: Receiver) -> None:
    receiver.answers = [(500, {})]

    async def work(db: Database) -> dict[str, Any]:
        endpoint, _ = await _endpoint(db, receiver.url)
        await records.create_record(db, ADMIN, "contacts", {"lastname": "Flaky"})
        await webhooks.fan_out(db)  # its deliveries are due from now on: the clock
        start = time.time()
        assert await _deliver(db, start) == 1
        await records.create_record(db, ADMIN, "contacts", {"lastname": "Flaky 2"})
        await _deliver(db, start + 5 * 86400 + 1)
        return await webhooks.get_endpoint(db, ADMIN, endpoint["ID"])

    found = run(url, work)
    assert not found["enabled"] and found["disabled_reason"] == "failing for 5 days"


def test_replay_delivers_again(url: str, receiver: Receiver) -> None:
    async def work(db: Database) -> int:
        endpoint, _ = await _endpoint(db, receiver.url)
        await records.create_record(db, ADMIN, "contacts", {"lastname": "Again"})
        await _deliver(db)
        event = receiver.requests[0][0]["webhook-id"]
        assert await webhooks.replay(db, ADMIN, event=event) == 1
        assert await _deliver(db) == 1
        occurred = (await _delivery(db, endpoint["ID"]))["occurred"]
        assert await webhooks.replay(db, ADMIN, since=occurred - 1, until=occurred + 1) == 1
        assert await _deliver(db) == 1
        with pytest.raises(InvalidFieldError):
            await webhooks.replay(db, ADMIN)
        return len({h["webhook-id"] for h, _ in receiver.requests})

    assert run(url, work) == 1
    assert len(receiver.requests) == 3


def test_an_owner_who_may_not_read_gets_nothing(url: str, receiver: Receiver) -> None:
    async def work(db: Database) -> tuple[int, int]:
        await auth.create_user(db, "nobody", "pw-nobody-1")  # no group: no contacts permission
        await auth.create_group(db, "sales", (("contacts", False),))
        await auth.create_user(db, "seller", "pw-seller-1", group_names=("sales",))
        denied, _ = await _endpoint(db, receiver.url, owner="nobody")
        allowed, _ = await _endpoint(db, receiver.url, owner="seller")
        await records.create_record(db, ADMIN, "contacts", {"lastname": "Public"})
        await records.create_record(db, ADMIN, "contacts",
                                    {"lastname": "Private", "owneruser": 1})
        await webhooks.fan_out(db)
        mine = await webhooks.list_deliveries(db, ADMIN, allowed["ID"])
        return len(await webhooks.list_deliveries(db, ADMIN, denied["ID"])), len(mine)

    assert run(url, work) == (0, 1)  # the seller sees the public contact, not the private one


def test_a_filter_selects_the_records(url: str, receiver: Receiver) -> None:
    async def work(db: Database) -> int:
        endpoint, _ = await _endpoint(db, receiver.url, ["contacts.*"], filter={"country": "FR"})
        assert endpoint["filter"] == {"country": "FR"}
        await _endpoint(db, receiver.url, ["*.created"], filter={"country": "FR"})  # wildcard
        await records.create_record(db, ADMIN, "contacts", {"lastname": "Dupont",
                                                            "country": "FR"})
        await records.create_record(db, ADMIN, "contacts", {"lastname": "Müller",
                                                            "country": "DE"})
        await records.create_record(db, ADMIN, "davservers", {"name": "x", "url": "https://d.example/"})  # no country
        return await _deliver(db)

    assert run(url, work) == 2  # the French contact's create, to each endpoint
    bodies = [orjson.loads(body) for _, body in receiver.requests]
    assert {(b["type"], b["data"]["record"]["lastname"]) for b in bodies} == {
        ("contacts.created", "Dupont")}


def test_a_filter_and_the_owners_rights_use_the_query_engine(url: str,
                                                             receiver: Receiver) -> None:
    async def work(db: Database) -> list[str]:
        await auth.create_group(db, "fr-sales", (("contacts", False),))
        await auth.create_user(db, "vendeur", "pw-vendeur-1", group_names=("fr-sales",))
        await _endpoint(db, receiver.url, ["contacts.*"], owner="vendeur",
                        filter=["OR", {"country": "FR"}, {"lastname": {"~~": "Fr%"}}])
        made = await records.create_record(db, ADMIN, "contacts", {"lastname": "Schmidt",
                                                                   "country": "DE"})
        await records.update_record(db, ADMIN, "contacts", int(made.data["ID"]),
                                    {"country": "FR"})  # matches now: both events, as now
        await records.create_record(db, ADMIN, "contacts", {"lastname": "Private FR",
                                                            "country": "FR", "owneruser": 1})
        await _deliver(db)
        return sorted(orjson.loads(body)["type"] for _, body in receiver.requests)

    assert run(url, work) == ["contacts.created", "contacts.updated"]


def test_a_bad_filter_is_refused(url: str) -> None:
    async def work(db: Database) -> None:
        with pytest.raises(InvalidFieldError, match="filter: unknown field nosuch of contacts"):
            await _endpoint(db, "http://127.0.0.1:9/", ["contacts.*"], filter={"nosuch": 1})
        with pytest.raises(InvalidFieldError, match="filter: .*accounts"):  # every entity named
            await _endpoint(db, "http://127.0.0.1:9/", ["contacts.*", "accounts.created"],
                            filter={"city": "Paris"})
        with pytest.raises(InvalidFieldError, match="filter: not JSON"):
            await _endpoint(db, "http://127.0.0.1:9/", ["contacts.*"], filter="{nope")
        made, _ = await _endpoint(db, "http://127.0.0.1:9/", ["contacts.*"],
                                  filter='{"country": "FR"}')
        with pytest.raises(InvalidFieldError, match="filter: .*davservers"):  # events changed
            await webhooks.update_endpoint(db, ADMIN, made["ID"], events=["davservers.*"])
        cleared = await webhooks.update_endpoint(db, ADMIN, made["ID"], filter=None,
                                                 events=["davservers.*"])
        assert cleared["filter"] is None

    run(url, work)


def test_a_hanging_endpoint_never_holds_up_the_others(url: str) -> None:
    slow, healthy = Receiver(), Receiver()
    slow.hold = threading.Event()

    async def until(check: Callable[[], bool]) -> None:
        for _ in range(400):
            if check():
                return
            await asyncio.sleep(0.05)
        raise AssertionError("timed out")

    async def work(db: Database) -> tuple[int, int]:
        await _endpoint(db, slow.url)
        await _endpoint(db, healthy.url)
        stop = asyncio.Event()
        worker = asyncio.create_task(delivery.run_worker(db, stop, webhooks.fan_out,
                                                         allowed=LOOPBACK, idle=0.05))
        try:
            await records.create_record(db, ADMIN, "contacts", {"lastname": "First"})
            await until(lambda: len(slow.requests) == 1 and len(healthy.requests) == 1)
            # the slow endpoint's delivery is in flight (hanging); a second change...
            await records.create_record(db, ADMIN, "contacts", {"lastname": "Second"})
            await until(lambda: len(healthy.requests) == 2)
            # ...reached the healthy receiver before the slow one answered anything
            return slow.answered, len(healthy.requests)
        finally:
            slow.hold.set()
            stop.set()
            await worker

    try:
        assert run(url, work) == (0, 2)
    finally:
        slow.close()
        healthy.close()


def test_a_hanging_endpoint_holds_few_slots(url: str) -> None:
    """More deliveries hang than the worker has slots: the hanging endpoint holds
    `per_endpoint` of them, the others keep flowing."""
    slow, healthy = Receiver(), Receiver()
    slow.hold = threading.Event()

    async def work(db: Database) -> tuple[int, int, int]:
        await _endpoint(db, slow.url)
        await _endpoint(db, healthy.url)
        stop = asyncio.Event()
        worker = asyncio.create_task(delivery.run_worker(
            db, stop, webhooks.fan_out, allowed=LOOPBACK, idle=0.05, concurrency=4,
            per_endpoint=2))
        try:
            for n in range(6):
                await records.create_record(db, ADMIN, "contacts", {"lastname": f"H{n}"})
            for _ in range(400):
                if len(healthy.requests) == 6:
                    break
                await asyncio.sleep(0.05)
            return len(healthy.requests), len(slow.requests), slow.answered
        finally:
            slow.hold.set()
            stop.set()
            await worker

    try:
        assert run(url, work) == (6, 2, 0)
    finally:
        slow.close()
        healthy.close()


def test_a_rolled_back_change_is_never_delivered(url: str, receiver: Receiver) -> None:
    async def failing(conn: Connection, record_id: int) -> None:
        raise InvalidFieldError("lastname", "refused after the row was written")

    async def work(db: Database) -> int:
        await _endpoint(db, receiver.url)
        with pytest.raises(InvalidFieldError):
            await records.create_record(db, ADMIN, "contacts", {"lastname": "Ghost"},
                                        after=failing)
        return await _deliver(db)

    assert run(url, work) == 0
    assert receiver.requests == []


def test_rotation_signs_with_both_secrets(url: str, receiver: Receiver) -> None:
    async def work(db: Database) -> tuple[str, str]:
        endpoint, old = await _endpoint(db, receiver.url)
        new = await webhooks.rotate_secret(db, ADMIN, endpoint["ID"])
        await records.create_record(db, ADMIN, "contacts", {"lastname": "Rotated"})
        await _deliver(db)
        return old, new

    old, new = run(url, work)
    [(headers, body)] = receiver.requests
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(body, headers)
    Webhook(new).verify(body, headers)


@pytest.mark.parametrize("target", [
    "http://127.0.0.1:9/", "http://[::ffff:127.0.0.1]/", "http://10.0.0.1/",
    "http://169.254.169.254/latest", "http://[64:ff9b::a00:1]/", "http://[::1]/",
    "http://0.0.0.0/", "http://localhost/", "http://100.64.0.1/"])
def test_ssrf_refusals(target: str) -> None:
    with pytest.raises(AddressNotAllowedError):
        asyncio.run(resolve_url(target))


@pytest.mark.parametrize("target", ["ftp://example.com/", "file:///etc/passwd", "http://", "x",
                                    "http://u:p@example.com/", "http://[::1/"])
def test_bad_urls(target: str) -> None:
    with pytest.raises(InvalidFieldError):
        asyncio.run(resolve_url(target))


def test_allow_listed_and_public_addresses_pass() -> None:
    assert str(asyncio.run(resolve_url("http://127.0.0.1:9/", LOOPBACK))) == "127.0.0.1"
    assert str(asyncio.run(resolve_url("https://93.184.215.14/"))) == "93.184.215.14"


def test_endpoint_creation_checks_url_patterns_and_admin(url: str) -> None:
    async def work(db: Database) -> None:
        with pytest.raises(InvalidFieldError, match="10.0.0.1"):
            await webhooks.create_endpoint(db, ADMIN, "http://10.0.0.1/hook", ["*"])
        with pytest.raises(InvalidFieldError, match="nosuch.created"):
            await _endpoint(db, "http://127.0.0.1:9/", ["nosuch.created"])
        with pytest.raises(InvalidFieldError, match="contacts.moved"):
            await _endpoint(db, "http://127.0.0.1:9/", ["contacts.moved"])
        with pytest.raises(PermissionDeniedError):
            await webhooks.create_endpoint(db, Caller(user=2, name="x"), "http://1.1.1.1/",
                                           ["*"])

    run(url, work)


def test_a_refused_address_at_delivery_is_a_failed_attempt(url: str,
                                                           receiver: Receiver) -> None:
    async def work(db: Database) -> dict[str, Any]:
        endpoint, _ = await _endpoint(db, receiver.url)
        await records.create_record(db, ADMIN, "contacts", {"lastname": "Blocked"})
        await webhooks.fan_out(db)
        async with httpx.AsyncClient() as client:  # the allow-list was removed since
            assert await delivery.run_once(db, client) == 1
        return await _delivery(db, endpoint["ID"])

    found = run(url, work)
    assert found["status"] == "failed" and found["history"][0]["error"] == "address not allowed"
    assert receiver.requests == []


def test_pattern_matching() -> None:
    assert webhooks.matches(["*.deleted"], "contacts.deleted")
    assert not webhooks.matches(["*.deleted"], "contacts.created")
    assert webhooks.matches(["contacts.*"], "contacts.updated")
    assert not webhooks.matches(["accounts.*"], "contacts.updated")


@pytest.mark.skipif(not POSTGRES, reason="SKIP LOCKED: PostgreSQL only")
def test_concurrent_workers_never_send_twice(url: str, receiver: Receiver) -> None:
    async def work(db: Database) -> int:
        await _endpoint(db, receiver.url)
        for n in range(40):
            await records.create_record(db, ADMIN, "contacts", {"lastname": f"Many {n}"})
        await webhooks.fan_out(db)
        async with httpx.AsyncClient() as client:
            sent = await asyncio.gather(*(delivery.run_once(db, client, allowed=LOOPBACK,
                                                            limit=7) for _ in range(8)))
        async with db.read() as conn:
            left = await conn.scalar(sa.select(sa.func.count()).select_from(webhook_deliveries)
                                     .where(webhook_deliveries.c.status != "succeeded"))
        assert left == 40 - sum(sent)
        return sum(sent)

    sent = run(url, work)
    ids = [h["webhook-id"] for h, _ in receiver.requests]
    assert len(ids) == len(set(ids)) == sent > 7


# --- the REST API and the CLI -----------------------------------------------------------------


def test_rest_administration(admin: httpx.Client, make_user: Callable[..., httpx.Client]) -> None:
    # given an endpoint created over REST (a public address literal: no DNS needed)
    r = admin.put("/webhooks", json={"url": "https://93.184.215.14/hook",
                                     "events": ["davservers.deleted"], "description": "d"})
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["secret"].startswith("whsec_") and made["enabled"] is True
    hook = made["ID"]
    try:
        # then it is listed without its secret, can be disabled, rotated, inspected
        listed = admin.get("/webhooks").json()
        assert [e for e in listed if e["ID"] == hook] and "secret" not in listed[0]
        r = admin.post(f"/webhooks/{hook}", json={"enabled": False})
        assert r.status_code == 200 and r.json()["enabled"] is False
        assert r.json()["filter"] is None
        r = admin.post(f"/webhooks/{hook}", json={"filter": {"name": "x"}})
        assert r.status_code == 200 and r.json()["filter"] == {"name": "x"}
        r = admin.post(f"/webhooks/{hook}", json={"filter": {"nosuch": 1}})
        assert r.status_code == 400 and "nosuch" in r.text
        r = admin.post(f"/webhooks/{hook}/rotate")
        assert r.status_code == 200 and r.json()["secret"] != made["secret"]
        assert admin.get(f"/webhooks/{hook}/deliveries").json() == []
        assert admin.post("/webhooks/replay", json={"from": 0, "to": 1}).json() == {"queued": 0}
        # bad input: 400 naming what is wrong, never a 500
        for body, named in (({"url": "http://127.0.0.1:9/", "events": ["*"]}, "127.0.0.1"),
                            ({"url": "https://93.184.215.14/", "events": ["contacts.*"],
                              "filter": {"nosuch": 1}}, "filter: unknown field nosuch"),
                            ({"url": "ftp://example.com/", "events": ["*"]}, "ftp://"),
                            ({"url": "https://93.184.215.14/", "events": ["x.y"]}, "x.y"),
                            ({"url": 5, "events": ["*"]}, "url"),
                            ({"url": "https://93.184.215.14/"}, "events")):
            r = admin.put("/webhooks", json=body)
            assert r.status_code == 400 and named in r.text, (body, r.text)
        assert admin.post(f"/webhooks/{hook}", json={"enabled": "yes"}).status_code == 400
        assert admin.post("/webhooks/replay", json={"event": 3}).status_code == 400
        assert admin.post("/webhooks/replay", json={"event": "evt_nope"}).status_code == 404
        assert admin.get("/webhooks/999999/deliveries").status_code == 404
        assert admin.get("/webhooks/abc").status_code == 404
        # non-administrators are refused
        assert make_user("contacts").get("/webhooks").status_code == 403
    finally:
        assert admin.delete(f"/webhooks/{hook}").status_code == 204
    assert admin.delete(f"/webhooks/{hook}").status_code == 404


def test_cli_webhooks(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from comptoir import cli

    base = ["--database", database_url]
    assert cli.main(["webhook", "create", "--url", "http://10.0.0.1/",
                     "--event", "*", *base]) == 1
    assert "http://10.0.0.1/" in capsys.readouterr().err
    assert cli.main(["webhook", "create", "--url", "https://93.184.215.14/",
                     "--event", "contacts.*", "--filter", '{"nosuch": 1}', *base]) == 1
    assert "filter: unknown field nosuch" in capsys.readouterr().err
    assert cli.main(["webhook", "create", "--url", "https://93.184.215.14/",
                     "--event", "davservers.deleted", "--event", "*.deleted",
                     "--filter", '{"name": "x"}', *base]) == 0
    out = capsys.readouterr().out
    hook = out.split()[3]
    assert "secret: whsec_" in out
    assert cli.main(["webhook", "disable", hook, *base]) == 0
    assert cli.main(["webhook", "list", *base]) == 0
    assert "disabled" in capsys.readouterr().out
    assert cli.main(["webhook", "rotate", hook, *base]) == 0
    assert cli.main(["webhook", "delete", hook, *base]) == 0
    assert cli.main(["webhook", "enable", hook, *base]) == 1


def _certificate(folder: Any, name: str) -> tuple[str, str]:
    """A self-signed certificate for DNS name `name` and its key: (cert file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / f"{name}.pem", folder / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


@pytest.mark.parametrize("trusted", [True, False])
def test_https_receivers(url: str, tmp_path: Any, trusted: bool) -> None:
    """The worker connects to the checked address and still speaks TLS to the URL's host:
    the server name (SNI) and the certificate check use `localhost`, not 127.0.0.1.  A
    certificate the worker does not trust is a failed attempt, not a delivery."""
    cert, key = _certificate(tmp_path, "localhost")
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    names: list[str | None] = []
    server_tls.sni_callback = lambda sock, name, ctx: names.append(name)  # type: ignore[assignment]
    receiver = Receiver(tls=server_tls)
    client_tls = ssl.create_default_context(cafile=cert if trusted else None)

    async def work(db: Database) -> dict[str, Any]:
        endpoint, secret = await _endpoint(db, receiver.url)
        await records.create_record(db, ADMIN, "contacts", {"lastname": "Secure"})
        await webhooks.fan_out(db)
        async with httpx.AsyncClient(verify=client_tls) as client:
            assert await delivery.run_once(db, client, allowed=LOOPBACK) == 1
        found = await _delivery(db, endpoint["ID"])
        return {**found, "secret": secret}

    try:
        found = run(url, work)
    finally:
        receiver.close()
    assert receiver.url.startswith("https://localhost:")
    if trusted:
        assert found["status"] == "succeeded" and names == ["localhost"]
        [(headers, body)] = receiver.requests
        assert {k.lower(): v for k, v in headers.items()}["host"] == receiver.url.split("/")[2]
        assert Webhook(found["secret"]).verify(body, headers)["data"]["record"]["lastname"] == "Secure"
    else:
        assert found["status"] == "failed" and not receiver.requests
        assert "CERTIFICATE_VERIFY_FAILED" in (found["history"][0]["error"] or "")


def test_pruning_keeps_what_is_still_needed(url: str, receiver: Receiver) -> None:
    """Events older than the retention go with their deliveries and attempts, but the last
    event of each record (its sequence goes on from there) and the events a delivery still
    waits for stay."""
    receiver.answers = [(200, {}), (200, {}), (500, {})]

    async def work(db: Database) -> tuple[list[tuple[str, int]], int, int, int]:
        await _endpoint(db, receiver.url)
        made = await records.create_record(db, ADMIN, "contacts", {"lastname": "Old"})
        record_id = int(made.data["ID"])
        assert await _deliver(db) == 1  # succeeds
        await records.update_record(db, ADMIN, "contacts", record_id, {"firstname": "A"})
        assert await _deliver(db) == 1  # succeeds
        await records.update_record(db, ADMIN, "contacts", record_id, {"firstname": "B"})
        assert await _deliver(db) == 1  # fails: a retry waits
        removed = await outbox.prune(db, int(time.time() * 1000) + 1000)
        await records.update_record(db, ADMIN, "contacts", record_id, {"firstname": "C"})
        async with db.read() as conn:
            left = [(e["type"], e["sequence"]) for e in await outbox.read_events(
                conn, entity="contacts", record=record_id)]
            deliveries = await conn.scalar(sa.select(sa.func.count()).select_from(
                webhook_deliveries))
            attempts = await conn.scalar(sa.select(sa.func.count()).select_from(
                webhook_attempts))
        return left, removed, deliveries, attempts

    left, removed, deliveries, attempts = run(url, work)
    assert removed >= 2  # this record's first two, and earlier tests' delivered events
    # the third event waits for its retry (and is the record's last one); the next is 4th
    assert left == [("contacts.updated", 3), ("contacts.updated", 4)]
    assert deliveries == 1 and attempts == 1


def test_nothing_is_pruned_younger_than_the_retention(url: str) -> None:
    async def work(db: Database) -> int:
        made = await records.create_record(db, ADMIN, "contacts", {"lastname": "Young"})
        await records.update_record(db, ADMIN, "contacts", int(made.data["ID"]),
                                    {"firstname": "A"})
        await webhooks.fan_out(db)
        return await outbox.prune(db, int(time.time() * 1000) - 60_000)

    assert run(url, work) == 0


def test_the_worker_prunes_with_a_retention(url: str) -> None:
    """`webhook_retention_days`: the worker prunes when it starts (then hourly)."""
    policy = delivery.Policy.from_settings(Settings(webhook_retention_days=1))

    async def work(db: Database) -> list[int]:
        made = await records.create_record(db, ADMIN, "contacts", {"lastname": "Stale"})
        record_id = int(made.data["ID"])
        await records.update_record(db, ADMIN, "contacts", record_id, {"firstname": "A"})
        async with db.write() as conn:  # both events two days old
            await conn.run(sa.update(outbox_table).where(outbox_table.c.record == record_id,
                                                         outbox_table.c.entity == "contacts")
                           .values(occurred=int((time.time() - 2 * 86400) * 1000)))
        stop = asyncio.Event()
        worker = asyncio.create_task(delivery.run_worker(db, stop, webhooks.fan_out,
                                                         idle=0.05, policy=policy))
        await asyncio.sleep(0.5)
        stop.set()
        await worker
        async with db.read() as conn:
            return [e["sequence"] for e in await outbox.read_events(
                conn, entity="contacts", record=record_id)]

    assert run(url, work) == [2]  # the created event went, the record's last one stayed
