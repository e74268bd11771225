"""the minutes of each agenda item (issue 18.4)

Revision ID: e6a1c4d9b302
Revises: 7d2e4b9c1a36
Create Date: 2026-12-04 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'e6a1c4d9b302'
down_revision = '7d2e4b9c1a36'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('minutes', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_column('minutes')
