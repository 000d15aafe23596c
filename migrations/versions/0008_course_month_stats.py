"""completions per course and month for the whole city (the city-wide chart)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course_month_stats',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_month_stats_course_id_courses')),
    sa.PrimaryKeyConstraint('course_id', 'month', name=op.f('pk_course_month_stats'))
    )
    op.execute(
        "INSERT INTO course_month_stats (course_id, month, completed) "
        "SELECT course_id, month, SUM(completed) FROM unit_month_stats GROUP BY course_id, month"
    )


def downgrade():
    op.drop_table('course_month_stats')
