"""case history: the case's municipality on each event, and the indexes that read one
municipality's histories in order (issue 16: the annual report at national scale)

Revision ID: 9c4e7a2b5d18
Revises: 3b8e6f1d2a47
Create Date: 2026-12-04 01:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '9c4e7a2b5d18'
down_revision = '3b8e6f1d2a47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('municipality_id', sa.Integer(), nullable=True))
    op.execute('UPDATE case_event SET municipality_id = (SELECT "case".municipality_id '
               'FROM "case" WHERE "case".id = case_event.case_id)')
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.alter_column('municipality_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_case_event_municipality_id_municipality'),
                                    'municipality', ['municipality_id'], ['id'])
        batch_op.create_index('ix_case_event_municipality_history',
                              ['municipality_id', 'case_id', 'machine', 'at', 'id'],
                              unique=False,
                              postgresql_include=['to_state', 'from_state', 'trigger'])
        batch_op.create_index('ix_case_event_municipality_machine_trigger_at',
                              ['municipality_id', 'machine', 'trigger', 'at'], unique=False)
        batch_op.create_index('ix_case_event_municipality_machine_to_state_at',
                              ['municipality_id', 'machine', 'to_state', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index('ix_case_event_municipality_machine_to_state_at')
        batch_op.drop_index('ix_case_event_municipality_machine_trigger_at')
        batch_op.drop_index('ix_case_event_municipality_history')
        batch_op.drop_constraint(batch_op.f('fk_case_event_municipality_id_municipality'),
                                 type_='foreignkey')
        batch_op.drop_column('municipality_id')
