"""audit log: indexes for the keyset-paged, filtered list and for "who has seen this case"

Revision ID: c4a9d1e2f7b3
Revises: c4e8a1f2d907
Create Date: 2026-12-02 18:40:00
"""

from alembic import op

revision = 'c4a9d1e2f7b3'
down_revision = 'c4e8a1f2d907'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_audit_event_municipality_id_id': ['municipality_id', 'id'],
    'ix_audit_event_municipality_action_id': ['municipality_id', 'action', 'id'],
    'ix_audit_event_municipality_user_id': ['municipality_id', 'user_id', 'id'],
    'ix_audit_event_municipality_flagged_id': ['municipality_id', 'flagged', 'id'],
    'ix_audit_event_object': ['object_type', 'object_id', 'id'],
}


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
