"""SQLite: contacts, items, devices and the webhook outbox get AUTOINCREMENT back, so that
the ID of a deleted record (or of a pruned event) is never given again.  Earlier batch
rebuilds of these tables dropped it: a deleted contact's ID came back on the next create,
which breaks webhook sequences, webservice `sync` and the outbox cursor.  The tables are
rebuilt with their rows (IDs kept); SQLite's sequence starts after the highest ID.
PostgreSQL identities never reuse IDs: nothing to do there.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import warnings

import sqlalchemy as sa
from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

_TABLES = ("contacts", "items", "devices", "outbox")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # batch mode reflects the tables referred to (users' expression index cannot be: a warning)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        for table in _TABLES:
            with op.batch_alter_table(table, recreate="always",
                                      table_kwargs={"sqlite_autoincrement": True}):
                pass


def downgrade() -> None:
    pass  # AUTOINCREMENT is what the tables declare: there is nothing to undo
