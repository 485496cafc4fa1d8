"""API keys (the Kananas-style token header).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "apikeys",
        sa.Column("ID", _ID, autoincrement=True, nullable=False),
        sa.Column("user", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("prefix", sa.String(length=8), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("expires", sa.BigInteger(), nullable=True),
        sa.Column("revoked", sa.BigInteger(), nullable=True),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("lastused", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["user"], ["users.ID"], name=op.f("fk_apikeys_user_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ID", name=op.f("pk_apikeys")),
        sa.UniqueConstraint("digest", name=op.f("uq_apikeys_digest")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_apikeys_user"), "apikeys", ["user"])


def downgrade() -> None:
    op.drop_index(op.f("ix_apikeys_user"), table_name="apikeys")
    op.drop_table("apikeys")
