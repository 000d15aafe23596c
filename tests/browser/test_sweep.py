"""Every page at phone width (360×740) and at desktop width (1366×768), as each role: none scrolls
sideways, none logs a console error, and no chart's labels shrink below 11.5 px.

The pages come from `app.url_map`: every GET route is a page type in PAGES (visited by every role
the policy lets in, at both widths) or is EXCLUDED with the reason it is not a page. A route added
without an entry fails `test_every_get_route_is_swept`. Route arguments come from the access
matrix's `wards` world (tests/helpers.py `Wards`, OVERRIDES, QUERIES), with long names, an
assignment, a graded attempt and an open one added; EXTRA adds the error pages and the city-wide
review. The shipped courses' lessons (long code, wide tables) have their own sweep at 360 and 390 px.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from app.access import rule_for
from app.auth.service import issue_reset
from app.certificates import service as certificates
from app.demo.accounts import DEMO_ACCOUNTS
from app.extensions import db
from app.learning import service as learning
from app.learning import written
from app.models import Course, CourseCompletion, QuizAttempt, User
from app.models.base import utcnow
from app.policy import SYSTEM
from app.quizzes import service as quizzes
from tests.browser.helpers import overflow, small_chart_text
from tests.helpers import ACCOUNTS, OVERRIDES, PASSWORD, QUERIES, policy_allows, totp_code
from tests.written_data import ESSAY_QUIZ, WRITTEN_LESSONS
from tests.written_data import PDF as WRITTEN_PDF

pytestmark = pytest.mark.browser

WIDTHS = {"phone": (360, 740), "desktop": (1366, 768)}
LESSON_WIDTHS = {"phone": (360, 740), "phone 390": (390, 844)}
ROLES = {
    "learner": "learner",
    "trainer": "trainer",
    "unit admin": "ward_admin_in",
    "city admin": "override_admin",  # a city admin who may also record overrides
}

# Every GET route that is a page: what a person sees there.
PAGES = {
    "account.index": "account and logins",
    "account.two_factor": "second login step set-up",
    "admin.import_people_page": "cadre import",
    "admin.user": "an account",
    "admin.users": "accounts",
    "assignments.detail": "an assignment",
    "assignments.edit": "assignment editor",
    "assignments.index": "assignments",
    "audit.index": "audit log",
    "auth.login": "login",
    "auth.login_code": "second login step",
    "auth.reset_password": "password reset",
    "learning.catalogue": "course catalogue",
    "learning.course": "a course",
    "learning.home": "home",
    "learning.lesson": "a lesson",
    "learning.my_learning": "my learning",
    "legal.edit": "a legal document's edit form",
    "legal.register": "legal documents",
    "profiles.add_discipline": "discipline form",
    "profiles.add_planning": "planning form",
    "profiles.add_qualification": "qualification form",
    "profiles.add_training": "training record form",
    "profiles.cadres": "cadre list",
    "profiles.change_discipline": "discipline change form",
    "profiles.correct_training": "training correction form",
    "profiles.decision": "a decision",
    "profiles.decision_conditions": "conditional appointments",
    "profiles.decisions_list": "decisions",
    "profiles.dossier": "printed dossier",
    "profiles.edit_requirements": "requirement editor",
    "profiles.my_profile": "my profile",
    "profiles.pool": "candidate pool",
    "profiles.profile": "a cadre's profile",
    "profiles.propose": "appointment proposal",
    "profiles.requirement_sets": "requirements",
    "profiles.revoke_qualification": "qualification revocation",
    "profiles.revoke_training": "training revocation",
    "profiles.units": "units",
    "profiles.use_report": "use after training report",
    "quizzes.attempt": "a quiz attempt",
    "quizzes.result": "a quiz result",
    "reports.cadres": "review by cadre",
    "reports.dashboard": "review dashboard",
    "reports.hours": "training hours",
    "teach.course": "a course's teaching page",
    "teach.guide": "trainers' guide",
    "teach.index": "teaching",
    "teach.learners": "a course's learners' progress",
    "teach.quiz_results": "a quiz's results",
    "teach.course_trainers": "a course's trainers and issuing unit",
    "editions.upload": "upload a course as a .zip",
    "editions.index": "a course's editions",
    "editions.repository": "a course's git repository",
    "editions.edit_lesson": "the lesson editor",
    "teach_preview.edition": "the preview of an edition",
    "teach_preview.lesson": "a lesson in the preview",
    "teach_preview.try_quiz": "trying a quiz in the preview",
    "marking.queue": "a course's written assignments to mark",
    "marking.submission": "a written assignment to mark",
    "marking.attempt": "a quiz attempt's essays to mark",
    "certificates.verify": "the public verification of a certificate",
}
# GET routes that are not pages.
EXCLUDED = {
    "static": "stylesheets, scripts and icons",
    "learning.media": "an image or file of a lesson",
    "audit.export": "CSV download",
    "reports.export": "CSV/XLSX download",
    "teach.quiz_items_csv": "CSV download",
    "teach.learners_csv": "CSV download",
    "editions.download": "an edition as a .zip download",
    "assignments.overdue_csv": "CSV download",
    "profiles.unit_search": "JSON for the unit picker",
    "marking.attachment": "a learner's attached file, as a download",
    "learning.submission_file": "a learner's own attached file, as a download",
    "certificates.jwks": "JSON: the public keys certificates are checked with",
    "certificates.status_list": "the signed list of revoked certificates (a JWT)",
    "certificates.pdf": "a certificate as a PDF download",
    "certificates.signed": "a certificate as a signed credential, as a download",
    "health.healthz": "JSON for the proxy: the process answers",
    "health.readyz": "JSON for the proxy: the database answers and is migrated",
    "certificates.page": "a certificate sheet (tests/browser/test_certificates.py sweeps it at 360 px)",
}
LONG_NAME = "Nguyễn Thị Phương Thảo Hoàng Minh Anh Tôn Nữ Khánh Linh"
LONG_EMAIL = "nguyen.thi.phuong.thao.phong-tu-phap-va-ho-tich@phuong-tay-thanh-pho-ha-noi.gov.vn"
# More pages than one a route: (actor, path, status); error pages, and the whole city's review with
# its chart of every ward.
EXTRA = {
    "not found (404)": (None, "/khong-co-trang-nay", 404),
    "used or expired reset link (404)": (None, "/reset/not-a-reset-token", 404),
    "forbidden (403)": ("learner", "/audit/", 403),
    "the city's review dashboard": ("override_admin", "/review/", 200),
    "a written assignment, submitted": ("learner", "/courses/KW-01/lessons/bai-thu-hoach", 200),
    "no such certificate (404)": (None, "/verify/GCN-2026-00000-00000", 404),
}


def test_every_get_route_is_swept(app):
    gets = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    assert sorted(gets - PAGES.keys() - EXCLUDED.keys()) == [], "a new page: add it to PAGES (or EXCLUDED)"
    assert sorted((PAGES.keys() | EXCLUDED.keys()) - gets) == [], "no such route any more"


def _more_world(app, make, wards) -> dict[str, dict]:
    """Long names, an assignment, the learner's attempt graded and a second one open, a password
    reset link; the paths' changes."""
    ids = wards.ids
    make.user(LONG_EMAIL, "learner", PASSWORD, LONG_NAME, unit="P-W")  # long words in the account lists
    make.assignment("Bồi dưỡng kỹ năng số", ("KT-01",), unit="P-W", actor=ids["city_admin"])
    with app.app_context():
        learner = db.session.get(User, ids["learner"])
        learner.full_name = LONG_NAME  # in the header
        graded = db.session.get(QuizAttempt, wards.values["attempt_id"])
        quizzes.submit_attempt(db.session, graded, learner)
        course, version = learning.get_course(db.session, "KT-01")
        quiz = quizzes.quiz_of_lesson(
            db.session, learning.find_lesson(learning.lessons_of(db.session, version), "kiem-tra")
        )
        open_attempt = quizzes.start_attempt(db.session, learner, course, quiz, seed=1)
        number = _certificate(learner, course, version)
        token = issue_reset(db.session, SYSTEM, db.session.get(User, ids["other_learner"]))
        db.session.commit()
        attempt_id = open_attempt.id
    submission, essays = _written_submission(app, make, ids)
    return {
        "quizzes.attempt": {"attempt_id": attempt_id},
        "auth.reset_password": {"token": token},
        "marking.queue": {"code": "KW-01"},
        "marking.submission": {"code": "KW-01", "submission_id": submission},
        "marking.attempt": {"code": "KW-01", "attempt_id": essays},
        "certificates.verify": {"number": number},
    }


def _certificate(learner: User, course: Course, version) -> str:
    """The learner's completion of the course, with its certificate (whose number is returned)."""
    completion = CourseCompletion(
        user_id=learner.id,
        course_id=course.id,
        course_version_id=version.id,
        hours_credited=version.hours,
        score=92.5,
        completed_at=utcnow(),
    )
    db.session.add(completion)
    db.session.flush()
    return certificates.issue_for_completion(db.session, completion, learner, course, version).number


def _written_submission(app, make, ids) -> tuple[int, int]:
    """Course KW-01 with a written assignment and a quiz with essays, taught by the trainer in ward W;
    the learner's submission of the assignment, with a file, and their attempt at the quiz, both
    waiting to be marked."""
    make.course("thu-hoach", code="KW-01", lessons={**WRITTEN_LESSONS, "03-kiem-tra.md": ESSAY_QUIZ})
    make.course_trainer(ids["trainer"], "KW-01", issuer="P-W")
    make.enrolment(ids["learner"], "KW-01")
    with app.app_context(), app.test_request_context():
        learner = db.session.get(User, ids["learner"])
        course, version = learning.get_course(db.session, "KW-01")
        lesson = learning.find_lesson(learning.lessons_of(db.session, version), "bai-thu-hoach")
        text = LONG_EMAIL + " " + "Phường tôi số hoá hồ sơ một cửa. " * 5
        attachment = written.Attachment(LONG_EMAIL + ".pdf", WRITTEN_PDF)
        found = written.submit(db.session, learner, course, version, lesson, text, attachment)
        quiz = quizzes.quiz_of_lesson(
            db.session, learning.find_lesson(learning.lessons_of(db.session, version), "kiem-tra")
        )
        attempt = quizzes.start_attempt(db.session, learner, course, quiz, seed=1)
        quizzes.save_answers(
            db.session, attempt, {"bai-viet": {"text": text}, "rui-ro": {"text": LONG_EMAIL}}
        )
        quizzes.submit_attempt(db.session, attempt, learner)
        db.session.commit()
        return found.id, attempt.id


def _pages(app, wards, changes) -> list[tuple[str, str]]:
    """(endpoint, URL path with query) of every page."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in PAGES or "GET" not in rule.methods:
            continue
        values = dict(wards.values)
        for name, value in OVERRIDES.get(rule.endpoint, {}).items():
            values[name] = wards.ids.get(value, value)
        values.update(changes.get(rule.endpoint, {}))
        path = rule.build(values, append_unknown=False)[1]
        query = "&".join(f"{k}={v}" for k, v in QUERIES.get(rule.endpoint, {}).items())
        found.append((rule.endpoint, path + ("?" + query if query else "")))
    return found


def _may_see(app, wards, actor: str | None, endpoint: str, url: str) -> bool:
    path, _sep, query = url.partition("?")
    args = dict(pair.split("=") for pair in query.split("&") if pair)
    if actor is None:
        return rule_for(app, endpoint, "GET").public
    if rule_for(app, endpoint, "GET").public:
        return False  # the login pages are swept as a visitor
    return policy_allows(app, wards.ids[actor], endpoint, "GET", path, args)


class Sweep:
    """One browser page that remembers its console errors and what was wrong where."""

    def __init__(self, browser: Browser, base: str, width: str, storage_state=None):
        w, h = WIDTHS.get(width) or LESSON_WIDTHS[width]
        self.context = browser.new_context(viewport={"width": w, "height": h}, storage_state=storage_state)
        self.page: Page = self.context.new_page()
        self.base, self.width, self.errors = base, width, []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append((m.text, m.location)))
        self.page.on("pageerror", lambda e: self.errors.append((f"uncaught: {e}", {})))

    def visit(self, url: str, who: str, status: int | None = None) -> list[str]:
        self.errors.clear()
        response = self.page.goto(self.base + url)
        self.page.wait_for_load_state("load")
        here = f"{self.width} {who} {url}"
        problems = []
        if status is not None and response.status != status:
            problems.append(f"{here}: answered {response.status}, not {status}")
        if status is None and response.status >= 400:
            problems.append(f"{here}: answered {response.status}")
        if who != "visitor" and "/login" in self.page.url:
            problems.append(f"{here}: sent to the login page")
        if wide := overflow(self.page):
            problems.append(f"{here}: {wide}")
        if small := small_chart_text(self.page):
            problems.append(f"{here}: chart labels too small: {', '.join(small[:3])}")
        for text, location in self.errors:
            document_error = (
                text.startswith("Failed to load resource") and location.get("url") == response.url
            )
            if not (document_error and response.status >= 400):
                problems.append(f"{here}: console: {text} {location.get('url', '')}")
        return problems

    def log_in(self, app, email: str, password: str = PASSWORD) -> None:
        page = self.page
        page.goto(self.base + "/login")
        page.get_by_label("Thư điện tử").fill(email)
        page.get_by_label("Mật khẩu").fill(password)
        page.locator("form:has(input[type=password]) button[type=submit]").click()
        page.wait_for_load_state("load")
        if "/login/code" in page.url:
            page.get_by_label("Mã").fill(totp_code(app, email))
            page.locator("main form button[type=submit]").click()
            page.wait_for_load_state("load")
        assert "/login" not in page.url, f"{email} could not log in"


def test_every_page_fits_and_logs_no_error(app, make, wards, browser: Browser, live_server_url):
    pages = _pages(app, wards, _more_world(app, make, wards))
    problems, seen = [], {width: set() for width in WIDTHS}
    who_sees = {None: "visitor", **{actor: role for role, actor in ROLES.items()}}
    for actor, role in who_sees.items():
        mine = [(e, url) for e, url in pages if _may_see(app, wards, actor, e, url)]
        state = None
        for width in WIDTHS:
            sweep = Sweep(browser, live_server_url, width, state)
            if actor and state is None:
                sweep.log_in(app, ACCOUNTS[actor][0])
                state = sweep.context.storage_state()
            for endpoint, url in mine:
                problems += sweep.visit(url, role)
                seen[width].add(endpoint)
            for name, (who, path, status) in EXTRA.items():
                if who == actor:
                    problems += sweep.visit(path, role, status)
                    seen[width].add(name)
            sweep.context.close()
    for width in WIDTHS:
        assert seen[width] == PAGES.keys() | EXTRA.keys(), f"never visited at {width} width"
    assert problems == [], "\n".join(problems)


def test_the_shipped_lessons_fit_a_phone(app, world, browser: Browser, live_server_url):
    """Every lesson of the shipped courses (long code, wide tables), read by the demo trainer."""
    with app.app_context():
        lessons = []
        for code in db.session.scalars(select(Course.code).order_by(Course.code)):
            _course, version = learning.get_course(db.session, code)
            lessons += [
                f"/courses/{code}/lessons/{lesson.slug}"
                for lesson in learning.lessons_of(db.session, version)
            ]
    assert len(lessons) > 50
    email, password = DEMO_ACCOUNTS[1][:2]
    problems = []
    for width in LESSON_WIDTHS:
        sweep = Sweep(browser, live_server_url, width)
        sweep.log_in(app, email, password)
        for url in lessons if width == "phone" else lessons[::5]:
            problems += sweep.visit(url, "trainer")
        sweep.context.close()
    assert problems == [], "\n".join(problems)
