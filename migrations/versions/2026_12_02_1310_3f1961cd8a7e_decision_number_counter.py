"""decision number counter: one row per group and year, decisions numbered without retries

Revision ID: 3f1961cd8a7e
Revises: 3c9b1e7d5a42
Create Date: 2026-12-02 13:10:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '3f1961cd8a7e'
down_revision = '3c9b1e7d5a42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('decision_number_counter',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['cooperation_group.id'], name=op.f('fk_decision_number_counter_group_id_cooperation_group')),
    sa.PrimaryKeyConstraint('group_id', 'year', name=op.f('pk_decision_number_counter'))
    )
    # Start each counter at the highest number already given in its group and year.
    op.execute(
        "INSERT INTO decision_number_counter (group_id, year, last) "
        "SELECT group_id, year, MAX(seq) FROM decision WHERE seq IS NOT NULL "
        "GROUP BY group_id, year"
    )


def downgrade():
    op.drop_table('decision_number_counter')
