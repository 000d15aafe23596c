"""Whether this process can serve: the database answers quickly and its schema is the code's.

The check has an engine of its own that gives up quickly (a connection in READY_TIMEOUT seconds,
a statement in as long), so that a database that hangs makes `/readyz` answer 503 in about two
seconds instead of waiting as long as a page would, and a full request pool does not make the
check wait behind pages. It keeps no connection between checks (a new one each time, a few
milliseconds: no idle connection per worker, none left stale after the database restarts). The
head of migrations/ is read once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from app.config import PROJECT_ROOT

READY_TIMEOUT = 2  # seconds, to connect and to answer
MIGRATIONS = PROJECT_ROOT / "migrations"
_ENGINE_KEY = "boiduong.readiness_engine"
_STATE_KEY = "boiduong.ready"


@dataclass(frozen=True)
class Readiness:
    ok: bool
    reason: str


@cache
def migration_heads() -> frozenset[str]:
    """The revisions migrations/ ends at (one, unless two branches wait to be merged)."""
    return frozenset(ScriptDirectory(str(MIGRATIONS)).get_heads())


def _engine(app: Flask) -> Engine:
    engine = app.extensions.get(_ENGINE_KEY)
    if engine is None:
        url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        if url.get_backend_name() == "postgresql":
            connect_args = {
                "connect_timeout": READY_TIMEOUT,
                "options": f"-c statement_timeout={READY_TIMEOUT * 1000}",
            }
        else:
            connect_args = {"timeout": READY_TIMEOUT}
        engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
        app.extensions[_ENGINE_KEY] = engine
    return engine


def _check(app: Flask) -> tuple[Readiness, str]:
    try:
        with _engine(app).connect() as connection:
            current = frozenset(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        return Readiness(False, "database unavailable"), f"{type(cause).__name__}: {cause}".strip()
    if current != migration_heads():
        found = ", ".join(sorted(current)) or "none"
        return Readiness(False, "database not migrated to head"), f"database at {found}"
    return Readiness(True, "ready"), ""


def readiness(app: Flask) -> Readiness:
    """Ready when the database answers within READY_TIMEOUT and is at the head of migrations/.
    The log says so once when this process stops being ready, and once when it is ready again."""
    result, why = _check(app)
    was_ok = app.extensions.get(_STATE_KEY, True)
    if was_ok and not result.ok:
        app.logger.warning("not ready: %s (%s)", result.reason, why.splitlines()[0] if why else "")
    elif result.ok and not was_ok:
        app.logger.warning("ready again: the database answers and is at the head of migrations/")
    app.extensions[_STATE_KEY] = result.ok
    return result
