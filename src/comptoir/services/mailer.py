"""The mail outbox worker: claim the due messages, hand each to its SMTP server, record
the outcome on the message, schedule retries (`docs/email.md`).

    sent = await run_once(db, now=time.time())                  # tests, one pass
    await run_worker(db, stop, policy=MailPolicy.from_settings(settings))  # until stopped

Claiming is the webhook worker's (`events.delivery.claim`): the due rows are selected
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, so that several workers never take the same one;
SQLite has a single writer) and leased; a worker killed mid-send leaves the lease to
expire, and the message is claimed again.

Sending uses `smtplib` in a thread, with the mail server's settings: `serverout`,
`portout`, `securityout` (NONE, STARTTLS: the connection is upgraded and the certificate
checked, TLS: implicit TLS from the first byte), `usernameout` and its sealed
`passwordout` (AUTH when a user name is set).  The envelope sender is the message's sender
address, the recipients its to, cc and bcc.  A 5xx answer is final at once (`dead`); a
4xx, a refused connection, a timeout or a TLS failure is retried after
`delivery.retry_delay` of the mail schedule (±10 % jitter); after the last delay the
message is `dead`.  Each outcome is written on the message (mailbox SENT and senddate, or
senderror) with the message's `updated` event, so webhooks push it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import smtplib
import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import getaddresses
from typing import Any

import sqlalchemy as sa

from comptoir.config import Settings
from comptoir.errors import ComptoirError, InvalidFieldError
from comptoir.events.delivery import retry_delay
from comptoir.schema.registry import ENTITIES
from comptoir.services import derived, mail
from comptoir.storage import rows
from comptoir.storage.database import Database
from comptoir.storage.tables import TABLES, mail_outbox

log = logging.getLogger("comptoir.mail")

MESSAGES = ENTITIES["messages"]
#: seconds to wait after the 1st, 2nd... 8th failure; the 9th failure is final
RETRY_DELAYS = (60.0, 300.0, 900.0, 3600.0, 10800.0, 21600.0, 43200.0, 86400.0)
NONE, STARTTLS, TLS = 0, 1, 2
BATCH = 20
#: messages one worker has in flight at most
CONCURRENCY = 8
ERROR_EXCERPT = 1000


@dataclass(frozen=True)
class MailPolicy:
    """The retry schedule (seconds after the 1st, 2nd... failure) and the timeout of an
    SMTP conversation (seconds); a claimed message is leased for `lease` seconds."""

    retry_delays: tuple[float, ...] = RETRY_DELAYS
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if not self.retry_delays or any(not 0 < d <= 86400 for d in self.retry_delays):
            raise InvalidFieldError("mail_retry_delays",
                                    "seconds between 0 and 86400, at least one")
        if not 0 < self.timeout <= 300:
            raise InvalidFieldError("mail_timeout", "seconds, more than 0 and at most 300")

    @property
    def lease(self) -> float:
        """Well beyond an attempt: its conversation may take `timeout` per exchange."""
        return 10 * self.timeout + 60

    @classmethod
    def from_settings(cls, settings: Settings) -> MailPolicy:
        try:
            delays = tuple(float(d) for d in settings.mail_retry_delays.split(","))
        except ValueError:
            raise InvalidFieldError("mail_retry_delays", "comma-separated seconds") from None
        return cls(delays, float(settings.mail_timeout))


DEFAULT = MailPolicy()


@dataclass(frozen=True)
class Outcome:
    sent: bool
    #: the error; for a message sent, the recipients the server refused
    error: str | None = None
    permanent: bool = False


async def claim(db: Database, now_ms: int, limit: int = BATCH,
                lease: float = DEFAULT.lease) -> list[dict[str, Any]]:
    """Lease the due messages of the outbox, at most `limit` (see the module's doc)."""
    due = (sa.select(mail_outbox.c.ID)
           .where(mail_outbox.c.status.in_(("pending", "failed")),
                  mail_outbox.c.next_attempt <= now_ms,
                  sa.or_(mail_outbox.c.lease_until.is_(None),
                         mail_outbox.c.lease_until <= now_ms))
           .order_by(mail_outbox.c.next_attempt, mail_outbox.c.ID).limit(limit))
    if db.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    else:  # nothing due: no write transaction (single writer)
        async with db.read() as conn:
            if not await conn.all(due.limit(1)):
                return []
    async with db.write() as conn:
        ids = [row["ID"] for row in await conn.all(due)]
        if not ids:
            return []
        await conn.run(sa.update(mail_outbox).where(mail_outbox.c.ID.in_(ids))
                       .values(lease_until=now_ms + int(lease * 1000)))
        claimed: list[dict[str, Any]] = await conn.all(
            sa.select(mail_outbox.c.ID, mail_outbox.c.message, mail_outbox.c.attempts)
            .where(mail_outbox.c.ID.in_(ids)).order_by(mail_outbox.c.ID))
        return claimed


def _recipients(message: Mapping[str, Any]) -> list[str]:
    found = getaddresses([message[name] for name in ("to", "cc", "bcc") if message[name]])
    return list(dict.fromkeys(addr for _, addr in found if addr))


def _text(raw: bytes | str) -> str:
    return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)


def _converse(server: Mapping[str, Any], password: str | None, sender: str,
              recipients: Sequence[str], raw: bytes, timeout: float) -> dict[str, Any]:
    """One SMTP conversation (in a thread); returns the recipients refused."""
    host, port = str(server["serverout"]).strip(), int(server["portout"])
    context = ssl.create_default_context()
    security = int(server["securityout"])
    smtp = (smtplib.SMTP_SSL(host, port, timeout=timeout, context=context) if security == TLS
            else smtplib.SMTP(host, port, timeout=timeout))
    with smtp:
        smtp.ehlo()
        if security == STARTTLS:
            smtp.starttls(context=context)
            smtp.ehlo()
        if server["usernameout"]:
            smtp.login(str(server["usernameout"]), password or "")
        refused: dict[str, Any] = smtp.sendmail(sender, list(recipients), raw)
        return refused


async def _attempt(db: Database, message_id: int, timeout: float) -> Outcome | None:
    """Send one message; None when it is gone (deleted meanwhile)."""
    servers = TABLES["mailservers"]
    async with db.read() as conn:
        message = await rows.select_row(conn, MESSAGES, message_id)
        if message is None:
            return None
        server = await conn.one(sa.select(servers).where(servers.c.ID == message["mailserver"]))
        raw = (await rows.read_binfiles(conn, [message["binfile"]])).get(message["binfile"])
    if server is None or server["activity"] != mail.ACTIVE or not server["serverout"]:
        return Outcome(False, f"mail server {message['mailserver']} is missing or not active")
    recipients = _recipients(message)
    if raw is None or not recipients or not message["sender_email"]:
        return Outcome(False, "the message has no content, sender or recipient", True)
    try:
        password = mail.password_of(server)
        refused = await asyncio.wait_for(asyncio.to_thread(
            _converse, server, password, str(message["sender_email"]), recipients, raw,
            timeout), timeout * 10)
    except smtplib.SMTPRecipientsRefused as exc:  # every recipient refused
        answers = exc.recipients.values()
        return Outcome(False, "every recipient was refused: " + "; ".join(
            f"{addr}: {code} {_text(text)}" for addr, (code, text) in exc.recipients.items()),
            all(code >= 500 for code, _ in answers))
    except smtplib.SMTPResponseException as exc:  # an answer: 5xx final, 4xx retried
        return Outcome(False, f"{exc.smtp_code} {_text(exc.smtp_error)}", exc.smtp_code >= 500)
    except TimeoutError:
        return Outcome(False, f"timeout: the server did not answer within {timeout:g} s")
    except (smtplib.SMTPException, OSError, ComptoirError) as exc:
        return Outcome(False, f"{type(exc).__name__}: {exc}")
    if refused:
        return Outcome(True, "not delivered to: " + "; ".join(
            f"{addr}: {code} {_text(text)}" for addr, (code, text) in refused.items()))
    return Outcome(True)


def _stamp(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat(timespec="seconds")


async def _record(db: Database, claimed: Mapping[str, Any], outcome: Outcome, now_ms: int,
                  rand: random.Random | None, delays: Sequence[float]) -> None:
    attempts = claimed["attempts"] + 1
    error = (outcome.error or "")[:ERROR_EXCERPT]
    values: dict[str, Any] = {"attempts": attempts, "lease_until": None,
                              "last_error": error or None}
    changes: dict[str, Any]
    if outcome.sent:
        values.update(status="sent", next_attempt=None)
        changes = {"mailbox": mail.SENT, "senddate": now_ms // 1000, "senderror": error}
    else:
        delay = None if outcome.permanent else retry_delay(attempts, None, rand, delays)
        if delay is None:
            values.update(status="dead", next_attempt=None)
            why = "refused" if outcome.permanent else f"failed {attempts} times"
            note = f"not sent ({why}): {error}"
        else:
            retry = now_ms + int(delay * 1000)
            values.update(status="failed", next_attempt=retry)
            note = f"attempt {attempts} failed: {error}; next attempt at {_stamp(retry)}"
        changes = {"senderror": note[:ERROR_EXCERPT]}
    async with db.write() as conn:
        await conn.run(sa.update(mail_outbox).where(mail_outbox.c.ID == claimed["ID"])
                       .values(values))
        message = await rows.select_row(conn, MESSAGES, claimed["message"], for_update=True)
        if message is not None:
            await derived.update(conn, MESSAGES, message, changes, actor=None)


async def _deliver(db: Database, claimed: Mapping[str, Any], now_ms: int,
                   rand: random.Random | None, policy: MailPolicy) -> None:
    outcome = await _attempt(db, claimed["message"], policy.timeout)
    if outcome is None:  # the message was deleted (its outbox row with it)
        return
    await _record(db, claimed, outcome, now_ms, rand, policy.retry_delays)
    if not outcome.sent:
        log.warning("message %s not sent: %s", claimed["message"], outcome.error)


async def run_once(db: Database, now: float | None = None, *,
                   rand: random.Random | None = None, limit: int = BATCH,
                   policy: MailPolicy = DEFAULT) -> int:
    """Claim the due messages, send them concurrently, record the outcomes; returns how
    many were tried.  `now` (seconds) is the clock of the schedule."""
    now_ms = int((time.time() if now is None else now) * 1000)
    claimed = await claim(db, now_ms, limit, policy.lease)
    await asyncio.gather(*(_deliver(db, c, now_ms, rand, policy) for c in claimed))
    return len(claimed)


async def _guarded(db: Database, claimed: Mapping[str, Any], policy: MailPolicy) -> None:
    try:
        await _deliver(db, claimed, int(time.time() * 1000), None, policy)
    except Exception:  # the lease expires and the message is claimed again
        log.exception("mail outbox row %s failed", claimed["ID"])


async def run_worker(db: Database, stop: asyncio.Event, *, policy: MailPolicy = DEFAULT,
                     idle: float = 0.5, concurrency: int = CONCURRENCY) -> None:
    """Send the queued messages until `stop` is set; errors are logged, never fatal.  At
    most `concurrency` messages are in flight, each in a task of its own; between passes
    that start nothing the worker waits `idle` seconds at most.  On stop, the messages in
    flight are finished."""
    tasks: set[asyncio.Task[None]] = set()
    try:
        while not stop.is_set():
            started = 0
            try:
                free = concurrency - len(tasks)
                if free > 0:
                    for found in await claim(db, int(time.time() * 1000), min(free, BATCH),
                                             policy.lease):
                        task = asyncio.create_task(_guarded(db, found, policy))
                        tasks.add(task)
                        task.add_done_callback(tasks.discard)
                        started += 1
            except Exception:  # the worker's outermost handler: log, wait, go on
                log.exception("mail worker pass failed")
            if not started:
                stopped = asyncio.ensure_future(stop.wait())
                try:  # until stopped, a message sent (a slot freed) or `idle` seconds
                    await asyncio.wait([stopped, *tasks], timeout=idle,
                                       return_when=asyncio.FIRST_COMPLETED)
                finally:
                    stopped.cancel()
    finally:
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
