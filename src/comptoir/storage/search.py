"""The global search index, and how a search matches it on each database.

    found = matching(db, "accounts", ["acm", "fa-2026"])    # how to join, filter and rank
    values = search_params(db, ["acm", "fa-2026"])           # its bound values

- SQLite: one FTS5 table per searched entity, `<table>_search`, external content (the
  entity's table, rowid = ID) over its searchable text columns, tokenizer `unicode61
  remove_diacritics 2` (case and accents folded), prefix indexes of 2 and 3 characters;
  triggers keep it in sync.  Each word is a quoted FTS5 phrase with a prefix star: no
  input is FTS5 syntax, and "fa-2026" is the phrase "fa" "2026*".  Ranked by bm25.
- PostgreSQL: `comptoir_fold(text)` = lower(unaccent(text)), and one GIN trigram index
  per entity on `comptoir_fold` of its searchable columns joined by spaces
  (`ix_<table>_search`); each word is a substring (`LIKE '%word%'`) of it.  Ranked by
  pg_trgm's word similarity.

The searched entities are `SEARCHED`; their columns are the registry's searchable text
fields.  Migration 0020 built the index of each; a migration that changes these columns,
or rebuilds one of these tables on SQLite (which drops its triggers), builds it again.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles

from comptoir.schema.fields import Kind
from comptoir.schema.registry import ENTITIES
from comptoir.storage.database import Database

#: the entities the global search looks into, in the order it answers them
SEARCHED: tuple[str, ...] = (
    "accounts", "contacts", "leads", "opportunities", "transactions", "payments", "items",
    "projects", "tasks", "tickets", "documents",
)

#: words of a search beyond these are ignored, and so are characters past MAX_WORD
MAX_WORDS = 8
MAX_WORD = 64

#: the tables FTS5 makes for an external-content table (besides the virtual table)
_SHADOWS = ("data", "idx", "docsize", "config")


#: fields the global search also reads, beyond an entity's `searchable` ones (those are the
#: list operation's `query` fields, which follow ZeyOS): an account's e-mail and phone
ALSO_SEARCHED: dict[str, tuple[str, ...]] = {"accounts": ("email", "phone")}


@functools.cache
def columns(name: str) -> tuple[str, ...]:
    """The indexed columns of a searched entity: its searchable text fields, then those of
    `ALSO_SEARCHED`."""
    own = tuple(f.name for f in ENTITIES[name].searchable if f.kind in (Kind.TEXT, Kind.ENTITY))
    return own + tuple(n for n in ALSO_SEARCHED.get(name, ()) if n not in own)


def fts_table(name: str) -> str:
    """SQLite: the FTS5 table of a searched entity."""
    return f"{name}_search"


def index_name(name: str) -> str:
    """PostgreSQL: the trigram index of a searched entity."""
    return f"ix_{name}_search"


#: the tables the search index adds to a SQLite database (virtual and shadow tables):
#: not in `storage/tables.py`
SEARCH_TABLES: frozenset[str] = frozenset(
    t for name in SEARCHED
    for t in (fts_table(name), *(f"{fts_table(name)}_{s}" for s in _SHADOWS)))
#: the indexes it adds to a PostgreSQL database
SEARCH_INDEXES: frozenset[str] = frozenset(index_name(name) for name in SEARCHED)


def words(text: str) -> list[str]:
    """The words of a search: split at white space, without control characters (NUL is
    no text to PostgreSQL) or lone surrogates; a word with no letter or digit (`-`, `*`,
    `"`) matches everything or nothing, so it is left out."""
    clean = "".join(c if c.isprintable() else " " for c in
                    text.encode("utf-8", "ignore").decode("utf-8"))
    cut = (w[:MAX_WORD] for w in clean.split())
    return [w for w in cut if any(c.isalnum() for c in w)][:MAX_WORDS]


@dataclass(frozen=True)
class Match:
    """How a search reads an entity's table: what to select from, the conditions that
    the words add, and the order of the best matches first."""

    source: sa.FromClause
    where: Sequence[sa.ColumnElement[bool]]
    order: Sequence[sa.ColumnElement[Any]]


class _Driven(sa.Join):
    """A join whose left side is the outer loop: SQLite's CROSS JOIN (its planner would
    otherwise start from an index of the entity's table that a visibility rule uses, and
    run the full-text match once per row)."""

    inherit_cache = True


@compiles(_Driven, "sqlite")
def _cross_join(join: _Driven, compiler: Any, **kw: Any) -> str:
    kw.pop("asfrom", None)
    kw.pop("from_linter", None)
    return (f"{compiler.process(join.left, asfrom=True, **kw)} CROSS JOIN "
            f"{compiler.process(join.right, asfrom=True, **kw)} ON "
            f"{compiler.process(join.onclause, **kw)}")


def _document(table: sa.FromClause, name: str) -> sa.ColumnElement[str]:
    """PostgreSQL: the indexed expression (constants as literals, as in the index)."""
    empty, space = sa.literal_column("''", sa.Text()), sa.literal_column("' '", sa.Text())
    parts = [sa.func.coalesce(table.c[c], empty, type_=sa.Text()) for c in columns(name)]
    joined: sa.ColumnElement[str] = parts[0]
    for part in parts[1:]:
        joined = joined + space + part
    return sa.func.comptoir_fold(joined, type_=sa.Text())


def matching(db: Database, name: str, table: sa.Table, count: int) -> Match:
    """The match of `count` words (bound as `search_params` names them) on `table`, the
    table of the searched entity `name`."""
    if db.name == "sqlite":
        fts = sa.table(fts_table(name), sa.column("rowid"), sa.column("rank"))
        return Match(_Driven(fts, table, table.c.ID == fts.c.rowid),
                     [sa.literal_column(fts_table(name)).op("MATCH")(
                         sa.bindparam("q", type_=sa.Text()))],
                     [fts.c.rank, table.c.ID.desc()])
    document = _document(table, name)
    where = [document.like(sa.func.comptoir_fold(sa.bindparam(f"w{i}", type_=sa.Text())),
                           escape="\\") for i in range(count)]
    rank = sa.func.word_similarity(sa.func.comptoir_fold(sa.bindparam("q", type_=sa.Text())),
                                   document, type_=sa.Float())
    return Match(table, where, [rank.desc(), table.c.ID.desc()])


def _phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"*'


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_params(db: Database, found: Sequence[str]) -> dict[str, Any]:
    """The bound values of a match of these words (see `words`)."""
    if db.name == "sqlite":
        return {"q": " ".join(_phrase(w) for w in found)}
    return {"q": " ".join(found), **{f"w{i}": _like(w) for i, w in enumerate(found)}}
