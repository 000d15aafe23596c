"""eligibility at its boundaries: appointment kinds per rule, dated revocations, annulled or
replaced discipline, planning by post with its limits, deadlines of conditional appointments

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29

"""
import json
from datetime import date

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def _day_of(column):
    """SQL for the calendar day of a timestamp column, on either database."""
    if op.get_bind().dialect.name == "sqlite":
        return f"DATE({column})"
    return f"CAST({column} AS DATE)"


def _backfill_condition_deadlines():
    """Approved conditional decisions so far: the earliest deadline frozen in their evaluation."""
    bind = op.get_bind()
    decisions = sa.table(
        "appointment_decisions",
        sa.column("id", sa.Integer),
        sa.column("evaluation", sa.JSON),
        sa.column("eligibility", sa.String),
        sa.column("condition_deadline", sa.Date),
    )
    rows = bind.execute(
        sa.select(decisions.c.id, decisions.c.evaluation).where(decisions.c.eligibility == "conditional")
    ).all()
    for decision_id, evaluation in rows:
        if isinstance(evaluation, str):
            evaluation = json.loads(evaluation)
        deadlines = [
            r["deadline"]
            for r in (evaluation or {}).get("result", {}).get("results", [])
            if r.get("status") == "conditional" and r.get("deadline")
        ]
        if deadlines:
            bind.execute(
                decisions.update()
                .where(decisions.c.id == decision_id)
                .values(condition_deadline=date.fromisoformat(min(deadlines)))
            )


def upgrade():
    with op.batch_alter_table('requirement_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applies_to', sa.JSON(), nullable=True))

    with op.batch_alter_table('appointment_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('condition_deadline', sa.Date(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_appointment_decisions_condition_deadline'), ['condition_deadline'], unique=False
        )

    for table in ('training_records', 'qualification_records'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('revoked_on', sa.Date(), nullable=True))
        # Revocations so far took effect when they were recorded.
        op.execute(f"UPDATE {table} SET revoked_on = {_day_of('recorded_at')} WHERE is_revoked")

    with op.batch_alter_table('discipline_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supersedes_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('is_annulled', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column('effective_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('recorded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_discipline_records_supersedes_id'), ['supersedes_id'], unique=False)
        batch_op.create_foreign_key(
            'fk_discipline_records_supersedes_id', 'discipline_records', ['supersedes_id'], ['id']
        )
        batch_op.create_foreign_key('fk_discipline_records_recorded_by_id', 'users', ['recorded_by_id'], ['id'])

    with op.batch_alter_table('planning_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('limit_override', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('recorded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_planning_entries_title_code_unit_id', ['title_code', 'unit_id'], unique=False)
        batch_op.create_foreign_key('fk_planning_entries_unit_id', 'units', ['unit_id'], ['id'])
        batch_op.create_foreign_key('fk_planning_entries_recorded_by_id', 'users', ['recorded_by_id'], ['id'])
    # Entries so far named no unit: the post is taken to be in the cadre's own unit.
    op.execute(
        "UPDATE planning_entries SET unit_id = "
        "(SELECT c.unit_id FROM cadres c WHERE c.id = planning_entries.cadre_id)"
    )

    _backfill_condition_deadlines()


def downgrade():
    with op.batch_alter_table('planning_entries', schema=None) as batch_op:
        batch_op.drop_constraint('fk_planning_entries_recorded_by_id', type_='foreignkey')
        batch_op.drop_constraint('fk_planning_entries_unit_id', type_='foreignkey')
        batch_op.drop_index('ix_planning_entries_title_code_unit_id')
        batch_op.drop_column('recorded_at')
        batch_op.drop_column('recorded_by_id')
        batch_op.drop_column('limit_override')
        batch_op.drop_column('unit_id')

    with op.batch_alter_table('discipline_records', schema=None) as batch_op:
        batch_op.drop_constraint('fk_discipline_records_recorded_by_id', type_='foreignkey')
        batch_op.drop_constraint('fk_discipline_records_supersedes_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_discipline_records_supersedes_id'))
        batch_op.drop_column('recorded_at')
        batch_op.drop_column('recorded_by_id')
        batch_op.drop_column('effective_on')
        batch_op.drop_column('is_annulled')
        batch_op.drop_column('supersedes_id')

    for table in ('qualification_records', 'training_records'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('revoked_on')

    with op.batch_alter_table('appointment_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_decisions_condition_deadline'))
        batch_op.drop_column('condition_deadline')

    with op.batch_alter_table('requirement_rules', schema=None) as batch_op:
        batch_op.drop_column('applies_to')
