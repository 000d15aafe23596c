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


def test_the_course_trainers_migration_leaves_existing_courses_to_the_city_admins(
    app, make, courses_root, import_folder
):
    """0016 gives existing courses no issuing unit and no trainer (the city admins' until assigned),
    keeps one assignment in force per course and trainer, and goes away again, on both databases."""
    import pytest
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect, select
    from sqlalchemy.exc import IntegrityError

    from app.models import Course, CourseTrainer
    from app.models.base import utcnow
    from tests.helpers import write_course

    assert import_folder(write_course(courses_root)).status == "created"
    trainer = make.user("gv@example.vn", "trainer")
    with app.app_context():
        downgrade(revision="0015_course_review")
        db.session.remove()
        assert "course_trainers" not in inspect(db.engine).get_table_names()
        assert "issuing_unit_id" not in {c["name"] for c in inspect(db.engine).get_columns("courses")}
        upgrade()
        db.session.remove()
        course = db.session.scalar(select(Course))
        assert course.issuing_unit_id is None
        assert db.session.scalar(select(CourseTrainer.id)) is None
        ended = CourseTrainer(course_id=course.id, user_id=trainer, role="owner", ended_at=utcnow())
        db.session.add_all([ended, CourseTrainer(course_id=course.id, user_id=trainer, role="editor")])
        db.session.commit()  # an ended assignment and one in force: a record of a change of role
        db.session.add(CourseTrainer(course_id=course.id, user_id=trainer, role="owner"))
        with pytest.raises(IntegrityError):
            db.session.commit()  # two in force for the same trainer and course
        db.session.rollback()
