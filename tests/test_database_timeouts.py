"""The pool and the statement timeout (app/database.py): a runaway query cannot hold a worker."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import make_url, text

from app import create_app
from app.access import PUBLIC, allow
from app.config import ConfigError, load_config
from app.database import engine_options
from app.extensions import db
from tests.helpers import config_for

POSTGRES = "postgresql+psycopg://u:p@db:5432/boiduong"


def _config(url: str, **env: str) -> dict:
    return load_config("instance", {"BOIDUONG_ENV": "development", "DATABASE_URL": url, **env})


def test_postgresql_gets_a_bounded_pool_and_a_statement_timeout():
    options = engine_options(_config(POSTGRES))
    assert options["pool_pre_ping"] is True
    assert (options["pool_size"], options["max_overflow"]) == (3, 2)
    assert options["pool_timeout"] == 10
    assert options["pool_recycle"] == 1800
    assert options["connect_args"] == {"connect_timeout": 5, "options": "-c statement_timeout=20000"}


def test_the_numbers_come_from_the_environment():
    config = _config(POSTGRES, DB_POOL_SIZE="8", DB_MAX_OVERFLOW="0", DB_STATEMENT_TIMEOUT_MS="0")
    options = engine_options(config)
    assert (options["pool_size"], options["max_overflow"]) == (8, 0)
    assert options["connect_args"]["options"] == "-c statement_timeout=0"  # 0: no limit


@pytest.mark.parametrize("value", ["soon", "-1"])
def test_a_bad_number_stops_the_start_naming_it(value):
    with pytest.raises(ConfigError, match="DB_STATEMENT_TIMEOUT_MS"):
        _config(POSTGRES, DB_STATEMENT_TIMEOUT_MS=value)


def test_sqlite_keeps_its_own_pool():
    assert engine_options(_config("sqlite:///boiduong.sqlite3")) == {"pool_pre_ping": True}


def test_a_runaway_query_is_cancelled_and_the_reader_gets_the_error_page(database_url):
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no statement timeout (set TEST_DATABASE_URL)")
    app = create_app(config_for(database_url, DB_STATEMENT_TIMEOUT_MS=300, PROPAGATE_EXCEPTIONS=False))

    @allow(PUBLIC)
    def runaway_report():
        db.session.execute(text("SELECT pg_sleep(10)"))
        return "finished"

    app.add_url_rule("/runaway-report", view_func=runaway_report)
    client = app.test_client()
    started = time.monotonic()
    response = client.get("/runaway-report")
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"the query ran for {elapsed:.1f} s"
    assert response.status_code in (500, 503)
    page = response.get_data(as_text=True)
    assert '<html lang="vi"' in page and "error-page" in page  # the app's own page, in Vietnamese
    assert "finished" not in page
    # The worker goes on serving: its connection was not left in a failed transaction.
    assert client.get("/readyz").status_code == 200
    assert client.get("/login").status_code == 200
    with app.app_context():
        assert db.session.execute(text("SHOW statement_timeout")).scalar() == "300ms"
        db.session.remove()
        db.engine.dispose()
