"""draft editions: each edition's status, origin and who made and published it; the course's git
link; the source files of every edition, stored by content hash

Revision ID: 0017_course_editions
Revises: 0016_course_trainers
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


revision = '0017_course_editions'
down_revision = '0016_course_trainers'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('git_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('git_branch', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('git_path', sa.String(length=255), nullable=True))

    with op.batch_alter_table('course_versions', schema=None) as batch_op:
        batch_op.drop_constraint('uq_course_versions_course_id_label', type_='unique')
        batch_op.create_index('ix_course_versions_course_id_label', ['course_id', 'label'], unique=False)
        batch_op.add_column(
            sa.Column('status', sa.String(length=10), server_default='published', nullable=False)
        )
        batch_op.add_column(sa.Column('origin', sa.String(length=10), server_default='import', nullable=False))
        batch_op.add_column(
            sa.Column('origin_detail', sa.String(length=500), server_default='', nullable=False)
        )
        batch_op.add_column(sa.Column('source_commit', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('based_on_number', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('published_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('published_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_course_versions_created_by_id_users', 'users', ['created_by_id'], ['id'])
        batch_op.create_foreign_key(
            'fk_course_versions_published_by_id_users', 'users', ['published_by_id'], ['id']
        )
    # Every edition so far was published when it was imported.
    op.execute("UPDATE course_versions SET published_at = imported_at")

    op.create_table(
        'course_blobs',
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('sha256', name='pk_course_blobs'),
    )
    op.create_table(
        'course_source_files',
        sa.Column('course_version_id', sa.Integer(), nullable=False),
        sa.Column('path', sa.String(length=500), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ['course_version_id'], ['course_versions.id'],
            name='fk_course_source_files_course_version_id_course_versions',
        ),
        sa.ForeignKeyConstraint(['sha256'], ['course_blobs.sha256'], name='fk_course_source_files_sha256_course_blobs'),
        sa.PrimaryKeyConstraint('course_version_id', 'path', name='pk_course_source_files'),
    )


def downgrade():
    op.drop_table('course_source_files')
    op.drop_table('course_blobs')
    with op.batch_alter_table('course_versions', schema=None) as batch_op:
        batch_op.drop_constraint('fk_course_versions_published_by_id_users', type_='foreignkey')
        batch_op.drop_constraint('fk_course_versions_created_by_id_users', type_='foreignkey')
        for column in (
            'published_by_id', 'published_at', 'created_by_id', 'based_on_number', 'source_commit',
            'origin_detail', 'origin', 'status',
        ):
            batch_op.drop_column(column)
        batch_op.drop_index('ix_course_versions_course_id_label')
        batch_op.create_unique_constraint('uq_course_versions_course_id_label', ['course_id', 'label'])
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('git_path')
        batch_op.drop_column('git_branch')
        batch_op.drop_column('git_url')
