"""start pages: a municipality's meetings not yet over, by their end (issue 16)

Revision ID: a7c3e9f2b418
Revises: 6b2d9e4f1c73
Create Date: 2026-12-04 19:30:00
"""

from alembic import op

revision = 'a7c3e9f2b418'
down_revision = '6b2d9e4f1c73'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_municipality_ends_at', ['municipality_id', 'ends_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_municipality_ends_at')
