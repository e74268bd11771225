"""referrals, cases, persons, history, notes, participation, groups, meetings, decisions, tasks, policy

Revision ID: 6a4a5111a1cf
Revises: 613d011e6403
Create Date: 2026-11-23 23:49:33.112536
"""

from alembic import op
import sqlalchemy as sa


revision = '6a4a5111a1cf'
down_revision = '613d011e6403'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_number_counter',
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_case_number_counter_municipality_id_municipality')),
    sa.PrimaryKeyConstraint('municipality_id', 'year', name=op.f('pk_case_number_counter'))
    )
    op.create_table('policy_setting',
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_policy_setting_municipality_id_municipality')),
    sa.PrimaryKeyConstraint('municipality_id', 'key', name=op.f('pk_policy_setting'))
    )
    op.create_table('case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('risk', sa.String(length=8), nullable=False),
    sa.Column('case_manager_id', sa.Integer(), nullable=True),
    sa.Column('owner_institution_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closure_reason', sa.String(length=32), nullable=True),
    sa.Column('closure_reason_text', sa.Text(), nullable=True),
    sa.Column('next_review_due', sa.Date(), nullable=True),
    sa.Column('crisis_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('risk_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("risk IN ('green', 'yellow', 'red')", name=op.f('ck_case_risk_valid')),
    sa.ForeignKeyConstraint(['case_manager_id'], ['user.id'], name=op.f('fk_case_case_manager_id_user')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_case_municipality_id_municipality')),
    sa.ForeignKeyConstraint(['owner_institution_id'], ['institution.id'], name=op.f('fk_case_owner_institution_id_institution')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case')),
    sa.UniqueConstraint('municipality_id', 'number', name=op.f('uq_case_municipality_id_number')),
    sa.UniqueConstraint('municipality_id', 'year', 'seq', name=op.f('uq_case_municipality_id_year_seq'))
    )
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_case_manager_id'), ['case_manager_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_next_review_due'), ['next_review_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_owner_institution_id'), ['owner_institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_risk'), ['risk'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_status'), ['status'], unique=False)

    op.create_table('break_glass_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_break_glass_access_case_id_case')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_break_glass_access_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_break_glass_access'))
    )
    with op.batch_alter_table('break_glass_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_break_glass_access_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_break_glass_access_user_id'), ['user_id'], unique=False)

    op.create_table('case_category',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_case_category_case_id_case')),
    sa.PrimaryKeyConstraint('case_id', 'category', name=op.f('pk_case_category'))
    )
    with op.batch_alter_table('case_category', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_category_category'), ['category'], unique=False)

    op.create_table('case_person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('given_name', sa.String(length=100), nullable=False),
    sa.Column('family_name', sa.String(length=100), nullable=False),
    sa.Column('personal_code', sa.String(length=12), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('child', 'parent', 'guardian', 'other')", name=op.f('ck_case_person_role_valid')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_case_person_case_id_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_person'))
    )
    with op.batch_alter_table('case_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_person_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_person_personal_code'), ['personal_code'], unique=False)

    op.create_table('cooperation_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('strategic', 'interprofessional')", name=op.f('ck_cooperation_group_kind_valid')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_cooperation_group_case_id_case')),
    sa.ForeignKeyConstraint(['lead_id'], ['user.id'], name=op.f('fk_cooperation_group_lead_id_user')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_cooperation_group_municipality_id_municipality')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cooperation_group')),
    sa.UniqueConstraint('case_id', name=op.f('uq_cooperation_group_case_id'))
    )
    with op.batch_alter_table('cooperation_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cooperation_group_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('author_institution_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("level IN ('group', 'institution', 'restricted')", name=op.f('ck_note_level_valid')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_note_author_id_user')),
    sa.ForeignKeyConstraint(['author_institution_id'], ['institution.id'], name=op.f('fk_note_author_institution_id_institution')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_note_case_id_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_note'))
    )
    with op.batch_alter_table('note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_note_case_id'), ['case_id'], unique=False)

    op.create_table('referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('reporting_institution_id', sa.Integer(), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('child_given_name', sa.String(length=100), nullable=False),
    sa.Column('child_family_name', sa.String(length=100), nullable=False),
    sa.Column('child_personal_code', sa.String(length=12), nullable=True),
    sa.Column('child_birth_date', sa.Date(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('proposed_urgency', sa.String(length=8), nullable=False),
    sa.Column('triage_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('triaged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('triaged_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('outcome_reason', sa.Text(), nullable=True),
    sa.Column('assigned_risk', sa.String(length=8), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('new_case', 'attached', 'no_action')", name=op.f('ck_referral_outcome_valid')),
    sa.CheckConstraint("proposed_urgency IN ('green', 'yellow', 'red')", name=op.f('ck_referral_urgency_valid')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_referral_case_id_case')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_referral_municipality_id_municipality')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['user.id'], name=op.f('fk_referral_reported_by_id_user')),
    sa.ForeignKeyConstraint(['reporting_institution_id'], ['institution.id'], name=op.f('fk_referral_reporting_institution_id_institution')),
    sa.ForeignKeyConstraint(['triaged_by_id'], ['user.id'], name=op.f('fk_referral_triaged_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_outcome'), ['outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_reported_by_id'), ['reported_by_id'], unique=False)

    op.create_table('group_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('role_in_group', sa.String(length=100), nullable=True),
    sa.Column('member_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('member_to', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['cooperation_group.id'], name=op.f('fk_group_member_group_id_cooperation_group')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_group_member_institution_id_institution')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_group_member_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_member'))
    )
    with op.batch_alter_table('group_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_member_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_member_user_id'), ['user_id'], unique=False)

    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('held_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('planned', 'held', 'minutes_approved', 'cancelled')", name=op.f('ck_meeting_status_valid')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_meeting_ends_after_start')),
    sa.ForeignKeyConstraint(['group_id'], ['cooperation_group.id'], name=op.f('fk_meeting_group_id_cooperation_group')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_group_id'), ['group_id'], unique=False)

    op.create_table('referral_category',
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_category_referral_id_referral')),
    sa.PrimaryKeyConstraint('referral_id', 'category', name=op.f('pk_referral_category'))
    )
    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('responsible_institution_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['cooperation_group.id'], name=op.f('fk_decision_group_id_cooperation_group')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_decision_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['responsible_institution_id'], ['institution.id'], name=op.f('fk_decision_responsible_institution_id_institution')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision')),
    sa.UniqueConstraint('group_id', 'number', name=op.f('uq_decision_group_id_number'))
    )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_group_id'), ['group_id'], unique=False)

    op.create_table('case_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('machine', sa.String(length=16), nullable=False),
    sa.Column('trigger', sa.String(length=32), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_case_event_actor_id_user')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_case_event_case_id_case')),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_case_event_decision_id_decision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_event'))
    )
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_event_case_id'), ['case_id'], unique=False)

    op.create_table('client_participation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('informed', sa.Boolean(), nullable=False),
    sa.Column('informed_on', sa.Date(), nullable=True),
    sa.Column('informed_by_id', sa.Integer(), nullable=True),
    sa.Column('method', sa.String(length=32), nullable=True),
    sa.Column('opinion', sa.Text(), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_client_participation_case_id_case')),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_client_participation_decision_id_decision')),
    sa.ForeignKeyConstraint(['informed_by_id'], ['user.id'], name=op.f('fk_client_participation_informed_by_id_user')),
    sa.ForeignKeyConstraint(['person_id'], ['case_person.id'], name=op.f('fk_client_participation_person_id_case_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_participation'))
    )
    with op.batch_alter_table('client_participation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_participation_case_id'), ['case_id'], unique=False)

    op.create_table('task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=False),
    sa.Column('assignee_institution_id', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('completion_note', sa.Text(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'done', 'cancelled')", name=op.f('ck_task_status_valid')),
    sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], name=op.f('fk_task_assignee_id_user')),
    sa.ForeignKeyConstraint(['assignee_institution_id'], ['institution.id'], name=op.f('fk_task_assignee_institution_id_institution')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_task_case_id_case')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_task_created_by_id_user')),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_task_decision_id_decision')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_task_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_task_municipality_id_municipality')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task'))
    )
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_status'), ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_status'))
        batch_op.drop_index(batch_op.f('ix_task_municipality_id'))
        batch_op.drop_index(batch_op.f('ix_task_due_date'))
        batch_op.drop_index(batch_op.f('ix_task_case_id'))
        batch_op.drop_index(batch_op.f('ix_task_assignee_id'))

    op.drop_table('task')
    with op.batch_alter_table('client_participation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_participation_case_id'))

    op.drop_table('client_participation')
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_event_case_id'))

    op.drop_table('case_event')
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_group_id'))

    op.drop_table('decision')
    op.drop_table('referral_category')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_group_id'))

    op.drop_table('meeting')
    with op.batch_alter_table('group_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_member_user_id'))
        batch_op.drop_index(batch_op.f('ix_group_member_group_id'))

    op.drop_table('group_member')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_reported_by_id'))
        batch_op.drop_index(batch_op.f('ix_referral_outcome'))
        batch_op.drop_index(batch_op.f('ix_referral_municipality_id'))
        batch_op.drop_index(batch_op.f('ix_referral_case_id'))

    op.drop_table('referral')
    with op.batch_alter_table('note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_note_case_id'))

    op.drop_table('note')
    with op.batch_alter_table('cooperation_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cooperation_group_municipality_id'))

    op.drop_table('cooperation_group')
    with op.batch_alter_table('case_person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_person_personal_code'))
        batch_op.drop_index(batch_op.f('ix_case_person_case_id'))

    op.drop_table('case_person')
    with op.batch_alter_table('case_category', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_category_category'))

    op.drop_table('case_category')
    with op.batch_alter_table('break_glass_access', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_break_glass_access_user_id'))
        batch_op.drop_index(batch_op.f('ix_break_glass_access_case_id'))

    op.drop_table('break_glass_access')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_status'))
        batch_op.drop_index(batch_op.f('ix_case_risk'))
        batch_op.drop_index(batch_op.f('ix_case_owner_institution_id'))
        batch_op.drop_index(batch_op.f('ix_case_next_review_due'))
        batch_op.drop_index(batch_op.f('ix_case_municipality_id'))
        batch_op.drop_index(batch_op.f('ix_case_case_manager_id'))

    op.drop_table('case')
    op.drop_table('policy_setting')
    op.drop_table('case_number_counter')
