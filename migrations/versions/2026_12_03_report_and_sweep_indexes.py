"""indexes for the annual report's set-based figures and the sweeps (issue 16)

Revision ID: 7d2e4b9c1a36
Revises: d5b2f0a7c911
Create Date: 2026-12-03 17:00:00
"""

from alembic import op

revision = '7d2e4b9c1a36'
down_revision = 'd5b2f0a7c911'
branch_labels = None
depends_on = None

#: (table, index name, columns)
INDEXES = [
    # Section C: the municipality's cases opened before a moment.
    ('case', 'ix_case_municipality_opened_at', ['municipality_id', 'opened_at']),
    # Closures, openings and reopenings in a year; escalations to red in a year.
    ('case_event', 'ix_case_event_machine_trigger_at', ['machine', 'trigger', 'at']),
    ('case_event', 'ix_case_event_machine_to_state_at', ['machine', 'to_state', 'at']),
    # Was the client informed of a decision (the report's EXISTS and the sweep).
    ('client_participation', 'ix_client_participation_decision_informed',
     ['decision_id', 'informed']),
    # Decisions of a group published in a year; meetings of a group held.
    ('decision', 'ix_decision_group_published_at', ['group_id', 'published_at']),
    ('meeting', 'ix_meeting_group_status', ['group_id', 'status']),
    # Referrals received and tasks issued by a municipality in a year.
    ('referral', 'ix_referral_municipality_received_at', ['municipality_id', 'received_at']),
    ('task', 'ix_task_municipality_issued_at', ['municipality_id', 'issued_at']),
]


def upgrade():
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
