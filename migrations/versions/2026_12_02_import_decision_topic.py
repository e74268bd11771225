"""Decisions keep the topic of imported decision tables (Tēma).

Revision ID: c4e8a1f2d907
Revises: b7c1d2e3f405
Create Date: 2026-12-02 18:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'c4e8a1f2d907'
down_revision = 'b7c1d2e3f405'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_column('topic')
