"""The sales cycle: companies and their numbering formats, allocations of payments and
credit notes to invoices, and the fields of issue, conversion and settlement on
transactions, line items, payments and accounts.

The tables rebuilt on SQLite (transactions, line items, payments) keep AUTOINCREMENT, so
that IDs are never reused.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import sqlalchemy as sa
from alembic import op


revision = '0014'
down_revision = '0013'
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
    op.create_table('companies',
    sa.Column('ID', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('address', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('bankname', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('bic', sa.String(length=11), server_default=sa.text("('')"), nullable=False),
    sa.Column('capital', sa.Double(), nullable=True),
    sa.Column('city', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('country', sa.String(length=2), server_default=sa.text("'FR'"), nullable=False),
    sa.Column('creationdate', sa.BigInteger(), nullable=False),
    sa.Column('creator', sa.Integer(), nullable=True),
    sa.Column('currency', sa.String(length=3), server_default=sa.text("'EUR'"), nullable=False),
    sa.Column('isdefault', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('email', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('iban', sa.String(length=34), server_default=sa.text("('')"), nullable=False),
    sa.Column('latepenaltyrate', sa.Double(), nullable=True),
    sa.Column('legalform', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('logo', sa.Integer(), nullable=True),
    sa.Column('lastmodified', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('ownergroup', sa.Integer(), nullable=True),
    sa.Column('paymentterms', sa.Integer(), server_default=sa.text('(30)'), nullable=False),
    sa.Column('phone', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('postalcode', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('rcs', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('siren', sa.String(length=9), server_default=sa.text("('')"), nullable=False),
    sa.Column('siret', sa.String(length=14), server_default=sa.text("('')"), nullable=False),
    sa.Column('vatid', sa.String(length=14), server_default=sa.text("('')"), nullable=False),
    sa.Column('website', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('_rev', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['creator'], ['users.ID'], name=op.f('fk_companies_creator_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['logo'], ['files.ID'], name=op.f('fk_companies_logo_files'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ownergroup'], ['groups.ID'], name=op.f('fk_companies_ownergroup_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ID', name=op.f('pk_companies')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_companies_creator'), ['creator'], unique=False)
        batch_op.create_index(batch_op.f('ix_companies_lastmodified'), ['lastmodified'], unique=False)
        batch_op.create_index(batch_op.f('ix_companies_logo'), ['logo'], unique=False)
        batch_op.create_index(batch_op.f('ix_companies_ownergroup'), ['ownergroup'], unique=False)

    op.create_table('companies_extdata',
    sa.Column('record', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('textvalue', sa.Text(), nullable=True),
    sa.Column('numvalue', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['record'], ['companies.ID'], name=op.f('fk_companies_extdata_record_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record', 'name', name=op.f('pk_companies_extdata'))
    )
    with op.batch_alter_table('companies_extdata', schema=None) as batch_op:
        batch_op.create_index('ix_companies_extdata_name_num', ['name', 'numvalue'], unique=False)
        batch_op.create_index('ix_companies_extdata_name_text', ['name', 'textvalue'], unique=False)

    op.create_table('numberings',
    sa.Column('ID', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('company', sa.Integer(), nullable=False),
    sa.Column('creationdate', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.SmallInteger(), nullable=False),
    sa.Column('lastdate', sa.BigInteger(), nullable=True),
    sa.Column('lastnumber', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('lastmodified', sa.BigInteger(), nullable=False),
    sa.Column('nextvalue', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('pattern', sa.Text(), nullable=False),
    sa.Column('period', sa.Text(), server_default=sa.text("('')"), nullable=False),
    sa.Column('reset', sa.SmallInteger(), server_default=sa.text('1'), nullable=False),
    sa.Column('_rev', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['company'], ['companies.ID'], name=op.f('fk_numberings_company_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ID', name=op.f('pk_numberings')),
    sa.UniqueConstraint('company', 'kind', name=op.f('uq_numberings_company_kind')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('numberings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_numberings_company'), ['company'], unique=False)
        batch_op.create_index(batch_op.f('ix_numberings_lastmodified'), ['lastmodified'], unique=False)

    op.create_table('allocations',
    sa.Column('ID', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('amount', sa.Double(), nullable=False),
    sa.Column('creationdate', sa.BigInteger(), nullable=False),
    sa.Column('creator', sa.Integer(), nullable=True),
    sa.Column('credit', sa.Integer(), nullable=True),
    sa.Column('date', sa.BigInteger(), nullable=False),
    sa.Column('payment', sa.Integer(), nullable=True),
    sa.Column('transaction', sa.Integer(), nullable=False),
    sa.Column('_rev', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['creator'], ['users.ID'], name=op.f('fk_allocations_creator_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['credit'], ['transactions.ID'], name=op.f('fk_allocations_credit_transactions')),
    sa.ForeignKeyConstraint(['payment'], ['payments.ID'], name=op.f('fk_allocations_payment_payments')),
    sa.ForeignKeyConstraint(['transaction'], ['transactions.ID'], name=op.f('fk_allocations_transaction_transactions')),
    sa.PrimaryKeyConstraint('ID', name=op.f('pk_allocations')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allocations_creator'), ['creator'], unique=False)
        batch_op.create_index(batch_op.f('ix_allocations_credit'), ['credit'], unique=False)
        batch_op.create_index(batch_op.f('ix_allocations_payment'), ['payment'], unique=False)
        batch_op.create_index(batch_op.f('ix_allocations_transaction'), ['transaction'], unique=False)

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paymentterms', sa.Integer(), nullable=True))

    with op.batch_alter_table('lineitems', schema=None, **_KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column('netamount', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('pricelist', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sourceline', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_lineitems_pricelist'), ['pricelist'], unique=False)
        batch_op.create_index(batch_op.f('ix_lineitems_sourceline'), ['sourceline'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_lineitems_pricelist_pricelists'), 'pricelists', ['pricelist'], ['ID'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_lineitems_sourceline_lineitems'), 'lineitems', ['sourceline'], ['ID'], ondelete='SET NULL')

    with op.batch_alter_table('payments', schema=None, **_KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column('allocated', sa.Double(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('company', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('currency', sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column('direction', sa.SmallInteger(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('means', sa.SmallInteger(), server_default=sa.text('0'), nullable=False))
        batch_op.create_index(batch_op.f('ix_payments_company'), ['company'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_payments_company_companies'), 'companies', ['company'], ['ID'])

    with op.batch_alter_table('transactions', schema=None, **_KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column('balance', sa.Double(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('company', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('companytotal', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('draftnum', sa.Text(), server_default=sa.text("('')"), nullable=False))
        batch_op.add_column(sa.Column('invoicekind', sa.SmallInteger(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('issued', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('paidamount', sa.Double(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('progress', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('source', sa.Integer(), nullable=True))
        batch_op.alter_column('transactionnum',
               existing_type=sa.TEXT(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_transactions_company'), ['company'], unique=False)
        batch_op.create_index(batch_op.f('ix_transactions_source'), ['source'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_transactions_company_companies'), 'companies', ['company'], ['ID'])
        batch_op.create_foreign_key(batch_op.f('fk_transactions_source_transactions'), 'transactions', ['source'], ['ID'], ondelete='SET NULL')

    # the default company: every document that names none belongs to it (rename it)
    now = int(time.time())
    op.execute(sa.text(
        "INSERT INTO companies (name, isdefault, country, currency, paymentterms, creationdate, "
        "lastmodified, address, bankname, bic, city, email, iban, legalform, phone, "
        "postalcode, rcs, siren, siret, vatid, website) VALUES ('My company', 1, 'FR', "
        "'EUR', 30, :now, :now, '', '', '', '', '', '', '', '', '', '', '', '', '', '')"
    ).bindparams(now=now))



def downgrade() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        _downgrade()


def _downgrade() -> None:
    with op.batch_alter_table('transactions', schema=None, **_KEEP_IDS) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_transactions_source_transactions'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_transactions_company_companies'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_transactions_source'))
        batch_op.drop_index(batch_op.f('ix_transactions_company'))
        batch_op.alter_column('transactionnum',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.drop_column('source')
        batch_op.drop_column('progress')
        batch_op.drop_column('paidamount')
        batch_op.drop_column('issued')
        batch_op.drop_column('invoicekind')
        batch_op.drop_column('draftnum')
        batch_op.drop_column('companytotal')
        batch_op.drop_column('company')
        batch_op.drop_column('balance')

    with op.batch_alter_table('payments', schema=None, **_KEEP_IDS) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_payments_company_companies'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_payments_company'))
        batch_op.drop_column('means')
        batch_op.drop_column('direction')
        batch_op.drop_column('currency')
        batch_op.drop_column('company')
        batch_op.drop_column('allocated')

    with op.batch_alter_table('lineitems', schema=None, **_KEEP_IDS) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_lineitems_sourceline_lineitems'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_lineitems_pricelist_pricelists'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_lineitems_sourceline'))
        batch_op.drop_index(batch_op.f('ix_lineitems_pricelist'))
        batch_op.drop_column('sourceline')
        batch_op.drop_column('pricelist')
        batch_op.drop_column('netamount')

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('paymentterms')

    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allocations_transaction'))
        batch_op.drop_index(batch_op.f('ix_allocations_payment'))
        batch_op.drop_index(batch_op.f('ix_allocations_credit'))
        batch_op.drop_index(batch_op.f('ix_allocations_creator'))

    op.drop_table('allocations')
    with op.batch_alter_table('numberings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_numberings_lastmodified'))
        batch_op.drop_index(batch_op.f('ix_numberings_company'))

    op.drop_table('numberings')
    with op.batch_alter_table('companies_extdata', schema=None) as batch_op:
        batch_op.drop_index('ix_companies_extdata_name_text')
        batch_op.drop_index('ix_companies_extdata_name_num')

    op.drop_table('companies_extdata')
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_companies_ownergroup'))
        batch_op.drop_index(batch_op.f('ix_companies_logo'))
        batch_op.drop_index(batch_op.f('ix_companies_lastmodified'))
        batch_op.drop_index(batch_op.f('ix_companies_creator'))

    op.drop_table('companies')
