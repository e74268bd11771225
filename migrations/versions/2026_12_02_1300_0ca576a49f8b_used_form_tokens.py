"""used form tokens: a create form sent twice stores one record

Revision ID: 0ca576a49f8b
Revises: f8c0bc228554
Create Date: 2026-12-02 13:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0ca576a49f8b'
down_revision = 'f8c0bc228554'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('used_form_token',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=300), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_used_form_token_user_id_user')),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_used_form_token'))
    )
    with op.batch_alter_table('used_form_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_used_form_token_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('used_form_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_used_form_token_user_id'))

    op.drop_table('used_form_token')
