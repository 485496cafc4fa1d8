"""Documents and document folders (webservice Documents, DocumentFolders, FileUpload),
with the folder every vtiger install has: Default.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: (table, column): one B-tree index `ix_<table>_<column>` each (references and lastmodified)
INDEXED = (
    ("documentfolders", "creator"),
    ("documentfolders", "lastmodified"),
    ("documents", "assigneduser"),
    ("documents", "binfile"),
    ("documents", "creator"),
    ("documents", "folder"),
    ("documents", "lastmodified"),
    ("documents", "ownergroup"),
)


def _text(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.Text(), server_default=sa.text("''"), nullable=False)


def _rev() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("_rev", sa.Integer(), server_default=sa.text("1"), nullable=False)


def upgrade() -> None:
    folders = op.create_table(
        "documentfolders",
        sa.Column("ID", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("creationdate", sa.BigInteger(), nullable=False),
        sa.Column("creator", sa.Integer(), nullable=True),
        _text("description"),
        sa.Column("lastmodified", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        _rev(),
        sa.ForeignKeyConstraint(["creator"], ["users.ID"],
                                name=op.f("fk_documentfolders_creator_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("ID", name=op.f("pk_documentfolders")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "documents",
        sa.Column("ID", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("active", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column("assigneduser", sa.Integer(), nullable=True),
        sa.Column("binfile", sa.Integer(), nullable=True),
        sa.Column("creationdate", sa.BigInteger(), nullable=False),
        sa.Column("creator", sa.Integer(), nullable=True),
        _text("filename"),
        sa.Column("folder", sa.Integer(), nullable=True),
        sa.Column("lastmodified", sa.BigInteger(), nullable=False),
        sa.Column("locationtype", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        _text("mimetype"),
        _text("note"),
        sa.Column("ownergroup", sa.Integer(), nullable=True),
        sa.Column("size", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        _text("url"),
        _rev(),
        sa.ForeignKeyConstraint(["assigneduser"], ["users.ID"],
                                name=op.f("fk_documents_assigneduser_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["binfile"], ["binfiles.ID"],
                                name=op.f("fk_documents_binfile_binfiles")),
        sa.ForeignKeyConstraint(["creator"], ["users.ID"],
                                name=op.f("fk_documents_creator_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["folder"], ["documentfolders.ID"],
                                name=op.f("fk_documents_folder_documentfolders"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["ownergroup"], ["groups.ID"],
                                name=op.f("fk_documents_ownergroup_groups"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ID", name=op.f("pk_documents")),
        sqlite_autoincrement=True,
    )
    for table, column in INDEXED:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])
    now = int(time.time())
    op.bulk_insert(folders, [{"name": "Default", "description": "Default folder",
                              "creationdate": now, "lastmodified": now}])


def downgrade() -> None:
    for table, column in reversed(INDEXED):
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
    op.drop_table("documents")
    op.drop_table("documentfolders")
