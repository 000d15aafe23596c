"""The appointment gate: no requirement set is never "eligible", effective dates within a window
unless overridden, future-dated decisions that change the post on their day, and the CLI's answers."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text, update

from app.clock import local_today
from app.demo.accounts import DEMO_ACCOUNTS
from app.extensions import db
from app.models import AppointmentDecision, AuditEntry, Cadre, PositionRecord, RequirementSet
from app.profiles import decisions
from app.profiles.eligibility import eligibility_from_dict
from tests.helpers import CITY_ADMIN, WARD_ADMIN, cadre_id, migration, propose, vi_date

pytestmark = pytest.mark.usefixtures("world")

NO_SET_ON_30_JUNE = "Không có bộ tiêu chuẩn, điều kiện nào có hiệu lực vào ngày 30/06/2025."
NO_REQUIREMENTS = "Chưa có tiêu chuẩn, điều kiện cho chức vụ này."
NOT_ELIGIBLE = "Chưa đủ điều kiện"


def decision_rows(app) -> list[AppointmentDecision]:
    with app.app_context():
        rows = db.session.scalars(select(AppointmentDecision).order_by(AppointmentDecision.id)).all()
        db.session.expunge_all()
        return rows


def title_of(app, code: str) -> str | None:
    with app.app_context():
        return db.session.scalar(select(Cadre.title_code).where(Cadre.employee_code == code))


def positions_of(app, code: str) -> list[tuple[str, date, date | None]]:
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                select(PositionRecord.title_code, PositionRecord.start_date, PositionRecord.end_date)
                .join(Cadre, Cadre.id == PositionRecord.cadre_id)
                .where(Cadre.employee_code == code)
                .order_by(PositionRecord.start_date, PositionRecord.id)
            )
        ]


# --- the effective-date window -----------------------------------------------------------------


def test_a_ward_admin_cannot_backdate_a_decision_before_the_requirements(app, auth):
    huy = cadre_id(app, "HN-000007")
    auth.login(*WARD_ADMIN)
    html = propose(auth, huy, "2025-06-30").get_data(as_text=True)
    earliest = local_today() - timedelta(30)
    assert 'id="effective_on-error"' in html
    assert vi_date(earliest) in html  # the range, as Vietnamese readers write dates
    assert decision_rows(app) == []
    assert title_of(app, "HN-000007") == "ward-vice-chair"


def test_a_ward_admin_cannot_date_a_decision_far_ahead(app, auth):
    huy = cadre_id(app, "HN-000007")
    auth.login(*WARD_ADMIN)
    html = propose(auth, huy, "9999-12-31").get_data(as_text=True)
    assert 'id="effective_on-error"' in html
    assert decision_rows(app) == []
    assert title_of(app, "HN-000007") == "ward-vice-chair"


def test_the_window_edges_are_accepted(app, auth):
    huy = cadre_id(app, "HN-000007")
    today = local_today()
    auth.login(*WARD_ADMIN)
    assert propose(auth, huy, today - timedelta(30), decision_no="1/QĐ").status_code == 302
    assert propose(auth, huy, today + timedelta(365), decision_no="2/QĐ").status_code == 302
    assert 'id="effective_on-error"' in propose(auth, huy, today - timedelta(31)).get_data(as_text=True)
    assert 'id="effective_on-error"' in propose(auth, huy, today + timedelta(366)).get_data(as_text=True)
    assert [d.decision_no for d in decision_rows(app)] == ["1/QĐ", "2/QĐ"]


def test_an_override_holder_records_dates_outside_the_window_and_the_audit_says_so(app, auth, client):
    huy = cadre_id(app, "HN-000007")
    auth.login(*CITY_ADMIN)
    backdated = propose(auth, huy, "2025-06-30", decision_no="3/QĐ")
    assert backdated.status_code == 302
    assert propose(auth, huy, "9999-12-31", decision_no="4/QĐ").status_code == 302
    first, second = decision_rows(app)
    # recorded, and still checked: no set was in force on 30/6/2025, so it is blocked, not applied
    assert (first.status, first.eligibility, first.applied_at) == ("blocked", "unmet", None)
    assert first.evaluation["result"]["reason"]["code"] == "no_set_in_force"
    assert eligibility_from_dict(first.evaluation["result"]).reason.params["as_of"] == "2025-06-30"
    html = client.get(backdated.headers["Location"]).get_data(as_text=True)
    assert NO_SET_ON_30_JUNE in html and 'class="flash flash-error" role="alert"' in html
    assert title_of(app, "HN-000007") == "ward-vice-chair"
    with app.app_context():
        details = db.session.scalars(
            select(AuditEntry.detail)
            .where(AuditEntry.action == "propose_appointment")
            .order_by(AuditEntry.id)
        ).all()
    today = local_today()
    assert details[0]["outside_window"] == f"before {(today - timedelta(30)).isoformat()}"
    assert details[1]["outside_window"] == f"after {(today + timedelta(365)).isoformat()}"


def test_inside_the_window_a_date_with_no_set_in_force_is_blocked(app, auth, client, clock):
    """The attack of issue 9 on the day it worked: a ward admin, no override, 30/6/2025."""
    clock.set_today(date(2025, 7, 10))
    huy = cadre_id(app, "HN-000007")
    auth.login(*WARD_ADMIN)
    response = propose(auth, huy, "2025-06-30")
    assert response.status_code == 302
    [decision] = decision_rows(app)
    assert (decision.status, decision.eligibility) == ("blocked", "unmet")
    assert title_of(app, "HN-000007") == "ward-vice-chair"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert NO_SET_ON_30_JUNE in html
    assert "Chỉ người dùng có quyền ghi nhận quyết định vượt điều kiện" in html  # no way through


# --- no requirement set --------------------------------------------------------------------------


def test_no_set_in_force_shows_on_the_profile_dossier_and_pool(app, auth, client, clock):
    clock.set_today(date(2025, 6, 30))
    lan = cadre_id(app, "HN-000001")
    auth.login(DEMO_ACCOUNTS[0][0], DEMO_ACCOUNTS[0][1])  # Lan herself
    html = client.get("/me").get_data(as_text=True)
    assert html.count(NO_SET_ON_30_JUNE) == 2  # her post and the one she is planned for
    assert 'Trưởng phòng: <span class="status-pill unmet">' in html
    assert 'status-pill met"' not in html
    auth.logout()
    auth.login(*CITY_ADMIN)
    for page in (f"/cadres/{lan}", f"/cadres/{lan}/print"):
        html = client.get(page).get_data(as_text=True)
        assert NO_SET_ON_30_JUNE in html and NOT_ELIGIBLE in html
    html = client.get("/requirements/division-head/pool").get_data(as_text=True)
    assert NO_SET_ON_30_JUNE in html
    assert 'status-pill met"' not in html
    assert "<dt>Đủ điều kiện</dt><dd>0</dd>" in html


def test_a_title_without_requirements_is_never_eligible(app, auth, client):
    """Bùi Quang Huy is a ward vice-chair: no requirement set was ever written for that title."""
    huy = cadre_id(app, "HN-000007")
    with app.app_context():
        assert not db.session.scalar(
            select(func.count(RequirementSet.id)).where(RequirementSet.title_code == "ward-vice-chair")
        )
    auth.login(*WARD_ADMIN)
    html = client.get(f"/cadres/{huy}").get_data(as_text=True)
    assert 'Phó Chủ tịch UBND phường, xã: <span class="status-pill unmet">' in html
    assert NO_REQUIREMENTS in html
    html = client.get("/requirements/ward-vice-chair/pool").get_data(as_text=True)
    assert "Bùi Quang Huy" in html and "<dt>Đủ điều kiện</dt><dd>0</dd>" in html
    # and an appointment to it cannot go through without the override
    response = propose(auth, huy, local_today(), title_code="ward-vice-chair", kind="reappointment")
    [decision] = decision_rows(app)
    assert decision.status == "blocked"
    assert NO_REQUIREMENTS in client.get(response.headers["Location"]).get_data(as_text=True)

    runner = app.test_cli_runner()
    result = runner.invoke(args=["profiles", "eligibility", "HN-000007", "ward-vice-chair"])
    assert result.exit_code == 1
    assert "no requirements have been set for this position" in result.stdout
    result = runner.invoke(args=["profiles", "eligibility", "HN-000007", "ward-vice-chair", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["status"] == "unmet" and data["results"] == []
    assert data["reason"] == {"code": "no_requirements", "params": {"title": "ward-vice-chair"}}


def test_cli_says_no_set_in_force_on_the_date(app):
    runner = app.test_cli_runner()
    args = ["profiles", "eligibility", "HN-000002", "division-head", "--as-of", "2020-01-01"]
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert "no requirement set in force on 2020-01-01" in result.stdout
    data = json.loads(runner.invoke(args=[*args, "--json"]).stdout)
    assert data["status"] == "unmet"
    assert data["reason"]["code"] == "no_set_in_force" and data["reason"]["params"]["as_of"] == "2020-01-01"


def test_cli_exit_codes(app):
    runner = app.test_cli_runner()
    eligibility = ["profiles", "eligibility"]
    assert runner.invoke(args=[*eligibility, "HN-000002", "division-head"]).exit_code == 0
    assert runner.invoke(args=[*eligibility, "HN-000001", "division-head"]).exit_code == 1
    # Hùng without his leadership certificate: eligible on condition (12 months to get it)
    with app.app_context():
        from app.models import QualificationRecord

        db.session.execute(
            QualificationRecord.__table__.delete().where(
                QualificationRecord.cadre_id == cadre_id(app, "HN-000002"),
                QualificationRecord.scale_code == "leadership",
            )
        )
        db.session.commit()
    assert runner.invoke(args=[*eligibility, "HN-000002", "division-head"]).exit_code == 3
    for code, title, message in (
        ("KHONG-CO", "division-head", "no cadre with employee code KHONG-CO"),
        ("HN-000002", "vua", "unknown position vua"),
    ):
        result = runner.invoke(args=[*eligibility, code, title])
        assert result.exit_code == 2
        assert message in result.stderr and message not in result.stdout


# --- future-dated decisions --------------------------------------------------------------------


def test_a_future_decision_changes_the_post_on_its_day_exactly_once(app, auth, client):
    hung = cadre_id(app, "HN-000002")
    today = local_today()
    effective = today + timedelta(10)
    auth.login(*CITY_ADMIN)
    response = propose(
        auth, hung, effective, title_code="division-head", unit_code="SO-NV-TCCB", decision_no="600/QĐ-SNV"
    )
    decision_url = response.headers["Location"]
    [decision] = decision_rows(app)
    assert (decision.status, decision.eligibility, decision.applied_at) == ("approved", "met", None)
    assert title_of(app, "HN-000002") == "division-deputy"  # not yet
    takes_effect = f"có hiệu lực từ ngày {vi_date(effective)}"
    html = client.get(decision_url).get_data(as_text=True)
    assert f"Có hiệu lực từ ngày {vi_date(effective)}: chức vụ" in html
    assert "quá trình giữ chức vụ đã được cập nhật" not in html
    assert takes_effect in client.get(f"/cadres/{hung}").get_data(as_text=True)
    auth.logout()
    auth.login("canbo@demo.boiduong.vn", "canbo-demo")  # Hùng sees it on his own profile
    html = client.get("/me").get_data(as_text=True)
    assert takes_effect in html and "Phó trưởng phòng · Phòng Tổ chức cán bộ" in html

    runner = app.test_cli_runner()
    result = runner.invoke(args=["decisions", "apply-due"])  # today: not due
    assert result.exit_code == 0 and "0 decision(s) applied" in result.output
    day_before = (effective - timedelta(1)).isoformat()
    assert (
        "0 decision(s) applied"
        in runner.invoke(args=["decisions", "apply-due", "--as-of", day_before]).output
    )
    assert title_of(app, "HN-000002") == "division-deputy"

    result = runner.invoke(args=["decisions", "apply-due", "--as-of", effective.isoformat()])
    assert result.exit_code == 0
    assert "applied 600/QĐ-SNV" in result.output and "HN-000002" in result.output
    assert "1 decision(s) applied" in result.output
    result = runner.invoke(args=["decisions", "apply-due", "--as-of", (effective + timedelta(5)).isoformat()])
    assert "0 decision(s) applied" in result.output  # the second run applies nothing

    assert title_of(app, "HN-000002") == "division-head"
    assert positions_of(app, "HN-000002") == [
        ("division-deputy", date(2021, 3, 1), effective - timedelta(1)),
        ("division-head", effective, None),
    ]
    [decision] = decision_rows(app)
    assert decision.applied_at is not None
    with app.app_context():
        applied = db.session.execute(
            select(AuditEntry.actor_id, AuditEntry.detail).where(AuditEntry.action == "apply_appointment")
        ).all()
    assert [(actor, detail["decision"]) for actor, detail in applied] == [(None, str(decision.id))]
    auth.logout()
    auth.login(*CITY_ADMIN)
    html = client.get(decision_url).get_data(as_text=True)
    assert "quá trình giữ chức vụ đã được cập nhật" in html and "Có hiệu lực từ ngày" not in html


def test_a_decision_dated_today_or_earlier_applies_at_once(app, auth):
    hung = cadre_id(app, "HN-000002")
    auth.login(*CITY_ADMIN)
    propose(auth, hung, local_today(), title_code="division-head", unit_code="SO-NV-TCCB")
    [decision] = decision_rows(app)
    assert decision.applied_at is not None
    assert title_of(app, "HN-000002") == "division-head"
    assert "0 decision(s) applied" in app.test_cli_runner().invoke(args=["decisions", "apply-due"]).output


def test_an_override_of_a_future_decision_waits_for_its_day(app, auth, client):
    lan = cadre_id(app, "HN-000001")
    effective = local_today() + timedelta(20)
    auth.login(*CITY_ADMIN)
    response = propose(auth, lan, effective, title_code="division-head", unit_code="SO-NV-TCCB")
    decision_url = response.headers["Location"]
    override = {
        "authority": "Ban Thường vụ Thành uỷ",
        "authority_decision_no": "88-QĐ/TU",
        "reason": "Cấp bách.",
    }
    response = auth.post(f"{decision_url}/override", override, token_from=decision_url)
    assert response.status_code == 302
    html = client.get(decision_url).get_data(as_text=True)
    assert "việc bổ nhiệm có hiệu lực từ ngày có hiệu lực của quyết định" in html  # the flash
    assert "Có hiệu lực từ ngày" in html
    assert title_of(app, "HN-000001") == "division-deputy"
    result = app.test_cli_runner().invoke(args=["decisions", "apply-due", "--as-of", effective.isoformat()])
    assert "1 decision(s) applied" in result.output
    assert title_of(app, "HN-000001") == "division-head"


def test_two_pending_decisions_apply_in_date_order(app, auth):
    """Caught up in one run (a timer that missed days), the history is as if applied daily."""
    hung = cadre_id(app, "HN-000002")
    today = local_today()
    auth.login(*CITY_ADMIN)
    later, sooner = today + timedelta(40), today + timedelta(10)
    # recorded out of order: the transfer first, then the appointment that precedes it
    propose(
        auth,
        hung,
        later,
        title_code="division-head",
        kind="transfer",
        unit_code="SO-NV-CCVC",
        decision_no="2/QĐ",
    )
    propose(auth, hung, sooner, title_code="division-head", unit_code="SO-NV-TCCB", decision_no="1/QĐ")
    # a third one on a day another already takes effect is refused: which would win?
    html = propose(auth, hung, later, title_code="division-head", unit_code="SO-NV-TCCB").get_data(
        as_text=True
    )
    assert "Cán bộ này đã có quyết định số 2/QĐ có hiệu lực vào ngày đó." in html
    assert all(d.status == "approved" and d.applied_at is None for d in decision_rows(app))

    result = app.test_cli_runner().invoke(
        args=["decisions", "apply-due", "--as-of", (later + timedelta(1)).isoformat()]
    )
    assert result.output.index("applied 1/QĐ") < result.output.index("applied 2/QĐ")
    assert positions_of(app, "HN-000002") == [
        ("division-deputy", date(2021, 3, 1), sooner - timedelta(1)),
        ("division-head", sooner, later - timedelta(1)),
        ("division-head", later, None),
    ]
    with app.app_context():
        cadre = db.session.get(Cadre, hung)
        assert (cadre.title_code, cadre.unit.code) == ("division-head", "SO-NV-CCVC")


def test_overlapping_runs_apply_a_decision_once(app, auth, monkeypatch):
    hung = cadre_id(app, "HN-000002")
    effective = local_today() + timedelta(10)
    auth.login(*CITY_ADMIN)
    propose(auth, hung, effective, title_code="division-head", unit_code="SO-NV-TCCB")
    applied = []
    real_apply, real_claim = decisions._apply, decisions._claim
    barrier = threading.Barrier(2)
    waited = threading.local()

    def claim_together(session, decision):
        if not getattr(waited, "done", False):  # both runs have read the decision as pending
            waited.done = True
            barrier.wait(timeout=10)
        return real_claim(session, decision)

    def counting(session, cadre, decision):
        applied.append(decision.id)
        real_apply(session, cadre, decision)

    monkeypatch.setattr(decisions, "_claim", claim_together)
    monkeypatch.setattr(decisions, "_apply", counting)
    errors = []

    def run():
        try:
            with app.app_context():
                for _ in range(3):
                    try:
                        decisions.apply_due(db.session, effective)
                        db.session.commit()
                        break
                    except Exception as exc:  # noqa: BLE001 - SQLite may answer "locked": run again
                        db.session.rollback()
                        last = exc
                else:
                    errors.append(last)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(applied) == 1
    assert [p[0] for p in positions_of(app, "HN-000002")] == ["division-deputy", "division-head"]
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "apply_appointment")
            )
            == 1
        )


def test_the_migration_marks_the_decisions_that_went_through_as_applied(app, auth):
    """Before 0010 every approved or overridden decision changed the post when it was recorded."""
    auth.login(*CITY_ADMIN)
    hung, lan = cadre_id(app, "HN-000002"), cadre_id(app, "HN-000001")
    today = local_today()
    propose(auth, hung, today, title_code="division-head", unit_code="SO-NV-TCCB", decision_no="1/QĐ")
    overridden_url = propose(
        auth, lan, today, title_code="division-head", unit_code="SO-NV-TCCB", decision_no="2/QĐ"
    ).headers["Location"]
    override = {"authority": "UBND Thành phố", "authority_decision_no": "9/QĐ", "reason": "Cấp bách."}
    auth.post(f"{overridden_url}/override", override, token_from=overridden_url)
    propose(auth, lan, today, title_code="department-director", unit_code="SO-NV", decision_no="3/QĐ")
    with app.app_context():
        db.session.execute(update(AppointmentDecision).values(applied_at=None))
        for statement in migration("0010_decision_applied_at").BACKFILL:
            db.session.execute(text(statement))
        db.session.commit()
        rows = db.session.scalars(select(AppointmentDecision).order_by(AppointmentDecision.id)).all()
        approved, overridden, blocked = rows
        assert approved.applied_at == approved.created_at
        assert overridden.applied_at == overridden.override.recorded_at
        assert blocked.status == "blocked" and blocked.applied_at is None
