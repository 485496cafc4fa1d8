"""Webhook endpoints, their deliveries and every delivery attempt.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("ID", _ID, autoincrement=True, nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("events", sa.Text(), nullable=False),
        sa.Column("filter", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("owner", sa.Integer(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("previous_secret", sa.Text(), nullable=True),
        sa.Column("previous_until", sa.BigInteger(), nullable=True),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("failing_since", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["owner"], ["users.ID"],
                                name=op.f("fk_webhook_endpoints_owner_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ID", name=op.f("pk_webhook_endpoints")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_webhook_endpoints_owner"), "webhook_endpoints", ["owner"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("ID", _ID, autoincrement=True, nullable=False),
        sa.Column("endpoint", _ID, nullable=False),
        sa.Column("event", _ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt", sa.BigInteger(), nullable=True),
        sa.Column("lease_until", sa.BigInteger(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["endpoint"], ["webhook_endpoints.ID"],
                                name=op.f("fk_webhook_deliveries_endpoint_webhook_endpoints"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event"], ["outbox.ID"],
                                name=op.f("fk_webhook_deliveries_event_outbox"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ID", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("endpoint", "event", name=op.f("uq_webhook_deliveries_endpoint_event")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_webhook_deliveries_event"), "webhook_deliveries", ["event"])
    op.create_index("ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt"])
    op.create_table(
        "webhook_attempts",
        sa.Column("ID", _ID, autoincrement=True, nullable=False),
        sa.Column("delivery", _ID, nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("latency", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["delivery"], ["webhook_deliveries.ID"],
                                name=op.f("fk_webhook_attempts_delivery_webhook_deliveries"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ID", name=op.f("pk_webhook_attempts")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_webhook_attempts_delivery"), "webhook_attempts", ["delivery"])
    op.create_table(
        "webhook_cursor",
        sa.Column("ID", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("outbox", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("ID", name=op.f("pk_webhook_cursor")),
    )


def downgrade() -> None:
    op.drop_table("webhook_cursor")
    op.drop_index(op.f("ix_webhook_attempts_delivery"), table_name="webhook_attempts")
    op.drop_table("webhook_attempts")
    op.drop_index("ix_webhook_deliveries_due", table_name="webhook_deliveries")
    op.drop_index(op.f("ix_webhook_deliveries_event"), table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_index(op.f("ix_webhook_endpoints_owner"), table_name="webhook_endpoints")
    op.drop_table("webhook_endpoints")
