"""processors carry an optional English name beside the registered Chinese one (English pages, M-5.2)

Revision ID: 0008_processor_name_en
Revises: 0007_template_engine_version
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_processor_name_en'
down_revision = '0007_template_engine_version'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Empty until the next `deploy apply` of the processor's manifest; pages fall back to the Chinese name.
    with op.batch_alter_table('processors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_en', sa.String(length=200), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('processors', schema=None) as batch_op:
        batch_op.drop_column('name_en')
