"""start pages: an institution's open tasks and a municipality's open decisions by deadline
(issue 16)

Revision ID: 6b2d9e4f1c73
Revises: 4f1a8d3c6e20
Create Date: 2026-12-04 02:00:00
"""

from alembic import op

revision = '6b2d9e4f1c73'
down_revision = '4f1a8d3c6e20'
branch_labels = None
depends_on = None

#: (table, index name, columns)
INDEXES = [
    ('task', 'ix_task_institution_status_due', ['assignee_institution_id', 'status', 'due_date']),
    ('decision', 'ix_decision_municipality_status_due', ['municipality_id', 'status', 'due_date']),
]


def upgrade():
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
