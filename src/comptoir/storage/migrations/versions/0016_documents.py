"""Documents: templates and their versions, the legal PDF of issued documents and dunning
letters, the Factur-X profile and VAT mention of companies, outgoing SMTP settings of mail
servers, and the document a message sent.

The tables rebuilt on SQLite keep AUTOINCREMENT, so that IDs are never reused.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import warnings
from typing import Any

import sqlalchemy as sa
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

#: a table rebuilt by batch mode on SQLite keeps AUTOINCREMENT (IDs never reused)
_KEEP_IDS: dict[str, Any] = {"table_kwargs": {"sqlite_autoincrement": True}}


def upgrade() -> None:
    # batch mode reflects the tables referred to (users' expression index cannot be: a warning)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        _upgrade()


def _upgrade() -> None:
    op.create_table('templates',
    sa.Column('ID', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('body', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('company', sa.Integer(), nullable=True),
    sa.Column('creationdate', sa.BigInteger(), nullable=False),
    sa.Column('creator', sa.Integer(), nullable=True),
    sa.Column('css', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('format', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('isdefault', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('kind', sa.SmallInteger(), server_default=sa.text('3'), nullable=False),
    sa.Column('language', sa.String(length=2), server_default=sa.text("'fr'"), nullable=False),
    sa.Column('lastmodified', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('subject', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('_rev', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['company'], ['companies.ID'], name=op.f('fk_templates_company_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['creator'], ['users.ID'], name=op.f('fk_templates_creator_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('ID', name=op.f('pk_templates')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_templates_company'), ['company'], unique=False)
        batch_op.create_index(batch_op.f('ix_templates_creator'), ['creator'], unique=False)
        batch_op.create_index(batch_op.f('ix_templates_lastmodified'), ['lastmodified'], unique=False)

    op.create_table('templates_extdata',
    sa.Column('record', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('textvalue', sa.Text(), nullable=True),
    sa.Column('numvalue', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['record'], ['templates.ID'], name=op.f('fk_templates_extdata_record_templates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record', 'name', name=op.f('pk_templates_extdata'))
    )
    with op.batch_alter_table('templates_extdata', schema=None) as batch_op:
        batch_op.create_index('ix_templates_extdata_name_num', ['name', 'numvalue'], unique=False)
        batch_op.create_index('ix_templates_extdata_name_text', ['name', 'textvalue'], unique=False)

    op.create_table('templateversions',
    sa.Column('ID', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('body', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('creationdate', sa.BigInteger(), nullable=False),
    sa.Column('creator', sa.Integer(), nullable=True),
    sa.Column('css', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('subject', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('template', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('_rev', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['creator'], ['users.ID'], name=op.f('fk_templateversions_creator_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['template'], ['templates.ID'], name=op.f('fk_templateversions_template_templates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ID', name=op.f('pk_templateversions')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('templateversions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_templateversions_creator'), ['creator'], unique=False)
        batch_op.create_index(batch_op.f('ix_templateversions_template'), ['template'], unique=False)

    with op.batch_alter_table('companies', schema=None, **_KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column('einvoiceprofile', sa.SmallInteger(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('vatmention', sa.Text(), server_default=sa.text("('')"), nullable=False))

    with op.batch_alter_table('dunning', schema=None, **_KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column('pdf', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_dunning_pdf'), ['pdf'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_dunning_pdf_binfiles'), 'binfiles', ['pdf'], ['ID'])

    with op.batch_alter_table('mailservers', schema=None, **_KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column('company', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('passwordout', sa.Text(), server_default=sa.text("('')"), nullable=False))
        batch_op.add_column(sa.Column('portout', sa.Integer(), server_default=sa.text('(587)'), nullable=False))
        batch_op.add_column(sa.Column('securityout', sa.SmallInteger(), server_default=sa.text('1'), nullable=False))
        batch_op.create_index(batch_op.f('ix_mailservers_company'), ['company'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_mailservers_company_companies'), 'companies', ['company'], ['ID'], ondelete='SET NULL')

    with op.batch_alter_table('messages', schema=None, **_KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column('dunning', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('transaction', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_messages_dunning'), ['dunning'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_transaction'), ['transaction'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_messages_transaction_transactions'), 'transactions', ['transaction'], ['ID'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_messages_dunning_dunning'), 'dunning', ['dunning'], ['ID'], ondelete='SET NULL')

    with op.batch_alter_table('transactions', schema=None, **_KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column('pdf', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_transactions_pdf'), ['pdf'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_transactions_pdf_binfiles'), 'binfiles', ['pdf'], ['ID'])



def downgrade() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        _downgrade()


def _downgrade() -> None:
    with op.batch_alter_table('transactions', schema=None, **_KEEP_IDS) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_transactions_pdf_binfiles'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_transactions_pdf'))
        batch_op.drop_column('pdf')

    with op.batch_alter_table('messages', schema=None, **_KEEP_IDS) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_messages_dunning_dunning'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_messages_transaction_transactions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_messages_transaction'))
        batch_op.drop_index(batch_op.f('ix_messages_dunning'))
        batch_op.drop_column('transaction')
        batch_op.drop_column('dunning')

    with op.batch_alter_table('mailservers', schema=None, **_KEEP_IDS) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_mailservers_company_companies'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_mailservers_company'))
        batch_op.drop_column('securityout')
        batch_op.drop_column('portout')
        batch_op.drop_column('passwordout')
        batch_op.drop_column('company')

    with op.batch_alter_table('dunning', schema=None, **_KEEP_IDS) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dunning_pdf_binfiles'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_dunning_pdf'))
        batch_op.drop_column('pdf')

    with op.batch_alter_table('companies', schema=None, **_KEEP_IDS) as batch_op:
        batch_op.drop_column('vatmention')
        batch_op.drop_column('einvoiceprofile')

    with op.batch_alter_table('templateversions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_templateversions_template'))
        batch_op.drop_index(batch_op.f('ix_templateversions_creator'))

    op.drop_table('templateversions')
    with op.batch_alter_table('templates_extdata', schema=None) as batch_op:
        batch_op.drop_index('ix_templates_extdata_name_text')
        batch_op.drop_index('ix_templates_extdata_name_num')

    op.drop_table('templates_extdata')
    with op.batch_alter_table('templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_templates_lastmodified'))
        batch_op.drop_index(batch_op.f('ix_templates_creator'))
        batch_op.drop_index(batch_op.f('ix_templates_company'))

    op.drop_table('templates')
