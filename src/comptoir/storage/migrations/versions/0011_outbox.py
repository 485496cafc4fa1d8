"""The transactional outbox: one event row per create, update and delete.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("ID", _ID, autoincrement=True, nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=80), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("record", sa.BigInteger(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("occurred", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.Integer(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("ID", name=op.f("pk_outbox")),
        sa.UniqueConstraint("event", name=op.f("uq_outbox_event")),
        sa.UniqueConstraint("entity", "record", "sequence",
                            name=op.f("uq_outbox_entity_record_sequence")),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("outbox")
