"""`/healthz` and `/readyz`: what the proxy asks before it sends readers to this app server."""

from __future__ import annotations

import socket
import time

from sqlalchemy import make_url

from app import create_app
from app.ops import health
from tests.helpers import config_for


def _unreachable(database_url: str, tmp_path) -> str:
    """A database of the same kind that cannot be reached: nothing listens on port 1, and SQLite
    cannot open a file in a folder that does not exist."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return url.set(host="127.0.0.1", port=1).render_as_string(hide_password=False)
    return "sqlite:///" + str(tmp_path / "no-such-folder" / "boiduong.sqlite3")


def test_healthz_answers_without_the_database_or_a_session(client, count_queries):
    with count_queries() as counter:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"
    assert counter.count == 0
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_on_a_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "reason": "ready"}
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_503_when_the_database_does_not_answer(database_url, tmp_path, caplog):
    app = create_app(config_for(_unreachable(database_url, tmp_path)))
    client = app.test_client()
    for _ in range(3):
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.get_json() == {"status": "unavailable", "reason": "database unavailable"}
    assert client.get("/healthz").status_code == 200  # the process itself still answers
    said = [record.getMessage() for record in caplog.records if "not ready" in record.getMessage()]
    assert len(said) == 1  # once per outage, not once per check


def test_readyz_gives_up_on_a_database_that_hangs_within_seconds():
    """A server that takes the connection and never answers (a hung database, a dropped route):
    the check says 503 after READY_TIMEOUT, long before a proxy's own timeout."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        app = create_app(config_for(f"postgresql+psycopg://boiduong:x@127.0.0.1:{port}/boiduong"))
        started = time.monotonic()
        response = app.test_client().get("/readyz")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.get_json()["reason"] == "database unavailable"
    assert elapsed < health.READY_TIMEOUT + 2, f"{elapsed:.1f} s"


def test_readyz_is_503_when_the_database_is_behind_the_migrations(client, monkeypatch):
    monkeypatch.setattr(health, "migration_heads", lambda: frozenset({"9999_not_yet_applied"}))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["reason"] == "database not migrated to head"


def test_the_checks_are_never_rate_limited(database_url):
    """Even under a default limit on every page (the login page is then refused), the proxy's
    checks every few seconds always get an answer."""
    app = create_app(config_for(database_url, RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute"))
    client = app.test_client()
    assert [client.get("/login").status_code for _ in range(3)][-1] == 429
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200


def test_the_head_is_read_from_the_migrations_folder():
    heads = health.migration_heads()
    assert len(heads) == 1
    (head,) = heads
    assert (health.MIGRATIONS / "versions" / f"{head}.py").exists()
