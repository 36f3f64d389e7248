"""templates carry their engine's version beside its name: templates of two engines are never compared

Revision ID: 0007_template_engine_version
Revises: 0005_gallery_changes
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_template_engine_version'
down_revision = '0005_gallery_changes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('templates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('engine_version', sa.String(length=64), server_default='', nullable=False))
    # Until now only dlib's ResNet (model v1) and the test fake made templates: both are version 1.
    op.execute("UPDATE templates SET engine_version = '1' WHERE engine_version = ''")


def downgrade() -> None:
    with op.batch_alter_table('templates', schema=None) as batch_op:
        batch_op.drop_column('engine_version')
