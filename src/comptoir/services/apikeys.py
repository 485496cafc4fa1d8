"""API keys: long-lived secrets that act as one user, sent in the `token:` header.

A key is `ck_` followed by 40 URL-safe characters.  It is shown once, when it is created
or rotated; only its SHA-256 digest is stored, with its first 8 characters (`prefix`) to
name it in listings.  A key may be narrowed by scopes, never widened beyond its user:

    (none)          the user's full rights
    "contacts"      read and write contacts      "contacts:write"  the same
    "contacts:read" read contacts only           "*" / "*:read"    every entity / reading

and may expire.  A revoked key stays listed.  Every failure to authenticate (unknown,
expired, revoked key, inactive or expired user) is the same `AuthenticationError`, so that
an answer never tells which.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from typing import Any

import orjson
import sqlalchemy as sa

from comptoir.errors import AuthenticationError, ConflictError, InvalidFieldError, NotFoundError
from comptoir.schema.registry import ENTITIES
from comptoir.services import auth
from comptoir.services.access import Caller
from comptoir.storage.database import Database
from comptoir.storage.tables import TABLES, apikeys

PREFIX = "ck_"
INVALID = "Invalid API key"
#: `lastused` is written at most this often (seconds) per key
TOUCH_EVERY = 60
_LENGTH = len(PREFIX) + 40
users = TABLES["users"]

_KEY_QUERY = auth.caller_query(
    sa.select(*auth.caller_head(
        apikey=apikeys.c.ID, user=apikeys.c.user, expdate=apikeys.c.expires,
        seen=apikeys.c.lastused, scopes=apikeys.c.scopes, username=users.c.name,
        admin=users.c.admin, nopublic=users.c.nopublic, activity=users.c.activity))
    .join(users, users.c.ID == apikeys.c.user)
    .where(apikeys.c.digest == sa.bindparam("digest"), apikeys.c.revoked.is_(None),
           sa.or_(users.c.expdate.is_(None), users.c.expdate >= sa.bindparam("now"))),
    sa.select(apikeys.c.user).where(apikeys.c.digest == sa.bindparam("digest"))
    .scalar_subquery())


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(30)  # 30 bytes: 40 characters


def check_scopes(scopes: Any) -> list[str]:
    """The scopes, checked and sorted; InvalidFieldError names a wrong one."""
    if not isinstance(scopes, (list, tuple)) or not all(isinstance(s, str) for s in scopes):
        raise InvalidFieldError("scopes", "must be a list of strings")
    for scope in scopes:
        entity, colon, mode = scope.partition(":")
        if (colon and mode not in ("read", "write")) or (entity != "*" and entity not in ENTITIES):
            raise InvalidFieldError(
                "scopes", f"unknown scope {scope[:60]} (ENTITY, ENTITY:read, ENTITY:write, *)")
    return sorted(set(scopes))


def parse_expires(value: Any, now: float | None = None) -> int | None:
    """An expiry: None/"" (never), a Unix timestamp (int), a number of days ("30") or an
    ISO date or date-time ("2027-01-31", read as UTC midnight)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidFieldError("expires", "must be a date, a number of days or a timestamp")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= 5:
            return int((time.time() if now is None else now) + int(text) * 86400)
        try:
            when = dt.datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.UTC)
            return int(when.timestamp())
    raise InvalidFieldError("expires", "must be an ISO date, a number of days or a timestamp")


async def _user_id(conn: Any, user: str | int) -> int:
    column = users.c.ID if isinstance(user, int) else sa.func.lower(users.c.name)
    value = user if isinstance(user, int) else user.lower()
    found = await conn.scalar(sa.select(users.c.ID).where(column == value))
    if found is None:
        raise InvalidFieldError("user", f"user {user} does not exist")
    return int(found)


async def create(db: Database, user: str | int, name: str = "", scopes: Any = (),
                 expires: int | None = None, *, now: float | None = None) -> tuple[int, str]:
    """A new key acting as `user` (a name or an ID); returns its ID and its secret, which
    is shown this once."""
    if not isinstance(name, str) or len(name) > 200:
        raise InvalidFieldError("name", "must be a string of at most 200 characters")
    checked = check_scopes(list(scopes))
    moment = int(time.time() if now is None else now)
    if expires is not None and expires <= moment:
        raise InvalidFieldError("expires", "must be in the future")
    secret = new_secret()
    async with db.write() as conn:
        user_id = await _user_id(conn, user)
        key_id = int(await conn.scalar(sa.insert(apikeys).values(
            user=user_id, name=name, prefix=secret[:8], digest=auth.digest(secret),
            scopes=orjson.dumps(checked).decode(), expires=expires, created=moment,
        ).returning(apikeys.c.ID)))
    return key_id, secret


def _listed(row: dict[str, Any]) -> dict[str, Any]:
    return {"ID": row["ID"], "user": row["user"], "username": row["username"],
            "name": row["name"], "prefix": row["prefix"], "scopes": orjson.loads(row["scopes"]),
            "expires": row["expires"], "revoked": row["revoked"], "created": row["created"],
            "lastused": row["lastused"]}


async def list_keys(db: Database, user: str | int | None = None,
                    key: int | None = None) -> list[dict[str, Any]]:
    """Every key (of `user`; or the one `key`), without its secret, oldest first."""
    query = (sa.select(apikeys.c.ID, apikeys.c.user, users.c.name.label("username"),
                       apikeys.c.name, apikeys.c.prefix, apikeys.c.scopes, apikeys.c.expires,
                       apikeys.c.revoked, apikeys.c.created, apikeys.c.lastused)
             .join(users, users.c.ID == apikeys.c.user).order_by(apikeys.c.ID))
    async with db.read() as conn:
        if key is not None:
            query = query.where(apikeys.c.ID == key)
        if user is not None:
            query = query.where(apikeys.c.user == await _user_id(conn, user))
        return [_listed(row) for row in await conn.all(query)]


async def revoke(db: Database, key_id: int) -> None:
    """The key stops working at once; revoking a revoked key changes nothing."""
    async with db.write() as conn:
        if await conn.scalar(sa.select(apikeys.c.ID).where(apikeys.c.ID == key_id)) is None:
            raise NotFoundError(f"API key {key_id} does not exist")
        await conn.run(sa.update(apikeys).where(apikeys.c.ID == key_id,
                                                apikeys.c.revoked.is_(None))
                       .values(revoked=int(time.time())))


async def rotate(db: Database, key_id: int) -> str:
    """A new secret for the key (same user, scopes and expiry); the old one stops working.
    Returns the new secret, shown this once."""
    secret = new_secret()
    async with db.write() as conn:
        row = await conn.one(sa.select(apikeys.c.revoked).where(apikeys.c.ID == key_id))
        if row is None:
            raise NotFoundError(f"API key {key_id} does not exist")
        if row["revoked"] is not None:
            raise ConflictError(f"API key {key_id} is revoked")
        await conn.run(sa.update(apikeys).where(apikeys.c.ID == key_id)
                       .values(prefix=secret[:8], digest=auth.digest(secret)))
    return secret


async def authenticate(db: Database, secret: str, *, now: float | None = None) -> Caller:
    """The caller behind an API key (one query), or AuthenticationError("Invalid API key")
    whatever the reason."""
    if not secret.startswith(PREFIX) or len(secret) != _LENGTH:
        raise AuthenticationError(INVALID)
    moment = int(time.time() if now is None else now)
    async with db.read() as conn:
        rows = auth.user_first(await conn.all(
            _KEY_QUERY, {"digest": auth.digest(secret), "now": moment}, key="apikey"))
    if not rows or rows[0]["kind"] != "user" or rows[0]["activity"] != 0:
        raise AuthenticationError(INVALID)
    head = rows[0]
    if head["expdate"] is not None and head["expdate"] <= moment:
        raise AuthenticationError(INVALID)
    if head["seen"] is None or moment - head["seen"] >= TOUCH_EVERY:
        async with db.write() as conn:
            await conn.run(sa.update(apikeys).where(apikeys.c.ID == head["apikey"])
                           .values(lastused=moment))
    scopes = orjson.loads(head["scopes"] or "[]")
    return auth.caller_from(rows, scopes=frozenset(scopes) if scopes else None)
