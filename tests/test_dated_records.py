"""Records change on a date: a revocation, an annulled or replaced discipline decision stops
counting from its day, and an evaluation as of an earlier day is unchanged (issue 19)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.clock import local_today
from app.extensions import db
from app.models import AuditEntry, Cadre, DisciplineRecord, QualificationRecord
from app.policy import SYSTEM
from app.profiles import records
from tests.helpers import CITY_ADMIN, cadre_id

pytestmark = pytest.mark.usefixtures("world")

HEAD = "HN-000003"  # Lê Minh Tuấn, division head since 2020, meets the standards of his post


def statuses(app, code: str, title: str, as_of: date) -> dict[str, str]:
    result = app.test_cli_runner().invoke(
        args=["profiles", "eligibility", code, title, "--as-of", as_of.isoformat(), "--json"]
    )
    return {r["rule"]["key"]: r["status"] for r in json.loads(result.output)["results"]}


def test_a_revocation_counts_from_its_day_and_earlier_evaluations_stand(app, auth, client):
    today = local_today()
    revoked_on = today - timedelta(days=10)
    with app.app_context():
        record_id = db.session.scalar(
            select(QualificationRecord.id)
            .join(Cadre, Cadre.id == QualificationRecord.cadre_id)
            .where(Cadre.employee_code == HEAD, QualificationRecord.scale_code == "state-management")
        )
    auth.login(*CITY_ADMIN)
    url = f"/qualifications/{record_id}/revoke"
    future = auth.post(
        url, {"reason": "Cấp sai đối tượng.", "revoked_on": str(today + timedelta(days=1))}, token_from=url
    )
    assert 'id="revoked_on-error"' in future.get_data(as_text=True)
    assert "Không thể ghi ngày thu hồi trong tương lai." in future.get_data(as_text=True)
    response = auth.post(url, {"reason": "Cấp sai đối tượng.", "revoked_on": str(revoked_on)}, token_from=url)
    assert response.status_code == 302
    assert statuses(app, HEAD, "division-head", revoked_on - timedelta(days=1))["state-management"] == "met"
    assert statuses(app, HEAD, "division-head", revoked_on)["state-management"] == "unmet"
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "revoke_qualification")
        ).one()
        assert entry.detail["revoked_on"] == revoked_on.isoformat()


def _warning(app, on: date) -> int:
    with app.app_context():
        cadre = db.session.scalar(select(Cadre).where(Cadre.employee_code == HEAD))
        record = records.add_discipline(
            db.session, SYSTEM, cadre, level="warning", decided_on=on, decision_no="3/QĐ-KL", reason=""
        )
        db.session.commit()
        return record.id


def test_a_warning_replaced_by_a_reprimand_blocks_for_the_reprimand_from_the_replacing_decision(
    app, auth, client
):
    today = local_today()
    decided = date(today.year - 2, today.month, 1)  # a warning blocks 36 months, a reprimand 24
    replaced_on = today - timedelta(days=5)
    record_id = _warning(app, decided)
    assert statuses(app, HEAD, "division-head", today)["discipline"] == "unmet"
    auth.login(*CITY_ADMIN)
    url = f"/discipline/{record_id}/change"
    missing_level = auth.post(
        url,
        {"action": "replace", "effective_on": str(replaced_on), "decision_no": "9/QĐ", "reason": "Khiếu nại"},
        token_from=url,
    )
    assert 'id="level-error"' in missing_level.get_data(as_text=True)
    response = auth.post(
        url,
        {
            "action": "replace",
            "level": "reprimand",
            "effective_on": str(replaced_on),
            "decision_no": "9/QĐ-UBND",
            "reason": "Giải quyết khiếu nại: giảm hình thức kỷ luật.",
        },
        token_from=url,
    )
    assert response.status_code == 302
    # before the replacing decision the warning still blocked; from its day the reprimand, whose
    # 24 months from the original date are over
    assert statuses(app, HEAD, "division-head", replaced_on - timedelta(days=1))["discipline"] == "unmet"
    assert statuses(app, HEAD, "division-head", replaced_on)["discipline"] == "met"
    html = client.get(f"/cadres/{cadre_id(app, HEAD)}").get_data(as_text=True)
    assert "thay thế từ" in html and "9/QĐ-UBND" in html
    again = auth.post(
        url,
        {"action": "annul", "effective_on": str(today), "decision_no": "10/QĐ", "reason": "Lần nữa"},
        token_from=url,
    )
    assert again.status_code == 200 and "đã bị huỷ hoặc thay thế" in again.get_data(as_text=True)
    with app.app_context():
        rows = db.session.scalars(select(DisciplineRecord).order_by(DisciplineRecord.id)).all()
        assert [(r.level, r.supersedes_id) for r in rows][-2:] == [
            ("warning", None),
            ("reprimand", record_id),
        ]
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert "replace_discipline" in actions


def test_an_annulled_discipline_stops_counting_on_the_annulment_day(app, auth, client):
    today = local_today()
    annulled_on = today - timedelta(days=3)
    record_id = _warning(app, today - timedelta(days=100))
    auth.login(*CITY_ADMIN)
    url = f"/discipline/{record_id}/change"
    early = auth.post(
        url,
        {
            "action": "annul",
            "effective_on": str(today - timedelta(days=101)),
            "decision_no": "1",
            "reason": "x",
        },
        token_from=url,
    )
    assert 'id="effective_on-error"' in early.get_data(as_text=True)
    response = auth.post(
        url,
        {
            "action": "annul",
            "effective_on": str(annulled_on),
            "decision_no": "11/QĐ",
            "reason": "Quyết định sai.",
        },
        token_from=url,
    )
    assert response.status_code == 302
    assert statuses(app, HEAD, "division-head", annulled_on - timedelta(days=1))["discipline"] == "unmet"
    assert statuses(app, HEAD, "division-head", annulled_on)["discipline"] == "met"
    assert "huỷ từ" in client.get(f"/cadres/{cadre_id(app, HEAD)}").get_data(as_text=True)


def test_annulling_discipline_needs_the_override_permission(app, auth, client):
    """A ward admin may record discipline in their ward but not annul it: that could let a blocked
    appointment pass, so it takes the same permission as an override."""
    ward_admin = ("quantri.phuong@demo.boiduong.vn", "quantri-phuong-demo")  # Ba Đình, no override
    with app.app_context():
        cadre = db.session.scalar(select(Cadre).where(Cadre.employee_code == "HN-000007"))  # in Ba Đình
        record = records.add_discipline(
            db.session,
            SYSTEM,
            cadre,
            level="warning",
            decided_on=date(2025, 1, 1),
            decision_no="5/KL",
            reason="",
        )
        db.session.commit()
        record_id, profile = record.id, cadre.id
    auth.login(*ward_admin)
    assert "Huỷ bỏ hoặc thay thế" not in client.get(f"/cadres/{profile}").get_data(as_text=True)
    url = f"/discipline/{record_id}/change"
    assert client.get(url).status_code == 403
    form = {"action": "annul", "effective_on": str(local_today()), "decision_no": "1/QĐ", "reason": "x"}
    assert auth.post(url, form, token_from=f"/cadres/{profile}").status_code == 403
    with app.app_context():
        assert (
            db.session.scalar(select(DisciplineRecord.id).where(DisciplineRecord.supersedes_id == record_id))
            is None
        )
