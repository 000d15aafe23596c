"""written assignments: the task of a lesson, learners' submissions with an attachment, trainers' marks

Revision ID: 0018_written_assignments
Revises: 0017_course_editions
Create Date: 2026-11-30 05:00:04.243427

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_written_assignments'
down_revision = '0017_course_editions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('written_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('course_version_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('pass_mark', sa.Integer(), nullable=False),
    sa.Column('max_words', sa.Integer(), nullable=False),
    sa.Column('attachments', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_written_assignments_course_id_courses')),
    sa.ForeignKeyConstraint(['course_version_id'], ['course_versions.id'], name=op.f('fk_written_assignments_course_version_id_course_versions')),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_written_assignments_lesson_id_lessons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_written_assignments')),
    sa.UniqueConstraint('lesson_id', name=op.f('uq_written_assignments_lesson_id'))
    )
    with op.batch_alter_table('written_assignments', schema=None) as batch_op:
        batch_op.create_index('ix_written_assignments_course_id_slug', ['course_id', 'slug'], unique=False)

    op.create_table('written_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('words', sa.Integer(), nullable=False),
    sa.Column('attachment_name', sa.String(length=255), nullable=True),
    sa.Column('attachment_type', sa.String(length=100), nullable=True),
    sa.Column('attachment_size', sa.Integer(), nullable=True),
    sa.Column('attachment', sa.LargeBinary(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['written_assignments.id'], name=op.f('fk_written_submissions_assignment_id_written_assignments')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_written_submissions_course_id_courses')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_written_submissions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_written_submissions'))
    )
    with op.batch_alter_table('written_submissions', schema=None) as batch_op:
        batch_op.create_index('ix_written_submissions_course_id_slug', ['course_id', 'slug', 'user_id'], unique=False)

    op.create_table('written_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('marker_id', sa.Integer(), nullable=False),
    sa.Column('marks', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['marker_id'], ['users.id'], name=op.f('fk_written_marks_marker_id_users')),
    sa.ForeignKeyConstraint(['submission_id'], ['written_submissions.id'], name=op.f('fk_written_marks_submission_id_written_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_written_marks'))
    )
    with op.batch_alter_table('written_marks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_written_marks_submission_id'), ['submission_id'], unique=False)



def downgrade():
    with op.batch_alter_table('written_marks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_written_marks_submission_id'))

    op.drop_table('written_marks')
    with op.batch_alter_table('written_submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_written_submissions_course_id_slug')

    op.drop_table('written_submissions')
    with op.batch_alter_table('written_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_written_assignments_course_id_slug')

    op.drop_table('written_assignments')
