"""consent bound to the notice's terms; age assertions; separate consents; notice records

Revision ID: 0004_consent_terms
Revises: 0003_merge_heads
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_consent_terms'
down_revision = '0003_merge_heads'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deployments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gate_terms', sa.JSON(), nullable=True))
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='consent', nullable=False))
        batch_op.add_column(sa.Column('terms', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('separate_consents', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('age_basis', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('age_attested_by', sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('consents', schema=None) as batch_op:
        for name in ('age_attested_by', 'age_basis', 'separate_consents', 'terms', 'kind'):
            batch_op.drop_column(name)
    with op.batch_alter_table('deployments', schema=None) as batch_op:
        batch_op.drop_column('gate_terms')
