"""hours counters (periods per unit, year and content area; per cadre and year)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# The counters of the training records already there, in plain SQL so that the migration does
# not depend on the application's code of a later day (see app.reports.rollups.rebuild_hours).
CREDITED = """
SELECT tr.cadre_id, {year} AS year, COALESCE(tr.category, 'other') AS category, tr.hours
FROM training_records tr
WHERE NOT tr.is_revoked
  AND NOT EXISTS (SELECT 1 FROM training_records later WHERE later.supersedes_id = tr.id)
"""
BACKFILL_UNITS = """
INSERT INTO unit_hours_stats (unit_id, year, category, hours)
SELECT c.unit_id, t.year, t.category, SUM(t.hours)
FROM ({credited}) t JOIN cadres c ON c.id = t.cadre_id
GROUP BY c.unit_id, t.year, t.category
"""
BACKFILL_CADRES = """
INSERT INTO cadre_hours_stats (cadre_id, year, hours)
SELECT t.cadre_id, t.year, SUM(t.hours) FROM ({credited}) t GROUP BY t.cadre_id, t.year
"""


def backfill_statements(dialect: str) -> list[str]:
    year = (
        "CAST(strftime('%Y', tr.completed_on) AS INTEGER)"
        if dialect == "sqlite"
        else "CAST(EXTRACT(YEAR FROM tr.completed_on) AS INTEGER)"
    )
    credited = CREDITED.format(year=year)
    return [BACKFILL_UNITS.format(credited=credited), BACKFILL_CADRES.format(credited=credited)]


def upgrade():
    op.create_table('cadre_hours_stats',
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_cadre_hours_stats_cadre_id_cadres')),
    sa.PrimaryKeyConstraint('cadre_id', 'year', name=op.f('pk_cadre_hours_stats'))
    )
    op.create_table('unit_hours_stats',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_hours_stats_unit_id_units')),
    sa.PrimaryKeyConstraint('unit_id', 'year', 'category', name=op.f('pk_unit_hours_stats'))
    )
    for statement in backfill_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade():
    op.drop_table('unit_hours_stats')
    op.drop_table('cadre_hours_stats')
