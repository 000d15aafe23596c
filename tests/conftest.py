"""Fixtures: an app on a fresh database per test, accounts, course folders, query counting.

The schema is built once per run by the real Alembic migrations (so every run also proves them on
the database in use); each test then starts from empty tables. TEST_DATABASE_URL selects the
database (default: a temporary SQLite file); it is wiped, so never point it at real data.
"""

from __future__ import annotations

import os
import re
import textwrap
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

os.environ["BOIDUONG_ENV"] = "test"
os.environ["SECRET_KEY"] = "test-only-secret-key-that-is-long-enough-0123456789"

import pyotp  # noqa: E402
import pytest  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from sqlalchemy import event, select, text, update  # noqa: E402

from app import create_app  # noqa: E402
from app.auth import totp  # noqa: E402
from app.auth.service import create_user  # noqa: E402
from app.courses.cli import site_urls  # noqa: E402
from app.courses.importer import import_course  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Base, Unit, User  # noqa: E402
from app.policy import SYSTEM  # noqa: E402

# Property-based fuzzing (Hypothesis): few examples and a fixed seed in `make test` and CI; many
# more with `make fuzz` (HYPOTHESIS_PROFILE=fuzz). Fuzz tests are marked `fuzz`.
_FUZZ_CHECKS = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]
settings.register_profile(
    "ci", max_examples=25, derandomize=True, deadline=None, suppress_health_check=_FUZZ_CHECKS
)
settings.register_profile("fuzz", max_examples=2000, deadline=None, suppress_health_check=_FUZZ_CHECKS)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
SETUP_KEY_RE = re.compile(r'<code class="setup-key">([A-Z2-7]+)</code>')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def _settings(database_url: str, **extra) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        **extra,
    }


@pytest.fixture(scope="session")
def _schema(database_url: str) -> None:
    app = create_app(_settings(database_url))
    with app.app_context():
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            else:
                Base.metadata.drop_all(conn)
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 (names from metadata)


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replace pytest-flask's fixture of this name, which keeps one request context pushed for the
    whole test: every client request then shares its `g`, so per-request state (the CSRF token
    Flask-WTF caches in `g`) leaks from one request into the next, unlike in a real server."""
    yield


@pytest.fixture
def client(app):
    """Replace pytest-flask's client, which keeps the last request's context pushed until the next
    one: a second browser in the same test (`app.test_client()`) would then run inside it and see
    the first one's logged-in user."""
    return app.test_client()


@pytest.fixture(autouse=True)
def _fresh_content_cache():
    """Each test starts without course content cached by an earlier one (ids repeat between tests)."""
    from app.learning.content import clear_cache

    clear_cache()
    yield


@pytest.fixture
def app_settings() -> dict:
    """Override in a test module to start the app with other settings."""
    return {}


@pytest.fixture
def app(_schema, database_url, app_settings, tmp_path):
    app = create_app(_settings(database_url, COURSES_DIR=str(tmp_path / "courses"), **app_settings))
    with app.app_context():
        _empty_tables()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_user(app):
    """Create an account as the command line would; admins come with the second factor set up
    (`second_factor=False` leaves it off). Returns the account's id."""

    def make(
        email: str = "learner@example.vn",
        role: str = "learner",
        password: str = PASSWORD,
        full_name: str = "Nguyễn Văn An",
        *,
        unit: str | None = None,
        can_override: bool = False,
        second_factor: bool | None = None,
    ):
        with app.app_context():
            unit_row = db.session.scalar(select(Unit).where(Unit.code == unit)) if unit else None
            user = create_user(
                db.session, SYSTEM, email, password, role, full_name, unit=unit_row, can_override=can_override
            )
            if second_factor if second_factor is not None else role == "admin":
                totp.enable(db.session, user, pyotp.random_base32())
            db.session.commit()
            return user.id

    return make


def csrf_token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def totp_code(app, email: str) -> str:
    """A code the account's authenticator app would show now and that the site has not seen yet.

    The site accepts each 30-second step once and the neighbouring steps for clock drift; a test
    that logs the same admin in more often than that starts the account's record of used steps
    afresh (a test-only shortcut: a person would wait for the next code)."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        generator = pyotp.TOTP(user.totp_secret)
        now = generator.timecode(datetime.now(UTC))
        step = now if user.totp_last_step is None or user.totp_last_step < now else user.totp_last_step + 1
        if step > now + 1:
            db.session.execute(update(User).where(User.id == user.id).values(totp_last_step=None))
            db.session.commit()
            step = now
        return generator.generate_otp(step)


class Auth:
    def __init__(self, client, app=None):
        self.client = client
        self.app = app

    def login(self, email: str = "learner@example.vn", password: str = PASSWORD):
        """Log in through the pages: the password, then the second step where the account has one
        (an admin without one sets it up on the way, as the site asks)."""
        token = csrf_token(self.client, "/login")
        response = self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )
        location = response.headers.get("Location", "")
        if location.startswith("/login/code"):
            token = csrf_token(self.client, "/login/code")
            code = totp_code(self.app, email)
            response = self.client.post("/login/code", data={"code": code, "csrf_token": token})
        elif location.startswith("/account/two-factor"):
            response = self.enrol_second_factor()
        return response

    def enrol_second_factor(self):
        html = self.client.get("/account/two-factor").get_data(as_text=True)
        secret = SETUP_KEY_RE.search(html).group(1)
        token = CSRF_RE.search(html).group(1)
        code = pyotp.TOTP(secret).now()
        response = self.client.post("/account/two-factor", data={"code": code, "csrf_token": token})
        assert "recovery-codes" in response.get_data(as_text=True), "enrolment failed"
        return response

    def logout(self):
        token = csrf_token(self.client, "/courses/")
        return self.client.post("/logout", data={"csrf_token": token})

    def post(self, path: str, data: dict | None = None, token_from: str = "/courses/", **kw):
        data = {**(data or {}), "csrf_token": csrf_token(self.client, token_from)}
        return self.client.post(path, data=data, **kw)


@pytest.fixture
def auth(client, app) -> Auth:
    return Auth(client, app)


@pytest.fixture
def learner(make_user, auth):
    """A logged-in learner; returns the user's id."""
    user_id = make_user()
    auth.login()
    return user_id


def write_course(
    root: Path,
    folder: str = "khoa-hoc",
    *,
    code: str = "KH-01",
    title: str = "Chuyển đổi số cơ bản",
    version: str = "1.0",
    category: str = "digital-transformation",
    hours: int = 4,
    lessons: dict[str, str] | None = None,
    extra_front: str = "",
) -> Path:
    """Write a course folder; `lessons` maps file names to their Markdown."""
    path = root / folder
    path.mkdir(parents=True, exist_ok=True)
    (path / "course.md").write_text(
        textwrap.dedent(f"""\
        ---
        code: {code}
        title: {title}
        summary: Khoá học thử nghiệm về {title.lower()}.
        category: {category}
        hours: {hours}
        version: "{version}"
        {extra_front}---

        Giới thiệu khoá học.
        """),
        encoding="utf-8",
    )
    if lessons is None:
        lessons = {
            "01-mo-dau.md": "# Mở đầu\n\nNội dung bài mở đầu.\n",
            "02-du-lieu.md": "# Dữ liệu\n\nNội dung về dữ liệu. Xem [bài đầu](01-mo-dau.md).\n",
            "03-ket-luan.md": "# Kết luận\n\nTổng kết khoá học.\n",
        }
    for name in list(path.glob("[0-9]*.md")):
        name.unlink()
    for name, body in lessons.items():
        (path / name).write_text(body, encoding="utf-8")
    return path


@pytest.fixture
def courses_root(tmp_path) -> Path:
    root = tmp_path / "courses"
    root.mkdir()
    return root


@pytest.fixture
def import_folder(app):
    def run(path: Path):
        with app.app_context(), app.test_request_context():
            outcome = import_course(db.session, path, urls=site_urls(), video_hosts=app.config["VIDEO_HOSTS"])
            if outcome.status == "failed":
                db.session.rollback()
            else:
                db.session.commit()
            return outcome

    return run


@pytest.fixture
def course(courses_root, import_folder):
    """A three-lesson course, imported; returns its folder."""
    path = write_course(courses_root)
    outcome = import_folder(path)
    assert outcome.status == "created", outcome.problems
    return path


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    @contextmanager
    def counting():
        counter = QueryCounter()

        def before(conn, cursor, statement, *args):
            if not statement.lstrip().upper().startswith(("PRAGMA", "SAVEPOINT", "RELEASE")):
                counter.statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting
