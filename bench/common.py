"""What the in-process benchmarks share: an app on a freshly migrated, empty database."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def fresh_app():
    """(app, temporary folder, database URL): SQLite in the folder, or BENCH_DATABASE_URL (emptied).

    The caller runs inside `with app.app_context(), app.test_request_context():`; the schema has
    been dropped and rebuilt by the project's migrations.
    """
    tmp = Path(tempfile.mkdtemp(prefix="boiduong-bench-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.update(BOIDUONG_ENV="development", DATABASE_URL=url, INSTANCE_PATH=str(tmp))

    from flask_migrate import upgrade
    from sqlalchemy import text

    from app import create_app
    from app.extensions import db
    from app.models import Base

    app = create_app()
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(db.engine)
        upgrade()
    return app, tmp, url


def analyze(db) -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL)."""
    from sqlalchemy import text

    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
