"""the review cycle of each course version: when its content was last reviewed and how often

Revision ID: 0015_course_review
Revises: 0014_legal_documents
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_course_review'
down_revision = '0014_legal_documents'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('review_every_months', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('course_versions', schema=None) as batch_op:
        batch_op.drop_column('review_every_months')
        batch_op.drop_column('reviewed_on')
