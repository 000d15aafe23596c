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
from pathlib import Path

os.environ["BOIDUONG_ENV"] = "test"
os.environ.pop("SECRET_KEY", None)

import pytest  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.service import create_user  # noqa: E402
from app.courses.cli import site_urls  # noqa: E402
from app.courses.importer import import_course  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Base  # noqa: E402

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


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
    def make(
        email: str = "learner@example.vn",
        role: str = "learner",
        password: str = PASSWORD,
        full_name: str = "Nguyễn Văn An",
    ):
        with app.app_context():
            user = create_user(db.session, email, password, role, full_name)
            db.session.commit()
            return user.id

    return make


def csrf_token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, email: str = "learner@example.vn", password: str = PASSWORD):
        token = csrf_token(self.client, "/login")
        return self.client.post("/login", data={"email": email, "password": password, "csrf_token": token})

    def logout(self):
        token = csrf_token(self.client, "/courses/")
        return self.client.post("/logout", data={"csrf_token": token})

    def post(self, path: str, data: dict | None = None, token_from: str = "/courses/", **kw):
        data = {**(data or {}), "csrf_token": csrf_token(self.client, token_from)}
        return self.client.post(path, data=data, **kw)


@pytest.fixture
def auth(client) -> Auth:
    return Auth(client)


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
