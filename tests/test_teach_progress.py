"""Trainers' per-learner progress table: lessons done, best graded result, completion and last
activity for each enrolled learner, aggregated in SQL; sorted, filtered, paginated; as CSV; audited."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from app.auth.service import create_user
from app.extensions import db
from app.learning import service as learning
from app.models import AuditEntry, User
from app.policy import SYSTEM
from tests.helpers import seed_attempts

TRAINER = "gv@example.vn"


@pytest.fixture
def app_settings():
    return {"PAGE_SIZE": 4}


def enrol_new(app, *names: str) -> None:
    """Learners enrolled in course DE who have not opened a lesson yet."""
    with app.app_context():
        course, _version = learning.get_course(db.session, "DE")
        known = db.session.scalar(select(func.count(User.id)))
        for n, name in enumerate(names, start=known):
            user = create_user(db.session, SYSTEM, f"moi{n}@example.vn", "mat-khau-dai-du", "learner", name)
            learning.enrol(db.session, user, course)
        db.session.commit()


@pytest.fixture
def trainer(app, make, make_user, auth, courses_root, import_folder):
    """Course DE: nine learners who took its graded quiz (three at 75 %, three at 50 %, three at
    25 %; 50 % passes) and one who has not started; its trainer logged in."""
    seed_attempts(app, courses_root, import_folder)
    enrol_new(app, "Đỗ Thị Mới")
    make_user(TRAINER, role="trainer", full_name="Trần Văn Minh")
    make.course_trainer(TRAINER, "DE")
    auth.login(TRAINER)


def rows_of(html: str) -> list[str]:
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("<tr>")[1:]]


def csv_rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel reads Vietnamese as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.usefixtures("trainer")
def test_the_course_page_links_to_each_learners_progress(client):
    html = client.get("/teach/courses/DE").get_data(as_text=True)
    assert 'href="/teach/courses/DE/learners"' in html


@pytest.mark.usefixtures("trainer")
def test_each_learner_with_lessons_done_best_result_and_status(client):
    html = client.get("/teach/courses/DE/learners?sort=score").get_data(as_text=True)
    assert "10 học viên" in html
    rows = rows_of(html)
    assert len(rows) == 4  # a page
    assert (
        rows[0].startswith("hv0 ")
        and "1/1 bài" in rows[0]
        and "75%" in rows[0]
        and "Đã hoàn thành" in rows[0]
    )
    assert "Trang 1/3" in html
    last = rows_of(client.get("/teach/courses/DE/learners?sort=score&page=3").get_data(as_text=True))
    assert [r.split()[0] for r in last] == ["hv8", "Đỗ"]
    assert "0/1 bài" in last[1] and "Chưa bắt đầu" in last[1] and "—" in last[1]


@pytest.mark.usefixtures("trainer")
def test_filter_by_status_and_sort(client):
    def names(query: str) -> list[str]:
        names = []
        for page in (1, 2, 3):
            html = client.get(f"/teach/courses/DE/learners?{query}&page={page}").get_data(as_text=True)
            names += [r.split()[0] for r in rows_of(html) if not r.startswith("Không")]
        return list(dict.fromkeys(names))

    assert names("status=in_progress") == ["hv6", "hv7", "hv8"]  # 25 %: below the pass mark
    assert names("status=not_started") == ["Đỗ"]
    assert len(names("status=completed")) == 6
    assert names("sort=status")[-1] == "Đỗ"
    assert names("status=nonsense") == names("")  # a stale link shows everyone


def test_the_page_costs_the_same_statements_however_many_learners(app, trainer, client, count_queries):
    with count_queries() as few:
        assert client.get("/teach/courses/DE/learners?sort=activity").status_code == 200
    enrol_new(app, *[f"Học viên {n}" for n in range(12)])
    with count_queries() as many:
        assert client.get("/teach/courses/DE/learners?sort=activity&page=2").status_code == 200
    assert many.count == few.count
    assert few.count <= 9, few.statements  # with the course's trainers, read once for the policy


@pytest.mark.usefixtures("trainer")
def test_the_csv_is_the_same_table_safe_for_excel(app, client, count_queries):
    enrol_new(app, '=HYPERLINK("http://x","y")')
    with count_queries() as counter:
        response = client.get("/teach/courses/DE/learners.csv?status=not_started")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "DE-learners.csv" in response.headers["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header[0] == "Học viên" and "Tình trạng" in header
    assert [r[0] for r in rows] == ['\'=HYPERLINK("http://x","y")', "Đỗ Thị Mới"]  # not a formula
    assert all(r[header.index("Tình trạng")] == "Chưa bắt đầu" for r in rows)
    all_rows = csv_rows(client.get("/teach/courses/DE/learners.csv?sort=score"))[1:]
    assert len(all_rows) == 11  # every learner, not one page
    best = all_rows[0]
    assert best[0] == "hv0" and best[3:7] == ["1", "1", "75.0", "1"]
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", best[8]) and re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", best[9])
    assert counter.count <= 9


@pytest.mark.usefixtures("trainer")
def test_seeing_and_downloading_the_progress_is_audited(app, client):
    client.get("/teach/courses/DE/learners?status=completed")
    client.get("/teach/courses/DE/learners.csv")
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_type == "course", AuditEntry.action.like("%learner_progress"))
            .order_by(AuditEntry.id)
        ).all()
        trainer = db.session.scalar(select(User.id).where(User.email == TRAINER))
        assert [(e.action, e.actor_id) for e in entries] == [
            ("view_learner_progress", trainer),
            ("export_learner_progress", trainer),
        ]
        assert entries[0].detail["status"] == "completed" and str(entries[1].detail["rows"]) == "10"


def test_learners_may_not_see_it(app, learner, client, courses_root, import_folder):
    seed_attempts(app, courses_root, import_folder)
    assert client.get("/teach/courses/DE/learners").status_code == 403
    assert client.get("/teach/courses/DE/learners.csv").status_code == 403
