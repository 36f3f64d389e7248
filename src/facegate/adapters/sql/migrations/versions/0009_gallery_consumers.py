"""gallery_consumers: the nodes replaying the gallery change log and how far each got, so applied rows are pruned

Revision ID: 0009_gallery_consumers
Revises: 0008_processor_name_en
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_gallery_consumers'
down_revision = '0008_processor_name_en'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'gallery_consumers',
        sa.Column('node', sa.String(length=64), nullable=False),
        sa.Column('version', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('seen_at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('node', name=op.f('pk_gallery_consumers')),
    )


def downgrade() -> None:
    op.drop_table('gallery_consumers')
