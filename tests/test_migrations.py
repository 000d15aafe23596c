"""The migrations build exactly the schema the models describe, on the database in use."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db
from app.models import Base


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrations_ran_to_head(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_revision() == "0009"
