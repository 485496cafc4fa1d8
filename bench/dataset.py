"""The query benchmark's data set: N accounts and N contacts, on SQLite and on PostgreSQL,
built fast and kept between runs.

    .venv/bin/python bench/dataset.py --accounts 1000000            # build or reuse both
    .venv/bin/python bench/dataset.py --accounts 10000 --no-postgres --fresh
    .venv/bin/python bench/dataset.py --accounts 1000000 --drop     # delete the kept copies

What is in it (the same rows on both databases: one seeded generator, `SEED`):
- users: `admin`, `bench_user` (a member of the group `bench`, which holds the `accounts`
  and `contacts` permissions, writable) and 20 sales agents, who cannot log in; four
  groups (`bench` and three others, all with the same permissions);
- N contacts: companies and persons in 32 countries (weighted: a European customer base,
  DE first), with cities, regions, postal codes, streets, phones, e-mails; half public,
  the rest owned by a group or a user; 5% archived or deleted;
- N accounts: 90% with a contact (a random one of the companies), 75% with an assigned
  agent, six types, 10% archived or deleted, creation dates 2015-2026 rising with the ID,
  `lastmodified` after them, `_rev` 1-8.  Ownership follows the ID (`ID % 20`: 0-7
  public, 8-12 the group `bench`, 13-19 the three other groups), so that a load
  generator can draw the IDs `bench_user` may see (`USER_VISIBLE`).

How it is built: the schema by Comptoir's migrations, the users and groups through its
services, then the two tables in bulk, their secondary indexes dropped during the load
and rebuilt after it:
- SQLite: `executemany` in one transaction, with journal and fsync off and foreign-key
  checks off during the load, then `ANALYZE` and back to WAL;
- PostgreSQL: asyncpg `copy_records_to_table` (COPY) with foreign-key triggers off
  (`session_replication_role = replica`, when the role may), then the sequences moved past
  the IDs and `VACUUM ANALYZE`.
Rows are generated while they are written (nothing is held in memory but a byte per
contact).  Foreign keys are consistent by construction, and checked after the load.

Where it is kept: SQLite in `~/.cache/comptoir-bench/accounts-N.db` (`--cache-dir`, or
$XDG_CACHE_HOME), PostgreSQL as the database `comptoir_bench_qN` on the --pg-url server,
described by a JSON sidecar file / a database comment.  A copy is reused when N, the seed
and the generator version match (`--fresh` rebuilds); its schema is brought to the head
revision by the migrations, the accounts a benchmark created (ID > N) and old tokens are
deleted, and the two passwords are set anew on every use (they are not stored anywhere).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import secrets
import sqlite3
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any

import asyncpg
from harness import log, pg_admin, pg_reachable
from vocabulary import (
    AGENTS,
    BUSINESS,
    COUNTRIES,
    FIRSTNAMES,
    POSITIONS,
    STREETS,
    SURNAMES,
    TITLES,
)

SEED = 20261201
#: bump when the generated rows change: kept copies built by another version are rebuilt
GENERATOR_VERSION = 1
ADMIN_NAME, USER_NAME, USER_GROUP = "admin", "bench_user", "bench"
OTHER_GROUPS = ("Sales North", "Sales South", "Key Accounts")
PERMISSIONS = (("accounts", True), ("contacts", True))
#: account ownership by ID: `ID % OWNER_MODULUS` in USER_VISIBLE -> bench_user sees it
OWNER_MODULUS = 20
PUBLIC_RESIDUES, USER_GROUP_RESIDUES = range(0, 8), range(8, 13)
USER_VISIBLE = tuple(PUBLIC_RESIDUES) + tuple(USER_GROUP_RESIDUES)
# a fixed clock, so that the rows do not depend on the day they are built
EPOCH_START, EPOCH_END = 1420070400, 1796083200  # 2015-01-01, 2026-12-01 (UTC)
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


def _wheel(items: list[Any], weights: list[int]) -> list[Any]:
    """A list in which each item appears `weight` times: `wheel[int(random() * len)]` is a
    weighted choice for the cost of an index."""
    return [item for item, w in zip(items, weights, strict=True) for _ in range(w)]


# --- rows ------------------------------------------------------------------------------------

CONTACT_COLUMNS = (
    "ID", "address", "assigneduser", "birthdate", "cell", "city", "company", "country",
    "creationdate", "creator", "email", "firstname", "lastmodified", "lastname", "ownergroup",
    "owneruser", "phone", "position", "postalcode", "region", "title", "type", "visibility",
    "website", "_rev")
ACCOUNT_COLUMNS = (
    "ID", "assigneduser", "contact", "creationdate", "creator", "currency", "customernum",
    "description", "excludetax", "firstname", "lastmodified", "lastname", "locked",
    "ownergroup", "suppliernum", "taxid", "type", "visibility", "_rev")


@dataclass(frozen=True)
class People:
    """The IDs of the users and groups the rows refer to."""

    admin: int
    user: int
    agents: tuple[int, ...]
    user_group: int
    other_groups: tuple[int, ...]


def _dates(r: Callable[[], float], i: int, n: int) -> tuple[int, int]:
    """(creationdate, lastmodified): creation rises with the ID (with some jitter); 30% of
    records were never modified, the others at a random time since."""
    span = EPOCH_END - EPOCH_START
    created = EPOCH_START + int(span * min(0.999, max(0.0, i / n + (r() - 0.5) * 0.02)))
    if r() < 0.3:
        return created, created
    return created, created + int((EPOCH_END - created) * r())


def _revision(r: Callable[[], float]) -> int:
    rev = 1
    while rev < 8 and r() < 0.45:
        rev += 1
    return rev


def contact_is_linked(contact_id: int) -> bool:
    """Contacts 9 in 10 are companies behind an account; the tenth are persons."""
    return contact_id % 10 != 0


def contact_rows(n: int, people: People, countries_out: bytearray,
                 rnd: Random) -> Iterator[tuple[Any, ...]]:
    """Contacts 1..n, in CONTACT_COLUMNS order; writes each one's country index into
    `countries_out` (the accounts take their currency from it)."""
    r = rnd.random
    country_wheel = _wheel(list(range(len(COUNTRIES))), [c[1] for c in COUNTRIES])
    agents = people.agents
    owner_groups = (people.user_group, *people.other_groups)
    surnames = [(s, _ascii(s)) for s in SURNAMES]
    firstnames = [(f, _ascii(f)) for f in FIRSTNAMES]
    words = [(w, _ascii(w)) for w in BUSINESS]
    for i in range(1, n + 1):
        ci = country_wheel[int(r() * len(country_wheel))]
        countries_out[i] = ci
        code, _w, _cur, phone_prefix, tld, streets, legal, cities = COUNTRIES[ci]
        city, region, postal_fmt, postal_range = cities[int(r() * len(cities))]
        street_names = STREETS[streets]
        surname, surname_slug = surnames[int(r() * len(surnames))]
        first, first_slug = firstnames[int(r() * len(firstnames))]
        word, word_slug = words[int(r() * len(words))]
        company_name = f"{surname} {word} {legal[int(r() * len(legal))]}"
        domain = f"{surname_slug}-{word_slug}.{tld}"
        person = not contact_is_linked(i) or r() < 0.15
        created, modified = _dates(r, i, n)
        roll = r()
        if roll < 0.5:
            group, owner = None, None
        elif roll < 0.65:
            group, owner = people.user_group, None
        elif roll < 0.85:
            group, owner = owner_groups[1 + int(r() * (len(owner_groups) - 1))], None
        elif roll < 0.87:
            group, owner = None, people.user
        else:
            group, owner = None, agents[int(r() * len(agents))]
        yield (
            i,
            f"{street_names[int(r() * len(street_names))]} {1 + int(r() * 180)}",
            agents[int(r() * len(agents))] if r() < 0.5 else None,
            EPOCH_START - 50 * 31557600 + int(r() * 50 * 31557600) if person and r() < 0.5
            else None,
            f"{phone_prefix} 15{int(r() * 1e8):08d}" if person and r() < 0.6 else "",
            city,
            company_name if person and r() < 0.7 else "",
            code,
            created,
            agents[int(r() * len(agents))] if r() < 0.9 else people.admin,
            f"{first_slug}.{surname_slug}@{domain}" if person else f"info@{domain}",
            first if person else "",
            modified,
            surname if person else company_name,
            group,
            owner,
            f"{phone_prefix} {int(r() * 1e9):09d}",
            POSITIONS[int(r() * len(POSITIONS))] if person else "",
            postal_fmt % int(r() * postal_range),
            region,
            TITLES[int(r() * len(TITLES))] if person else "",
            1 if person else 0,
            0 if r() < 0.95 else 1 + int(r() * 2),
            f"https://www.{domain}" if not person and r() < 0.6 else "",
            _revision(r),
        )


def account_rows(n: int, people: People, countries: bytearray,
                 rnd: Random) -> Iterator[tuple[Any, ...]]:
    """Accounts 1..n, in ACCOUNT_COLUMNS order; each company contact belongs to one account."""
    r = rnd.random
    contacts = list(range(1, n + 1))
    rnd.shuffle(contacts)
    agent_wheel = _wheel(list(people.agents), [max(1, 20 - 2 * k) for k in range(len(people.agents))])
    type_wheel = _wheel([0, 1, 2, 3, 4, 5], [30, 45, 10, 5, 3, 7])
    surnames = list(SURNAMES)
    firstnames = list(FIRSTNAMES)
    for i in range(1, n + 1):
        picked = contacts[i - 1]
        contact = picked if contact_is_linked(picked) else None
        ci = countries[contact] if contact else int(r() * 3)  # no contact: DE, FR or AT
        code, _w, currency, *_ = COUNTRIES[ci]
        kind = type_wheel[int(r() * len(type_wheel))]
        surname = surnames[int(r() * len(surnames))]
        person = kind == 5 or r() < 0.1
        residue = i % OWNER_MODULUS
        if residue in PUBLIC_RESIDUES:
            group = None
        elif residue in USER_GROUP_RESIDUES:
            group = people.user_group
        else:
            group = people.other_groups[residue % len(people.other_groups)]
        created, modified = _dates(r, i, n)
        yield (
            i,
            agent_wheel[int(r() * len(agent_wheel))] if r() < 0.75 else None,
            contact,
            created,
            people.agents[int(r() * len(people.agents))] if r() < 0.9 else people.admin,
            currency,
            f"C-{i:07d}" if kind in (0, 1, 3, 5) else "",
            "" if r() < 0.9 else "Imported from the trade fair list",
            1 if r() < 0.03 else 0,
            firstnames[int(r() * len(firstnames))] if person else "",
            modified,
            surname if person else f"{surname} {BUSINESS[int(r() * len(BUSINESS))]}",
            1 if r() < 0.01 else 0,
            group,
            f"S-{i:07d}" if kind in (2, 3) else "",
            f"{code}{int(r() * 1e9):09d}" if not person and r() < 0.6 else "",
            kind,
            0 if r() < 0.9 else (1 if r() < 0.8 else 2),
            _revision(r),
        )


def _rows_logged(what: str, rows: Iterator[tuple[Any, ...]], n: int) -> Iterator[tuple[Any, ...]]:
    step = max(n // 4, 50_000)
    t0 = time.perf_counter()
    for k, row in enumerate(rows, 1):
        yield row
        if k % step == 0 and k < n:
            log(f"    {what}: {k:,} rows, {k / (time.perf_counter() - t0):,.0f} rows/s")


# --- users and groups (through Comptoir's services) -----------------------------------------


async def _create_people(url: str) -> People:
    """admin, the groups and bench_user through the services; the agents (who never log
    in: no password) in one INSERT."""
    import sqlalchemy as sa

    from comptoir.services import auth
    from comptoir.storage.database import open_database
    from comptoir.storage.tables import TABLES

    users, members = TABLES["users"], TABLES["groups2users"]
    db = open_database(url)
    await db.open()
    try:
        now = EPOCH_START
        password = secrets.token_urlsafe(12)  # replaced on every use (set_passwords)
        admin = await auth.create_user(db, ADMIN_NAME, password, admin=True)
        user_group = await auth.create_group(db, USER_GROUP, PERMISSIONS)
        others = [await auth.create_group(db, name, PERMISSIONS) for name in OTHER_GROUPS]
        user = await auth.create_user(db, USER_NAME, password, group_names=(USER_GROUP,))
        async with db.write() as conn:
            agents = []
            for k, name in enumerate(AGENTS):
                agents.append(int(await conn.scalar(sa.insert(users).values(
                    name=name, email=f"{name}@comptoir.example", password="",
                    creationdate=now, lastmodified=now, creator=admin,
                ).returning(users.c.ID))))
                await conn.run(sa.insert(members).values(
                    group=others[k % len(others)], user=agents[-1], writable=1,
                    creationdate=now, lastmodified=now))
        return People(admin=admin, user=user, agents=tuple(agents), user_group=user_group,
                      other_groups=tuple(others))
    finally:
        await db.close()


async def set_passwords(url: str) -> dict[str, str]:
    """New random passwords for admin and bench_user; returns {name: password}."""
    import sqlalchemy as sa

    from comptoir.services import auth
    from comptoir.storage.database import open_database
    from comptoir.storage.tables import TABLES

    users = TABLES["users"]
    passwords = {name: f"bench-{secrets.token_urlsafe(9)}" for name in (ADMIN_NAME, USER_NAME)}
    hashed = {name: await asyncio.to_thread(auth.hash_password, pw)
              for name, pw in passwords.items()}
    db = open_database(url)
    await db.open()
    try:
        async with db.write() as conn:
            for name, value in hashed.items():
                await conn.run(sa.update(users).where(users.c.name == name)
                               .values(password=value))
    finally:
        await db.close()
    return passwords


async def restore(url: str, accounts: int) -> int:
    """Undo what benchmarks leave behind: accounts created by them (ID > accounts) and
    login tokens.  Returns the number of accounts deleted."""
    import sqlalchemy as sa

    from comptoir.storage.database import open_database
    from comptoir.storage.tables import TABLES, tokens

    table = TABLES["accounts"]
    db = open_database(url)
    await db.open()
    try:
        async with db.write() as conn:
            deleted = await conn.run(sa.delete(table).where(table.c.ID > accounts))
            await conn.run(sa.delete(tokens))
    finally:
        await db.close()
    return deleted


async def analyze(url: str) -> None:
    """Planner statistics for every table and index (after migrations added some)."""
    from comptoir.storage.database import open_database

    db = open_database(url)
    await db.open()
    try:
        async with db.read() as conn:
            if db.name == "sqlite":
                conn.raw.execute("ANALYZE")
            else:
                await conn.raw.execute("ANALYZE")
    finally:
        await db.close()


# --- bulk load -----------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self.last, 2)
        self.last = now

    def total(self) -> dict[str, float]:
        return {**self.laps, "total": round(time.perf_counter() - self.start, 2)}


def _insert_sql(table: str, columns: tuple[str, ...], mark: Callable[[int], str]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(mark(k) for k in range(len(columns)))})'


# Foreign keys of the two tables: (table, column, referenced table).  Checked after a load
# made without the database's own checks.
REFERENCES = (("accounts", "contact", "contacts"), ("accounts", "assigneduser", "users"),
              ("accounts", "creator", "users"), ("accounts", "ownergroup", "groups"),
              ("contacts", "assigneduser", "users"), ("contacts", "creator", "users"),
              ("contacts", "ownergroup", "groups"), ("contacts", "owneruser", "users"))
DANGLING_SQL = " UNION ALL ".join(
    f'SELECT \'{t}.{c}\' FROM "{t}" x WHERE x."{c}" IS NOT NULL AND NOT EXISTS '
    f'(SELECT 1 FROM "{ref}" y WHERE y."ID" = x."{c}")' for t, c, ref in REFERENCES)


def build_sqlite(path: Path, n: int) -> dict[str, float]:
    from comptoir.storage import migrate

    url = f"sqlite:///{path}"
    clock = Clock()
    migrate.upgrade(url)
    people = asyncio.run(_create_people(url))
    clock.lap("schema_and_users")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "foreign_keys=OFF",
                       "cache_size=-1048576", "temp_store=MEMORY"):
            conn.execute(f"PRAGMA {pragma}")
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('accounts', 'contacts')").fetchall()
        for name, _sql in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        countries = bytearray(n + 1)
        conn.execute("BEGIN")
        conn.executemany(_insert_sql("contacts", CONTACT_COLUMNS, lambda k: "?"), _rows_logged(
            "contacts", contact_rows(n, people, countries, Random(f"{SEED}:contacts")), n))
        clock.lap("contacts")
        conn.executemany(_insert_sql("accounts", ACCOUNT_COLUMNS, lambda k: "?"), _rows_logged(
            "accounts", account_rows(n, people, countries, Random(f"{SEED}:accounts")), n))
        conn.execute("COMMIT")
        clock.lap("accounts")
        for _name, sql in indexes:
            conn.execute(sql)
        clock.lap("indexes")
        dangling = conn.execute(DANGLING_SQL).fetchall()
        if dangling:
            raise RuntimeError(f"dangling references after the load: {dangling[:5]}")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode=WAL")
        clock.lap("check_and_analyze")
    finally:
        conn.close()
    return clock.total()


async def _build_postgres_tables(dsn: str, n: int, people: People, clock: Clock) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        try:  # no foreign-key triggers during the load (superusers only); checked after it
            await conn.execute("SET session_replication_role = replica")
        except asyncpg.InsufficientPrivilegeError:
            log("    not a superuser: the load runs with the foreign-key checks")
        await conn.execute("SET maintenance_work_mem = '512MB'")
        indexes = await conn.fetch(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = "
            "current_schema() AND i.tablename IN ('accounts', 'contacts') AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)")
        for row in indexes:
            await conn.execute(f'DROP INDEX "{row["indexname"]}"')
        countries = bytearray(n + 1)
        await conn.copy_records_to_table("contacts", columns=CONTACT_COLUMNS, records=_rows_logged(
            "contacts", contact_rows(n, people, countries, Random(f"{SEED}:contacts")), n))
        clock.lap("contacts")
        await conn.copy_records_to_table("accounts", columns=ACCOUNT_COLUMNS, records=_rows_logged(
            "accounts", account_rows(n, people, countries, Random(f"{SEED}:accounts")), n))
        clock.lap("accounts")
        for row in indexes:
            await conn.execute(row["indexdef"])
        for table in ("accounts", "contacts"):
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'ID'), "
                               f'(SELECT max("ID") FROM "{table}"))')
        clock.lap("indexes")
        dangling = await conn.fetch(DANGLING_SQL)
        if dangling:
            raise RuntimeError(f"dangling references after the load: {dangling[:5]}")
        await conn.execute("VACUUM (ANALYZE) accounts, contacts")
        await conn.execute("ANALYZE")
        clock.lap("check_and_analyze")
    finally:
        await conn.close()


def build_postgres(url: str, n: int) -> dict[str, float]:
    from comptoir.storage import migrate

    clock = Clock()
    migrate.upgrade(url)
    people = asyncio.run(_create_people(url))
    clock.lap("schema_and_users")
    asyncio.run(_build_postgres_tables(url, n, people, clock))
    return clock.total()


# --- kept copies -----------------------------------------------------------------------------


@dataclass
class DataSet:
    kind: str  # "sqlite" or "postgresql"
    url: str
    accounts: int
    built: bool  # built by this call (else reused)
    meta: dict[str, Any]
    passwords: dict[str, str] = field(default_factory=dict)

    @property
    def database(self) -> str:
        return self.url.rsplit("/", 1)[1]


def _meta(n: int, timings: dict[str, float]) -> dict[str, Any]:
    return {"generator": GENERATOR_VERSION, "seed": SEED, "accounts": n, "contacts": n,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "build_seconds": timings}


def _matches(meta: dict[str, Any] | None, n: int) -> bool:
    return bool(meta) and meta.get("generator") == GENERATOR_VERSION \
        and meta.get("seed") == SEED and meta.get("accounts") == n  # type: ignore[union-attr]


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "comptoir-bench"


def _sqlite_files(path: Path) -> list[Path]:
    return [path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))]


def sqlite_path(cache_dir: Path, n: int) -> Path:
    return cache_dir / f"accounts-{n}.db"


def pg_name(n: int) -> str:
    return f"comptoir_bench_q{n}"


def _pg_url(server_url: str, database: str) -> str:
    return server_url.rsplit("/", 1)[0] + "/" + database


async def _pg_meta(server_url: str, database: str) -> dict[str, Any] | None:
    conn = await asyncpg.connect(server_url, timeout=5)
    try:
        comment = await conn.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
            database)
    finally:
        await conn.close()
    if comment is None:
        return None
    with contextlib.suppress(ValueError):
        return dict(json.loads(comment))
    return {}


def _pg_exists(server_url: str, database: str) -> bool:
    async def look() -> bool:
        conn = await asyncpg.connect(server_url, timeout=5)
        try:
            return bool(await conn.fetchval(
                "SELECT 1 FROM pg_database WHERE datname = $1", database))
        finally:
            await conn.close()

    return asyncio.run(look())


def _prepare_sqlite(n: int, fresh: bool, cache_dir: Path) -> DataSet:
    path = sqlite_path(cache_dir, n)
    sidecar = path.with_suffix(".json")
    meta = json.loads(sidecar.read_text()) if sidecar.exists() and path.exists() else None
    if fresh or not _matches(meta, n):
        cache_dir.mkdir(parents=True, exist_ok=True)
        building = path.with_name(path.name + ".building")
        for f in _sqlite_files(building) + _sqlite_files(path) + [sidecar]:
            f.unlink(missing_ok=True)
        log(f"[sqlite] building {n:,} accounts and contacts in {path}")
        timings = build_sqlite(building, n)
        building.rename(path)
        meta = _meta(n, timings)
        sidecar.write_text(json.dumps(meta, indent=2) + "\n")
        log(f"[sqlite] built in {timings['total']:.1f} s: {timings}")
        return DataSet("sqlite", f"sqlite:///{path}", n, True, meta)
    log(f"[sqlite] reusing {path} (built {meta['built_at']})")  # type: ignore[index]
    return DataSet("sqlite", f"sqlite:///{path}", n, False, meta)  # type: ignore[arg-type]


def _prepare_postgres(n: int, fresh: bool, server_url: str) -> DataSet:
    name = pg_name(n)
    meta = asyncio.run(_pg_meta(server_url, name)) if _pg_exists(server_url, name) else None
    url = _pg_url(server_url, name)
    if fresh or not _matches(meta, n):
        building = name + "_building"
        for db in (building, name):
            asyncio.run(pg_admin(server_url, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        asyncio.run(pg_admin(server_url, f'CREATE DATABASE "{building}"'))
        log(f"[postgresql] building {n:,} accounts and contacts in the database {name}")
        try:
            timings = build_postgres(_pg_url(server_url, building), n)
        except BaseException:
            asyncio.run(pg_admin(server_url, f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)'))
            raise
        meta = _meta(n, timings)
        comment = json.dumps(meta).replace("'", "''")
        asyncio.run(pg_admin(server_url, f'ALTER DATABASE "{building}" RENAME TO "{name}"'))
        asyncio.run(pg_admin(server_url, f"COMMENT ON DATABASE \"{name}\" IS '{comment}'"))
        log(f"[postgresql] built in {timings['total']:.1f} s: {timings}")
        return DataSet("postgresql", url, n, True, meta)
    log(f"[postgresql] reusing the database {name} (built {meta['built_at']})")  # type: ignore[index]
    return DataSet("postgresql", url, n, False, meta)  # type: ignore[arg-type]


def prepare(kind: str, n: int, *, fresh: bool = False, cache_dir: Path | None = None,
            pg_url: str = DEFAULT_PG_URL) -> DataSet:
    """The data set of `n` accounts on `kind`, built or reused, at the schema's head
    revision, without what earlier benchmarks added, with new passwords."""
    from comptoir.storage import migrate

    logging.getLogger("alembic").setLevel(logging.WARNING)
    if kind == "sqlite":
        data = _prepare_sqlite(n, fresh, cache_dir or default_cache_dir())
    else:
        data = _prepare_postgres(n, fresh, pg_url)
    before = migrate.current_revision(data.url)
    migrate.upgrade(data.url)  # a no-op at the head; else the new migrations
    if migrate.current_revision(data.url) != before:
        log(f"[{kind}] schema upgraded from {before}: new planner statistics")
        asyncio.run(analyze(data.url))
    deleted = asyncio.run(restore(data.url, n))
    if deleted:
        log(f"[{kind}] deleted {deleted:,} accounts left by an earlier benchmark")
    data.passwords = asyncio.run(set_passwords(data.url))
    return data


def drop(kind: str, n: int, cache_dir: Path, pg_url: str) -> None:
    if kind == "sqlite":
        path = sqlite_path(cache_dir, n)
        for f in _sqlite_files(path) + [path.with_suffix(".json")]:
            f.unlink(missing_ok=True)
        log(f"[sqlite] deleted {path}")
    else:
        asyncio.run(pg_admin(pg_url, f'DROP DATABASE IF EXISTS "{pg_name(n)}" WITH (FORCE)'))
        log(f"[postgresql] dropped the database {pg_name(n)}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Build (or reuse) the query benchmark's data set.")
    p.add_argument("--accounts", type=int, default=1_000_000, help="N (default 1,000,000)")
    p.add_argument("--fresh", action="store_true", help="rebuild even if a copy matches")
    p.add_argument("--drop", action="store_true", help="delete the kept copies of N and exit")
    p.add_argument("--no-sqlite", action="store_true")
    p.add_argument("--no-postgres", action="store_true")
    p.add_argument("--cache-dir", type=Path, default=default_cache_dir(),
                   help="where the SQLite copies are kept (default ~/.cache/comptoir-bench)")
    p.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL),
                   help="PostgreSQL server holding the kept database ($BENCH_PG_URL)")
    args = p.parse_args(argv)
    kinds = [k for k, off in (("sqlite", args.no_sqlite), ("postgresql", args.no_postgres))
             if not off]
    if "postgresql" in kinds and (reason := pg_reachable(args.pg_url)) is not None:
        log(f"[postgresql] skipped: not reachable at {args.pg_url}: {reason}")
        kinds.remove("postgresql")
    for kind in kinds:
        if args.drop:
            drop(kind, args.accounts, args.cache_dir, args.pg_url)
            continue
        data = prepare(kind, args.accounts, fresh=args.fresh, cache_dir=args.cache_dir,
                       pg_url=args.pg_url)
        timings = data.meta["build_seconds"]
        print(f"{kind}: {data.accounts:,} accounts + {data.accounts:,} contacts, "
              f"{'built' if data.built else 'reused'}; build seconds: {timings}; {data.url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
