"""Inventory documents: line items, taxes and the totals of Quotes, SalesOrder, Invoice and PurchaseOrder.

New tables `lineitems` (the lines of a transaction) and `taxes` (seeded with vtiger's
default taxes: tax1 VAT 4.5 %, tax2 Sales 10 %, tax3 Service 12.5 %), and the columns the
webservice inventory modules need on `transactions`: subject, tax mode, document discount,
shipping and handling with its taxes, adjustment, the computed totals and the order
references (quote, sales order, customer purchase order).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import time
import warnings

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: new number columns of transactions (nullable doubles)
NUMBERS = ("adjustment", "discountamount", "discountpercent", "grandtotal", "pretaxtotal",
           "shippingamount", "subtotal")
#: new text columns of transactions (not null, default '')
TEXTS = ("purchaseorder", "subject")
#: new references of transactions to transactions
REFERENCES = ("quote", "salesorder")
#: (name, label, percentage) of the taxes every install starts with
DEFAULT_TAXES = (("tax1", "VAT", 4.5), ("tax2", "Sales", 10.0), ("tax3", "Service", 12.5))

_WIDE_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _rev() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("_rev", sa.Integer(), server_default=sa.text("1"), nullable=False)


def upgrade() -> None:
    for name in NUMBERS:
        op.add_column("transactions", sa.Column(name, sa.Double(), nullable=True))
    for name in TEXTS:
        op.add_column("transactions", sa.Column(name, sa.Text(), server_default=sa.text("''"),
                                                nullable=False))
    op.add_column("transactions", sa.Column("shippingtaxes", sa.Text(), nullable=True))
    op.add_column("transactions", sa.Column("taxtype", sa.SmallInteger(),
                                            server_default=sa.text("0"), nullable=False))
    # SQLite adds a named constraint only by rebuilding the table (batch mode), which
    # reflects the tables it refers to (users' expression index cannot be: a warning)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        with op.batch_alter_table("transactions", recreate="auto") as batch:
            for name in REFERENCES:
                batch.add_column(sa.Column(name, sa.Integer(), nullable=True))
                batch.create_foreign_key(f"fk_transactions_{name}_transactions", "transactions",
                                         [name], ["ID"], ondelete="SET NULL")
    for name in REFERENCES:
        op.create_index(op.f(f"ix_transactions_{name}"), "transactions", [name])

    op.create_table(
        "lineitems",
        sa.Column("ID", _WIDE_ID, autoincrement=True, nullable=False),
        sa.Column("comment", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("creationdate", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("discountamount", sa.Double(), nullable=True),
        sa.Column("discountpercent", sa.Double(), nullable=True),
        sa.Column("item", sa.Integer(), nullable=True),
        sa.Column("listprice", sa.Double(), server_default=sa.text("0"), nullable=False),
        sa.Column("lastmodified", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Double(), server_default=sa.text("1"), nullable=False),
        sa.Column("sequence", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("tax1", sa.Double(), nullable=True),
        sa.Column("tax2", sa.Double(), nullable=True),
        sa.Column("tax3", sa.Double(), nullable=True),
        sa.Column("transaction", sa.Integer(), nullable=False),
        _rev(),
        sa.ForeignKeyConstraint(["item"], ["items.ID"], name=op.f("fk_lineitems_item_items"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["transaction"], ["transactions.ID"],
                                name=op.f("fk_lineitems_transaction_transactions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ID", name=op.f("pk_lineitems")),
        sqlite_autoincrement=True,
    )
    for name in ("item", "lastmodified", "transaction"):
        op.create_index(op.f(f"ix_lineitems_{name}"), "lineitems", [name])

    taxes = op.create_table(
        "taxes",
        sa.Column("ID", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("active", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column("compoundon", sa.Text(), nullable=True),
        sa.Column("creationdate", sa.BigInteger(), nullable=False),
        sa.Column("label", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("method", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("lastmodified", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("percentage", sa.Double(), server_default=sa.text("0"), nullable=False),
        _rev(),
        sa.PrimaryKeyConstraint("ID", name=op.f("pk_taxes")),
        sa.UniqueConstraint("name", name=op.f("uq_taxes_name")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_taxes_lastmodified"), "taxes", ["lastmodified"])
    now = int(time.time())
    op.bulk_insert(taxes, [
        {"name": name, "label": label, "percentage": percentage, "active": 1, "method": 0,
         "creationdate": now, "lastmodified": now, "_rev": 1}
        for name, label, percentage in DEFAULT_TAXES
    ])


def downgrade() -> None:
    op.drop_table("taxes")
    op.drop_table("lineitems")
    for name in REFERENCES:
        op.drop_index(op.f(f"ix_transactions_{name}"), table_name="transactions")
    with op.batch_alter_table("transactions") as batch:
        for name in (*REFERENCES, *NUMBERS, *TEXTS, "shippingtaxes", "taxtype"):
            batch.drop_column(name)
