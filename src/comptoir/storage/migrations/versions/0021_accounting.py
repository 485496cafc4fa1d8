"""Accounting: the chart of accounts, journals, fiscal years and periods, journal entries
and their lines, accounting strategies; the companies' VAT regime and fiscal year start.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 21:20:21.509345
"""

from __future__ import annotations

import warnings

import sqlalchemy as sa
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chartaccounts',
    sa.Column('ID', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('active', sa.SmallInteger(), server_default=sa.text('1'), nullable=False),
    sa.Column('auxiliary', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('company', sa.Integer(), nullable=False),
    sa.Column('creationdate', sa.BigInteger(), nullable=False),
    sa.Column('lettering', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('lastmodified', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('number', sa.String(length=12), nullable=False),
    sa.Column('_rev', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['company'], ['companies.ID'], name=op.f('fk_chartaccounts_company_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ID', name=op.f('pk_chartaccounts')),
    sa.UniqueConstraint('company', 'number', name=op.f('uq_chartaccounts_company_number')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('chartaccounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chartaccounts_company'), ['company'], unique=False)
        batch_op.create_index(batch_op.f('ix_chartaccounts_lastmodified'), ['lastmodified'], unique=False)

    op.create_table('fiscalyears',
    sa.Column('ID', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('closed', sa.BigInteger(), nullable=True),
    sa.Column('company', sa.Integer(), nullable=False),
    sa.Column('creationdate', sa.BigInteger(), nullable=False),
    sa.Column('enddate', sa.BigInteger(), nullable=False),
    sa.Column('lastmodified', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('nextentry', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('startdate', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('_rev', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['company'], ['companies.ID'], name=op.f('fk_fiscalyears_company_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ID', name=op.f('pk_fiscalyears')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('fiscalyears', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fiscalyears_company'), ['company'], unique=False)
        batch_op.create_index(batch_op.f('ix_fiscalyears_lastmodified'), ['lastmodified'], unique=False)

    op.create_table('accountingperiods',
    sa.Column('ID', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('company', sa.Integer(), nullable=False),
    sa.Column('creationdate', sa.BigInteger(), nullable=False),
    sa.Column('enddate', sa.BigInteger(), nullable=False),
    sa.Column('fiscalyear', sa.Integer(), nullable=False),
    sa.Column('lastmodified', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('startdate', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('_rev', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['company'], ['companies.ID'], name=op.f('fk_accountingperiods_company_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['fiscalyear'], ['fiscalyears.ID'], name=op.f('fk_accountingperiods_fiscalyear_fiscalyears'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ID', name=op.f('pk_accountingperiods')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('accountingperiods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accountingperiods_company'), ['company'], unique=False)
        batch_op.create_index(batch_op.f('ix_accountingperiods_fiscalyear'), ['fiscalyear'], unique=False)
        batch_op.create_index(batch_op.f('ix_accountingperiods_lastmodified'), ['lastmodified'], unique=False)

    op.create_table('journals',
    sa.Column('ID', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('account', sa.Integer(), nullable=True),
    sa.Column('active', sa.SmallInteger(), server_default=sa.text('1'), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('company', sa.Integer(), nullable=False),
    sa.Column('creationdate', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.SmallInteger(), server_default=sa.text('4'), nullable=False),
    sa.Column('ledger', sa.Integer(), nullable=True),
    sa.Column('lastmodified', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('_rev', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['account'], ['chartaccounts.ID'], name=op.f('fk_journals_account_chartaccounts')),
    sa.ForeignKeyConstraint(['company'], ['companies.ID'], name=op.f('fk_journals_company_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ledger'], ['ledgers.ID'], name=op.f('fk_journals_ledger_ledgers'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('ID', name=op.f('pk_journals')),
    sa.UniqueConstraint('company', 'code', name=op.f('uq_journals_company_code')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('journals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journals_account'), ['account'], unique=False)
        batch_op.create_index(batch_op.f('ix_journals_company'), ['company'], unique=False)
        batch_op.create_index(batch_op.f('ix_journals_lastmodified'), ['lastmodified'], unique=False)
        batch_op.create_index(batch_op.f('ix_journals_ledger'), ['ledger'], unique=False)

    op.create_table('accountingrules',
    sa.Column('ID', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('account', sa.Integer(), nullable=True),
    sa.Column('accounttag', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('company', sa.Integer(), nullable=False),
    sa.Column('creationdate', sa.BigInteger(), nullable=False),
    sa.Column('goods', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('item', sa.Integer(), nullable=True),
    sa.Column('itemtag', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('journal', sa.Integer(), nullable=True),
    sa.Column('means', sa.SmallInteger(), nullable=True),
    sa.Column('lastmodified', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('priority', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('target', sa.SmallInteger(), nullable=False),
    sa.Column('vatkind', sa.SmallInteger(), nullable=True),
    sa.Column('vatrate', sa.Double(), nullable=True),
    sa.Column('_rev', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['account'], ['chartaccounts.ID'], name=op.f('fk_accountingrules_account_chartaccounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company'], ['companies.ID'], name=op.f('fk_accountingrules_company_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item'], ['items.ID'], name=op.f('fk_accountingrules_item_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['journal'], ['journals.ID'], name=op.f('fk_accountingrules_journal_journals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ID', name=op.f('pk_accountingrules')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('accountingrules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accountingrules_account'), ['account'], unique=False)
        batch_op.create_index(batch_op.f('ix_accountingrules_company'), ['company'], unique=False)
        batch_op.create_index(batch_op.f('ix_accountingrules_item'), ['item'], unique=False)
        batch_op.create_index(batch_op.f('ix_accountingrules_journal'), ['journal'], unique=False)
        batch_op.create_index(batch_op.f('ix_accountingrules_lastmodified'), ['lastmodified'], unique=False)

    op.create_table('journalentries',
    sa.Column('ID', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('allocation', sa.Integer(), nullable=True),
    sa.Column('company', sa.Integer(), nullable=False),
    sa.Column('creationdate', sa.BigInteger(), nullable=False),
    sa.Column('creator', sa.Integer(), nullable=True),
    sa.Column('credit', sa.Double(), server_default=sa.text('0'), nullable=False),
    sa.Column('date', sa.BigInteger(), nullable=False),
    sa.Column('debit', sa.Double(), server_default=sa.text('0'), nullable=False),
    sa.Column('entrynum', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('fiscalyear', sa.Integer(), nullable=False),
    sa.Column('journal', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('origin', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('payment', sa.Integer(), nullable=True),
    sa.Column('piecedate', sa.BigInteger(), nullable=False),
    sa.Column('pieceref', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('reverses', sa.Integer(), nullable=True),
    sa.Column('status', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('transaction', sa.Integer(), nullable=True),
    sa.Column('validated', sa.BigInteger(), nullable=True),
    sa.Column('_rev', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['allocation'], ['allocations.ID'], name=op.f('fk_journalentries_allocation_allocations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company'], ['companies.ID'], name=op.f('fk_journalentries_company_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['creator'], ['users.ID'], name=op.f('fk_journalentries_creator_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['fiscalyear'], ['fiscalyears.ID'], name=op.f('fk_journalentries_fiscalyear_fiscalyears')),
    sa.ForeignKeyConstraint(['journal'], ['journals.ID'], name=op.f('fk_journalentries_journal_journals')),
    sa.ForeignKeyConstraint(['payment'], ['payments.ID'], name=op.f('fk_journalentries_payment_payments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reverses'], ['journalentries.ID'], name=op.f('fk_journalentries_reverses_journalentries')),
    sa.ForeignKeyConstraint(['transaction'], ['transactions.ID'], name=op.f('fk_journalentries_transaction_transactions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('ID', name=op.f('pk_journalentries')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('journalentries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journalentries_allocation'), ['allocation'], unique=False)
        batch_op.create_index(batch_op.f('ix_journalentries_company'), ['company'], unique=False)
        batch_op.create_index(batch_op.f('ix_journalentries_creator'), ['creator'], unique=False)
        batch_op.create_index(batch_op.f('ix_journalentries_entrynum'), ['entrynum'], unique=False)
        batch_op.create_index(batch_op.f('ix_journalentries_fiscalyear'), ['fiscalyear'], unique=False)
        batch_op.create_index(batch_op.f('ix_journalentries_journal'), ['journal'], unique=False)
        batch_op.create_index(batch_op.f('ix_journalentries_payment'), ['payment'], unique=False)
        batch_op.create_index(batch_op.f('ix_journalentries_reverses'), ['reverses'], unique=False)
        batch_op.create_index(batch_op.f('ix_journalentries_transaction'), ['transaction'], unique=False)

    op.create_table('entrylines',
    sa.Column('ID', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('account', sa.Integer(), nullable=False),
    sa.Column('accountnum', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('auxaccount', sa.Integer(), nullable=True),
    sa.Column('auxname', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('auxnum', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('company', sa.Integer(), nullable=False),
    sa.Column('credit', sa.Double(), server_default=sa.text('0'), nullable=False),
    sa.Column('currencyamount', sa.Double(), nullable=True),
    sa.Column('currency', sa.String(length=3), server_default=sa.text("('')"), nullable=False),
    sa.Column('date', sa.BigInteger(), nullable=False),
    sa.Column('debit', sa.Double(), server_default=sa.text('0'), nullable=False),
    sa.Column('duedate', sa.BigInteger(), nullable=True),
    sa.Column('entry', sa.Integer(), nullable=False),
    sa.Column('fiscalyear', sa.Integer(), nullable=False),
    sa.Column('journal', sa.Integer(), nullable=False),
    sa.Column('lettered', sa.BigInteger(), nullable=True),
    sa.Column('lettering', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('name', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('sequence', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('transaction', sa.Integer(), nullable=True),
    sa.Column('vatkind', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('vatbase', sa.Double(), nullable=True),
    sa.Column('vatrate', sa.Double(), nullable=True),
    sa.Column('vatrole', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('_rev', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['account'], ['chartaccounts.ID'], name=op.f('fk_entrylines_account_chartaccounts')),
    sa.ForeignKeyConstraint(['auxaccount'], ['accounts.ID'], name=op.f('fk_entrylines_auxaccount_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company'], ['companies.ID'], name=op.f('fk_entrylines_company_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry'], ['journalentries.ID'], name=op.f('fk_entrylines_entry_journalentries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['fiscalyear'], ['fiscalyears.ID'], name=op.f('fk_entrylines_fiscalyear_fiscalyears')),
    sa.ForeignKeyConstraint(['journal'], ['journals.ID'], name=op.f('fk_entrylines_journal_journals')),
    sa.ForeignKeyConstraint(['transaction'], ['transactions.ID'], name=op.f('fk_entrylines_transaction_transactions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('ID', name=op.f('pk_entrylines')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('entrylines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entrylines_account'), ['account'], unique=False)
        batch_op.create_index(batch_op.f('ix_entrylines_accountnum'), ['accountnum'], unique=False)
        batch_op.create_index(batch_op.f('ix_entrylines_auxaccount'), ['auxaccount'], unique=False)
        batch_op.create_index(batch_op.f('ix_entrylines_auxnum'), ['auxnum'], unique=False)
        batch_op.create_index(batch_op.f('ix_entrylines_company'), ['company'], unique=False)
        batch_op.create_index(batch_op.f('ix_entrylines_date'), ['date'], unique=False)
        batch_op.create_index(batch_op.f('ix_entrylines_entry'), ['entry'], unique=False)
        batch_op.create_index(batch_op.f('ix_entrylines_fiscalyear'), ['fiscalyear'], unique=False)
        batch_op.create_index(batch_op.f('ix_entrylines_journal'), ['journal'], unique=False)
        batch_op.create_index(batch_op.f('ix_entrylines_lettering'), ['lettering'], unique=False)
        batch_op.create_index(batch_op.f('ix_entrylines_transaction'), ['transaction'], unique=False)

    op.add_column('companies', sa.Column('fiscalyearstart', sa.Integer(), server_default=sa.text('1'), nullable=False))
    op.add_column('companies', sa.Column('vatonpayments', sa.SmallInteger(), server_default=sa.text('0'), nullable=False))
    op.add_column('companies', sa.Column('vatregime', sa.SmallInteger(), server_default=sa.text('0'), nullable=False))



def downgrade() -> None:
    with warnings.catch_warnings():  # SQLite rebuilds the table: its expression indexes
        warnings.simplefilter('ignore', sa.exc.SAWarning)
        with op.batch_alter_table('companies', schema=None) as batch_op:
            batch_op.drop_column('vatregime')
            batch_op.drop_column('vatonpayments')
            batch_op.drop_column('fiscalyearstart')

    with op.batch_alter_table('entrylines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entrylines_transaction'))
        batch_op.drop_index(batch_op.f('ix_entrylines_lettering'))
        batch_op.drop_index(batch_op.f('ix_entrylines_journal'))
        batch_op.drop_index(batch_op.f('ix_entrylines_fiscalyear'))
        batch_op.drop_index(batch_op.f('ix_entrylines_entry'))
        batch_op.drop_index(batch_op.f('ix_entrylines_date'))
        batch_op.drop_index(batch_op.f('ix_entrylines_company'))
        batch_op.drop_index(batch_op.f('ix_entrylines_auxnum'))
        batch_op.drop_index(batch_op.f('ix_entrylines_auxaccount'))
        batch_op.drop_index(batch_op.f('ix_entrylines_accountnum'))
        batch_op.drop_index(batch_op.f('ix_entrylines_account'))

    op.drop_table('entrylines')
    with op.batch_alter_table('journalentries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journalentries_transaction'))
        batch_op.drop_index(batch_op.f('ix_journalentries_reverses'))
        batch_op.drop_index(batch_op.f('ix_journalentries_payment'))
        batch_op.drop_index(batch_op.f('ix_journalentries_journal'))
        batch_op.drop_index(batch_op.f('ix_journalentries_fiscalyear'))
        batch_op.drop_index(batch_op.f('ix_journalentries_entrynum'))
        batch_op.drop_index(batch_op.f('ix_journalentries_creator'))
        batch_op.drop_index(batch_op.f('ix_journalentries_company'))
        batch_op.drop_index(batch_op.f('ix_journalentries_allocation'))

    op.drop_table('journalentries')
    with op.batch_alter_table('accountingrules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accountingrules_lastmodified'))
        batch_op.drop_index(batch_op.f('ix_accountingrules_journal'))
        batch_op.drop_index(batch_op.f('ix_accountingrules_item'))
        batch_op.drop_index(batch_op.f('ix_accountingrules_company'))
        batch_op.drop_index(batch_op.f('ix_accountingrules_account'))

    op.drop_table('accountingrules')
    with op.batch_alter_table('journals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journals_ledger'))
        batch_op.drop_index(batch_op.f('ix_journals_lastmodified'))
        batch_op.drop_index(batch_op.f('ix_journals_company'))
        batch_op.drop_index(batch_op.f('ix_journals_account'))

    op.drop_table('journals')
    with op.batch_alter_table('accountingperiods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accountingperiods_lastmodified'))
        batch_op.drop_index(batch_op.f('ix_accountingperiods_fiscalyear'))
        batch_op.drop_index(batch_op.f('ix_accountingperiods_company'))

    op.drop_table('accountingperiods')
    with op.batch_alter_table('fiscalyears', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fiscalyears_lastmodified'))
        batch_op.drop_index(batch_op.f('ix_fiscalyears_company'))

    op.drop_table('fiscalyears')
    with op.batch_alter_table('chartaccounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chartaccounts_lastmodified'))
        batch_op.drop_index(batch_op.f('ix_chartaccounts_company'))

    op.drop_table('chartaccounts')
    # ### end Alembic commands ###
