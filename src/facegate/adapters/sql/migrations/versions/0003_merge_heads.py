"""Join the two 0002 revisions (calibrations, checkpoint links) that landed side by side.

Both were written against 0001 at the same time; without this, ``alembic upgrade head``
stops with "multiple heads" and no store can be opened.

Revision ID: 0003_merge_heads
Revises: 0002_calibrations, 0002_checkpoint_links
"""

revision = "0003_merge_heads"
down_revision = ("0002_calibrations", "0002_checkpoint_links")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
