"""Backups that restore (README "Backups"): a populated database is backed up, restored into an
empty one, and found the same: every table's row count, the training records and certificates,
and an audit chain that still verifies. SQLite through `flask db backup` / `flask db restore`;
PostgreSQL through pg_dump -Fc / pg_restore --no-owner, the commands the README gives.

pg_dump and pg_restore come with Debian's postgresql-client. Where they are missing the PostgreSQL
test skips, unless REQUIRE_PG_TOOLS=1 (set by .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, inspect, make_url, select, table, text

from app import create_app
from app.extensions import db
from app.models import Certificate, TrainingRecord
from app.org.audit import verify
from tests import helpers
from tests.helpers import config_for

LESSONS = {"01-mo-dau.md": "# Mở đầu\n\nNội dung bài mở đầu.\n"}


def _backend(database_url: str) -> str:
    return make_url(database_url).get_backend_name()


@pytest.fixture
def populated(make, auth):
    """A course imported, a learner who completed it (a training record, a certificate), audit
    entries (the logins, and views of the profile)."""
    make.course(lessons=LESSONS)
    learner = make.user(full_name="Nguyễn Thị Lan")
    cadre = make.cadre(user=learner, full_name="Nguyễn Thị Lan")
    make.enrolment(learner)
    auth.login()
    auth.post("/courses/KH-01/lessons/mo-dau/complete", token_from="/courses/KH-01/lessons/mo-dau")
    for _ in range(3):
        make.audit_entry("view_profile", "cadre", cadre)


def _snapshot(app) -> dict:
    """What a restore must give back: every table's row count, the training records and the
    certificates row by row, and the audit chain's verdict, length and last hash."""
    with app.app_context():
        names = sorted(inspect(db.engine).get_table_names())
        counts = {
            name: db.session.execute(select(func.count()).select_from(table(name))).scalar() for name in names
        }
        records = [
            tuple(row)
            for row in db.session.execute(select(TrainingRecord.__table__).order_by(TrainingRecord.id))
        ]
        certificates = [
            tuple(row) for row in db.session.execute(select(Certificate.__table__).order_by(Certificate.id))
        ]
        chain = verify(db.session)
        db.session.remove()
    assert counts["courses"] == 1 and counts["training_records"] == 1 and counts["certificates"] == 1
    assert counts["audit_entries"] >= 3
    return {
        "counts": counts,
        "records": records,
        "certificates": certificates,
        "chain": (chain.ok, chain.entries, chain.last_hash),
    }


def _dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- SQLite -------------------------------------------------------------------------------------


@pytest.fixture
def sqlite_only(database_url):
    if _backend(database_url) != "sqlite":
        pytest.skip("SQLite's backup commands; PostgreSQL has its own test below")


def _db(app, *args):
    return app.test_cli_runner().invoke(args=["db", *map(str, args)])


def test_a_sqlite_backup_restores_into_an_empty_database(app, populated, sqlite_only, tmp_path):
    before = _snapshot(app)
    backup = tmp_path / "boiduong-backup.sqlite3"
    result = _db(app, "backup", backup)
    assert result.exit_code == 0, result.output
    assert "backed up to" in result.output
    assert not (tmp_path / "boiduong-backup.sqlite3-wal").exists()  # one self-contained file

    restored = create_app(config_for("sqlite:///" + str(tmp_path / "restored.sqlite3")))
    with restored.app_context():
        upgrade()  # a migrated database holds no data yet: a restore may go into it
    result = _db(restored, "restore", backup)
    assert result.exit_code == 0, result.output
    assert f"audit log intact: {before['chain'][1]} entries" in result.output
    assert _snapshot(restored) == before
    _dispose(restored)


def test_a_restore_never_overwrites_a_database_with_data(app, populated, sqlite_only, tmp_path):
    backup = tmp_path / "backup.sqlite3"
    assert _db(app, "backup", backup).exit_code == 0
    before = _snapshot(app)
    result = _db(app, "restore", backup)
    assert result.exit_code == 1
    assert "holds data" in result.output and "new, empty database" in result.output
    assert _snapshot(app) == before


def test_a_backup_refuses_an_existing_file_and_a_restore_refuses_what_is_not_a_backup(
    app, sqlite_only, tmp_path
):
    existing = tmp_path / "yesterday.sqlite3"
    existing.write_bytes(b"yesterday's backup")
    result = _db(app, "backup", existing)
    assert result.exit_code == 1 and "exists already" in result.output
    assert existing.read_bytes() == b"yesterday's backup"
    restored = create_app(config_for("sqlite:///" + str(tmp_path / "new.sqlite3")))
    result = _db(restored, "restore", existing)
    assert result.exit_code == 1 and "not a Boiduong SQLite database" in result.output
    _dispose(restored)


def test_a_backup_is_taken_while_a_writer_holds_the_database(app, populated, sqlite_only, tmp_path):
    """The site keeps serving: a transaction in progress neither blocks the backup nor gets into it."""
    with app.app_context():
        path = db.engine.url.database
    writer = sqlite3.connect(path)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE courses SET code = 'HALF-WRITTEN'")
        result = _db(app, "backup", tmp_path / "during.sqlite3")
    finally:
        writer.rollback()
        writer.close()
    assert result.exit_code == 0, result.output
    with sqlite3.connect(tmp_path / "during.sqlite3") as copy:
        assert copy.execute("SELECT code FROM courses").fetchall() == [("KH-01",)]


# --- PostgreSQL ---------------------------------------------------------------------------------


def _pg_tools() -> None:
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if not missing:
        return
    helpers.missing(
        f"{' and '.join(missing)} not found: apt-get install postgresql-client", "REQUIRE_PG_TOOLS"
    )


def _libpq(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"{command[0]} failed: {done.stderr}"


def _empty_schema(app) -> None:
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    _dispose(app)


def test_a_postgresql_dump_restores_into_an_empty_database(app, populated, database_url, tmp_path):
    if _backend(database_url) != "postgresql":
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL=postgresql+psycopg://...)")
    _pg_tools()
    before = _snapshot(app)
    refused = _db(app, "backup", tmp_path / "x.sqlite3")  # SQLite's command, which says what to use
    assert refused.exit_code == 1 and "pg_dump -Fc" in refused.output and "pg_restore" in refused.output
    dump = tmp_path / "boiduong.dump"
    _run("pg_dump", "-Fc", "--no-owner", "-f", str(dump), "-d", _libpq(database_url))
    _dispose(app)
    # The test database itself, emptied, is the empty database restored into (the tests' role may
    # not create databases); if anything fails, it is rebuilt by the migrations for the tests after.
    _empty_schema(app)
    try:
        _run("pg_restore", "--no-owner", "--exit-on-error", "-d", _libpq(database_url), str(dump))
        assert _snapshot(app) == before
    except BaseException:
        _empty_schema(app)
        with app.app_context():
            upgrade()
        raise
    finally:
        _dispose(app)
