"""calibrations adopted per deployment (issue 13)

Revision ID: 0002_calibrations
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

import facegate.adapters.sql.tables


revision = '0002_calibrations'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calibrations',
    sa.Column('deployment_id', sa.String(length=64), nullable=False),
    sa.Column('engine', sa.String(length=64), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('target_far', sa.JSON(), nullable=False),
    sa.Column('target_fpir', sa.JSON(), nullable=False),
    sa.Column('verify_threshold', sa.JSON(), nullable=False),
    sa.Column('adopted_at', facegate.adapters.sql.tables.UTCDateTime(), nullable=False),
    sa.Column('adopted_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('deployment_id', name=op.f('pk_calibrations'))
    )


def downgrade() -> None:
    op.drop_table('calibrations')
