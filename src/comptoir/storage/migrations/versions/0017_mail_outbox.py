"""The mail outbox: the e-mail messages to send, with their attempts and next retry.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mail_outbox',
    sa.Column('ID', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('message', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt', sa.BigInteger(), nullable=True),
    sa.Column('lease_until', sa.BigInteger(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['message'], ['messages.ID'], name=op.f('fk_mail_outbox_message_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ID', name=op.f('pk_mail_outbox')),
    sa.UniqueConstraint('message', name=op.f('uq_mail_outbox_message')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_mail_outbox_due', ['status', 'next_attempt'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_mail_outbox_due')

    op.drop_table('mail_outbox')
