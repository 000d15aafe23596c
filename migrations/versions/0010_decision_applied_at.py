"""when an appointment decision changed the cadre's post (empty while it takes effect later)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


# Until now a decision that went through changed the post at once, whatever its effective date:
# an approved one when it was recorded, an overridden one when the override was.
BACKFILL = [
    "UPDATE appointment_decisions SET applied_at = created_at WHERE status = 'approved'",
    """
UPDATE appointment_decisions SET applied_at = (
    SELECT o.recorded_at FROM decision_overrides o WHERE o.decision_id = appointment_decisions.id
)
WHERE applied_at IS NULL
  AND EXISTS (SELECT 1 FROM decision_overrides o WHERE o.decision_id = appointment_decisions.id)
""",
]


def upgrade():
    with op.batch_alter_table('appointment_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True))
    for statement in BACKFILL:
        op.execute(statement)


def downgrade():
    with op.batch_alter_table('appointment_decisions', schema=None) as batch_op:
        batch_op.drop_column('applied_at')
