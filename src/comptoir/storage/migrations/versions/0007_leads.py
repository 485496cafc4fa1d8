"""Leads (webservice Leads, convertlead).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('leads',
    sa.Column('ID', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('account', sa.Integer(), nullable=True),
    sa.Column('address', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('assigneduser', sa.Integer(), nullable=True),
    sa.Column('cell', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('city', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('company', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('contact', sa.Integer(), nullable=True),
    sa.Column('converted', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('country', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('creationdate', sa.BigInteger(), nullable=False),
    sa.Column('creator', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('email', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('email2', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('fax', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('firstname', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('lastmodified', sa.BigInteger(), nullable=False),
    sa.Column('lastname', sa.Text(), nullable=False),
    sa.Column('leadnum', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('opportunity', sa.Integer(), nullable=True),
    sa.Column('ownergroup', sa.Integer(), nullable=True),
    sa.Column('phone', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('position', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('postalcode', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('region', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('source', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('status', sa.SmallInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('title', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('website', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('_rev', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['account'], ['accounts.ID'], name=op.f('fk_leads_account_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assigneduser'], ['users.ID'], name=op.f('fk_leads_assigneduser_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contact'], ['contacts.ID'], name=op.f('fk_leads_contact_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['creator'], ['users.ID'], name=op.f('fk_leads_creator_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['opportunity'], ['opportunities.ID'], name=op.f('fk_leads_opportunity_opportunities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ownergroup'], ['groups.ID'], name=op.f('fk_leads_ownergroup_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ID', name=op.f('pk_leads')),
    sqlite_autoincrement=True
    )
    op.create_index(op.f('ix_leads_account'), 'leads', ['account'], unique=False)
    op.create_index(op.f('ix_leads_assigneduser'), 'leads', ['assigneduser'], unique=False)
    op.create_index(op.f('ix_leads_contact'), 'leads', ['contact'], unique=False)
    op.create_index(op.f('ix_leads_creator'), 'leads', ['creator'], unique=False)
    op.create_index(op.f('ix_leads_lastmodified'), 'leads', ['lastmodified'], unique=False)
    op.create_index(op.f('ix_leads_opportunity'), 'leads', ['opportunity'], unique=False)
    op.create_index(op.f('ix_leads_ownergroup'), 'leads', ['ownergroup'], unique=False)
    op.create_table('leads_extdata',
    sa.Column('record', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('textvalue', sa.Text(), nullable=True),
    sa.Column('numvalue', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['record'], ['leads.ID'], name=op.f('fk_leads_extdata_record_leads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record', 'name', name=op.f('pk_leads_extdata'))
    )
    op.create_index('ix_leads_extdata_name_num', 'leads_extdata', ['name', 'numvalue'], unique=False)
    op.create_index('ix_leads_extdata_name_text', 'leads_extdata', ['name', 'textvalue'], unique=False)
    op.create_table('leads_tags',
    sa.Column('record', sa.Integer(), nullable=False),
    sa.Column('tag', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['record'], ['leads.ID'], name=op.f('fk_leads_tags_record_leads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record', 'tag', name=op.f('pk_leads_tags'))
    )
    op.create_index('ix_leads_tags_tag', 'leads_tags', ['tag', 'record'], unique=False)


def downgrade() -> None:
    for table in ("leads_tags", "leads_extdata", "leads"):
        op.drop_table(table)
