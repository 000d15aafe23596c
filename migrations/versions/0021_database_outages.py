"""database_outages: the outages the app observed, to extend quiz deadlines by the time lost (issue 18)

Revision ID: 0021_database_outages
Revises: 0020_certificates
Create Date: 2026-11-30 08:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_database_outages'
down_revision = '0020_certificates'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('database_outages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('observed_by', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_database_outages'))
    )


def downgrade():
    op.drop_table('database_outages')
