"""Webservice (vtiger) logins and sessions.

    get_challenge(db, "admin")            -> {"token", "serverTime", "expireTime"}
    login(db, "admin", md5(token + key))  -> {"session", "user", "name", "email", ...}
    resume(db, session)                   -> Caller, on every later request
    logout(db, session)

A challenge token lives 300 s and is not consumed by a login; a user may hold several, so
that concurrent logins of one user do not break each other.  A session id is 32 lowercase
hex characters; only its SHA-256 digest is stored.  A session ends 86,400 s after its
login, or after 1,800 s without a request (its last activity is written at most once a
minute).  Every function takes the clock as `now`, for tests.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from comptoir.errors import (
    AuthenticationError,
    ChallengeError,
    InvalidFieldError,
    InvalidSessionError,
    SessionExpiredError,
    SessionIdleError,
)
from comptoir.services import keyring, throttle
from comptoir.services.access import Caller
from comptoir.services.auth import (
    caller_from,
    caller_head,
    caller_query,
    digest,
    load_caller,
    user_first,
)
from comptoir.storage.database import Connection, Database
from comptoir.storage.retention import IDLE_SECONDS, SESSION_SECONDS
from comptoir.storage.tables import TABLES, ws_challenges, ws_sessions

Clock = Callable[[], float]

CHALLENGE_SECONDS = 300
SEEN_EVERY = 60

INVALID_CREDENTIALS = "Invalid username or password"
INVALID_TOKEN = "Specified token is invalid or expired"
INVALID_SESSION = "Session Identifier provided is Invalid"
SESSION_EXPIRED = "Session has life span over please login again"
SESSION_IDLE = "Session has been invalidated to due lack activity"  # (sic), as vtiger

log = logging.getLogger("comptoir")
users = TABLES["users"]
_USER_COLUMNS = (users.c.ID, users.c.name, users.c.email, users.c.admin, users.c.contact,
                 users.c.activity, users.c.expdate, users.c.accesskey)
#: a session, its user and the user's access, in one round trip (see auth.caller_query)
_SESSION_QUERY = caller_query(
    sa.select(*caller_head(token=ws_sessions.c.ID, user=ws_sessions.c.user,
                           expdate=users.c.expdate, username=users.c.name, admin=users.c.admin,
                           nopublic=users.c.nopublic, activity=users.c.activity,
                           started=ws_sessions.c.created, seen=ws_sessions.c.seen))
    .join(users, users.c.ID == ws_sessions.c.user)
    .where(ws_sessions.c.digest == sa.bindparam("digest")),
    sa.select(ws_sessions.c.user).where(ws_sessions.c.digest == sa.bindparam("digest"))
    .scalar_subquery())


async def get_challenge(db: Database, username: str, now: Clock = time.time) -> dict[str, Any]:
    """A login challenge.  An unknown or inactive user gets a token of the same shape that
    is not stored (and so never logs in): the answer does not tell which names exist."""
    if not username:
        raise InvalidFieldError("username", "is required")
    at = int(now())
    token, expires = secrets.token_hex(8), at + CHALLENGE_SECONDS
    async with db.read() as conn:
        user = await _user(conn, users.c.name, username)
    if user is not None and _active(user, at):
        async with db.write() as conn:
            await conn.run(sa.delete(ws_challenges).where(ws_challenges.c.user == user["ID"],
                                                          ws_challenges.c.expires < at))
            await conn.run(sa.insert(ws_challenges).values(user=user["ID"], token=token,
                                                           expires=expires))
    return {"token": token, "serverTime": at, "expireTime": expires}


#: webservice log-ins checked at once in a process: the gate of their throttle
#: (`throttle.attempt`), so that parallel attempts pass its check two at a time
_checking = asyncio.Semaphore(2)


async def login(db: Database, username: str, access_hash: str,
                now: Clock = time.time, *, address: str = "",
                limits: throttle.Limits = throttle.LIMITS) -> dict[str, Any]:
    """Check `access_hash` = md5(token + access key) against the user's live challenges
    and open a session.  An unknown user fails exactly like a wrong key.  `address`: the
    client's, for the log-in throttle (`services/throttle.py`, `limits`); too many failed
    log-ins of the name or from the address: TooManyAttemptsError, the key unchecked."""
    if not username:
        raise InvalidFieldError("username", "is required")
    at = int(now())
    async with throttle.attempt(db, username, address, at, limits, _checking):
        async with db.read() as conn:
            user = await _user(conn, users.c.name, username)
            tokens = [] if user is None else [r["token"] for r in await conn.all(
                sa.select(ws_challenges.c.token).where(ws_challenges.c.user == user["ID"],
                                                       ws_challenges.c.expires >= at))]
        if user is None or not _active(user, at) or not user["accesskey"]:
            raise AuthenticationError(INVALID_CREDENTIALS)
        if not tokens:
            raise ChallengeError(INVALID_TOKEN)
        stored = user["accesskey"]
        try:
            key = keyring.unseal(user["ID"], stored)
        except AuthenticationError as exc:
            log.warning("webservice login of user %s: %s", user["ID"], exc.message)
            raise AuthenticationError(INVALID_CREDENTIALS) from None
        given = (access_hash or "").encode()
        matched = False
        for token in tokens:  # every one, without stopping at a match
            expected = hashlib.md5((token + key).encode()).hexdigest().encode()
            matched |= hmac.compare_digest(expected, given)
        if not matched:
            raise AuthenticationError(INVALID_CREDENTIALS)
    async with db.write() as conn:
        if not keyring.is_sealed(stored):  # a plain key of an older database: seal it now
            await conn.run(sa.update(users)
                           .where(users.c.ID == user["ID"], users.c.accesskey == stored)
                           .values(accesskey=keyring.seal(user["ID"], key)))
        await conn.run(sa.update(users).where(users.c.ID == user["ID"]).values(lastlogin=at))
        await throttle.clear(conn, username, user["name"])
        return await _open(conn, user, at)


async def extend(db: Database, caller: Caller, now: Clock = time.time) -> dict[str, Any]:
    """A new session for a caller already authenticated otherwise (a bearer token)."""
    at = int(now())
    async with db.write() as conn:
        user = await _user(conn, users.c.ID, caller.user)
        if user is None or not _active(user, at):
            raise AuthenticationError(INVALID_CREDENTIALS)
        return await _open(conn, user, at)


async def resume(db: Database, session_id: str, now: Clock = time.time) -> Caller:
    """The caller of a session; a session found expired or idle is deleted."""
    if not session_id or session_id == "null" or len(session_id) > 200:
        raise InvalidSessionError(INVALID_SESSION)
    at = int(now())
    async with db.read() as conn:
        found = user_first(await conn.all(_SESSION_QUERY, {"digest": digest(session_id)},
                                          key="ws-session"))
    if not found or found[0]["kind"] != "user":
        raise InvalidSessionError(INVALID_SESSION)
    head = found[0]
    session = {"ID": head["token"], "user": head["user"], "created": head["started"],
               "seen": head["seen"], "activity": head["activity"], "expdate": head["expdate"]}
    ended = _ended(session, at)
    if ended is not None:
        async with db.write() as conn:
            await conn.run(sa.delete(ws_sessions).where(ws_sessions.c.ID == session["ID"]))
        raise ended
    caller = caller_from(found)
    if at - session["seen"] >= SEEN_EVERY:
        async with db.write() as conn:
            await conn.run(sa.update(ws_sessions)
                           .where(ws_sessions.c.ID == sa.bindparam("session"))
                           .values(seen=sa.bindparam("at")),
                           {"session": session["ID"], "at": at}, key="ws-session-seen")
    return caller


async def logout(db: Database, session_id: str) -> None:
    """End a session; InvalidSessionError when there is none of that id."""
    if not session_id or len(session_id) > 200:
        raise InvalidSessionError(INVALID_SESSION)
    async with db.write() as conn:
        if not await conn.run(sa.delete(ws_sessions)
                              .where(ws_sessions.c.digest == digest(session_id))):
            raise InvalidSessionError(INVALID_SESSION)


async def _user(conn: Connection, column: Any, value: str | int) -> dict[str, Any] | None:
    """The user whose `column` is `value` (a name: case-insensitively)."""
    where = (sa.func.lower(column) == value.lower()) if isinstance(value, str) else column == value
    return await conn.one(sa.select(*_USER_COLUMNS).where(where))


def _ended(session: dict[str, Any] | None, at: int) -> AuthenticationError | None:
    """Why a session may not be used any more (None: it may)."""
    if session is None:
        return InvalidSessionError(INVALID_SESSION)
    if at - session["created"] > SESSION_SECONDS:
        return SessionExpiredError(SESSION_EXPIRED)
    if at - session["seen"] > IDLE_SECONDS:
        return SessionIdleError(SESSION_IDLE)
    if not _active(session, at):  # the user was deactivated or expired meanwhile
        return InvalidSessionError(INVALID_SESSION)
    return None


def _active(user: dict[str, Any], at: int) -> bool:
    return bool(user["activity"] == 0 and (user["expdate"] is None or user["expdate"] >= at))


async def _open(conn: Connection, user: dict[str, Any], at: int) -> dict[str, Any]:
    """A new session of `user`, after removing the user's dead ones."""
    await conn.run(sa.delete(ws_sessions).where(
        ws_sessions.c.user == user["ID"],
        sa.or_(ws_sessions.c.created < at - SESSION_SECONDS,
               ws_sessions.c.seen < at - IDLE_SECONDS)))
    session = secrets.token_hex(16)
    await conn.run(sa.insert(ws_sessions).values(user=user["ID"], digest=digest(session),
                                                 created=at, seen=at))
    return {"session": session, "user": user["ID"], "name": user["name"],
            "email": user["email"], "admin": bool(user["admin"]), "contact": user["contact"],
            "created": at, "expires": at + SESSION_SECONDS}


async def authenticate_key(db: Database, username: str, access_key: str,
                           now: Clock = time.time) -> Caller:
    """The caller of HTTP Basic `username:access key` (the vtiger Cloud REST form): no
    challenge, no session; an unknown user fails exactly like a wrong key."""
    at = int(now())
    async with db.read() as conn:
        user = await _user(conn, users.c.name, username) if username else None
        caller = None
        if user is not None and _active(user, at) and user["accesskey"]:
            try:
                key = keyring.unseal(user["ID"], user["accesskey"])
            except AuthenticationError:
                key = ""
            if key and hmac.compare_digest(key.encode(), access_key.encode()):
                caller = await load_caller(conn, user["ID"])
    if caller is None:
        raise AuthenticationError(INVALID_CREDENTIALS)
    return caller
