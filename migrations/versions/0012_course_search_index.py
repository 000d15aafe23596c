"""course search index: folded search documents of every current course version (code, title,
summary, category in Vietnamese and English, lesson titles and text), indexed by FTS5 on SQLite
and by a GIN index over a 'simple' tsvector on PostgreSQL

Revision ID: 0012_course_search
Revises: 0011
Create Date: 2026-11-29

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_course_search'
down_revision = '0011'
branch_labels = None
depends_on = None

FTS = "course_search_fts"
PG_INDEX = "ix_course_search_documents_tsv"

# SQLite: an external-content FTS5 table over course_search_documents.folded, kept in step by
# triggers (every insert, update and delete of a document, whoever makes it).
_SQLITE_INDEX = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5("
    "folded, content='course_search_documents', content_rowid='id')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_ai AFTER INSERT ON course_search_documents BEGIN "
    f"INSERT INTO {FTS}(rowid, folded) VALUES (new.id, new.folded); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_ad AFTER DELETE ON course_search_documents BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, folded) VALUES ('delete', old.id, old.folded); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_au AFTER UPDATE ON course_search_documents BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, folded) VALUES ('delete', old.id, old.folded); "
    f"INSERT INTO {FTS}(rowid, folded) VALUES (new.id, new.folded); END",
]


def _backfill():
    """Documents of every course's current version, from what is stored (lesson HTML)."""
    from app.courses.search import document_rows

    bind = op.get_bind()
    versions = bind.execute(sa.text(
        "SELECT v.id, c.code, v.title, v.summary, v.category FROM course_versions v "
        "JOIN courses c ON c.id = v.course_id AND v.number = c.current_version_number"
    )).all()
    documents = sa.table(
        "course_search_documents",
        sa.column("course_version_id", sa.Integer),
        sa.column("lesson_id", sa.Integer),
        sa.column("rank", sa.Integer),
        sa.column("folded", sa.Text),
    )
    for version_id, code, title, summary, category in versions:
        lessons = bind.execute(
            sa.text("SELECT id, title, html FROM lessons WHERE course_version_id = :v ORDER BY position"),
            {"v": version_id},
        ).all()
        rows = document_rows(version_id, (code, title, summary, category), [tuple(r) for r in lessons])
        if rows:
            bind.execute(documents.insert(), rows)


def upgrade():
    op.create_table('course_search_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_version_id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('folded', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['course_version_id'], ['course_versions.id'], ),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('course_search_documents', schema=None) as batch_op:
        batch_op.create_index('ix_course_search_documents_version', ['course_version_id', 'rank'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_search_documents_lesson_id'), ['lesson_id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX {PG_INDEX} ON course_search_documents "
            "USING gin (to_tsvector('simple'::regconfig, folded))"
        )
    else:
        for statement in _SQLITE_INDEX:
            op.execute(statement)

    _backfill()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
    else:
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {FTS}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {FTS}")
    with op.batch_alter_table('course_search_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_search_documents_lesson_id'))
        batch_op.drop_index('ix_course_search_documents_version')

    op.drop_table('course_search_documents')
