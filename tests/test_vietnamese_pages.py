"""Every page of the app, in Vietnamese, as someone allowed to see it: no English form message, no
code of the labels registry shown raw, no ISO date, no command line.

The pages come from `app.url_map` (with the access matrix's world and route values: a new route is
checked without a line here), as each actor the policy lets in; forms are also posted empty, so
that their error messages are read too. What is checked is the visible text: tags, scripts,
attribute values, text areas (the requirements' YAML), author-written content (`.prose`: lessons,
the trainers' guide) and authoring syntax a person types (`code.syntax`, beside its words) are
left out.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
import wtforms
from babel.messages.pofile import read_po
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app import labels
from app.extensions import db
from app.learning import service as learning
from app.models import Cadre, Unit, User
from app.org.units import create_unit, merge_unit, move_unit, rename_unit
from app.policy import SYSTEM
from app.profiles import records
from app.quizzes import service as quizzes
from app.quizzes.forms import read_replies
from tests.conftest import _two_wards
from tests.helpers import ACCOUNTS, Wards, policy_allows, route_requests, write_course

ACTORS = ("anonymous", "learner", "trainer", "ward_admin_in", "override_admin")
# Posting these empty would end the actor's session or change the page language (the login forms
# are posted by the visitor only).
NOT_POSTED = {"auth.logout", "auth.set_language"}
LOGIN_FORMS = {"auth.login", "auth.login_code"}

NUMBERS_QUIZ = """---
type: quiz
pass_mark: 50
review: after_each
---
# Kiểm tra số liệu

## Nhiệt độ {#nhiet-do}

Nhiệt độ nước sôi ở độ cao này là bao nhiêu độ?

= 92 +- 0.5

## Khoảng {#khoang}

Một cuộc họp giao ban nên có bao nhiêu người phát biểu?

= 3..6

## Cơ quan {#co-quan}

Cơ quan tham mưu về tổ chức bộ máy là cơ quan nào?

= Sở Nội vụ
"""


# --- the checker ----------------------------------------------------------------------------------

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
COMMAND_LINE = re.compile(r"\bflask [a-z]+")  # the guide (author content) may show them; pages not
TOKEN = re.compile(r"[\w.@-]+")  # an e-mail address or a dotted code is one token
HIDDEN = {"script", "style", "textarea", "template", "head"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _VisibleText(HTMLParser):
    """The text a reader sees, without hidden elements and author content (`.prose`)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, hides its content)

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        self.stack.append((tag, tag in HIDDEN or "prose" in classes or "syntax" in classes))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not any(hides for _tag, hides in self.stack):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def registry_codes() -> set[str]:
    """Every code the labels registry knows (a level's "scale:level" key gives both), as a token
    of visible text would read it."""
    codes = set()
    for table in labels.kinds().values():
        for code in table:
            codes.update(code.split(":"))
    return codes


def wtforms_messages() -> list[str]:
    """WTForms' own English messages (its message catalogue's template)."""
    pot = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"
    with pot.open("rb") as f:
        catalog = read_po(f)
    found = []
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        found += [text.split("%")[0].strip() for text in ids if text]
    return [text for text in found if len(text) >= 8]


def page_problems(html: str, codes: set[str], english: list[str]) -> list[str]:
    """What a Vietnamese reader should not see on this page."""
    text = visible_text(html)
    problems = [f"English form message: {m!r}" for m in english if m in text]
    tokens = {token.strip(".") for token in TOKEN.findall(text)}
    problems += [f"raw code: {t!r}" for t in sorted(tokens & codes)]
    problems += [f"ISO date: {d!r}" for d in sorted(set(ISO_DATE.findall(text)))]
    problems += [f"command line: {c!r}" for c in sorted(set(COMMAND_LINE.findall(text)))]
    return problems


# --- the world ------------------------------------------------------------------------------------


def _units_with_history() -> None:
    """Units of every type, and a rename, a move and a merge in their history."""
    unit = {u.code: u for u in db.session.scalars(select(Unit))}
    day = date(2025, 7, 1)
    for code, name, kind, parent in (
        ("SO-NV", "Sở Nội vụ", "department", "HN"),
        ("SO-NV-TCCB", "Phòng Tổ chức cán bộ", "division", "SO-NV"),
        ("SO-NV-VP", "Văn phòng Sở", "office", "SO-NV"),
        ("Q-CU", "Quận Cũ", "district", "HN"),
        ("X-CU", "Xã Cũ", "commune", "HN"),
        ("TT-KHAC", "Trung tâm Dữ liệu", "other", "HN"),
    ):
        unit[code] = create_unit(db.session, None, code=code, name=name, type=kind, parent=unit[parent])
    rename_unit(db.session, None, unit["TT-KHAC"], "Trung tâm Dữ liệu Thành phố", day, "5/QĐ-UBND")
    move_unit(db.session, None, unit["SO-NV-VP"], unit["HN"], day, "6/QĐ-UBND")
    merge_unit(db.session, None, unit["X-CU"], unit["P-V"], day, "7/QĐ-UBND")


def _submitted_numbers_attempt(learner_id: int) -> int:
    """The learner's submitted attempt at a quiz of a tolerance, a range and a short answer."""
    course, version = learning.get_course(db.session, "KT-SO")
    user = db.session.get(User, learner_id)
    learning.enrol(db.session, user, course)
    quiz = quizzes.quizzes_of(db.session, version)[0]
    attempt = quizzes.start_attempt(db.session, user, course, quiz, seed=1)
    answers = {"nhiet-do": "92,2", "khoang": "7", "co-quan": "Sở Nội vụ"}
    form = MultiDict([("qids", q) for q in answers] + [(f"q-{q}", a) for q, a in answers.items()])
    quizzes.save_answers(db.session, attempt, read_replies(db.session, attempt, form))
    quizzes.submit_attempt(db.session, attempt, user)
    return attempt.id


def _vietnamese_world(make) -> Wards:
    """The access matrix's two wards, with what puts codes and dates on pages: units of every type
    with history, a training record with a course code, category and score, a requirement set whose
    rules cite dates and codes as evidence, a decision judged by it, a reviewed quiz attempt."""
    wards = _two_wards(make)
    with make.app.app_context():  # the matrix names its accounts after their roles ("Người learner")
        for n, user_id in enumerate(wards.ids[actor] for actor in ACCOUNTS):
            db.session.get(User, user_id).full_name = ("Nguyễn Văn Một", "Trần Thị Hai", "Lê Văn Ba")[n % 3]
        db.session.commit()
    make.import_folder(
        write_course(make.courses_root, "so-lieu", code="KT-SO", lessons={"01-so-lieu.md": NUMBERS_QUIZ})
    )
    make.course_trainer(wards.ids["trainer"], "KT-SO", issuer="P-W")
    make.requirement_set(
        "division-head",
        rules=(
            {
                "key": "ly-luan",
                "kind": "qualification",
                "params": {"scale": "political-theory", "level": "intermediate"},
            },
            {"key": "khoa-so", "kind": "course", "params": {"course": "KT-SO", "min_score": 50}},
            {
                "key": "gio-so",
                "kind": "hours_in_category",
                "params": {"category": "digital-transformation", "hours": 8, "months": 24},
            },
            {"key": "cong-tac", "kind": "remaining_service", "params": {"years": 5}},
            {"key": "quy-hoach", "kind": "planning", "params": {"or_higher": True}},
            {
                "key": "ky-luat",
                "kind": "discipline",
                "params": {"cooling_months": {"reprimand": 1, "warning": 36, "removal": 60, "dismissal": 60}},
            },
        ),
        effective_from=date(2025, 1, 1),
    )
    target = wards.values["cadre_id"]
    with make.app.app_context():
        _units_with_history()
        records.add_external(
            db.session,
            SYSTEM,
            db.session.get(Cadre, target),
            records.ExternalTraining(
                "Chuyển đổi số trong lãnh đạo",
                "Trường Đào tạo cán bộ",
                date.today() - timedelta(days=30),
                8,
                category="digital-transformation",
                course_code="KT-SO",
                valid_until=date.today() + timedelta(days=700),
                score=100.0,
            ),
        )
        wards.ids["numbers_attempt"] = _submitted_numbers_attempt(wards.ids["learner"])
        db.session.commit()
    make.planning(target, "ward-chair", unit="P-W", decision_no="3/QĐ-QH")
    make.assignment("Bồi dưỡng số liệu", ("KT-SO",), target_kind="title", title_code="division-deputy")
    make.assignment("Bồi dưỡng phường", ("KT-01",), unit="P-W", due_on=date.today() + timedelta(days=20))
    wards.values["decision_id"] = make.decision(
        target, "division-head", unit="P-W", decision_no="2/QĐ-BN", actor=wards.ids["override_admin"]
    )
    return wards


@pytest.fixture
def app_settings():
    return {"WTF_CSRF_ENABLED": False}  # empty forms are posted to read their messages


@pytest.fixture
def vietnamese_world(app, _worlds) -> Wards:
    return _worlds.copy_into(app, "vietnamese-pages", _vietnamese_world)


# --- the tests ------------------------------------------------------------------------------------


def test_the_checker_finds_codes_iso_dates_and_english_messages():
    """The test below can fail: a page with a raw code, an ISO date or WTForms' English fails it."""
    codes, english = registry_codes(), wtforms_messages()
    assert "This field is required." in english or "This field is required" in english
    bad = (
        "<main><p>Minh chứng: division-head · 2025-01-01</p><p>political-theory · intermediate.</p>"
        "<p class='error'>This field is required.</p><p>Changes: flask units merge.</p></main>"
    )
    problems = page_problems(bad, codes, english)
    for expected in (
        "'division-head'",
        "'political-theory'",
        "'intermediate'",
        "'2025-01-01'",
        "This field",
        "flask units",
    ):
        assert any(expected in p for p in problems), (expected, problems)
    good = (
        "<main><p>Minh chứng: Trưởng phòng · 01/01/2025</p><textarea>title: division-head</textarea>"
        "<div class='prose'><p>effective_from: 2025-07-01</p></div>"
        "<script>var d = '2025-01-01';</script><a href='/units?type=ward'>Phường</a>"
        "<p>qt.admin@example.vn</p></main>"
    )
    assert page_problems(good, codes, english) == []


def test_every_code_the_app_produces_has_words(app):
    """Unit types, history events, question types, rule kinds, categories, genders, staff types,
    titles, scales and levels: each code the app can store or show is in the registry."""
    from app.courses.categories import CATEGORIES
    from app.profiles.eligibility import RULE_KINDS_REGISTRY
    from app.quizzes.types import question_type
    from app.vocabulary import GENDER_WORDS, STAFF_WORDS, UNIT_TYPE_NAMES

    for kind, codes in {
        "unit_type": UNIT_TYPE_NAMES,
        "unit_event": ("created", "renamed", "moved", "merged", "dissolved"),
        "gender": GENDER_WORDS,
        "staff_type": STAFF_WORDS,
        "category": CATEGORIES,
        "rule_kind": RULE_KINDS_REGISTRY,
        "question_type": ("single", "multiple", "truefalse", "short", "numeric", "matching", "ordering"),
        "attempt_status": ("open", "submitted", "expired"),
        "import_kind": ("units", "cadres"),
    }.items():
        for code in codes:
            assert labels.has_label(kind, code), (kind, code)
    for name in ("single", "multiple", "truefalse", "short", "numeric", "matching", "ordering"):
        assert question_type(name).name == name
    assert labels.label("title", "division-head") == "Trưởng phòng"
    assert labels.level_label("political-theory", "intermediate") == "Trung cấp"
    assert labels.label("unit_type", "not-a-type") == "not-a-type"  # unknown: shown, never hidden


# What some pages must say, in words, so that the world really puts codes and dates on them.
SHOWN = {
    "learner": {"/result": ("92 ± 0,5", "từ 3 đến 6", "66,7%", "2/3 điểm")},
    "trainer": {
        "/teach/courses/KT-SO/quizzes/": ("Trả lời bằng số", "Trả lời ngắn"),
        "/teach/": ("Hướng dẫn",),
    },
    "ward_admin_in": {"/admin/import": ("1 dòng (cán bộ)",), "/admin/users": ("Vui lòng điền mục này.",)},
    "override_admin": {
        "/units/": ("Quận, huyện", "Sáp nhập", "Đổi tên", "Chuyển trực thuộc", "Văn phòng"),
        "/decisions/": (
            "Lý luận chính trị · Trung cấp",
            "sinh ngày 05/05/1985 · Nữ",
            "điểm 100%",
            "Chủ tịch UBND phường, xã · từ ngày 01/01/2025",
        ),
        "/cadres/": ("Công chức", "01/05/2024"),
    },
}


def _scan(client, path: str, query: dict, texts: dict, **post) -> None:
    """Request the page and keep its visible text (HTML answers only)."""
    response = client.post(path, query_string=query, **post) if post else client.get(path, query_string=query)
    html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
    response.close()
    if html and response.status_code < 300:
        texts[f"{'POST ' if post else ''}{path}"] = html


@pytest.mark.parametrize("actor", ACTORS)
def test_every_page_reads_in_vietnamese(app, vietnamese_world, auth, client, actor):
    world = vietnamese_world
    actor_id = world.ids.get(actor)
    if actor_id:
        auth.login(ACCOUNTS[actor][0])
    texts: dict[str, str] = {}
    skipped = NOT_POSTED | (LOGIN_FORMS if actor_id else set())
    requests = [r for r in route_requests(app, world) if r[0] not in skipped or r[1] == "GET"]
    for endpoint, method, path, query in sorted(requests, key=lambda r: r[1] != "GET"):
        if policy_allows(app, actor_id, endpoint, method, path, query):
            _scan(client, path, query, texts, **({"data": {}} if method == "POST" else {}))
    if actor == "learner":
        _scan(client, f"/attempts/{world.ids['numbers_attempt']}/result", {}, texts)
    if actor == "trainer":
        _scan(client, "/teach/courses/KT-SO/quizzes/so-lieu", {}, texts)
    if actor == "ward_admin_in":
        cadres = (
            "employee_code,full_name,date_of_birth,gender,staff_type,unit_code\n"
            "W-009,Lê Văn Mới,01/02/1990,Nam,công chức,P-W\n"
        )
        upload = {"file": (io.BytesIO(cadres.encode()), "can-bo.csv")}
        _scan(client, "/admin/import", {}, texts, data=upload, content_type="multipart/form-data")
    codes, english = registry_codes(), wtforms_messages()
    problems = [f"{page}: {p}" for page, html in texts.items() for p in page_problems(html, codes, english)]
    assert problems == [], "\n".join(problems)
    assert len(texts) >= 2
    for page, phrases in SHOWN.get(actor, {}).items():
        shown = " ".join(visible_text(html) for key, html in texts.items() if page in key)
        for phrase in phrases:
            assert phrase in shown, (actor, page, phrase)
