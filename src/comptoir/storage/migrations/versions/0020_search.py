"""The global search index (see `storage/search.py`).

SQLite: an FTS5 table per searched entity over its searchable text columns (external
content: the entity's table), kept in sync by triggers, filled from the rows there are.
PostgreSQL: pg_trgm and unaccent, `comptoir_fold(text)` = lower(unaccent(text)), and a GIN
trigram index per searched entity on `comptoir_fold` of its columns joined by spaces.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

#: the searched entities and their columns, as of this revision
_SEARCHED: dict[str, tuple[str, ...]] = {
    'accounts': ('customernum', 'firstname', 'lastname', 'suppliernum', 'email', 'phone'),
    'contacts': ('cell', 'company', 'email', 'email2', 'firstname', 'lastname', 'phone',
                 'phone2'),
    'leads': ('cell', 'company', 'email', 'firstname', 'lastname', 'leadnum', 'phone'),
    'opportunities': ('name', 'opportunitynum'),
    'transactions': ('subject', 'transactionnum'),
    'payments': ('paymentnum', 'subject'),
    'items': ('barcode', 'itemnum', 'manufacturer', 'name'),
    'projects': ('name', 'projectnum'),
    'tasks': ('name', 'tasknum'),
    'tickets': ('name', 'ticketnum'),
    'documents': ('filename', 'title'),
}


def _quoted(names: tuple[str, ...], prefix: str = "") -> str:
    return ", ".join(f'{prefix}"{n}"' for n in names)


def _sqlite_up(table: str, cols: tuple[str, ...]) -> list[str]:
    fts = f"{table}_search"
    values_new, values_old = _quoted(cols, "new."), _quoted(cols, "old.")
    insert = f'INSERT INTO "{fts}"(rowid, {_quoted(cols)}) VALUES (new."ID", {values_new});'
    delete = (f'INSERT INTO "{fts}"("{fts}", rowid, {_quoted(cols)}) '
              f'VALUES (\'delete\', old."ID", {values_old});')
    return [
        f'CREATE VIRTUAL TABLE "{fts}" USING fts5({_quoted(cols)}, content=\'{table}\', '
        "content_rowid='ID', tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
        f'CREATE TRIGGER "{fts}_insert" AFTER INSERT ON "{table}" BEGIN {insert} END',
        f'CREATE TRIGGER "{fts}_delete" AFTER DELETE ON "{table}" BEGIN {delete} END',
        f'CREATE TRIGGER "{fts}_update" AFTER UPDATE OF "ID", {_quoted(cols)} ON "{table}" '
        f"BEGIN {delete} {insert} END",
        f'INSERT INTO "{fts}"("{fts}") VALUES (\'rebuild\')',
    ]


def _pg_document(cols: tuple[str, ...]) -> str:
    return "comptoir_fold(" + " || ' ' || ".join(f"""coalesce("{c}", '')""" for c in cols) + ")"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for table, cols in _SEARCHED.items():
            for statement in _sqlite_up(table, cols):
                op.execute(statement)
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema = bind.execute(sa.text("SELECT extnamespace::regnamespace::text FROM pg_extension "
                                  "WHERE extname = 'unaccent'")).scalar_one()
    # immutable (unaccent() is only stable): an index may use it; the dictionary is named
    # with its schema, so that the function does not depend on the search path
    op.execute(f"""CREATE OR REPLACE FUNCTION comptoir_fold(text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT lower({schema}.unaccent('{schema}.unaccent'::regdictionary, $1)) $$""")
    for table, cols in _SEARCHED.items():
        op.execute(f'CREATE INDEX "ix_{table}_search" ON "{table}" '
                   f"USING gin ({_pg_document(cols)} gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in _SEARCHED:
            for trigger in ("insert", "delete", "update"):
                op.execute(f'DROP TRIGGER IF EXISTS "{table}_search_{trigger}"')
            op.execute(f'DROP TABLE IF EXISTS "{table}_search"')
        return
    for table in _SEARCHED:
        op.execute(f'DROP INDEX IF EXISTS "ix_{table}_search"')
    op.execute("DROP FUNCTION IF EXISTS comptoir_fold(text)")
    # the extensions stay: other objects of the database may use them
