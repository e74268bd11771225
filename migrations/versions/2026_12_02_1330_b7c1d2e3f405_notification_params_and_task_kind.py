"""notification texts in the reader's language (params) and the kind of system tasks

Revision ID: b7c1d2e3f405
Revises: f82661aaa768
Create Date: 2026-12-02 13:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'b7c1d2e3f405'
down_revision = 'f82661aaa768'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_task_kind'), ['kind'], unique=False)
    # The convening tasks created so far are known by their fixed title.
    op.execute("UPDATE task SET kind = 'convene' WHERE case_id IS NOT NULL "
               "AND meeting_id IS NULL AND decision_id IS NULL "
               "AND title = 'Sasaukt starpprofesionāļu sadarbības grupu'")


def downgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_kind'))
        batch_op.drop_column('kind')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('params')
