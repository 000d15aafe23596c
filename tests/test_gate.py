"""The appointment gate: no requirement set is never "eligible"."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from app.clock import local_today
from app.demo import DEMO_ACCOUNTS
from app.extensions import db
from app.models import AppointmentDecision, RequirementSet
from app.profiles import views
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
