"""groups meetings decisions tasks notifications calendar feeds annual reports

Revision ID: f82661aaa768
Revises: 6a4a5111a1cf
Create Date: 2026-11-24 00:19:05.222699
"""

from alembic import op
import sqlalchemy as sa


revision = 'f82661aaa768'
down_revision = '6a4a5111a1cf'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('annual_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('challenges', sa.Text(), nullable=True),
    sa.Column('directions', sa.Text(), nullable=True),
    sa.Column('conclusions', sa.Text(), nullable=True),
    sa.Column('state_proposals', sa.Text(), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=True),
    sa.Column('schema_version', sa.String(length=16), nullable=True),
    sa.Column('prepared_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('return_comment', sa.Text(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'in_review', 'approved', 'submitted', 'returned', 'accepted')", name=op.f('ck_annual_report_status_valid')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_annual_report_approved_by_id_user')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_annual_report_municipality_id_municipality')),
    sa.ForeignKeyConstraint(['prepared_by_id'], ['user.id'], name=op.f('fk_annual_report_prepared_by_id_user')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user.id'], name=op.f('fk_annual_report_reviewed_by_id_user')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], name=op.f('fk_annual_report_submitted_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_report')),
    sa.UniqueConstraint('municipality_id', 'year', name=op.f('uq_annual_report_municipality_id_year'))
    )
    with op.batch_alter_table('annual_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annual_report_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_annual_report_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_annual_report_year'), ['year'], unique=False)

    op.create_table('calendar_feed',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_calendar_feed_user_id_user')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_calendar_feed')),
    sa.UniqueConstraint('token', name=op.f('uq_calendar_feed_token'))
    )
    op.create_table('digest_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_digest_run_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_run')),
    sa.UniqueConstraint('user_id', 'day', name=op.f('uq_digest_run_user_id_day'))
    )
    op.create_table('notification',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=True),
    sa.Column('dedup_key', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('email_state', sa.String(length=10), nullable=False),
    sa.Column('email_attempts', sa.Integer(), nullable=False),
    sa.Column('email_next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("email_state IN ('pending', 'sent', 'logged', 'failed', 'digest', 'none')", name=op.f('ck_notification_email_state_valid')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_notification_municipality_id_municipality')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('dedup_key', name=op.f('uq_notification_dedup_key'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_email_state'), ['email_state'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_user_id'), ['user_id'], unique=False)

    op.create_table('agenda_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('goal', 'item')", name=op.f('ck_agenda_item_kind_valid')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_agenda_item_case_id_case')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_agenda_item_meeting_id_meeting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_item'))
    )
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_item_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('invited', 'attended', 'excused', 'absent')", name=op.f('ck_attendance_status_valid')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_attendance_institution_id_institution')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_attendance_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_attendance_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('meeting_id', 'user_id', name=op.f('uq_attendance_meeting_id_user_id'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_user_id'), ['user_id'], unique=False)

    op.create_table('decision_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status_after', sa.String(length=16), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_decision_progress_author_id_user')),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_decision_progress_decision_id_decision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_progress'))
    )
    with op.batch_alter_table('decision_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_progress_decision_id'), ['decision_id'], unique=False)

    with op.batch_alter_table('cooperation_group', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()))

    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agenda_item_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('kind', sa.String(length=24), nullable=False, server_default='decision'))
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('not_executed_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('published_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.alter_column('number',
               existing_type=sa.VARCHAR(length=32),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_decision_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_year'), ['year'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_decision_group_id_year_seq'), ['group_id', 'year', 'seq'])
        batch_op.create_foreign_key(batch_op.f('fk_decision_agenda_item_id_agenda_item'), 'agenda_item', ['agenda_item_id'], ['id'])
        batch_op.create_check_constraint(
            'status_valid', "status IN ('pending', 'in_progress', 'executed', 'not_executed')")
        batch_op.create_check_constraint(
            'kind_valid', "kind IN ('decision', 'proposal_municipality', 'proposal_state')")

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='regular'))
        batch_op.add_column(sa.Column('title', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('online_link', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('chair_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('minute_taker_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('minutes', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('minutes_approved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('minutes_approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('client_took_part', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('client_informed', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('client_opinion', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('child_took_part', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('child_informed', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('child_opinion', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.create_index(batch_op.f('ix_meeting_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_status'), ['status'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_meeting_minute_taker_id_user'), 'user', ['minute_taker_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_meeting_minutes_approved_by_id_user'), 'user', ['minutes_approved_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_meeting_chair_id_user'), 'user', ['chair_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_meeting_created_by_id_user'), 'user', ['created_by_id'], ['id'])
        batch_op.create_check_constraint('kind_valid', "kind IN ('regular', 'supervision')")

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('agenda_item_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.create_index(batch_op.f('ix_task_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_issued_at'), ['issued_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_task_closed_by_id_user'), 'user', ['closed_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_task_agenda_item_id_agenda_item'), 'agenda_item', ['agenda_item_id'], ['id'])

    # Tasks created before this revision were issued when created; decisions already existing
    # were published then.
    op.execute("UPDATE task SET issued_at = created_at WHERE issued_at IS NULL")
    op.execute("UPDATE decision SET published_at = created_at WHERE published_at IS NULL")

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_by', sa.String(length=10), server_default='immediate', nullable=False))



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('notify_by')

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_task_agenda_item_id_agenda_item'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_task_closed_by_id_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_task_issued_at'))
        batch_op.drop_index(batch_op.f('ix_task_decision_id'))
        batch_op.drop_column('version')
        batch_op.drop_column('closed_by_id')
        batch_op.drop_column('issued_at')
        batch_op.drop_column('agenda_item_id')
        batch_op.drop_column('description')

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_meeting_kind_valid'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_meeting_created_by_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_meeting_chair_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_meeting_minutes_approved_by_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_meeting_minute_taker_id_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_meeting_status'))
        batch_op.drop_index(batch_op.f('ix_meeting_starts_at'))
        batch_op.drop_column('version')
        batch_op.drop_column('created_by_id')
        batch_op.drop_column('child_opinion')
        batch_op.drop_column('child_informed')
        batch_op.drop_column('child_took_part')
        batch_op.drop_column('client_opinion')
        batch_op.drop_column('client_informed')
        batch_op.drop_column('client_took_part')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('minutes_approved_by_id')
        batch_op.drop_column('minutes_approved_at')
        batch_op.drop_column('minutes')
        batch_op.drop_column('minute_taker_id')
        batch_op.drop_column('chair_id')
        batch_op.drop_column('online_link')
        batch_op.drop_column('title')
        batch_op.drop_column('kind')

    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_decision_kind_valid'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_decision_status_valid'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_decision_agenda_item_id_agenda_item'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_decision_group_id_year_seq'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_decision_year'))
        batch_op.drop_index(batch_op.f('ix_decision_status'))
        batch_op.drop_index(batch_op.f('ix_decision_meeting_id'))
        batch_op.alter_column('number',
               existing_type=sa.VARCHAR(length=32),
               nullable=False)
        batch_op.drop_column('version')
        batch_op.drop_column('published_at')
        batch_op.drop_column('not_executed_reason')
        batch_op.drop_column('seq')
        batch_op.drop_column('kind')
        batch_op.drop_column('agenda_item_id')

    with op.batch_alter_table('cooperation_group', schema=None) as batch_op:
        batch_op.drop_column('active')
        batch_op.drop_column('description')

    with op.batch_alter_table('decision_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_progress_decision_id'))

    op.drop_table('decision_progress')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_user_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_meeting_id'))

    op.drop_table('attendance')
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_item_meeting_id'))

    op.drop_table('agenda_item')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_user_id'))
        batch_op.drop_index(batch_op.f('ix_notification_email_state'))
        batch_op.drop_index(batch_op.f('ix_notification_created_at'))

    op.drop_table('notification')
    op.drop_table('digest_run')
    op.drop_table('calendar_feed')
    with op.batch_alter_table('annual_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annual_report_year'))
        batch_op.drop_index(batch_op.f('ix_annual_report_status'))
        batch_op.drop_index(batch_op.f('ix_annual_report_municipality_id'))

    op.drop_table('annual_report')
