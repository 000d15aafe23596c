"""essay marks: trainers' marks of essays in quiz attempts, and an index for attempts waiting to be marked

Revision ID: 0019_essay_marks
Revises: 0018_written_assignments
Create Date: 2026-11-30 07:07:45.529917

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_essay_marks'
down_revision = '0018_written_assignments'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('essay_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('qid', sa.String(length=100), nullable=False),
    sa.Column('marker_id', sa.Integer(), nullable=False),
    sa.Column('marks', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempts.id'], name=op.f('fk_essay_marks_attempt_id_quiz_attempts')),
    sa.ForeignKeyConstraint(['marker_id'], ['users.id'], name=op.f('fk_essay_marks_marker_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_essay_marks'))
    )
    with op.batch_alter_table('essay_marks', schema=None) as batch_op:
        batch_op.create_index('ix_essay_marks_attempt_id_qid', ['attempt_id', 'qid'], unique=False)

    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_attempts_awaiting', ['course_id', 'submitted_at'], unique=False, sqlite_where=sa.text("percent IS NULL AND status != 'open'"), postgresql_where=sa.text("percent IS NULL AND status != 'open'"))



def downgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_attempts_awaiting', sqlite_where=sa.text("percent IS NULL AND status != 'open'"), postgresql_where=sa.text("percent IS NULL AND status != 'open'"))

    with op.batch_alter_table('essay_marks', schema=None) as batch_op:
        batch_op.drop_index('ix_essay_marks_attempt_id_qid')

    op.drop_table('essay_marks')
