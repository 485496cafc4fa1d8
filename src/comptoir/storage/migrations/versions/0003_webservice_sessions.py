"""Webservice logins: challenges (`getchallenge`) and sessions (`sessionName`).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ws_challenges",
        sa.Column("ID", _ID, autoincrement=True, nullable=False),
        sa.Column("user", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("expires", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["user"], ["users.ID"], name=op.f("fk_ws_challenges_user_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ID", name=op.f("pk_ws_challenges")),
        sa.UniqueConstraint("token", name=op.f("uq_ws_challenges_token")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_ws_challenges_user"), "ws_challenges", ["user"])
    op.create_table(
        "ws_sessions",
        sa.Column("ID", _ID, autoincrement=True, nullable=False),
        sa.Column("user", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("seen", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["user"], ["users.ID"], name=op.f("fk_ws_sessions_user_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ID", name=op.f("pk_ws_sessions")),
        sa.UniqueConstraint("digest", name=op.f("uq_ws_sessions_digest")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_ws_sessions_user"), "ws_sessions", ["user"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ws_sessions_user"), table_name="ws_sessions")
    op.drop_table("ws_sessions")
    op.drop_index(op.f("ix_ws_challenges_user"), table_name="ws_challenges")
    op.drop_table("ws_challenges")
