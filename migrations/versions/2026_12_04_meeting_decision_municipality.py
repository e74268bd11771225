"""meetings and decisions: the group's municipality on each, with the indexes that count one
municipality's meetings and decisions over a period (issue 16)

Revision ID: 4f1a8d3c6e20
Revises: 9c4e7a2b5d18
Create Date: 2026-12-04 01:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = '4f1a8d3c6e20'
down_revision = '9c4e7a2b5d18'
branch_labels = None
depends_on = None

INDEXES = {
    'meeting': [('ix_meeting_municipality_status_starts_held',
                 ['municipality_id', 'status', 'starts_at', 'held_at'], ['group_id'])],
    'decision': [('ix_decision_municipality_published_at', ['municipality_id', 'published_at'],
                  []),
                 ('ix_decision_municipality_status_published_at',
                  ['municipality_id', 'status', 'published_at'], [])],
}


def upgrade():
    with op.batch_alter_table('cooperation_group', schema=None) as batch_op:
        batch_op.create_index('ix_cooperation_group_municipality_kind', ['municipality_id', 'kind'],
                              unique=False)
    for table, indexes in INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('municipality_id', sa.Integer(), nullable=True))
        op.execute(f'UPDATE {table} SET municipality_id = (SELECT '
                   f'cooperation_group.municipality_id FROM cooperation_group '
                   f'WHERE cooperation_group.id = {table}.group_id)')
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('municipality_id', existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_municipality_id_municipality'),
                                        'municipality', ['municipality_id'], ['id'])
            for name, columns, include in indexes:
                batch_op.create_index(name, columns, unique=False,
                                      **({'postgresql_include': include} if include else {}))


def downgrade():
    for table, indexes in reversed(list(INDEXES.items())):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _columns, _include in reversed(indexes):
                batch_op.drop_index(name)
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_municipality_id_municipality'),
                                     type_='foreignkey')
            batch_op.drop_column('municipality_id')
    with op.batch_alter_table('cooperation_group', schema=None) as batch_op:
        batch_op.drop_index('ix_cooperation_group_municipality_kind')
