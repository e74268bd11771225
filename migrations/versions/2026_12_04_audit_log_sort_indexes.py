"""audit log: indexes for sorting the list by user name and by object (issue 18.3)

Revision ID: 3b8e6f1d2a47
Revises: e6a1c4d9b302
Create Date: 2026-12-04 10:00:00
"""

from alembic import op

revision = '3b8e6f1d2a47'
down_revision = 'e6a1c4d9b302'
branch_labels = None
depends_on = None

#: (table, index name, columns)
INDEXES = [
    # Sorted by object: type, then id, within the municipality.
    ('audit_event', 'ix_audit_event_municipality_object_id',
     ['municipality_id', 'object_type', 'object_id', 'id']),
    # Sorted by user: the name shown, then the person (whose events the index
    # ix_audit_event_municipality_user_id then gives in order).
    ('user', 'ix_user_full_name_id', ['full_name', 'id']),
]


def upgrade():
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
