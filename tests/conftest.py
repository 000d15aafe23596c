"""Fixtures: an app on a fresh database per test, factories, the clock, worlds built once, query
counting. Helpers that are not fixtures are in tests/helpers.py.

The schema is built once per run by the real Alembic migrations (so every run also proves them on
the database in use); each test then starts from empty tables. TEST_DATABASE_URL selects the
database (default: a temporary SQLite file); it is wiped, so never point it at real data.

Under pytest-xdist (`make test` runs `-n 2`) each worker has its own database: on SQLite its own
temporary file, on PostgreSQL TEST_DATABASE_URL's database name with the worker's name appended
(`boiduong_test_gw0`), created when missing (the role needs CREATEDB, or create them beforehand).
Each run also has its own instance folder (INSTANCE_PATH), so files a test writes there (an
import's CSV file) never meet another worker's or the developer's.

A world that takes long to build (the demo city, the access matrix's two wards, the planning
tests' city) is built once per run and its rows kept in memory; each test that asks for it gets
those rows written into its empty tables, committed, in a few milliseconds (see `Worlds`).
"""

from __future__ import annotations

import atexit
import copy
import gc
import os
import shutil
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

os.environ["BOIDUONG_ENV"] = "test"
os.environ["SECRET_KEY"] = "test-only-secret-key-that-is-long-enough-0123456789"
if "INSTANCE_PATH" not in os.environ:
    os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="boiduong-test-instance-")
    atexit.register(shutil.rmtree, os.environ["INSTANCE_PATH"], ignore_errors=True)

import pytest  # noqa: E402
from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from jinja2 import BytecodeCache  # noqa: E402
from sqlalchemy import Table, create_engine, event, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app import clock as app_clock  # noqa: E402
from app import create_app  # noqa: E402
from app.auth import sessions  # noqa: E402
from app.auth.service import create_user  # noqa: E402
from app.demo.accounts import DEMO_ACCOUNTS, own_demo_courses  # noqa: E402
from app.demo.profiles import load_demo_profiles  # noqa: E402
from app.extensions import db  # noqa: E402
from app.legal import register as legal_register  # noqa: E402
from app.legal import service as legal  # noqa: E402
from app.models import Base, Cadre, LegalDocument, Unit, User  # noqa: E402
from app.models import base as models_base  # noqa: E402
from app.org.units import create_unit  # noqa: E402
from app.policy import SYSTEM  # noqa: E402
from app.profiles.reference import load_reference  # noqa: E402
from app.text import fold  # noqa: E402
from tests.factories import Factory  # noqa: E402
from tests.helpers import (  # noqa: E402
    ACCOUNTS,
    PASSWORD,
    PROJECT_COURSES,
    Auth,
    Wards,
    config_for,
    write_course,
)
from tests.quiz_fixtures import write_quiz_course  # noqa: E402

# Property-based fuzzing (Hypothesis): few examples and a fixed seed in `make test` and CI; many
# more with `make fuzz` (HYPOTHESIS_PROFILE=fuzz). Fuzz tests are marked `fuzz`.
_FUZZ_CHECKS = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]
settings.register_profile(
    "ci", max_examples=25, derandomize=True, deadline=None, suppress_health_check=_FUZZ_CHECKS
)
settings.register_profile("fuzz", max_examples=2000, deadline=None, suppress_health_check=_FUZZ_CHECKS)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

pytest_plugins = ("tests.git_servers",)  # real git servers on 127.0.0.1, for the tests that fetch


# --- what starting an app costs -------------------------------------------------------------------
# Every test starts its own app (1,700 of them a run). Most of an app's start went to two things
# that say nothing about the app: Werkzeug compiling, for each of its ~110 URL rules, two small
# Python functions that build the rule's URLs (the same rule compiles to the same function: they are
# compiled once per run now), and Python's cyclic garbage collector walking the objects pytest
# holds (the modules, every collected test) each time the new app's objects pass its threshold
# (those are frozen once collected, and the threshold is higher). 0.3 s an app became 0.05 s.
# Then each app compiled every template it showed again (0.15 s a test): the apps share Jinja's
# compiled templates now, checked against each template's source as Jinja does.


def _compile_url_builders_once() -> None:
    from werkzeug.routing.rules import Rule

    compiled: dict = {}
    compile_builder = Rule._compile_builder

    def once(self, append_unknown: bool = True):
        key = (
            self.rule,
            tuple(self._trace),
            repr(sorted((self.defaults or {}).items())),
            tuple((name, type(converter)) for name, converter in self._converters.items()),
            append_unknown,
        )
        if key not in compiled:
            compiled[key] = compile_builder(self, append_unknown)
        return compiled[key]

    Rule._compile_builder = once


class _CompiledTemplates(BytecodeCache):
    """Jinja's compiled templates, in memory, shared by every app of the run."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_compile_url_builders_once()
Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": _CompiledTemplates()}
gc.set_threshold(50_000, 20, 20)


def pytest_collection_finish(session) -> None:
    gc.freeze()  # what is alive now (modules, the collected tests) lives until the end


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, ... under pytest-xdist
    if url and worker:
        return worker_database(url, worker)
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def worker_database(url: str, worker: str) -> str:
    """The database of one xdist worker: the given one's name with the worker's appended, on the
    same server, created (empty) when missing."""
    given = make_url(url)
    if given.get_backend_name() != "postgresql":
        raise pytest.UsageError(f"TEST_DATABASE_URL: no per-worker database for {given.get_backend_name()}")
    name = f"{given.database}_{worker}"
    engine = create_engine(given, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            found = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            if not found:
                try:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
                except Exception as error:  # noqa: BLE001 - say what to do instead
                    raise pytest.UsageError(
                        f"cannot create the test database {name} for xdist worker {worker} ({error}); "
                        f"give the role CREATEDB or run: createdb -O {given.username} {name}"
                    ) from error
    finally:
        engine.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _schema(database_url: str) -> None:
    app = create_app(config_for(database_url))
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
    """Delete every row, children first; on PostgreSQL each id sequence starts again at 1, as in a
    new database (tests name rows by id). DELETE rather than TRUNCATE: a test leaves a few hundred
    rows at most, and TRUNCATE gives every table and index new files, which on PostgreSQL costs
    more than most tests (0.2-0.6 s against 5 ms)."""
    tables = list(reversed(Base.metadata.sorted_tables))
    with db.engine.begin() as conn:
        for table in tables:
            conn.execute(table.delete())
        if conn.dialect.name == "postgresql":
            _set_sequences(conn, {table: 0 for table in tables if table.autoincrement_column is not None})


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
    app = create_app(config_for(database_url, COURSES_DIR=str(tmp_path / "courses"), **app_settings))
    with app.app_context():
        _empty_tables()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- the clock ----------------------------------------------------------------------------------


class _ClockDatetime(datetime):
    """`datetime` as app.models.base sees it under a stopped clock: every timestamp the app takes
    (`utcnow`, column defaults included) is the clock's moment."""

    @classmethod
    def now(cls, tz=None):
        moment = app_clock.now()
        return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)


class Clock:
    """The app's clock in one test (threads included, such as a browser test's live server)."""

    def __init__(self, monkeypatch):
        self._monkeypatch = monkeypatch

    def set_today(self, day: date) -> None:
        """Make `day` today in Vietnam (`local_today()`); timestamps, logins and one-time codes
        keep the real time."""
        app_clock.set_today(day)

    def set_now(self, moment: datetime | date) -> None:
        """Stop every clock of the app at `moment` (a day: its noon in Vietnam): today's date and
        every timestamp it takes."""
        if not isinstance(moment, datetime):
            moment = datetime.combine(moment, time(12), app_clock.LOCAL)
        app_clock.set_today(None)
        app_clock.set_now(moment)
        self._monkeypatch.setattr(models_base, "datetime", _ClockDatetime)

    @property
    def today(self) -> date:
        return app_clock.local_today()

    @property
    def now(self) -> datetime:
        return app_clock.now()


@pytest.fixture
def clock(monkeypatch):
    """Set the day (or the moment) the app lives in; the real clock again after the test."""
    yield Clock(monkeypatch)
    app_clock.set_now(None)
    app_clock.set_today(None)


# --- factories ----------------------------------------------------------------------------------


@pytest.fixture
def courses_root(tmp_path) -> Path:
    root = tmp_path / "courses"
    root.mkdir()
    return root


@pytest.fixture
def make(app, courses_root) -> Factory:
    """A factory of valid rows of every kind, committed, returned by id (tests/factories.py)."""
    return Factory(app, courses_root)


@pytest.fixture
def make_user(make):
    """Create an account as the command line would; admins come with the second factor set up
    (`second_factor=False` leaves it off). Returns the account's id."""
    return make.user


@pytest.fixture
def make_unit(make):
    return make.unit


@pytest.fixture
def make_cadre(make):
    return make.cadre


@pytest.fixture
def make_course(make):
    return make.course


@pytest.fixture
def import_folder(make):
    """Import a course folder as `flask courses import` does; returns the outcome."""
    return make.import_folder


@pytest.fixture
def quiz_course(courses_root, import_folder):
    """Imports course KT-01 (tests/quiz_fixtures.py, every question type) with the quiz settings
    given; called again with other settings, it imports a new edition."""

    def make(**settings):
        outcome = import_folder(write_quiz_course(courses_root, **settings))
        assert outcome.status in ("created", "updated"), outcome.problems

    return make


@pytest.fixture
def course(courses_root, import_folder):
    """A three-lesson course, imported; returns its folder."""
    path = write_course(courses_root)
    outcome = import_folder(path)
    assert outcome.status == "created", outcome.problems
    return path


@pytest.fixture
def auth(client, app) -> Auth:
    return Auth(client, app)


@pytest.fixture
def learner(make_user, auth):
    """A logged-in learner; returns the user's id."""
    user_id = make_user()
    auth.login()
    return user_id


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


# --- worlds built once per run ------------------------------------------------------------------


@dataclass
class _Built:
    rows: dict[Table, list[dict]]  # in an order they can be inserted in
    last_ids: dict[Table, int]  # of the tables with an id sequence
    value: object


class Worlds:
    """Worlds built once per run and copied into each test that asks for one.

    A world is built, the first time a test asks for it, into that test's empty tables by an app
    with the default test settings (so no test module's settings leak into it), through its own
    factory with its own course folders. Its rows are then read into memory, table by table; every
    later test gets them written back into its empty tables, with the same ids, and on PostgreSQL
    each id sequence moved past them. Nothing else of a world lives outside the database: course
    folders are read only while importing, the content cache is emptied before every test, and a
    one-time code's used steps are rows of the accounts table.
    """

    def __init__(self, database_url: str, root: Path):
        self.database_url = database_url
        self.root = root
        self._built: dict[str, _Built] = {}

    def copy_into(self, app, name: str, build: Callable[[Factory], object]):
        """The world `name` in the (empty) tables of `app`; returns what `build` returned."""
        built = self._built.get(name)
        if built is None:
            built = self._built[name] = self._build(name, build)
        else:
            with app.app_context(), db.engine.begin() as conn:
                for table, rows in built.rows.items():
                    conn.execute(table.insert(), rows)
                if conn.dialect.name == "postgresql":
                    _set_sequences(conn, built.last_ids)
        return copy.deepcopy(built.value)

    def _build(self, name: str, build: Callable[[Factory], object]) -> _Built:
        builder = create_app(config_for(self.database_url, COURSES_DIR=str(self.root / name)))
        value = build(Factory(builder, self.root / name))
        rows: dict[Table, list[dict]] = {}
        with builder.app_context():
            with db.engine.connect() as conn:
                for table in Base.metadata.sorted_tables:
                    found = conn.execute(select(table).order_by(*table.primary_key)).mappings()
                    if table_rows := [dict(row) for row in found]:
                        rows[table] = _parents_first(table, table_rows)
            db.session.remove()
            db.engine.dispose()
        last_ids = {
            table: max(row[table.autoincrement_column.key] for row in table_rows)
            for table, table_rows in rows.items()
            if table.autoincrement_column is not None
        }
        return _Built(rows, last_ids, value)


def _parents_first(table: Table, rows: list[dict]) -> list[dict]:
    """The rows in an order that inserts a row after the rows of its own table it refers to (a
    unit's parent, the record a correction supersedes)."""
    references = [(fk.parent.key, fk.column.key) for fk in table.foreign_keys if fk.column.table is table]
    ordered: list[dict] = []
    placed: set[tuple[str, object]] = set()
    pending = rows
    while pending:
        ready = [r for r in pending if all(r[c] is None or (to, r[c]) in placed for c, to in references)]
        assert ready, f"{table.name}: rows that refer to each other in a circle"
        ordered += ready
        placed |= {(to, r[to]) for r in ready for _c, to in references}
        pending = [r for r in pending if r not in ready]
    return ordered


def _set_sequences(conn, last_ids: dict[Table, int]) -> None:
    """Make the next id of each table its last id + 1 (0: none yet, the next is 1)."""
    calls = [
        f"setval(pg_get_serial_sequence('{table.name}', '{table.autoincrement_column.name}'), "
        f"{max(last_id, 1)}, {'true' if last_id else 'false'})"
        for table, last_id in last_ids.items()
    ]
    if calls:
        conn.execute(text("SELECT " + ", ".join(calls)))


@pytest.fixture(scope="session")
def _worlds(database_url, tmp_path_factory) -> Worlds:
    return Worlds(database_url, tmp_path_factory.mktemp("worlds"))


def _demo_city(make: Factory) -> None:
    with make.app.app_context():
        legal.load(db.session, legal_register.load())
        db.session.commit()
    for folder in sorted(p for p in PROJECT_COURSES.iterdir() if p.is_dir()):
        assert make.import_folder(folder).status == "created"
    with make.app.app_context():
        users = [
            create_user(db.session, SYSTEM, email, password, role, name)
            for email, password, role, name in DEMO_ACCOUNTS
        ]
        load_demo_profiles(db.session, users[0], users[2])
        own_demo_courses(db.session)
        db.session.commit()


@pytest.fixture
def world(app, _worlds) -> None:
    """The demo city: courses, accounts, units, cadres (as `make run` builds them)."""
    _worlds.copy_into(app, "demo-city", _demo_city)


def _shipped_courses(make: Factory) -> None:
    for folder in sorted(p for p in PROJECT_COURSES.iterdir() if p.is_dir()):
        assert make.import_folder(folder).status == "created"


@pytest.fixture
def shipped_courses(app, _worlds) -> None:
    """The courses the project ships (courses/), imported, and nothing else."""
    _worlds.copy_into(app, "shipped-courses", _shipped_courses)


def _two_wards(make: Factory) -> Wards:
    make.quiz_course()
    with make.app.app_context():
        load_reference(db.session)
        legal.load(db.session, legal_register.load())
        db.session.commit()
        legal_document = db.session.scalar(select(LegalDocument.id).order_by(LegalDocument.id).limit(1))
    make.unit("HN", "Thành phố Hà Nội", "city")
    make.unit("P-W", "Phường Tây", "ward", parent="HN")
    make.unit("P-V", "Phường Vọng", "ward", parent="HN")
    ids = {
        actor: make.user(email, role, PASSWORD, f"Người {actor}", unit=unit, can_override=override)
        for actor, (email, role, unit, override) in ACCOUNTS.items()
    }
    ids["legal_document"] = legal_document
    target = make.cadre("W-001", "Nguyễn Thị Đích", unit="P-W", user=ids["learner"])
    make.cadre("V-001", "Trần Văn Khác", unit="P-V", user=ids["other_learner"])
    training = make.training(target, "Kỹ năng số", issuer="Trường", completed_on=date(2025, 3, 1), hours=8)
    ids["qualification"] = make.qualification(target, "political-theory", "intermediate")
    ids["discipline"] = make.discipline(
        target, "reprimand", decided_on=date(2024, 5, 1), decision_no="7/QĐ-KL"
    )
    decision = make.decision(target, "division-head", unit="P-W", decision_no="1/QĐ", actor=ids["city_admin"])
    attempt = make.attempt(ids["learner"], "KT-01", "kiem-tra")
    batch = make.import_batch("can-bo.csv", b"employee_code\n", created_by=ids["ward_admin_in"])
    assignment = make.assignment("Bồi dưỡng phường Tây", ("KT-01",), unit="P-W", actor=ids["city_admin"])
    # Courses have owners: the trainer owns KT-01 (issued by ward W), the other trainer another course.
    ids["course_trainer"] = make.course_trainer(ids["trainer"], "KT-01", issuer="P-W")
    make.course(code="KH-01")
    make.course_trainer(ids["other_trainer"], "KH-01")
    with make.app.app_context():
        other = db.session.get(User, ids["other_learner"])
        login = sessions.start(db.session, other, ip_address="10.0.0.9", user_agent="x", second_factor=False)
        db.session.commit()
        login_id = login.id
    values = {
        "code": "KT-01",
        "slug": "kiem-tra",
        "sha256": "0" * 64,
        "filename": "app.css",
        "attempt_id": attempt,
        "cadre_id": target,
        "record_id": training,
        "decision_id": decision,
        "title_code": "division-head",
        "batch_id": batch,
        "assignment_id": assignment,
        "course_trainer_id": ids["course_trainer"],
        "number": 1,
        "fmt": "csv",
        "user_id": ids["learner"],
        "session_id": login_id,
        "token": "not-a-reset-token",
    }
    return Wards(ids, values)


@pytest.fixture
def wards(app, _worlds) -> Wards:
    """Two wards of one city, the access matrix's actors (ACCOUNTS), and one of each thing a route
    can be about, all belonging to the learner in ward W: `ids` by actor (and "qualification",
    "discipline"), `values` by route argument."""
    return _worlds.copy_into(app, "two-wards", _two_wards)


# The planning tests' city (`city`): code, name, type, parent.
CITY_UNITS = [
    ("HN", "Thành phố Hà Nội", "city", None),
    ("SO-NV", "Sở Nội vụ", "department", "HN"),
    ("SO-NV-TCCB", "Phòng Tổ chức cán bộ", "division", "SO-NV"),
    ("SO-NV-CCVC", "Phòng Công chức, viên chức", "division", "SO-NV"),
    ("P-BA-DINH", "Phường Ba Đình", "ward", "HN"),
    ("P-HOAN-KIEM", "Phường Hoàn Kiếm", "ward", "HN"),
]


def _planning_city(make: Factory) -> None:
    with make.app.app_context():
        load_reference(db.session)
        units: dict[str, Unit] = {}
        for code, name, kind, parent in CITY_UNITS:
            units[code] = create_unit(
                db.session, None, code=code, name=name, type=kind, parent=units.get(parent)
            )
        for n in range(1, 11):
            name = f"Cán bộ Số {n}"
            db.session.add(
                Cadre(
                    employee_code=f"HN-{n:06d}",
                    full_name=name,
                    search_name=fold(name),
                    date_of_birth=date(1980, 1, n),
                    gender="female" if n % 2 else "male",
                    staff_type="civil_servant",
                    unit_id=units["SO-NV-TCCB" if n <= 8 else "P-BA-DINH"].id,
                    title_code="division-deputy",
                )
            )
        db.session.commit()


@pytest.fixture
def city(app, _worlds) -> None:
    """Units, titles and ten cadres: HN-000001…HN-000008 in Phòng Tổ chức cán bộ, HN-000009 and
    HN-000010 in Phường Ba Đình."""
    _worlds.copy_into(app, "planning-city", _planning_city)
