"""certificates: one for each course completion, with its public number and frozen facts, and their revocations (issue 14)

Revision ID: 0020_certificates
Revises: 0019_essay_marks
Create Date: 2026-11-30 07:41:26.110850

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_certificates'
down_revision = '0019_essay_marks'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_completion_id', sa.Integer(), nullable=False),
    sa.Column('training_record_id', sa.Integer(), nullable=True),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('course_version_id', sa.Integer(), nullable=False),
    sa.Column('cadre_name', sa.String(length=200), nullable=False),
    sa.Column('course_code', sa.String(length=32), nullable=False),
    sa.Column('course_title', sa.String(length=300), nullable=False),
    sa.Column('edition', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issuer', sa.String(length=300), nullable=False),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['course_completion_id'], ['course_completions.id'], name=op.f('fk_certificates_course_completion_id_course_completions')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_certificates_course_id_courses')),
    sa.ForeignKeyConstraint(['course_version_id'], ['course_versions.id'], name=op.f('fk_certificates_course_version_id_course_versions')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_certificates_issued_by_id_users')),
    sa.ForeignKeyConstraint(['replaces_id'], ['certificates.id'], name=op.f('fk_certificates_replaces_id_certificates')),
    sa.ForeignKeyConstraint(['training_record_id'], ['training_records.id'], name=op.f('fk_certificates_training_record_id_training_records')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_certificates_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('number', name=op.f('uq_certificates_number'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_course_completion_id'), ['course_completion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_user_id'), ['user_id'], unique=False)

    op.create_table('certificate_revocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('revoked_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('training_record_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_revocations_certificate_id_certificates')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_certificate_revocations_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['training_record_id'], ['training_records.id'], name=op.f('fk_certificate_revocations_training_record_id_training_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_revocations')),
    sa.UniqueConstraint('certificate_id', name=op.f('uq_certificate_revocations_certificate_id'))
    )


def downgrade():
    op.drop_table('certificate_revocations')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificates_user_id'))
        batch_op.drop_index(batch_op.f('ix_certificates_course_completion_id'))

    op.drop_table('certificates')
