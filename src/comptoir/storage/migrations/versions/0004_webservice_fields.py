"""The deletion log (webservice `sync`), and fields the webservice modules need that the ZeyOS model lacked: the phone, e-mail and
website of accounts (vtiger Accounts/Vendors), the organization of a contact (Contacts
`account_id`) and the assigned user of an item (Products/Services `assigned_user_id`).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import warnings

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TEXTS = (("accounts", "email"), ("accounts", "phone"), ("accounts", "website"))
#: (table, column, referenced table)
REFERENCES = (("contacts", "account", "accounts"), ("items", "assigneduser", "users"))


_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "deletions",
        sa.Column("ID", _ID, autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("record", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.BigInteger(), nullable=False),
        sa.Column("deletedby", sa.Integer(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("ID", name=op.f("pk_deletions")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_deletions_deleted"), "deletions", ["deleted"])
    for table, column in TEXTS:
        op.add_column(table, sa.Column(column, sa.Text(), server_default=sa.text("('')"),
                                       nullable=False))
    for table, column, target in REFERENCES:
        # SQLite adds a named constraint only by rebuilding the table (batch mode), which
        # reflects the tables it refers to (users' expression index cannot be: a warning)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", sa.exc.SAWarning)
            with op.batch_alter_table(table, recreate="auto") as batch:
                batch.add_column(sa.Column(column, sa.Integer(), nullable=True))
                batch.create_foreign_key(f"fk_{table}_{column}_{target}", target, [column],
                                         ["ID"], ondelete="SET NULL")
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])


def downgrade() -> None:
    op.drop_index(op.f("ix_deletions_deleted"), table_name="deletions")
    op.drop_table("deletions")
    for table, column, target in REFERENCES:
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
    for table, column in TEXTS:
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
