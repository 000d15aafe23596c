"""assignment counters (members and completions per assignment, unit and course)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# The counters of assignments made before this revision, in plain SQL (the same on SQLite and
# PostgreSQL) so that the migration does not depend on the application's code of a later day.
# Who counts as a member is the rule of app.reports.rollups.effective_members.
BACKFILL = """
INSERT INTO assignment_stats (assignment_id, unit_id, course_id, members, completed)
SELECT am.assignment_id, c.unit_id, ac.course_id, COUNT(*),
       SUM(CASE WHEN EXISTS (SELECT 1 FROM course_completions cc
                             WHERE cc.user_id = c.user_id AND cc.course_id = ac.course_id)
           THEN 1 ELSE 0 END)
FROM assignment_members am
JOIN assignments a ON a.id = am.assignment_id
JOIN assignment_courses ac ON ac.assignment_id = a.id
JOIN cadres c ON c.id = am.cadre_id
JOIN units cu ON cu.id = c.unit_id
LEFT JOIN units au ON au.id = a.unit_id
WHERE a.follows_movers
   OR a.target_kind IN ('cadres', 'planning')
   OR (a.target_kind = 'unit' AND cu.path >= au.path AND cu.path < au.path || '~')
   OR (a.target_kind = 'title' AND c.title_code = a.title_code)
GROUP BY am.assignment_id, c.unit_id, ac.course_id
"""


def upgrade():
    op.create_table('assignment_stats',
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_assignment_stats_assignment_id_assignments')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_assignment_stats_course_id_courses')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_assignment_stats_unit_id_units')),
    sa.PrimaryKeyConstraint('assignment_id', 'unit_id', 'course_id', name=op.f('pk_assignment_stats'))
    )
    op.execute(BACKFILL)


def downgrade():
    op.drop_table('assignment_stats')
