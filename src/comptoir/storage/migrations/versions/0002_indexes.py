"""Indexes for the common filters and sorts of list queries: `lastmodified` of every
entity (the change-tracking filter of the ZeyOS examples), names, numbers, e-mail and
country of accounts and contacts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: (table, column): one B-tree index `ix_<table>_<column>` each
INDEXED = (
    ("accounts", "customernum"),
    ("accounts", "lastmodified"),
    ("accounts", "lastname"),
    ("actionsteps", "lastmodified"),
    ("addresses", "lastmodified"),
    ("applications", "lastmodified"),
    ("appointments", "lastmodified"),
    ("campaigns", "lastmodified"),
    ("components", "lastmodified"),
    ("contacts", "country"),
    ("contacts", "email"),
    ("contacts", "lastmodified"),
    ("contacts", "lastname"),
    ("contracts", "lastmodified"),
    ("couponcodes", "lastmodified"),
    ("coupons", "lastmodified"),
    ("davservers", "lastmodified"),
    ("devices", "lastmodified"),
    ("dunning", "lastmodified"),
    ("events", "lastmodified"),
    ("feedservers", "lastmodified"),
    ("groups", "lastmodified"),
    ("groups2users", "lastmodified"),
    ("invitations", "lastmodified"),
    ("items", "lastmodified"),
    ("ledgers", "lastmodified"),
    ("links", "lastmodified"),
    ("mailinglists", "lastmodified"),
    ("mailservers", "lastmodified"),
    ("messages", "lastmodified"),
    ("notes", "lastmodified"),
    ("objects", "lastmodified"),
    ("opportunities", "lastmodified"),
    ("participants", "lastmodified"),
    ("payments", "lastmodified"),
    ("permissions", "lastmodified"),
    ("pricelists", "lastmodified"),
    ("prices", "lastmodified"),
    ("projects", "lastmodified"),
    ("records", "lastmodified"),
    ("resources", "lastmodified"),
    ("services", "lastmodified"),
    ("stocktransactions", "lastmodified"),
    ("storages", "lastmodified"),
    ("suppliers", "lastmodified"),
    ("tasks", "lastmodified"),
    ("tickets", "lastmodified"),
    ("transactions", "lastmodified"),
    ("users", "lastmodified"),
    ("weblets", "lastmodified"),
)


def upgrade() -> None:
    for table, column in INDEXED:
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    for table, column in reversed(INDEXED):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
