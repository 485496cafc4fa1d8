"""The outbox marks the events fanned out to webhook deliveries (`fanned`), replacing the
cursor (`webhook_cursor`) and its re-scan of recent events for late commits.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("fanned", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    # what the cursor had passed was fanned out; later events were not
    op.execute('UPDATE outbox SET fanned = TRUE WHERE "ID" <= '
               '(SELECT outbox FROM webhook_cursor WHERE "ID" = 1)')
    op.create_index("ix_outbox_fanned", "outbox", ["fanned", "ID"])
    op.drop_table("webhook_cursor")


def downgrade() -> None:
    op.create_table(
        "webhook_cursor",
        sa.Column("ID", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("outbox", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("ID", name=op.f("pk_webhook_cursor")),
    )
    op.execute('INSERT INTO webhook_cursor ("ID", outbox) '
               'SELECT 1, MAX("ID") FROM outbox WHERE fanned')
    op.drop_index("ix_outbox_fanned", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("fanned")
