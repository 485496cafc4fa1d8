"""Users, groups and tokens: log in, authenticate a request, log out, set up access.

Passwords are argon2id hashes.  Login tokens are 40 lowercase hex characters; only their
SHA-256 digest is stored, so a stolen database does not hold usable tokens.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import time
from typing import Any

import orjson
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from comptoir.errors import AuthenticationError, BadRequestError, ConflictError, InvalidFieldError
from comptoir.schema.registry import ENTITIES
from comptoir.services import keyring, throttle
from comptoir.services.access import Caller
from comptoir.storage.database import Connection, Database
from comptoir.storage.tables import TABLES, tokens, ws_sessions

_hasher = PasswordHasher()
_IDENTIFIER = re.compile(r"^[a-zA-Z0-9_.:-]+$")
users, groups, members, permissions = (TABLES[n] for n in
                                        ("users", "groups", "groups2users", "permissions"))
applications = TABLES["applications"]

INVALID_CREDENTIALS = "Invalid credentials"
_DUMMY_HASH = _hasher.hash("no such user")
#: the permission identifiers a group may be granted: those the entities ask for
PERMISSIONS = frozenset(p for entity in ENTITIES.values()
                        for access in (entity.read, entity.write) for p in access.permissions)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _verify_now(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


#: argon2 takes ~170 ms and 64 MiB: checked in a thread, two at a time per process, so that
#: a login never stalls the other requests of its worker; the gate of the log-in throttle
#: too (`throttle.attempt`): parallel attempts pass its check two at a time
_hashing = asyncio.Semaphore(2)


async def login(db: Database, name: str, password: str, identifier: str,
                appsecret: str | None = None, expdate: int | None = None,
                token_days: int = 100, *, address: str = "",
                limits: throttle.Limits = throttle.LIMITS) -> dict[str, Any]:
    """Check credentials and issue a new token for this identifier.  `address`: the
    client's, for the log-in throttle (`services/throttle.py`, `limits`); too many failed
    log-ins of the name or from the address: TooManyAttemptsError, the password unchecked."""
    if not name:
        raise InvalidFieldError("name", "is required")
    if not identifier or len(identifier) > 200 or not _IDENTIFIER.match(identifier):
        raise InvalidFieldError(
            "identifier", "is required: 1 to 200 of a-z, A-Z, 0-9, _ . : -")
    now = int(time.time())
    if expdate is None:
        expdate = now + token_days * 86400
    elif expdate <= now:
        raise InvalidFieldError("expdate", "must be in the future")
    async with throttle.attempt(db, name, address, now, limits, _hashing):
        async with db.read() as conn:
            user = await conn.one(
                sa.select(users.c.ID, users.c.name, users.c.email, users.c.password,
                          users.c.activity, users.c.expdate)
                .where(sa.or_(sa.func.lower(users.c.name) == name.lower(),
                              sa.func.lower(users.c.email) == name.lower())))
        if user is None or not user["password"]:
            # as slow as a real check: names do not leak
            await asyncio.to_thread(_verify_now, _DUMMY_HASH, password)
            raise AuthenticationError(INVALID_CREDENTIALS)
        if (user["activity"] != 0
                or (user["expdate"] is not None and user["expdate"] < now)
                or not await asyncio.to_thread(_verify_now, user["password"], password)):
            raise AuthenticationError(INVALID_CREDENTIALS)
    application = None
    if appsecret:  # past the throttle: a wrong secret after the right password is no guess
        async with db.read() as conn:
            application = await conn.scalar(
                sa.select(applications.c.ID).where(applications.c.appsecret == digest(appsecret),
                                                   applications.c.activity == 0))
        if application is None:
            raise AuthenticationError(INVALID_CREDENTIALS)
    token = secrets.token_hex(20)
    async with db.write() as conn:
        await conn.run(sa.insert(tokens).values(
            user=user["ID"], application=application, digest=digest(token),
            identifier=identifier, expdate=expdate, creationdate=now))
        await conn.run(sa.update(users).where(users.c.ID == user["ID"]).values(lastlogin=now))
        await throttle.clear(conn, name, user["name"], user["email"])
    return {"user": user["ID"], "application": application, "token": token,
            "identifier": identifier, "expdate": expdate}


def _null(kind: Any) -> Any:
    return sa.cast(sa.null(), kind)


def _access_parts(user: Any) -> list[sa.Select[Any]]:
    """The active groups of `user` and the permissions they grant, as rows of
    (kind, name, writable) padded to the width of the caller query."""
    pad = [_null(t).label(n) for n, t in _CALLER_COLUMNS]
    return [
        sa.select(sa.literal("group").label("kind"),
                  sa.cast(members.c.group, sa.Text).label("name"), members.c.writable, *pad)
        .join(groups, groups.c.ID == members.c.group)
        .where(members.c.user == user, groups.c.activity == 0),
        sa.select(sa.literal("permission").label("kind"), permissions.c.identifier,
                  permissions.c.writable, *pad)
        .join(members, members.c.group == permissions.c.group)
        .join(groups, groups.c.ID == members.c.group)
        .where(members.c.user == user, groups.c.activity == 0),
    ]


_CALLER_COLUMNS = (("token", sa.BigInteger), ("user", sa.Integer), ("application", sa.Integer),
                   ("expdate", sa.BigInteger), ("username", sa.Text), ("admin", sa.SmallInteger),
                   ("nopublic", sa.SmallInteger), ("activity", sa.SmallInteger),
                   ("started", sa.BigInteger), ("seen", sa.BigInteger),
                   ("apikey", sa.BigInteger), ("scopes", sa.Text))


def caller_query(head: sa.Select[Any], user: Any) -> sa.CompoundSelect[Any]:
    """A caller in one round trip: the `head` row (kind "user", from `caller_head`), then
    one row per active group and per permission of `user` (a column or a parameter)."""
    return sa.union_all(head, *_access_parts(user))


def caller_head(**columns: Any) -> list[Any]:
    """The columns of the head row of `caller_query`, by name; the others are null."""
    head = [sa.literal("user").label("kind"), _null(sa.Text).label("name"),
            _null(sa.SmallInteger).label("writable")]
    return head + [columns.get(name, _null(kind)).label(name) for name, kind in _CALLER_COLUMNS]


#: a token's user and their access, in one round trip: first the user's row (kind "user"),
#: then one row per group and per granted permission
_TOKEN_QUERY = caller_query(
    sa.select(*caller_head(token=tokens.c.ID, user=tokens.c.user,
                           application=tokens.c.application, expdate=tokens.c.expdate,
                           username=users.c.name, admin=users.c.admin,
                           nopublic=users.c.nopublic, activity=users.c.activity))
    .join(users, users.c.ID == tokens.c.user)
    .where(tokens.c.digest == sa.bindparam("digest")),
    sa.select(tokens.c.user).where(tokens.c.digest == sa.bindparam("digest")).scalar_subquery())
_USER_QUERY = caller_query(
    sa.select(*caller_head(user=users.c.ID, expdate=users.c.expdate, username=users.c.name,
                           admin=users.c.admin, nopublic=users.c.nopublic,
                           activity=users.c.activity))
    .where(users.c.ID == sa.bindparam("user")),
    sa.bindparam("user"))


def caller_from(rows: list[dict[str, Any]], **extra: Any) -> Caller:
    """The caller of the rows of a `caller_query`, the head row first."""
    user = rows[0]  # the "user" row sorts first: union parts keep their order here
    group_access: dict[int, bool] = {}
    permission_access: dict[str, bool] = {}
    for row in rows[1:]:
        writable = bool(row["writable"])
        if row["kind"] == "group":
            group_access[int(row["name"])] = writable
        else:
            permission_access[row["name"]] = permission_access.get(row["name"], False) or writable
    return Caller(user=user["user"], name=user["username"], admin=bool(user["admin"]),
                  nopublic=bool(user["nopublic"]), groups=group_access,
                  permissions=permission_access, **extra)


def user_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: r["kind"] != "user")


async def load_caller(conn: Connection, user_id: int, **extra: Any) -> Caller:
    rows = user_first(await conn.all(_USER_QUERY, {"user": user_id}, key="caller"))
    if not rows or rows[0]["kind"] != "user":
        raise AuthenticationError("Unknown user")
    return caller_from(rows, **extra)


async def authenticate(db: Database, token: str) -> Caller:
    """The caller behind a bearer token, or AuthenticationError (one query)."""
    if not token or len(token) > 200:
        raise AuthenticationError("Invalid bearer token")
    async with db.read() as conn:
        rows = user_first(await conn.all(_TOKEN_QUERY, {"digest": digest(token)}, key="token"))
    if not rows or rows[0]["kind"] != "user" or rows[0]["activity"] != 0:
        raise AuthenticationError("Invalid bearer token")
    if rows[0]["expdate"] is not None and rows[0]["expdate"] < time.time():
        raise AuthenticationError("Expired bearer token")
    return caller_from(rows, application=rows[0]["application"], token=rows[0]["token"])


async def logout(db: Database, caller: Caller) -> None:
    async with db.write() as conn:
        await conn.run(sa.delete(tokens).where(tokens.c.ID == caller.token))


async def describe_caller(db: Database, caller: Caller, access: bool) -> dict[str, Any]:
    """`GET /auth/v1/`: who am I (with `access`: admin, nopublic, apionly, groups and
    permissions, the permission's value telling whether it is writable)."""
    async with db.read() as conn:
        user = await conn.one(sa.select(users.c.contact, users.c.email, users.c.apionly)
                              .where(users.c.ID == sa.bindparam("user")), {"user": caller.user},
                              key="whoami")
    user = user or {"contact": None, "email": "", "apionly": 0}
    info: dict[str, Any] = {
        "auth": {"user": caller.user, "application": caller.application, "lang": "en"},
        "user": caller.user,
        "contact": user["contact"],
        "name": caller.name,
        "email": user["email"],
    }
    if access:
        info.update(admin=caller.admin, nopublic=caller.nopublic, apionly=bool(user["apionly"]),
                    groups={str(g): w for g, w in sorted(caller.groups.items())},
                    permissions=dict(sorted(caller.permissions.items())))
    return info


# --- administration (CLI) ------------------------------------------------------------------


async def _named(conn: Connection, table: sa.Table, name: str) -> int | None:
    """The ID of the user or group named `name`, case-insensitively (names are unique so)."""
    found = await conn.scalar(sa.select(table.c.ID).where(sa.func.lower(table.c.name)
                                                          == name.lower()))
    return None if found is None else int(found)



async def create_user(db: Database, name: str, password: str, *, email: str = "",
                      admin: bool = False, nopublic: bool = False,
                      group_names: tuple[str, ...] = ()) -> int:
    if not name.strip():
        raise InvalidFieldError("name", "must not be empty")
    now = int(time.time())
    hashed = await asyncio.to_thread(hash_password, password)  # not inside the transaction
    async with db.write() as conn:
        if await _named(conn, users, name) is not None:
            raise ConflictError(f"user {name} already exists")
        if email and await conn.scalar(sa.select(users.c.ID).where(
                sa.func.lower(users.c.email) == email.lower())) is not None:
            raise ConflictError(f"a user with e-mail {email} already exists")
        user_id = int(await conn.scalar(sa.insert(users).values(
            name=name, email=email, password=hashed, admin=int(admin),
            nopublic=int(nopublic), creationdate=now, lastmodified=now,
        ).returning(users.c.ID)))
        await _set_access_key(conn, user_id)
        for group in group_names:
            group_id = await _named(conn, groups, group)
            if group_id is None:
                raise BadRequestError(f"group {group} does not exist")
            await conn.run(sa.insert(members).values(group=group_id, user=user_id, writable=1,
                                                     creationdate=now, lastmodified=now))
    return user_id


async def create_application(db: Database, identifier: str, name: str,
                             settings: dict[str, Any] | None = None) -> tuple[int, str]:
    """Register an application; returns its ID and its API secret (`appsecret`), which is
    shown this once: only its digest is stored.  Tokens issued with the secret carry the
    application, whose `settings` `GET /settings` returns."""
    if not identifier.strip():
        raise InvalidFieldError("identifier", "must not be empty")
    if not name.strip():
        raise InvalidFieldError("name", "must not be empty")
    secret = secrets.token_hex(20)
    now = int(time.time())
    async with db.write() as conn:
        taken = await conn.scalar(sa.select(applications.c.ID).where(
            applications.c.identifier == identifier))
        if taken is not None:
            raise ConflictError(f"application {identifier} already exists")
        app_id = int(await conn.scalar(sa.insert(applications).values(
            identifier=identifier, name=name, appsecret=digest(secret),
            settings=orjson.dumps(settings or {}).decode(), creationdate=now, lastmodified=now,
        ).returning(applications.c.ID)))
    return app_id, secret


async def create_group(db: Database, name: str, grants: tuple[tuple[str, bool], ...] = ()) -> int:
    if not name.strip():
        raise InvalidFieldError("name", "must not be empty")
    for identifier, _ in grants:
        if identifier not in PERMISSIONS:
            raise InvalidFieldError("permission", f"unknown permission {identifier}")
    now = int(time.time())
    async with db.write() as conn:
        if await _named(conn, groups, name) is not None:
            raise ConflictError(f"group {name} already exists")
        group_id = int(await conn.scalar(sa.insert(groups).values(
            name=name, creationdate=now, lastmodified=now).returning(groups.c.ID)))
        for identifier, writable in grants:
            await conn.run(sa.insert(permissions).values(
                group=group_id, identifier=identifier, writable=int(writable),
                creationdate=now, lastmodified=now))
    return group_id


async def add_member(db: Database, group_id: int, user_id: int, writable: bool = True) -> None:
    now = int(time.time())
    async with db.write() as conn:
        await conn.run(sa.insert(members).values(group=group_id, user=user_id,
                                                 writable=int(writable),
                                                 creationdate=now, lastmodified=now))


async def find_user(db: Database, name: str) -> int | None:
    """The ID of the user named `name` (case-insensitively), or None."""
    async with db.read() as conn:
        return await _named(conn, users, name)


async def find_group(db: Database, name: str) -> int | None:
    """The ID of the group named `name` (case-insensitively), or None."""
    async with db.read() as conn:
        return await _named(conn, groups, name)


async def first_admin(db: Database) -> int | None:
    """The oldest active administrator, or None."""
    async with db.read() as conn:
        found = await conn.scalar(sa.select(users.c.ID)
                                  .where(users.c.admin == 1, users.c.activity == 0)
                                  .order_by(users.c.ID).limit(1))
    return None if found is None else int(found)


def new_access_key() -> str:
    return secrets.token_hex(8)


async def _set_access_key(conn: Connection, user_id: int) -> str:
    """Give the user a new webservice access key (stored sealed, see `keyring`)."""
    key = new_access_key()
    await conn.run(sa.update(users).where(users.c.ID == user_id)
                   .values(accesskey=keyring.seal(user_id, key)))
    return key


async def access_key(db: Database, name: str) -> str:
    """The plain webservice access key of the user named `name`."""
    async with db.read() as conn:
        user = await conn.one(sa.select(users.c.ID, users.c.accesskey).where(
            sa.func.lower(users.c.name) == name.lower()))
    if user is None:
        raise BadRequestError(f"user {name} does not exist")
    if not user["accesskey"]:
        raise BadRequestError(f"user {name} has no access key (issue one with --reset)")
    return keyring.unseal(user["ID"], user["accesskey"])


async def reset_access_key(db: Database, name: str) -> str:
    """Issue a new webservice access key for the user named `name`; returns it."""
    async with db.write() as conn:
        user_id = await _named(conn, users, name)
        if user_id is None:
            raise BadRequestError(f"user {name} does not exist")
        return await _set_access_key(conn, user_id)


async def list_users(db: Database) -> list[dict[str, Any]]:
    """Every user, by ID: what `comptoir user list` shows."""
    async with db.read() as conn:
        return await conn.all(sa.select(users.c.ID, users.c.name, users.c.email,
                                        users.c.admin, users.c.activity, users.c.lastlogin)
                              .order_by(users.c.ID))


async def _change_user(conn: Connection, name: str, **values: Any) -> int:
    """Write `values` to the user named `name` and end every login of theirs (tokens and
    webservice sessions): the next request must log in again."""
    user_id = await _named(conn, users, name)
    if user_id is None:
        raise BadRequestError(f"user {name} does not exist")
    await conn.run(sa.update(users).where(users.c.ID == user_id).values(
        **values, lastmodified=int(time.time()), _rev=users.c._rev + 1))
    await conn.run(sa.delete(tokens).where(tokens.c.user == user_id))
    await conn.run(sa.delete(ws_sessions).where(ws_sessions.c.user == user_id))
    return user_id


async def set_password(db: Database, name: str, password: str) -> int:
    """A new password for the user named `name`; their tokens and sessions end."""
    if not password:
        raise InvalidFieldError("password", "must not be empty")
    hashed = await asyncio.to_thread(hash_password, password)  # not inside the transaction
    async with db.write() as conn:
        return await _change_user(conn, name, password=hashed)


async def deactivate_user(db: Database, name: str) -> int:
    """Deactivate the user named `name` (activity 1): no login, token, session or API key
    of theirs works any more."""
    async with db.write() as conn:
        return await _change_user(conn, name, activity=1)


async def user_count(db: Database) -> int:
    async with db.read() as conn:
        return int(await conn.scalar(sa.select(sa.func.count()).select_from(users)) or 0)
