"""courses have owners: each course's trainers (owners and editors, as records) and its issuing unit

Revision ID: 0016_course_trainers
Revises: 0015_course_review
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0016_course_trainers'
down_revision = '0015_course_review'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issuing_unit_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_courses_issuing_unit_id', ['issuing_unit_id'], unique=False)
        batch_op.create_foreign_key('fk_courses_issuing_unit_id_units', 'units', ['issuing_unit_id'], ['id'])

    op.create_table(
        'course_trainers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=10), nullable=False),
        sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('assigned_by_id', sa.Integer(), nullable=True),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name='fk_course_trainers_course_id_courses'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_course_trainers_user_id_users'),
        sa.ForeignKeyConstraint(
            ['assigned_by_id'], ['users.id'], name='fk_course_trainers_assigned_by_id_users'
        ),
        sa.ForeignKeyConstraint(['ended_by_id'], ['users.id'], name='fk_course_trainers_ended_by_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_course_trainers'),
    )
    op.create_index('ix_course_trainers_course_id', 'course_trainers', ['course_id'], unique=False)
    op.create_index('ix_course_trainers_user_id', 'course_trainers', ['user_id'], unique=False)
    op.create_index(
        'uq_course_trainers_active',
        'course_trainers',
        ['course_id', 'user_id'],
        unique=True,
        sqlite_where=sa.text('ended_at IS NULL'),
        postgresql_where=sa.text('ended_at IS NULL'),
    )


def downgrade():
    op.drop_index('uq_course_trainers_active', table_name='course_trainers')
    op.drop_index('ix_course_trainers_user_id', table_name='course_trainers')
    op.drop_index('ix_course_trainers_course_id', table_name='course_trainers')
    op.drop_table('course_trainers')
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_constraint('fk_courses_issuing_unit_id_units', type_='foreignkey')
        batch_op.drop_index('ix_courses_issuing_unit_id')
        batch_op.drop_column('issuing_unit_id')
