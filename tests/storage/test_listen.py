"""PostgreSQL: a commit that wrote outbox events wakes the webhook worker of another
process (LISTEN/NOTIFY), a rollback wakes nobody; SQLite has no such signal (the worker
polls)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from conftest import database_with_admin

from comptoir.services import auth, records
from comptoir.storage.database import open_database


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with database_with_admin(tmp_path_factory.mktemp("listen"), "comptoir_listen") as u:
        yield u


async def _woken(event: asyncio.Event, within: float) -> bool:
    try:
        await asyncio.wait_for(event.wait(), within)
    except TimeoutError:
        return False
    return True


def test_another_process_commit_wakes_the_listener(url: str) -> None:
    if not url.startswith("postgres"):
        pytest.skip("LISTEN/NOTIFY: PostgreSQL only")

    async def work() -> tuple[bool, bool]:
        listening, writing = open_database(url), open_database(url)  # two "processes"
        await listening.open()
        await writing.open()
        try:
            await listening.listen_events()
            async with writing.read() as conn:
                admin = await auth.load_caller(conn, 1)
            # a rolled-back write that emitted an event wakes nobody
            with pytest.raises(RuntimeError):
                async with writing.write():
                    await records.create_record(writing, admin, "contacts", {"lastname": "No"})
                    raise RuntimeError("rolled back")
            silent = not await _woken(listening.events_committed, 0.5)
            await records.create_record(writing, admin, "contacts", {"lastname": "Yes"})
            return silent, await _woken(listening.events_committed, 5)
        finally:
            await listening.close()
            await writing.close()

    assert asyncio.run(work()) == (True, True)


def test_a_separate_worker_delivers_at_once_without_polling(url: str) -> None:
    """A worker that would poll only every 30 s delivers within a second of a commit
    made by another process's connection: it was woken."""
    if not url.startswith("postgres"):
        pytest.skip("LISTEN/NOTIFY: PostgreSQL only")
    from http.server import BaseHTTPRequestHandler
    from threading import Thread

    from conftest import ReceiverServer

    from comptoir.events import delivery
    from comptoir.events.network import parse_networks
    from comptoir.services import webhooks

    arrived = asyncio.Event()
    loop_of: list[asyncio.AbstractEventLoop] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
            self.rfile.read(int(self.headers["content-length"]))
            self.send_response(200)
            self.end_headers()
            loop_of[0].call_soon_threadsafe(arrived.set)

        def log_message(self, *_: object) -> None:
            pass

    http = ReceiverServer(("127.0.0.1", 0), Handler)
    Thread(target=http.serve_forever, daemon=True).start()
    loopback = parse_networks("127.0.0.0/8")

    async def work() -> float:
        loop_of.append(asyncio.get_running_loop())
        worker_db, writing = open_database(url), open_database(url)
        await worker_db.open()
        await writing.open()
        stop = asyncio.Event()
        try:
            async with writing.read() as conn:
                admin = await auth.load_caller(conn, 1)
            await webhooks.create_endpoint(writing, admin, f"http://127.0.0.1:{http.server_port}/",
                                           ["contacts.created"], allowed=loopback)
            worker = asyncio.create_task(delivery.run_worker(
                worker_db, stop, webhooks.fan_out, allowed=loopback, idle=30))
            await asyncio.sleep(0.5)  # the worker's first pass is over: it waits now
            started = asyncio.get_running_loop().time()
            await records.create_record(writing, admin, "contacts", {"lastname": "Woken"})
            await asyncio.wait_for(arrived.wait(), 10)
            took = asyncio.get_running_loop().time() - started
            stop.set()
            await worker
            return took
        finally:
            await worker_db.close()
            await writing.close()

    try:
        assert asyncio.run(work()) < 2  # not the 30 s of its polling
    finally:
        http.shutdown()
        http.server_close()
