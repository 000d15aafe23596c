"""The appointment gate: no requirement set is never "eligible", effective dates within a window
unless overridden."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.clock import local_today
from app.demo import DEMO_ACCOUNTS
from app.extensions import db
from app.models import AppointmentDecision, AuditEntry, Cadre, RequirementSet
from app.profiles import decisions, views
from app.profiles.eligibility import eligibility_from_dict
from tests.test_profiles import cadre_id, world  # noqa: F401 (the demo city fixture)

pytestmark = pytest.mark.usefixtures("world")

CITY_ADMIN = DEMO_ACCOUNTS[2][:2]  # city-wide, with the override permission
WARD_ADMIN = ("quantri.phuong@demo.boiduong.vn", "quantri-phuong-demo")  # Phường Ba Đình, no override
NO_SET_ON_30_JUNE = "Không có bộ tiêu chuẩn, điều kiện nào có hiệu lực vào ngày 30 thg 6, 2025."
NO_REQUIREMENTS = "Chưa có tiêu chuẩn, điều kiện cho chức vụ này."
NOT_ELIGIBLE = "Chưa đủ điều kiện"


def vi_date(day: date) -> str:
    """A date as the pages show it to Vietnamese readers."""
    return f"{day.day} thg {day.month}, {day.year}"


def propose(auth, cadre: int, effective_on: date | str, **fields):
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


def decision_rows(app) -> list[AppointmentDecision]:
    with app.app_context():
        rows = db.session.scalars(select(AppointmentDecision).order_by(AppointmentDecision.id)).all()
        db.session.expunge_all()
        return rows


def title_of(app, code: str) -> str | None:
    with app.app_context():
        return db.session.scalar(select(Cadre.title_code).where(Cadre.employee_code == code))


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
    assert (first.status, first.eligibility) == ("blocked", "unmet")
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


def test_inside_the_window_a_date_with_no_set_in_force_is_blocked(app, auth, client, monkeypatch):
    """The attack of issue 9 on the day it worked: a ward admin, no override, 30/6/2025."""
    monkeypatch.setattr(decisions, "local_today", lambda: date(2025, 7, 10))
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


# --- no requirement set -------------------------------------------------------------------------


def test_no_set_in_force_shows_on_the_profile_dossier_and_pool(app, auth, client, monkeypatch):
    monkeypatch.setattr(views, "local_today", lambda: date(2025, 6, 30))
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
