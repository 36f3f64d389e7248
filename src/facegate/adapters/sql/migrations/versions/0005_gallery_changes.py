"""the gallery change log, so a node that missed change-feed messages catches up from the database

Revision ID: 0005_gallery_changes
Revises: 0004_consent_terms
"""
from alembic import op
import sqlalchemy as sa

import facegate.adapters.sql.tables


revision = '0005_gallery_changes'
down_revision = '0004_consent_terms'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('gallery_changes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', facegate.adapters.sql.tables.UTCDateTime(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gallery_changes'))
    )


def downgrade() -> None:
    op.drop_table('gallery_changes')
