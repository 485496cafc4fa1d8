"""An injection corpus through the real HTTP server: every payload in every position of a
list query (`POST /accounts`), sent by a user who may read accounts and contacts but owns
only some of them.

Each request must answer 200 or a 400 whose text/plain body names the bad parameter or
token, never 5xx; a 200 must show no record, joined value or hidden field the caller may
not read; and nothing may be written: after each request the tables of records, users,
rights and tokens hold exactly the rows (and revisions) they held, and after the corpus
every table does, and the caller still sees exactly the same accounts.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy as sa
from conftest import Server, run_cli

from comptoir.storage.database import Database, open_database
from comptoir.storage.tables import REV, metadata

#: every text of a record the caller must not see carries this marker
SECRET = "ZQXSECRET"
#: the birthdate of the contacts the caller must not see
SECRET_BIRTHDATE = 424242424
#: the custom field the records carry
NICK = "nick"

# --- the corpus ----------------------------------------------------------------------------

SQL = [
    "'", "''", '"', "`", "' OR '1'='1", "' OR 1=1 --", '" OR 1=1 --', "1 OR 1=1", "') OR ('1'='1",
    "1' OR '1'='1' /*", "x' AND 1=0 UNION SELECT 1 --", "'; DROP TABLE accounts; --",
    "lastname; DELETE FROM accounts", "'; UPDATE users SET admin=1; --",
    "' UNION SELECT password FROM users --", "' UNION SELECT NULL, NULL, NULL --",
    "lastname) UNION SELECT appsecret FROM applications --",
    "ID, (SELECT password FROM users LIMIT 1)", "(SELECT password FROM users)", "lastname--",
    "/**/", ";", '"lastname"', '"accounts"."lastname"', "accounts.lastname", "`lastname`",
    'lastname COLLATE "C"', "lower(lastname)", "lastname || 'x'", "ID+1", "*", "count(*)",
    "ID DESC", "lastname NULLS FIRST", "x' ESCAPE '",
]
BLIND = [
    "pg_sleep(5)", "'; SELECT pg_sleep(5); --", "' AND (SELECT pg_sleep(5)) IS NULL --",
    "randomblob(1000000000)", "' OR (SELECT CASE WHEN (1=1) THEN 1 ELSE 1/0 END) = 1 --",
    "' AND substr(password,1,1)='$", "load_extension('x')", "pg_read_file('/etc/passwd')",
    "ATTACH DATABASE '/tmp/x.db' AS x",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r) SELECT n FROM r",
]
PLACEHOLDERS = ["$$", "$1", "?", ":caller", ":p0", "%(caller)s"]
ESCAPES = ["\\", "\\'", "\\\\", "a\\", "\\%", "\\_", "%\\", "x\\\\\\"]
WILDCARDS = ["%", "%_%", "a%b_c", "%" * 40 + "b", "_" * 300, "%a%a%a%a%a%a%a%a%a%b"]
REGEX = ["[", "(", "(?i)", "(?i)(?i)x", ".*", "^$", "(a+)+$", "a{1000}{1000}", "x{256}", "^*",
         "[[:alpha:]]", "\\b", "\\w", "\\pL", "(?P<n>x)", "(x)\\1", "(?=x)", "***:abc", "x**",
         "[z-a]", "[a-c-e]", "\\z", "\\Q.*\\E", "\\x{110000}"]
CONTROL = ["\x00", "last\x00name", "\t", "\n", "\x1b[31m", "\x7f", "\u200b", "\ufeff",
           "\u202e", "\ud800", "\U0001f600"]
UNICODE = ["l\u0430stname", "\uff29\uff24", "ID\u0301", "\u0130D", "\ufb01rstname", "LASTNAME",
           "lastname ", "\u2160D", "\u540d\u524d", "\u00df"]
OVERLONG = ["a" * 201, "a" * 1001, "a" * 10001, "(" * 5000, "a." * 5000, "x" * 15000,
            ",".join(["ID"] * 600), "\u00e9" * 2500]
JSONISH = ["{}", "[]", "null", "true", '{"$ne": 1}', '["OR", {"ID": 1}]', None, True, False, 0,
           1, 1.5, 1e308, 2**63, 2**64, 10**30, float("nan"), float("inf"), {}, [], {"=": 1},
           {"$gt": ""}, [1, [2, [3]]], ["OR", {"ID": 1}, {"1": ["AND", {"ID": 2}]}],
           [["OR", {"ID": 1}]], {"IN": [1, 2]}, [None], {"lastname": {"~": "."}}]

@dataclass(frozen=True)
class Raw:
    """A payload sent as this JSON text (deeper than Python's json module can encode)."""

    json: str


NESTED_DEEP = Raw("[" * 2000 + "]" * 2000)
NESTED_FILTER: Any = {"ID": 1}
for _ in range(40):
    NESTED_FILTER = ["OR", NESTED_FILTER]
NAMES = [
    "extdata.", "extdata..", "extdata.x.y", "extdata.password", "extdata.'; --",
    "contact.extdata.nick", "extdata.a b", "extdata.nick", "extdata." + "n" * 300, "..", ".",
    "contact..lastname", "contact.contact.lastname", "creator.password", "assigneduser.password",
    "assigneduser.accesskey", "contact.owneruser.name", "lastname.name", "ID.x",
    "users.password", "password", "accesskey", "applications.appsecret", "appsecret",
    "binfiles.content", "_rev", "sqlite_master", "tokens.digest", "j_contact.lastname",
    "x0.textvalue", "ID", "-lastname", "+ID", "contact.birthdate", "assigneduser.name", "fields",
]
NUMBERS = ["01", "-0", "+1", "1.0", "1e3", "\u0661", "NaN", "9223372036854775808", "1e999",
           " 1 ", ""]
KEYWORDS = ["AND", "OR", "NOT", "not", "XOR", "==", "!=", "!IN", "NOT IN", "LIKE", "~~", "REGEXP",
            "@@"]

CORPUS: list[Any] = [*SQL, *BLIND, *PLACEHOLDERS, *ESCAPES, *WILDCARDS, *REGEX, *CONTROL,
                     *UNICODE, *OVERLONG, *JSONISH, NESTED_DEEP, NESTED_FILTER, *NAMES, *NUMBERS,
                     *KEYWORDS]


def _label(i: int, payload: Any) -> str:
    text = re.sub(r"[^A-Za-z0-9_.+\-=<>!~%$*]", "_", repr(payload))[:24]
    return f"{i:03d}-{text}"


# --- where a payload goes ------------------------------------------------------------------


def text(payload: Any) -> str:
    """A payload where only a string fits (a key, a part of a dotted name)."""
    if isinstance(payload, Raw):
        return payload.json
    return payload if isinstance(payload, str) else json.dumps(payload)


@dataclass(frozen=True)
class Position:
    """A place in the body of a list query.  Some places hold the payload twice, where the
    parser reads the second one only when it accepts the first."""

    name: str
    #: the parameter that a 400 answer may name instead of the token
    parameter: str
    build: Callable[[Any], dict[str, Any]]


POSITIONS = [
    # an alias, then a field name ("0": no alias)
    Position("fields", "fields", lambda p: {"fields": {text(p): "lastname", "0": p}}),
    Position("join-field", "fields", lambda p: {"fields": ["ID", "contact." + text(p)]}),
    Position("join-head", "fields", lambda p: {"fields": ["ID", text(p) + ".name"]}),
    # the filter is read first: a name it accepts goes on to the fields and the sort
    Position("extdata-key", "filter", lambda p: {"filter": {"extdata." + text(p): "x"},
                                                 "fields": ["ID", "extdata." + text(p)],
                                                 "sort": ["-extdata." + text(p)]}),
    Position("filter-field", "filter", lambda p: {"filter": {text(p): "x"}}),
    Position("operator", "filter", lambda p: {"filter": {"lastname": {text(p): "x"}}}),
    Position("value-equals", "filter", lambda p: {"filter": {"lastname": p}}),
    Position("value-in", "filter", lambda p: {"filter": {"contact.lastname": {"IN": [p, "x"]}}}),
    Position("value-regex", "filter", lambda p: {"filter": {"lastname": {"~": p}}}),
    Position("value-like", "filter", lambda p: {"filter": {"lastname": {"~~": p}}}),
    Position("value-less", "filter", lambda p: {"filter": {"ID": {"<": p}}}),
    Position("value-extdata", "filter", lambda p: {"filter": {"extdata.nick": {"!=": p}}}),
    Position("group", "filter", lambda p: {"filter": {"0": [p, {"lastname": "x"}, {"ID": 1}]}}),
    # a sort key as it is, then with the descending prefix
    Position("sort", "sort", lambda p: {"sort": ["+ID", p, "-" + text(p)]}),
    Position("search", "query", lambda p: {"query": p}),
    Position("expand", "expand", lambda p: {"expand": p}),
    Position("paging", "limit", lambda p: {"limit": p, "offset": p}),
    Position("parameter", "unknown query parameter", lambda p: {text(p): 1}),
]

CASES = [pytest.param(position, payload, id=f"{position.name}-{_label(i, payload)}")
         for position in POSITIONS for i, payload in enumerate(CORPUS)]


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 200
    assert len({repr(p) for p in CORPUS}) == len(CORPUS), "a payload is listed twice"


# --- the world: the caller, what they may see, what they may not --------------------------


#: the tables read after every request (all of them: after the corpus): those an injection
#: would aim at, and those of the records and rights of this module
WATCHED = ("accounts", "accounts_extdata", "contacts", "contacts_extdata", "users", "groups",
           "groups2users", "permissions", "applications", "binfiles", "tokens", "config")


def _fingerprint(tables: list[sa.Table]) -> sa.Select[Any]:
    """Row count and sum of revisions of every table, in one statement."""
    parts: list[sa.ColumnElement[Any]] = []
    for i, table in enumerate(tables):
        parts.append(sa.select(sa.func.count()).select_from(table)
                     .scalar_subquery().label(f"n{i}"))
        if REV in table.c:
            parts.append(sa.select(sa.func.coalesce(sa.func.sum(table.c[REV]), 0))
                         .scalar_subquery().label(f"r{i}"))
    return sa.select(*parts)


class Ledger:
    """What the tables hold (row counts and sums of revisions), read straight from the
    database on a connection of its own, and the hidden values that no answer may show."""

    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.db: Database = open_database(url)
        self.loop.run_until_complete(self.db.open())
        everything = sorted(metadata.tables.values(), key=lambda t: t.name)
        self.all = _fingerprint(everything)
        self.watched = _fingerprint([metadata.tables[name] for name in WATCHED])

    def run(self, work: Callable[[Any], Any]) -> Any:
        async def go() -> Any:
            async with self.db.read() as conn:
                return await work(conn)

        return self.loop.run_until_complete(go())

    def snapshot(self, everything: bool = False) -> tuple[Any, ...]:
        statement = self.all if everything else self.watched
        row = self.run(lambda conn: conn.one(statement, key=("test-ledger", everything)))
        return tuple(row.values())

    def hidden_values(self) -> list[str]:
        """The values of hidden fields: password hashes, access keys, app secrets, file
        contents."""
        users, apps = metadata.tables["users"], metadata.tables["applications"]
        binfiles = metadata.tables["binfiles"]

        async def read(conn: Any) -> list[str]:
            found = [r["password"] for r in await conn.all(sa.select(users.c.password))]
            found += [r["accesskey"] for r in await conn.all(sa.select(users.c.accesskey))]
            found += [r["appsecret"] for r in await conn.all(sa.select(apps.c.appsecret))]
            for r in await conn.all(sa.select(binfiles.c.content)):
                content = bytes(r["content"])
                found += [base64.b64encode(content).decode(), content.hex()]
            return [v for v in found if v and len(v) >= 8]

        return list(self.run(read))

    def close(self) -> None:
        self.loop.run_until_complete(self.db.close())
        self.loop.close()


@dataclass
class World:
    caller: httpx.Client
    #: what the caller may see, and what not
    visible: set[int]
    secret: set[int]
    hidden: list[str]
    ledger: Ledger
    watched: tuple[Any, ...]
    everything: tuple[Any, ...]

    def listing(self) -> set[int]:
        answer = self.caller.post("/accounts", json={"fields": ["ID"], "limit": 10000})
        assert answer.status_code == 200, answer.text
        return {row["ID"] for row in answer.json()}


def _created(admin: httpx.Client, entity: str, body: dict[str, Any]) -> int:
    answer = admin.put(f"/{entity}", json=body)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["ID"])


def _group_id(admin: httpx.Client, name: str) -> int:
    answer = admin.post("/groups", json={"fields": ["ID"], "filter": {"name": name}})
    assert answer.status_code == 200, answer.text
    return int(answer.json()[0]["ID"])


def _user_id(admin: httpx.Client, name: str) -> int:
    answer = admin.post("/users", json={"fields": ["ID"], "filter": {"name": name}})
    assert answer.status_code == 200, answer.text
    return int(answer.json()[0]["ID"])


def _contact(admin: httpx.Client, group: int | None, label: str, secret: bool) -> int:
    mark = f"{SECRET} " if secret else ""
    body = {"lastname": f"{mark}{label}", "firstname": f"{mark}first", "city": f"{mark}city",
            "email": f"{mark}{label}@example.com", "company": f"{mark}company",
            "birthdate": SECRET_BIRTHDATE if secret else 123, "ownergroup": group,
            "extdata": {NICK: f"{mark}nick"}}
    return _created(admin, "contacts", body)


def _account(admin: httpx.Client, group: int | None, label: str, secret: bool,
             contact: int, user: int) -> int:
    mark = f"{SECRET} " if secret else ""
    body = {"lastname": f"{mark}{label}", "firstname": f"{mark}first",
            "customernum": f"{mark}c-{label}", "description": f"{mark}' OR 1=1 --",
            "taxid": f"{mark}tax", "currency": "EUR", "ownergroup": group, "contact": contact,
            "assigneduser": user, "extdata": {NICK: f"{mark}nick", "score": 7}}
    return _created(admin, "accounts", body)


@pytest.fixture(scope="module")
def world(admin: httpx.Client, make_user: Callable[..., Any], database_url: str,
          server: Server) -> Iterator[World]:
    # given a caller who may read accounts and contacts, and another group's records
    caller = make_user("accounts", "contacts")
    other = make_user("accounts:writable", "contacts:writable")
    mine, theirs = _group_id(admin, caller.group_name), _group_id(admin, other.group_name)
    other_user = _user_id(admin, other.user_name)
    run_cli(database_url, "application", "create", f"injection-{mine}")
    hidden_contact = _contact(admin, theirs, "hidden contact", secret=True)
    users_contact = _created(admin, "contacts", {"lastname": f"{SECRET} user-owned",
                                                 "owneruser": other_user})
    own_contact = _contact(admin, mine, "own contact", secret=False)
    public_contact = _contact(admin, None, "public contact", secret=False)
    secret = {_account(admin, theirs, "theirs", True, own_contact, other_user),
              _account(admin, theirs, "theirs too", True, hidden_contact, other_user),
              _account(admin, theirs, "'; DROP TABLE accounts; --", True, public_contact,
                       other_user)}
    for i, contact in enumerate((hidden_contact, users_contact, own_contact, hidden_contact)):
        _account(admin, mine, f"own {i}", False, contact, other_user)
    _account(admin, None, "public", False, hidden_contact, other_user)
    everything = admin.post("/accounts", json={"fields": ["ID", "ownergroup"], "limit": 10000})
    visible = {r["ID"] for r in everything.json() if r["ownergroup"] in (None, mine)}
    ledger = Ledger(database_url)
    w = World(caller, visible, secret, ledger.hidden_values(), ledger, ledger.snapshot(),
              ledger.snapshot(everything=True))
    # the caller sees exactly their own and the public accounts
    assert w.listing() == visible and not visible & secret and len(visible) >= 5
    assert w.hidden, "no hidden values to look for"
    yield w
    ledger.close()


# --- the checks ----------------------------------------------------------------------------


def _ints(value: Any) -> Iterator[int]:
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _ints(v)
    elif isinstance(value, list):
        for v in value:
            yield from _ints(v)


def _shown(payload: str) -> str:
    """How an error message shows a token (cut after 77 characters)."""
    return payload[:77]


_RAW = "\x00raw\x00"


def _encode(body: dict[str, Any]) -> bytes:
    # ensure_ascii: lone surrogates travel as escapes; NaN and Infinity as JavaScript has them
    raws: list[str] = []

    def raw(value: Any) -> str:
        assert isinstance(value, Raw)
        raws.append(value.json)
        return _RAW

    encoded = json.dumps(body, ensure_ascii=True, allow_nan=True, default=raw)
    for text in raws:
        encoded = encoded.replace(json.dumps(_RAW), text, 1)
    return encoded.encode()


def _is_json(raw: bytes) -> bool:
    try:
        orjson.loads(raw)
    except orjson.JSONDecodeError:
        return False
    return True


def check_answer(world: World, position: Position, payload: Any, body: dict[str, Any],
                 answer: httpx.Response) -> None:
    assert answer.status_code in (200, 400), f"{answer.status_code}: {answer.text[:300]}"
    if answer.status_code == 400:
        assert answer.headers["content-type"].startswith("text/plain")
        message = answer.text
        assert message.startswith("Bad Request: "), message
        named = [position.parameter, _shown(text(payload))]
        if not _is_json(_encode(body)):
            named.append("body")
        assert any(n and n in message for n in named), f"{named} not in {message[:300]!r}"
        return
    data = answer.json()
    raw = answer.text
    assert SECRET not in raw, raw[:500]
    assert SECRET_BIRTHDATE not in set(_ints(data)), raw[:500]
    for value in world.hidden:
        assert value not in raw, f"a hidden value is shown: {raw[:300]}"
    if isinstance(data, dict):
        assert set(data) == {"count"}
        assert 0 <= data["count"] <= len(world.visible)
        return
    assert isinstance(data, list) and len(data) <= len(world.visible)
    if "fields" not in body:
        assert {row["ID"] for row in data} <= world.visible


@pytest.mark.parametrize(("position", "payload"), CASES)
def test_payload(world: World, position: Position, payload: Any) -> None:
    # when
    body = position.build(payload)
    answer = world.caller.post("/accounts", content=_encode(body),
                               headers={"Content-Type": "application/json"})
    # then
    check_answer(world, position, payload, body, answer)
    assert world.ledger.snapshot() == world.watched, "a table was written"


def test_the_server_is_healthy_after_the_corpus(world: World, admin: httpx.Client) -> None:
    assert world.listing() == world.visible
    answer = world.caller.post("/accounts", json={"fields": ["ID", "contact.lastname"],
                                                  "filter": {"contact.lastname": {"!=": None}},
                                                  "sort": ["-ID"]})
    assert answer.status_code == 200 and answer.json(), answer.text
    assert SECRET not in answer.text
    assert world.ledger.snapshot(everything=True) == world.everything
    assert admin.post("/accounts", json={"count": 1}).json()["count"] >= len(world.secret) + 5
