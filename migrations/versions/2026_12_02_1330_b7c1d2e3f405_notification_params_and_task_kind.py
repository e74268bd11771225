"""notification texts in the reader's language (params), the kind of system tasks, and the
folded person names the child is found by (trigram-indexed on PostgreSQL)

Revision ID: b7c1d2e3f405
Revises: 5a1b02c5fb3a
Create Date: 2026-12-02 13:30:00
"""

import unicodedata

from alembic import op
import sqlalchemy as sa


def _fold(text):
    # The same folding as casework.cases.search.fold, frozen here as of this revision.
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


revision = 'b7c1d2e3f405'
down_revision = '5a1b02c5fb3a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_task_kind'), ['kind'], unique=False)
    # The convening tasks created so far are known by their fixed title.
    op.execute("UPDATE task SET kind = 'convene' WHERE case_id IS NOT NULL "
               "AND meeting_id IS NULL AND decision_id IS NULL "
               "AND title = 'Sasaukt starpprofesionāļu sadarbības grupu'")

    with op.batch_alter_table('case_person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_name', sa.String(length=201), nullable=True))
    conn = op.get_bind()
    person = sa.table('case_person', sa.column('id', sa.Integer),
                      sa.column('given_name', sa.String), sa.column('family_name', sa.String),
                      sa.column('search_name', sa.String))
    for pid, given, family in conn.execute(
            sa.select(person.c.id, person.c.given_name, person.c.family_name)).all():
        conn.execute(person.update().where(person.c.id == pid).values(
            search_name=_fold(f"{given or ''} {family or ''}")[:201]))
    with op.batch_alter_table('case_person', schema=None) as batch_op:
        batch_op.alter_column('search_name', existing_type=sa.String(length=201),
                              nullable=False)
    if conn.dialect.name == 'postgresql':
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index('ix_case_person_search_name_trgm', 'case_person', ['search_name'],
                    unique=False, postgresql_using='gin',
                    postgresql_ops={'search_name': 'gin_trgm_ops'})


def downgrade():
    op.drop_index('ix_case_person_search_name_trgm', table_name='case_person')
    with op.batch_alter_table('case_person', schema=None) as batch_op:
        batch_op.drop_column('search_name')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_kind'))
        batch_op.drop_column('kind')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('params')
