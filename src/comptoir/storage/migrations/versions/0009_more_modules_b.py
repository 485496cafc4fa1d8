"""Fields and entities for the Assets, ServiceContracts, ModComments, Faq and ProjectMilestone modules.

ServiceContracts shows `contracts` as it is.  Assets shows `devices`, which gains a name, a
status, the dates sold and in service, an account and an assigned user; ProjectMilestone
and Faq show two new entities, `milestones` (of a project) and `faqs`.  ModComments is not
served (no schema change).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import warnings

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

#: devices: (column, referenced table)
DEVICE_REFERENCES = (("account", "accounts"), ("assigneduser", "users"))


def _text(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), server_default=sa.text("''"), nullable=False)


def _child_tables(table: str) -> None:
    """The custom fields (`<table>_extdata`) and tags (`<table>_tags`) of an entity."""
    op.create_table(f"{table}_extdata",
    sa.Column("record", sa.Integer(), nullable=False),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("textvalue", sa.Text(), nullable=True),
    sa.Column("numvalue", sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(["record"], [f"{table}.ID"], name=op.f(f"fk_{table}_extdata_record_{table}"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("record", "name", name=op.f(f"pk_{table}_extdata"))
    )
    op.create_index(f"ix_{table}_extdata_name_num", f"{table}_extdata", ["name", "numvalue"], unique=False)
    op.create_index(f"ix_{table}_extdata_name_text", f"{table}_extdata", ["name", "textvalue"], unique=False)
    op.create_table(f"{table}_tags",
    sa.Column("record", sa.Integer(), nullable=False),
    sa.Column("tag", sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(["record"], [f"{table}.ID"], name=op.f(f"fk_{table}_tags_record_{table}"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("record", "tag", name=op.f(f"pk_{table}_tags"))
    )
    op.create_index(f"ix_{table}_tags_tag", f"{table}_tags", ["tag", "record"], unique=False)


def upgrade() -> None:
    # devices (Assets)
    op.add_column("devices", sa.Column("dateinservice", sa.BigInteger(), nullable=True))
    op.add_column("devices", sa.Column("datesold", sa.BigInteger(), nullable=True))
    op.add_column("devices", _text("name"))
    op.add_column("devices", sa.Column("status", sa.SmallInteger(), server_default=sa.text("0"),
                                       nullable=False))
    for column, target in DEVICE_REFERENCES:
        # SQLite adds a named constraint only by rebuilding the table (batch mode), which
        # reflects the tables it refers to (users' expression index cannot be: a warning)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", sa.exc.SAWarning)
            with op.batch_alter_table("devices", recreate="auto") as batch:
                batch.add_column(sa.Column(column, sa.Integer(), nullable=True))
                batch.create_foreign_key(f"fk_devices_{column}_{target}", target, [column],
                                         ["ID"], ondelete="SET NULL")
        op.create_index(op.f(f"ix_devices_{column}"), "devices", [column])

    # milestones (ProjectMilestone)
    op.create_table("milestones",
    sa.Column("ID", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("assigneduser", sa.Integer(), nullable=True),
    sa.Column("creationdate", sa.BigInteger(), nullable=False),
    sa.Column("creator", sa.Integer(), nullable=True),
    sa.Column("date", sa.BigInteger(), nullable=True),
    _text("description"),
    sa.Column("lastmodified", sa.BigInteger(), nullable=False),
    _text("milestonenum"),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("ownergroup", sa.Integer(), nullable=True),
    sa.Column("project", sa.Integer(), nullable=False),
    sa.Column("type", sa.SmallInteger(), nullable=True),
    sa.Column("_rev", sa.Integer(), server_default=sa.text("1"), nullable=False),
    sa.ForeignKeyConstraint(["assigneduser"], ["users.ID"], name=op.f("fk_milestones_assigneduser_users"), ondelete="SET NULL"),
    sa.ForeignKeyConstraint(["creator"], ["users.ID"], name=op.f("fk_milestones_creator_users"), ondelete="SET NULL"),
    sa.ForeignKeyConstraint(["ownergroup"], ["groups.ID"], name=op.f("fk_milestones_ownergroup_groups"), ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["project"], ["projects.ID"], name=op.f("fk_milestones_project_projects"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("ID", name=op.f("pk_milestones")),
    sqlite_autoincrement=True
    )
    for column in ("assigneduser", "creator", "lastmodified", "ownergroup", "project"):
        op.create_index(op.f(f"ix_milestones_{column}"), "milestones", [column], unique=False)
    _child_tables("milestones")

    # faqs (Faq)
    op.create_table("faqs",
    sa.Column("ID", sa.Integer(), autoincrement=True, nullable=False),
    _text("answer"),
    _text("category"),
    sa.Column("creationdate", sa.BigInteger(), nullable=False),
    sa.Column("creator", sa.Integer(), nullable=True),
    _text("faqnum"),
    sa.Column("item", sa.Integer(), nullable=True),
    sa.Column("lastmodified", sa.BigInteger(), nullable=False),
    sa.Column("ownergroup", sa.Integer(), nullable=True),
    sa.Column("question", sa.Text(), nullable=False),
    sa.Column("status", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
    sa.Column("_rev", sa.Integer(), server_default=sa.text("1"), nullable=False),
    sa.ForeignKeyConstraint(["creator"], ["users.ID"], name=op.f("fk_faqs_creator_users"), ondelete="SET NULL"),
    sa.ForeignKeyConstraint(["item"], ["items.ID"], name=op.f("fk_faqs_item_items"), ondelete="SET NULL"),
    sa.ForeignKeyConstraint(["ownergroup"], ["groups.ID"], name=op.f("fk_faqs_ownergroup_groups"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("ID", name=op.f("pk_faqs")),
    sqlite_autoincrement=True
    )
    for column in ("creator", "item", "lastmodified", "ownergroup"):
        op.create_index(op.f(f"ix_faqs_{column}"), "faqs", [column], unique=False)
    _child_tables("faqs")


def downgrade() -> None:
    for table in ("faqs_tags", "faqs_extdata", "faqs",
                  "milestones_tags", "milestones_extdata", "milestones"):
        op.drop_table(table)
    for column, _target in DEVICE_REFERENCES:
        op.drop_index(op.f(f"ix_devices_{column}"), table_name="devices")
    with op.batch_alter_table("devices") as batch:
        for column, _target in DEVICE_REFERENCES:
            batch.drop_column(column)
        for column in ("status", "name", "datesold", "dateinservice"):
            batch.drop_column(column)
