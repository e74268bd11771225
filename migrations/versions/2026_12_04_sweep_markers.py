"""sweeps: what was told written on the source rows (a task's due date of which the assignee
was reminded, told it is overdue and the lead told; when a meeting's late minutes were told;
when a decision's uninformed client was settled), with partial indexes of the rows still to be
told of, backfilled from the notifications; the queue of immediate e-mails as a partial index
in the delivery's order (issue 16)

Revision ID: 8e3f5a1c7b92
Revises: a7c3e9f2b418
Create Date: 2026-12-04 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '8e3f5a1c7b92'
down_revision = 'a7c3e9f2b418'
branch_labels = None
depends_on = None

#: (index, marker column, de-duplication key prefix of its notifications)
MARKERS = [
    ('ix_task_due_untold', 'due_told_on', 'task_due:t'),
    ('ix_task_overdue_untold', 'overdue_told_on', 'task_overdue:t'),
    ('ix_task_lead_untold', 'lead_told_on', 'task_overdue_lead:t'),
]


def _untold(column: str, dialect: str) -> str:
    distinct = 'IS DISTINCT FROM' if dialect == 'postgresql' else 'IS NOT'
    return f"status = 'open' AND issued_at IS NOT NULL AND {column} {distinct} due_date"


def backfill(dialect: str) -> list[str]:
    """The statements writing the markers of what the notifications say was told (the keys as
    ``casework.jobs.sweeps._key`` writes them: ids as digits, dates ISO; ``':' || 'u'``, since
    ``:u`` would read as a bound parameter)."""
    day = "to_char(due_date, 'YYYY-MM-DD')" if dialect == 'postgresql' else 'due_date'
    tasks = [f"UPDATE task SET {column} = due_date WHERE EXISTS (SELECT 1 FROM notification "
             f"WHERE notification.dedup_key = '{prefix}' || CAST(task.id AS VARCHAR) || ':' "
             f"|| {day})"
             for _name, column, prefix in MARKERS]
    # A held meeting: every recipient's notification exists (chair, minute-taker, lead).
    told = ("EXISTS (SELECT 1 FROM notification WHERE notification.dedup_key = "
            "'minutes_late:m' || CAST(meeting.id AS VARCHAR) || ':' || 'u' || "
            "CAST({} AS VARCHAR))")
    lead = ("(SELECT cooperation_group.lead_id FROM cooperation_group "
            "WHERE cooperation_group.id = meeting.group_id)")
    meetings = ("UPDATE meeting SET minutes_late_told_at = CURRENT_TIMESTAMP "
                "WHERE status = 'held' AND held_at IS NOT NULL AND " + " AND ".join(
                    f"({column} IS NULL OR {told.format(column)})"
                    for column in ('chair_id', 'minute_taker_id', lead)))
    # A decision: the client informed, no case's decision, the case closed, or its case
    # manager told.
    decisions = (
        "UPDATE decision SET uninformed_settled_at = CURRENT_TIMESTAMP "
        "WHERE published_at IS NOT NULL AND ("
        "EXISTS (SELECT 1 FROM client_participation p WHERE p.decision_id = decision.id "
        "AND p.informed IS TRUE) "
        "OR EXISTS (SELECT 1 FROM cooperation_group g WHERE g.id = decision.group_id "
        "AND (g.kind <> 'interprofessional' OR g.case_id IS NULL)) "
        "OR EXISTS (SELECT 1 FROM cooperation_group g JOIN \"case\" c ON c.id = g.case_id "
        "WHERE g.id = decision.group_id AND (c.status = 'closed' OR EXISTS ("
        "SELECT 1 FROM notification WHERE notification.dedup_key = 'client_not_informed:d' || "
        "CAST(decision.id AS VARCHAR) || ':' || 'u' || CAST(c.case_manager_id AS VARCHAR)))))")
    return [*tasks, meetings, decisions]


def upgrade():
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table('task', schema=None) as batch_op:
        for _name, column, _prefix in MARKERS:
            batch_op.add_column(sa.Column(column, sa.Date(), nullable=True))
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('minutes_late_told_at', sa.DateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uninformed_settled_at', sa.DateTime(timezone=True),
                                      nullable=True))
    for statement in backfill(dialect):
        op.execute(statement)
    with op.batch_alter_table('task', schema=None) as batch_op:
        for name, column, _prefix in MARKERS:
            where = sa.text(_untold(column, dialect))
            batch_op.create_index(name, ['due_date', 'id'], unique=False, postgresql_where=where,
                                  sqlite_where=where)
    untold = sa.text("status = 'held' AND minutes_late_told_at IS NULL")
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_minutes_late_untold', ['id'], unique=False,
                              postgresql_where=untold, sqlite_where=untold)
    unsettled = sa.text("published_at IS NOT NULL AND uninformed_settled_at IS NULL")
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index('ix_decision_uninformed_unsettled', ['id'], unique=False,
                              postgresql_where=unsettled, sqlite_where=unsettled)
    queued = sa.text("email_state IN ('pending', 'failed')")
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_email_queued', ['id'], unique=False,
                              postgresql_where=queued, sqlite_where=queued)


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_email_queued')
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index('ix_decision_uninformed_unsettled')
        batch_op.drop_column('uninformed_settled_at')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_minutes_late_untold')
        batch_op.drop_column('minutes_late_told_at')
    with op.batch_alter_table('task', schema=None) as batch_op:
        for name, column, _prefix in reversed(MARKERS):
            batch_op.drop_index(name)
            batch_op.drop_column(column)
