"""The migrations build exactly the schema the models describe, on the database in use."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from app.config import PROJECT_ROOT
from app.courses.search import is_search_index
from app.extensions import db
from app.models import Base


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as conn:
        # The search index is made by the migration for one database only (an FTS5 table, a GIN index).
        opts = {"compare_type": True, "include_name": lambda name, *_: not is_search_index(name)}
        context = MigrationContext.configure(conn, opts=opts)
        assert compare_metadata(context, Base.metadata) == []


def test_migrations_ran_to_their_single_head(app):
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, heads  # one line of history, no unmerged branches
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_revision() == heads[0]


def test_the_review_cycle_migration_keeps_editions_imported_before_it(app, courses_root, import_folder):
    """0015 adds the review date and cycle to existing course versions (empty: never reviewed)
    and takes them away again, on SQLite and PostgreSQL."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect, select

    from app.models import CourseVersion
    from tests.helpers import write_course

    assert import_folder(write_course(courses_root)).status == "created"
    with app.app_context():
        downgrade(revision="0014_legal_documents")
        db.session.remove()
        columns = {c["name"] for c in inspect(db.engine).get_columns("course_versions")}
        assert "reviewed_on" not in columns and "review_every_months" not in columns
        upgrade()
        db.session.remove()
        row = db.session.execute(
            select(CourseVersion.label, CourseVersion.reviewed_on, CourseVersion.review_every_months)
        ).one()
    assert tuple(row) == ("1.0", None, None)
