"""The web interface's settings per user (saved views, reports, dashboards, preferences,
layouts) and the failed log-ins that throttling counts.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

_WIDE_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('ui_settings',
    sa.Column('ID', _WIDE_ID, autoincrement=True, nullable=False),
    sa.Column('user', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('screen', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('lastmodified', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['user'], ['users.ID'], name=op.f('fk_ui_settings_user_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ID', name=op.f('pk_ui_settings')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('ui_settings', schema=None) as batch_op:
        batch_op.create_index('ix_ui_settings_user_kind', ['user', 'kind', 'screen'], unique=False)
    op.create_table('login_failures',
    sa.Column('ID', _WIDE_ID, autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('ID', name=op.f('pk_login_failures')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index('ix_login_failures_name_at', ['name', 'at'], unique=False)
        batch_op.create_index('ix_login_failures_address_at', ['address', 'at'], unique=False)


def downgrade() -> None:
    op.drop_table('login_failures')
    op.drop_table('ui_settings')
