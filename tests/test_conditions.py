"""Appointments approved on condition: their deadlines run out, a record closes them, admins see
them listed (their units only) and the cadre's profile shows them."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.clock import local_today
from app.demo.accounts import DEMO_ACCOUNTS
from app.extensions import db
from app.models import AppointmentDecision, AuditEntry, Cadre
from app.policy import SYSTEM
from app.profiles import conditions, decisions, records
from tests.helpers import (
    CITY_ADMIN,
    WARD_ADMIN,
    appoint_on_condition,
    cadre_id,
    city_admin,
    unit_by_code,
    vi_date,
    without_leadership,
)

pytestmark = pytest.mark.usefixtures("world")

LEADERSHIP = "Bồi dưỡng lãnh đạo cấp phòng (được hoàn thành trong 12 tháng sau bổ nhiệm)"
STATUS_WORDS = {
    "open": "Đang trong hạn",
    "due_soon": "Sắp đến hạn",
    "overdue": "Quá hạn",
    "closed": "Đã hoàn thành",
}


def add_leadership(app, code: str, issued_on: date) -> None:
    with app.app_context():
        cadre = db.session.scalar(select(Cadre).where(Cadre.employee_code == code))
        records.add_qualification(
            db.session,
            SYSTEM,
            cadre,
            records.QualificationInput(
                scale="leadership", level="division", issued_on=issued_on, number="LD-1"
            ),
        )
        db.session.commit()


def rows_of(html: str) -> list[str]:
    return re.findall(r'<tr class="condition [a-z_]+">.*?</tr>', html, re.S)


def test_an_approved_condition_is_open_then_due_soon_then_overdue(app, auth, client, clock):
    decision_id, deadline = appoint_on_condition(app)
    auth.login(*CITY_ADMIN)
    for day, status in (
        (local_today(), "open"),
        (deadline - timedelta(days=61), "open"),
        (deadline - timedelta(days=60), "due_soon"),
        (deadline, "due_soon"),
        (deadline + timedelta(days=1), "overdue"),
    ):
        clock.set_today(day)
        html = client.get("/decisions/conditions").get_data(as_text=True)
        [row] = rows_of(html)
        assert f'class="condition {status}"' in row, day
        assert STATUS_WORDS[status] in row
        assert vi_date(deadline) in row and deadline.isoformat() not in row  # dates in words
        assert "Phạm Quốc Hùng" in row and "Trưởng phòng" in row and "Phòng Tổ chức cán bộ" in row
        assert (
            f'href="/decisions/{decision_id}"' in row
            and f'href="/cadres/{cadre_id(app, "HN-000002")}"' in row
        )
        assert LEADERSHIP in row
        assert "Yêu cầu Bồi dưỡng lãnh đạo, quản lý trình độ Cấp phòng trở lên (hiện tại: chưa có)." in row
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "view_conditions")).all()[-1]
        assert entry.detail["status"] == "not_closed" and int(entry.detail["decisions"]) == 1


def test_a_qualification_in_time_closes_the_condition(app, auth, client, clock):
    _decision_id, deadline = appoint_on_condition(app)
    issued = local_today() + timedelta(days=100)
    add_leadership(app, "HN-000002", issued)
    auth.login(*CITY_ADMIN)
    clock.set_today(issued - timedelta(days=1))  # not held yet on that day
    assert 'class="condition open"' in client.get("/decisions/conditions").get_data(as_text=True)
    clock.set_today(issued)
    assert rows_of(client.get("/decisions/conditions").get_data(as_text=True)) == []  # not closed: none
    [row] = rows_of(client.get("/decisions/conditions?status=closed").get_data(as_text=True))
    assert STATUS_WORDS["closed"] in row
    assert f"Đã đáp ứng bằng Bồi dưỡng lãnh đạo, quản lý: Cấp phòng ngày {vi_date(issued)}." in row
    assert "sau thời hạn" not in row
    clock.set_today(deadline + timedelta(days=400))  # still closed long after the deadline
    with app.app_context():
        [closed] = conditions.conditions(db.session, SYSTEM, deadline + timedelta(days=400))
        assert closed.status == conditions.CLOSED and not closed.rules[0].is_late
        assert closed.rules[0].met_on == issued and closed.rules[0].evidence[0].kind == "qualification"


def test_a_qualification_after_the_deadline_closes_it_late(app, auth, client, clock):
    _decision_id, deadline = appoint_on_condition(app)
    late = deadline + timedelta(days=10)
    add_leadership(app, "HN-000002", late)
    with app.app_context():
        [overdue] = conditions.conditions(db.session, SYSTEM, late - timedelta(days=1))
        assert overdue.status == conditions.OVERDUE
        [closed] = conditions.conditions(db.session, SYSTEM, late)
        assert closed.status == conditions.CLOSED and closed.rules[0].is_late
    auth.login(*CITY_ADMIN)
    clock.set_today(late)
    [row] = rows_of(client.get("/decisions/conditions?status=closed").get_data(as_text=True))
    assert "sau thời hạn" in row


def test_a_condition_of_a_training_course_is_closed_by_the_training_record(app):
    """A course rule with a grace window: an external training record with the course code closes it."""
    with app.app_context():
        session = db.session
        cadre = session.scalar(select(Cadre).where(Cadre.employee_code == "HN-000002"))
        decision = AppointmentDecision(
            cadre_id=cadre.id,
            title_code="division-head",
            unit_id=cadre.unit_id,
            kind="appointment",
            effective_on=date(2026, 1, 15),
            decision_no="7/QĐ",
            evaluation={
                "result": {
                    "title_code": "division-head",
                    "as_of": "2026-01-15",
                    "set_version": 1,
                    "kind": "appointment",
                    "results": [
                        {
                            "rule": {"kind": "course", "params": {"course": "QLCQDT", "grace_months": 6}},
                            "status": "conditional",
                            "evidence": [],
                            "missing": [{"code": "course_within_grace", "params": {"course": "QLCQDT"}}],
                            "deadline": "2026-07-15",
                        }
                    ],
                }
            },
            eligibility="conditional",
            status="approved",
            condition_deadline=date(2026, 7, 15),
            proposed_by_id=cadre.user_id,
        )
        session.add(decision)
        session.flush()
        [before] = conditions.conditions(session, SYSTEM, date(2026, 7, 16))
        assert before.status == conditions.OVERDUE
        assert before.rules[0].missing[0].code == "course"  # described as the course to take
        records.add_external(
            session,
            SYSTEM,
            cadre,
            records.ExternalTraining(
                programme="Quản lý chính quyền đô thị",
                issuer="Trường",
                completed_on=date(2026, 5, 2),
                hours=16,
                course_code="QLCQDT",
            ),
        )
        [after] = conditions.conditions(session, SYSTEM, date(2026, 7, 16))
        assert after.status == conditions.CLOSED and after.rules[0].met_on == date(2026, 5, 2)
        assert not after.rules[0].is_late


def test_a_unit_admin_sees_only_the_conditions_of_their_units(app, auth, client):
    appoint_on_condition(app)  # Sở Nội vụ
    # Bùi Quang Huy, Phường Ba Đình: not in the planning pool (overridden), leadership on condition
    appoint_on_condition(
        app, "HN-000007", title_code="division-deputy", unit="P-BA-DINH-VP", decision_no="3/QĐ-UBND"
    )
    auth.login(*WARD_ADMIN)
    html = client.get("/decisions/conditions").get_data(as_text=True)
    assert [("Bùi Quang Huy" in row) for row in rows_of(html)] == [True]
    assert "Phạm Quốc Hùng" not in html
    auth.logout()
    auth.login(*CITY_ADMIN)
    names = {
        name
        for row in rows_of(client.get("/decisions/conditions").get_data(as_text=True))
        for name in ("Bùi Quang Huy", "Phạm Quốc Hùng")
        if name in row
    }
    assert names == {"Bùi Quang Huy", "Phạm Quốc Hùng"}
    auth.logout()
    auth.login(DEMO_ACCOUNTS[0][0], DEMO_ACCOUNTS[0][1])  # a learner
    assert client.get("/decisions/conditions").status_code == 403


def test_blocked_decisions_are_not_conditions(app):
    """A blocked decision (not overridden) did not go through: its conditions are not tracked."""
    with app.app_context():
        session = db.session
        cadre = without_leadership(session, "HN-000007")
        decision = decisions.propose(
            session,
            city_admin(session),
            cadre,
            title_code="division-deputy",
            unit=unit_by_code(session, "P-BA-DINH-VP"),
            effective_on=local_today(),
            decision_no="4/QĐ",
        )
        assert decision.status == "blocked" and decision.condition_deadline is not None
        assert conditions.conditions(session, SYSTEM, local_today()) == []


def test_the_page_costs_the_same_statements_however_many_decisions(app, auth, client, count_queries):
    appoint_on_condition(app)
    auth.login(*CITY_ADMIN)
    client.get("/decisions/conditions")
    with count_queries() as one:
        html = client.get("/decisions/conditions").get_data(as_text=True)
    assert len(rows_of(html)) == 1
    for code, no in (("HN-000003", "5/QĐ"), ("HN-000004", "6/QĐ"), ("HN-000006", "8/QĐ")):
        appoint_on_condition(app, code, title_code="division-deputy", decision_no=no)
    with count_queries() as four:
        html = client.get("/decisions/conditions").get_data(as_text=True)
    assert len(rows_of(html)) == 4
    assert four.count == one.count, four.statements[one.count :]


def test_the_profile_shows_an_overdue_condition(app, auth, client, clock):
    decision_id, deadline = appoint_on_condition(app)
    hung = cadre_id(app, "HN-000002")
    auth.login(*CITY_ADMIN)
    clock.set_today(deadline - timedelta(days=200))
    html = client.get(f"/cadres/{hung}").get_data(as_text=True)
    assert "Điều kiện kèm theo bổ nhiệm" in html and STATUS_WORDS["open"] in html
    assert f"phải đáp ứng chậm nhất ngày {vi_date(deadline)}" in html
    clock.set_today(deadline + timedelta(days=1))
    html = client.get(f"/cadres/{hung}").get_data(as_text=True)
    overdue = re.search(r'<p class="flash flash-error" role="alert">(.*?)</p>', html, re.S).group(1)
    assert STATUS_WORDS["overdue"] in overdue and f'href="/decisions/{decision_id}"' in overdue
    assert vi_date(deadline) in overdue
    # the cadre sees it on their own page too, with the link to the decision they may read
    auth.logout()
    auth.login("canbo@demo.boiduong.vn", "canbo-demo")
    html = client.get("/me").get_data(as_text=True)
    overdue = re.search(r'<p class="flash flash-error" role="alert">(.*?)</p>', html, re.S).group(1)
    assert STATUS_WORDS["overdue"] in overdue and f'href="/decisions/{decision_id}"' in overdue
    assert client.get(f"/decisions/{decision_id}").status_code == 200
    # closed: shown with what closed it
    add_leadership(app, "HN-000002", deadline + timedelta(days=1))
    html = client.get("/me").get_data(as_text=True)
    assert STATUS_WORDS["closed"] in html and "sau thời hạn" in html and 'role="alert"' not in html
