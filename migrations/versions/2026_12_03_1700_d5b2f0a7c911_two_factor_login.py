"""two-factor login: encrypted TOTP secret on the user, recovery codes, a session end reason

Revision ID: d5b2f0a7c911
Revises: c4a9e0d1f215
Create Date: 2026-12-03 17:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'd5b2f0a7c911'
down_revision = 'c4a9e0d1f215'
branch_labels = None
depends_on = None

_OLD_REASONS = ("'logout', 'idle', 'lifetime', 'password_changed', 'password_reset', "
                "'deactivated', 'locked'")
_NEW_REASONS = _OLD_REASONS + ", 'second_factor_reset'"


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret_encrypted', sa.String(length=255),
                                      nullable=True))
        batch_op.add_column(sa.Column('totp_confirmed_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))

    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_recovery_code_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_session_ended_reason_valid'), type_='check')
        batch_op.create_check_constraint('ended_reason_valid',
                                         sa.text(f"ended_reason IN ({_NEW_REASONS})"))


def downgrade():
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_session_ended_reason_valid'), type_='check')
        batch_op.create_check_constraint('ended_reason_valid',
                                         sa.text(f"ended_reason IN ({_OLD_REASONS})"))

    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_user_id'))
    op.drop_table('recovery_code')

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_confirmed_at')
        batch_op.drop_column('totp_secret_encrypted')
