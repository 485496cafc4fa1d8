"""Fields and entities for the PriceBooks, Emails and Currency modules.

PriceBooks (price lists) and Emails (messages) need no new column; Currency is the new
`currencies` table, with the instance's default currency EUR (active, rate 1) and USD, GBP
and CHF (inactive: an admin sets their rate before using them).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

#: (code, name, symbol, active)
CURRENCIES = (
    ("EUR", "Euro", "€", 1),
    ("USD", "US Dollar", "$", 0),
    ("GBP", "Pound Sterling", "£", 0),
    ("CHF", "Swiss Franc", "CHF", 0),
)


def upgrade() -> None:
    currencies = op.create_table(
        "currencies",
        sa.Column("ID", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("active", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("conversionrate", sa.Double(), server_default=sa.text("1"), nullable=False),
        sa.Column("creationdate", sa.BigInteger(), nullable=False),
        sa.Column("lastmodified", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("symbol", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("_rev", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.PrimaryKeyConstraint("ID", name=op.f("pk_currencies")),
        sa.UniqueConstraint("code", name=op.f("uq_currencies_code")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_currencies_lastmodified"), "currencies", ["lastmodified"])
    now = int(time.time())
    op.bulk_insert(currencies, [
        {"code": code, "name": name, "symbol": symbol, "active": active,
         "conversionrate": 1.0, "creationdate": now, "lastmodified": now, "_rev": 1}
        for code, name, symbol, active in CURRENCIES
    ])


def downgrade() -> None:
    op.drop_index(op.f("ix_currencies_lastmodified"), table_name="currencies")
    op.drop_table("currencies")
