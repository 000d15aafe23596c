"""Production start-up refuses what would open the gate, and the login limit holds across workers.

These start real processes (Python, gunicorn, redis-server) the way a city's server would.
`REQUIRE_REDIS=1` (set by .ci/run) turns a missing redis-server into a failure instead of a skip.
"""

from __future__ import annotations

import http.cookiejar
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from flask_migrate import upgrade

from app import create_app
from app.auth.service import create_user
from app.certificates.keys import generate, write_private_key
from app.config import DEV_SECRET_KEY, PROJECT_ROOT
from app.extensions import db
from app.policy import SYSTEM
from bench.cluster import free_port, wait_listening
from tests import helpers

KEY = "a-production-secret-key-of-forty-chars!!"
BIN = Path(sys.executable).parent


def _env(tmp_path: Path, **extra) -> dict:
    key_file = tmp_path / "certificate-key.pem"
    if not key_file.exists():
        write_private_key(key_file, generate())
    return {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "BOIDUONG_ENV": "production",
        "SECRET_KEY": KEY,
        "INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/prod.sqlite3",
        "CERTIFICATE_KEY_FILE": str(key_file),
        **extra,
    }


def _database(tmp_path: Path, *accounts: tuple[str, str]) -> None:
    """A migrated SQLite database with these (e-mail, role) accounts."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/prod.sqlite3"})
    with app.app_context():
        upgrade()
        for email, role in accounts:
            create_user(db.session, SYSTEM, email, "một mật khẩu đủ dài 2026", role)
        db.session.commit()
        db.engine.dispose()


def _start(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import wsgi"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    "key, message", [(DEV_SECRET_KEY, "built-in development key"), ("k" * 31, "at least 32 characters")]
)
def test_production_refuses_a_weak_key(tmp_path, key, message):
    result = _start(_env(tmp_path, SECRET_KEY=key))
    assert result.returncode != 0 and message in result.stderr


def test_production_refuses_to_serve_while_demo_accounts_can_log_in(tmp_path):
    _database(tmp_path, ("quantri@demo.boiduong.vn", "admin"), ("real@hanoi.gov.vn", "admin"))
    env = _env(tmp_path)
    result = _start(env)
    assert result.returncode != 0
    assert "demo accounts" in result.stderr and "quantri@demo.boiduong.vn" in result.stderr
    assert "real@hanoi.gov.vn" not in result.stderr
    # the command line still works, so that the operator can deactivate them
    deactivate = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "users", "deactivate", "quantri@demo.boiduong.vn"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert deactivate.returncode == 0, deactivate.stderr
    assert _start(env).returncode == 0


def test_gunicorn_refuses_several_workers_counting_logins_alone(tmp_path):
    _database(tmp_path)
    result = subprocess.run(
        [str(BIN / "gunicorn"), "--workers", "2", "--bind", "127.0.0.1:0", "wsgi:app"],
        cwd=PROJECT_ROOT,
        env=_env(tmp_path, RATELIMIT_STORAGE_URI="memory://"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "refusing to start 2 workers with RATELIMIT_STORAGE_URI=memory://" in result.stdout + result.stderr


@pytest.fixture
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    if server is None:
        helpers.missing("redis-server is not installed (apt-get install redis-server)", "REQUIRE_REDIS")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_listening(port)
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


class _Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            _NoRedirect(),
        )
        html = self.opener.open(base + "/login").read().decode()
        self.token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)

    def login(self, email: str, address: str = "") -> int:
        data = urllib.parse.urlencode(
            {"email": email, "password": "không phải mật khẩu", "csrf_token": self.token}
        )
        request = urllib.request.Request(self.base + "/login", data=data.encode(), method="POST")
        if address:
            request.add_header("X-Forwarded-For", address)
        try:
            return self.opener.open(request).status
        except urllib.error.HTTPError as error:
            return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_the_login_limit_holds_across_four_workers_on_redis(tmp_path, redis_url):
    _database(tmp_path, ("canbo@hanoi.gov.vn", "learner"))
    port = free_port()
    env = _env(
        tmp_path,
        RATELIMIT_STORAGE_URI=redis_url,
        LOGIN_RATE_LIMIT="10 per minute",
        LOGIN_ACCOUNT_RATE_LIMIT="5 per minute",
        TRUSTED_PROXIES="1",
    )
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "4", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        wait_listening(port, 60)
        browser = _Browser(f"http://127.0.0.1:{port}")
        # one address trying sixty different accounts: ten answers, then "too many attempts"
        codes = [browser.login(f"thu-{n}@hanoi.gov.vn", "203.0.113.7") for n in range(60)]
        assert codes.count(200) == 10 and codes.count(429) == 50, codes
        # one account tried from sixty addresses: five answers, whether or not the account exists
        for email in ("canbo@hanoi.gov.vn", "khong-co@hanoi.gov.vn"):
            codes = [browser.login(email, f"198.51.100.{n}") for n in range(60)]
            assert codes.count(200) == 5 and codes.count(429) == 55, (email, codes)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
