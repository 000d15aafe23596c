"""an index that answers the dashboard's monthly chart on its own

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('unit_month_stats', schema=None) as batch_op:
        batch_op.create_index('ix_unit_month_stats_month', ['month', 'course_id', 'unit_id', 'completed'], unique=False)


def downgrade():
    with op.batch_alter_table('unit_month_stats', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_month_stats_month')
