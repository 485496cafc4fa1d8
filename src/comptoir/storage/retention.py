"""Purging what has expired: login tokens past their `expdate`, webservice challenges past
their `expires`, webservice sessions past their life span or idle time, failed log-ins
older than a day (the longest throttle window, `services/throttle.py`), and deletion-log
entries older than the retention (webservice `sync` reports deletions that recent).

    removed = await purge(db, now, Lifetimes(deletions_days=90))
        -> {"tokens": 3, "ws_challenges": 10, "ws_sessions": 2, "login_failures": 7,
            "deletions": 0}

The webhook worker calls it hourly (`events/delivery.run_worker`), beside the pruning of
delivered events (`events/outbox.prune`).  An expired token, challenge or session is
refused whether or not it was purged yet: purging only keeps the tables small.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from comptoir.storage.database import Database
from comptoir.storage.tables import (
    deletions,
    login_failures,
    tokens,
    ws_challenges,
    ws_sessions,
)

#: seconds a webservice session lives, and may stay idle (vtiger's defaults;
#: `services/sessions.py` refuses sessions past them)
SESSION_SECONDS = 86_400
IDLE_SECONDS = 1_800
#: seconds failed log-ins are kept: the longest window of the log-in throttle
LOGIN_FAILURE_SECONDS = 86_400


@dataclass(frozen=True)
class Lifetimes:
    session: int = SESSION_SECONDS
    idle: int = IDLE_SECONDS
    #: days deletion-log entries are kept; 0 keeps them all
    deletions_days: int = 90
    login_failures: int = LOGIN_FAILURE_SECONDS


def _expired(now: int, lifetimes: Lifetimes) -> dict[str, sa.Delete]:
    statements = {
        "tokens": sa.delete(tokens).where(tokens.c.expdate.is_not(None),
                                          tokens.c.expdate < now),
        "ws_challenges": sa.delete(ws_challenges).where(ws_challenges.c.expires < now),
        "ws_sessions": sa.delete(ws_sessions).where(sa.or_(
            ws_sessions.c.created < now - lifetimes.session,
            ws_sessions.c.seen < now - lifetimes.idle)),
        "login_failures": sa.delete(login_failures).where(
            login_failures.c.at < now - lifetimes.login_failures),
    }
    if lifetimes.deletions_days:
        statements["deletions"] = sa.delete(deletions).where(
            deletions.c.deleted < now - lifetimes.deletions_days * 86_400)
    return statements


async def purge(db: Database, now: int, lifetimes: Lifetimes = Lifetimes()) -> dict[str, int]:
    """Delete what expired by `now` (Unix seconds), one transaction; rows removed per table."""
    removed: dict[str, int] = {}
    async with db.write() as conn:
        for table, statement in _expired(now, lifetimes).items():
            removed[table] = await conn.run(statement)
    return removed
