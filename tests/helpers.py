"""Helpers the test modules share (fixtures live in conftest.py): logging in through the pages,
course folders, the demo city's people, and a few steps several tests take."""

from __future__ import annotations

import importlib.util
import os
import re
import textwrap
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyotp
import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import delete, select, update
from werkzeug.datastructures import MultiDict

from app import clock, policy
from app.access import rule_for
from app.auth.service import create_user
from app.demo.accounts import DEMO_ACCOUNTS
from app.extensions import db
from app.learning import service as learning
from app.models import Cadre, QualificationRecord, Unit, User
from app.policy import SYSTEM
from app.profiles import decisions, records
from app.profiles.eligibility import add_months
from app.quizzes import service as quizzes
from app.quizzes.forms import read_replies

ROOT = Path(__file__).resolve().parent.parent
PROJECT_COURSES = ROOT / "courses"

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
SETUP_KEY_RE = re.compile(r'<code class="setup-key">([A-Z2-7]+)</code>')

# The demo city's people (app.demo and app.demo.profiles).
CITY_ADMIN = DEMO_ACCOUNTS[2][:2]  # city-wide, with the override permission
WARD_ADMIN = ("quantri.phuong@demo.boiduong.vn", "quantri-phuong-demo")  # Phường Ba Đình, no override


# The access matrix's actors (the `wards` world): actor -> (e-mail, role, unit, may override).
ACCOUNTS = {
    "learner": ("hv@example.vn", "learner", "P-W", False),
    "other_learner": ("hv2@example.vn", "learner", "P-V", False),
    "trainer": ("gv@example.vn", "trainer", None, False),  # owns course KT-01, issued by ward W
    "other_trainer": ("gv2@example.vn", "trainer", None, False),  # owns another course, KH-01
    "ward_admin_in": ("qt.w@example.vn", "admin", "P-W", False),
    "ward_admin_out": ("qt.v@example.vn", "admin", "P-V", False),
    "city_admin": ("qt@example.vn", "admin", None, False),
    "override_admin": ("qt.qd@example.vn", "admin", None, True),
}


@dataclass
class Wards:
    """The `wards` world: account ids by actor (and the target's "qualification" and
    "discipline"), and a value for each route argument."""

    ids: dict[str, int]
    values: dict[str, object]


# Routes of the access matrix whose path values differ from `Wards.values` (a name in
# `Wards.ids` is replaced by that id).
OVERRIDES = {
    "learning.lesson": {"slug": "bai-mot"},
    "learning.complete_lesson": {"slug": "bai-mot"},
    "profiles.revoke_qualification": {"record_id": "qualification"},
    "profiles.change_discipline": {"record_id": "discipline"},
    "legal.edit": {"document_id": "legal_document"},
    "teach.end_trainer": {"course_trainer_id": "course_trainer"},
    "editions.edit_lesson": {"slug": "bai-mot"},
    # The preview of KT-01's first edition: its course page, a lesson, and trying its quiz.
    "teach_preview.edition": {"number": 1},
    "teach_preview.lesson": {"number": 1, "slug": "bai-mot"},
    "teach_preview.try_quiz": {"number": 1},
    # Written assignments: a submission that KT-01 lacks (its trainers get 404, everyone else 403).
    "marking.submission": {"submission_id": 1},
    "marking.attachment": {"submission_id": 1},
    # A learner's own attached file: a submission that does not exist (404 for whoever may ask).
    "learning.submission_file": {"submission_id": 1},
    # Certificates: one that does not exist (404 for the logged-in, whose own it would have to be).
    "certificates.page": {"certificate_id": 1},
    "certificates.pdf": {"certificate_id": 1},
    "certificates.signed": {"certificate_id": 1},
}
# Query strings that give a route its target: the review pages are asked about ward W.
QUERIES = {endpoint: {"unit": "P-W"} for endpoint in ("reports.dashboard", "reports.cadres", "reports.hours")}
QUERIES["reports.export"] = {"unit": "P-W", "what": "profiles"}
# The trainers' per-learner progress table, filtered and sorted (course KT-01 comes from the path).
QUERIES["teach.learners"] = {"status": "in_progress", "sort": "activity"}
QUERIES["teach.learners_csv"] = {"status": "completed", "sort": "score"}

# The unit picker and the decision list, asked about ward W (another ward's admin gets a field error).
QUERIES["profiles.unit_search"] = {"q": "phuong"}
QUERIES["profiles.decisions_list"] = {"unit": "P-W", "outcome": "approved", "q": "nguyen"}


def csrf_token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def totp_code(app, email: str) -> str:
    """A code the account's authenticator app would show now (by the app's clock) and that the site
    has not seen yet.

    The site accepts each 30-second step once and the neighbouring steps for clock drift; a test
    that logs the same admin in more often than that starts the account's record of used steps
    afresh (a test-only shortcut: a person would wait for the next code)."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        generator = pyotp.TOTP(user.totp_secret)
        now = generator.timecode(clock.now())
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
        code = pyotp.TOTP(secret).at(clock.now())
        response = self.client.post("/account/two-factor", data={"code": code, "csrf_token": token})
        assert "recovery-codes" in response.get_data(as_text=True), "enrolment failed"
        return response

    def logout(self):
        token = csrf_token(self.client, "/courses/")
        return self.client.post("/logout", data={"csrf_token": token})

    def post(self, path: str, data: dict | None = None, token_from: str = "/courses/", **kw):
        data = {**(data or {}), "csrf_token": csrf_token(self.client, token_from)}
        return self.client.post(path, data=data, **kw)


# --- course folders -----------------------------------------------------------------------------


def write_course(
    root: Path,
    folder: str = "khoa-hoc",
    *,
    code: str = "KH-01",
    title: str = "Chuyển đổi số cơ bản",
    version: str = "1.0",
    category: str = "digital-transformation",
    hours: int = 1,
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


# A quiz of three questions that nine learners answer in three clear thirds (`seed_attempts`).
THIRDS_QUIZ = """---
type: quiz
pass_mark: 50
shuffle_options: true
---
# Đề

## Dễ {#de points=2}

- [x] Đúng
- [ ] Sai

## Phân loại {#phan-loai}

- [x] A
- [ ] B

## Hỏng {#hong}

- [ ] Một
- [x] Hai
"""


def option(question, right: bool) -> str:
    """The id of a right (or a wrong) option of a choice question."""
    return next(o["id"] for o in question.data["options"] if o["correct"] is right)


def seed_attempts(app, courses_root, import_folder, quiz: str = THIRDS_QUIZ):
    """Nine learners in three clear thirds (75%, 50%, 25%); 'hong' is right only for the weakest.
    `quiz` may word the three questions otherwise."""
    import_folder(write_course(courses_root, "de", code="DE", lessons={"01-de.md": quiz}))
    with app.app_context():
        course, version = learning.get_course(db.session, "DE")
        quiz = quizzes.quizzes_of(db.session, version)[0]
        questions = {q.qid: q for q in quiz.questions}
        plans = (
            [{"de": True, "phan-loai": True, "hong": False}] * 3
            + [{"de": True, "phan-loai": False, "hong": False}] * 3
            + [{"de": False, "phan-loai": False, "hong": True}] * 3
        )
        for n, plan in enumerate(plans):
            user = create_user(db.session, SYSTEM, f"hv{n}@example.vn", "mat-khau-dai-du", "learner")
            learning.enrol(db.session, user, course)
            attempt = quizzes.start_attempt(db.session, user, course, quiz, seed=n)
            form = MultiDict(
                [("qids", qid) for qid in plan]
                + [(f"q-{qid}", option(questions[qid], right)) for qid, right in plan.items()]
            )
            quizzes.save_answers(db.session, attempt, read_replies(db.session, attempt, form))
            quizzes.submit_attempt(db.session, attempt, user)
        db.session.commit()


# --- the demo city ------------------------------------------------------------------------------


def cadre_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Cadre.id).where(Cadre.employee_code == code))


def run_import(app, content: bytes, name: str = "cb.csv", *extra):
    """`flask cadres import` of a file with this content."""
    path = app.instance_path + "/" + name
    with open(path, "wb") as f:
        f.write(content)
    return app.test_cli_runner().invoke(args=["cadres", "import", path, *extra])


def vi_date(day: date) -> str:
    """A date as the pages show it to Vietnamese readers: dd/mm/yyyy."""
    return day.strftime("%d/%m/%Y")


def propose(auth, cadre: int, effective_on: date | str, **fields):
    """Propose an appointment through the page (by default: ward chair of Phường Ba Đình)."""
    url = f"/cadres/{cadre}/appointments/new"
    form = {
        "title_code": "ward-chair",
        "kind": "appointment",
        "unit_code": "P-BA-DINH",
        "effective_on": str(effective_on),
        "decision_no": "15/QĐ-UBND",
        **fields,
    }
    return auth.post(url, form, token_from=url)


def migration(name: str):
    """A migration module of migrations/versions, loaded by file (the folder is not a package)."""
    path = ROOT / "migrations" / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def without_leadership(session, code: str) -> Cadre:
    """The cadre, as if they had never done the leadership programme."""
    cadre = session.scalar(select(Cadre).where(Cadre.employee_code == code))
    session.execute(
        delete(QualificationRecord).where(
            QualificationRecord.cadre_id == cadre.id, QualificationRecord.scale_code == "leadership"
        )
    )
    return cadre


def city_admin(session) -> User:
    """The demo city admin, who holds the override permission."""
    return session.scalar(select(User).where(User.email == CITY_ADMIN[0]))


def unit_by_code(session, code: str) -> Unit:
    return session.scalar(select(Unit).where(Unit.code == code))


def appoint_on_condition(app, code: str = "HN-000002", **fields) -> tuple[int, date]:
    """Appoint the cadre (by default Phạm Quốc Hùng, who meets every division-head rule but the
    leadership programme) today; an ineligible appointment is overridden. (decision id, deadline)."""
    fields = {"title_code": "division-head", "unit": "SO-NV-TCCB", "decision_no": "20/QĐ-SNV", **fields}
    with app.app_context():
        session = db.session
        cadre = without_leadership(session, code)
        decision = decisions.propose(
            session,
            city_admin(session),
            cadre,
            title_code=fields["title_code"],
            unit=unit_by_code(session, fields["unit"]),
            effective_on=clock.local_today(),
            decision_no=fields["decision_no"],
        )
        if decision.status == "blocked":
            decisions.record_override(
                session,
                city_admin(session),
                decision,
                authority="UBND Thành phố",
                authority_decision_no="99/QĐ-UBND",
                reason="Nhu cầu công tác",
            )
        session.commit()
        assert decision.condition_deadline == add_months(clock.local_today(), 12)
        return decision.id, decision.condition_deadline


# --- the planning tests' city (the `city` world) ------------------------------------------------

TERM = {"term": "2025-2030", "valid_from": date(2025, 1, 1), "valid_to": date(2030, 12, 31)}


def user_by_id(user_id: int) -> User:
    return db.session.get(User, user_id)


def cadre_no(n: int) -> Cadre:
    """Cán bộ Số n (HN-00000n)."""
    return db.session.scalar(select(Cadre).where(Cadre.employee_code == f"HN-{n:06d}"))


def plan(actor: User, n: int, unit: str = "SO-NV-TCCB", title: str = "division-head", **changes):
    """Put Cán bộ Số n in the pool for a post, for the 2025-2030 term."""
    return records.add_planning(
        db.session,
        actor,
        cadre_no(n),
        title_code=title,
        unit=unit_by_code(db.session, unit),
        decision_no=f"{n}/QĐ-SNV",
        **{**TERM, **changes},
    )


# --- the route × role matrix: every route, and what the policy says of it ---------------------------


def route_requests(app, wards: Wards):
    """(endpoint, method, path, query) for every route and method, the actor's logout last."""
    found = []
    for rule in app.url_map.iter_rules():
        values = dict(wards.values)
        for name, value in OVERRIDES.get(rule.endpoint, {}).items():
            values[name] = wards.ids.get(value, value)
        path = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, path, QUERIES.get(rule.endpoint, {})))
    return sorted(found, key=lambda r: r[0] == "auth.logout")


def policy_allows(app, actor_id: int | None, endpoint: str, method: str, path: str, query: dict) -> bool:
    """What the policy says: may this actor make this request?"""
    rule = rule_for(app, endpoint, method)
    assert rule is not None, f"{endpoint} declares no access rule"
    if rule.public:
        return True
    with app.test_request_context(path, method=method, query_string=query) as context:
        actor = db.session.get(User, actor_id) if actor_id else AnonymousUserMixin()
        if not policy.is_logged_in(actor):
            return False
        view_args = context.request.view_args or {}
        target = rule.target(db.session, view_args, context.request.args) if rule.target else None
        return rule.check(actor, target)


def missing(reason: str, required_by: str) -> None:
    """A test whose system tool is missing: skipped on a developer's machine, failed where the
    environment variable `required_by` is 1 (.ci/run sets it, so CI never skips it silently)."""
    if os.environ.get(required_by) == "1":
        pytest.fail(f"{required_by}=1 but {reason}")
    pytest.skip(reason)


# Production hashes passwords with scrypt at full strength, about 90 ms a hash on purpose; tests
# create and log in thousands of accounts, so they use a cheap scrypt (test_auth.py checks
# that production keeps the full one).
TEST_PASSWORD_HASH = "scrypt:1024:8:1"


def config_for(database_url: str, **extra) -> dict:
    """The settings of an app under test on `database_url` (and `extra`)."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH,
        **extra,
    }


def cadres_csv(rows: int) -> bytes:
    lines = ["employee_code,full_name,date_of_birth,gender,staff_type,unit_code"]
    lines += [f"HN-8{n:05d},Nguyễn Văn {n},05/03/1988,Nam,công chức,P-BA-DINH" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


@contextmanager
def every_password_check_taken(queue: int = 0):
    """An exam's login storm: another login holds the only password-check slot (LOGIN_CHECKS=1,
    LOGIN_QUEUE=`queue`) in its own thread until the block ends (app/auth/budget.py)."""
    from app.auth import budget

    taken, done = threading.Event(), threading.Event()

    def hold():
        with budget.turn(1, queue, 0):
            taken.set()
            done.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait(5)
    try:
        yield
    finally:
        done.set()
        holder.join(5)
