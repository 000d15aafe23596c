"""assignments: whose they are (the unit of the admin who made them) and their cancellation (who,
when, why), recorded instead of deleting

Revision ID: 0013_assignment_cancellation
Revises: 0012_course_search
Create Date: 2026-11-29

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_assignment_cancellation'
down_revision = '0012_course_search'
branch_labels = None
depends_on = None


# Until now the admin's unit was not kept: an assignment belongs to the unit its maker
# administers now (None: a city admin, or an account that is no longer an admin).
BACKFILL = """
UPDATE assignments SET scope_unit_id = (
    SELECT u.unit_id FROM users u WHERE u.id = assignments.created_by_id AND u.role = 'admin'
)
"""


def upgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope_unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancelled_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_assignments_scope_unit_id_units'), 'units', ['scope_unit_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_assignments_cancelled_by_id_users'), 'users', ['cancelled_by_id'], ['id'])
    op.execute(BACKFILL)


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assignments_cancelled_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_assignments_scope_unit_id_units'), type_='foreignkey')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_by_id')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('scope_unit_id')
