"""Payments take a receipt number when they are recorded (`payments.paymentnum`, from the
company's `payment` numbering format).  Payments recorded before keep none.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a column added, no table rebuilt: SQLite keeps AUTOINCREMENT as it is
    op.add_column('payments', sa.Column('paymentnum', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('payments', table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column('paymentnum')
