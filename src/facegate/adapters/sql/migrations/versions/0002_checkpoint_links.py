"""checkpoints name the checkpoint signed before them (M-9.3)

Revision ID: 0002_checkpoint_links
Revises: 0001

Rows written before this revision keep NULL here: they verify as v1 checkpoints, unlinked.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_checkpoint_links'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('prev_seq')
