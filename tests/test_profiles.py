"""Cadre profiles, eligibility, appointment decisions, unit boundaries and the audit log."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.clock import local_today
from app.demo.accounts import DEMO_ACCOUNTS
from app.extensions import db
from app.models import (
    AppointmentDecision,
    AuditEntry,
    Cadre,
    PositionRecord,
    RequirementSet,
    TrainingRecord,
    Unit,
    User,
)
from app.org.units import create_unit, current_successor, get_unit, merge_unit, move_unit
from app.policy import SYSTEM
from app.profiles import records
from tests.helpers import cadre_id


def test_a_cadre_who_finished_the_courses_is_shown_eligible(world, auth, client):
    auth.login("canbo@demo.boiduong.vn", "canbo-demo")
    html = client.get("/me").get_data(as_text=True)
    assert "Phạm Quốc Hùng" in html
    assert re.search(r"Trưởng phòng: <span class=\"status-pill met\">", html)
    assert "Chuyển đổi số trong lãnh đạo, quản lý" in html  # the training record, from the course


def test_another_is_shown_exactly_what_they_lack_and_a_learning_plan(world, auth, client):
    auth.login(DEMO_ACCOUNTS[0][0], DEMO_ACCOUNTS[0][1])
    html = client.get("/me").get_data(as_text=True)
    assert re.search(r"Trưởng phòng: <span class=\"status-pill unmet\">", html)
    assert "Chuyên viên chính (CVC)" in html  # the state-management level required
    assert 'href="/courses/CDS-LD"' in html and 'href="/courses/QLCQDT"' in html  # learning plan
    assert "Nghị định 29/2024/NĐ-CP" in html  # legal basis shown


def test_an_ineligible_appointment_is_blocked_then_goes_through_only_with_an_override(
    world, app, auth, client
):
    lan = cadre_id(app, "HN-000001")
    today = local_today()
    auth.login(DEMO_ACCOUNTS[2][0], DEMO_ACCOUNTS[2][1])  # city admin with the override permission
    form = {
        "title_code": "division-head",
        "kind": "appointment",
        "unit_code": "SO-NV-TCCB",
        "effective_on": today.isoformat(),
        "decision_no": "512/QĐ-SNV",
    }
    response = auth.post(
        f"/cadres/{lan}/appointments/new", form, token_from=f"/cadres/{lan}/appointments/new"
    )
    assert response.status_code == 302
    decision_url = response.headers["Location"]
    html = client.get(decision_url).get_data(as_text=True)
    assert 'class="flash flash-error" role="alert"' in html  # blocked
    with app.app_context():
        decision = db.session.scalars(select(AppointmentDecision)).one()
        assert decision.status == "blocked" and decision.eligibility == "unmet"
        assert decision.evaluation["requirement_set"]["version"] == 1
        assert decision.evaluation["result"]["as_of"] == today.isoformat()
        assert db.session.get(Cadre, lan).title_code == "division-deputy"  # nothing applied

    # an admin without the override permission cannot push it through
    with app.app_context():
        db.session.get(User, 3).can_override = False
        db.session.commit()
    override = {
        "authority": "Ban Thường vụ Thành uỷ",
        "authority_decision_no": "88-QĐ/TU",
        "reason": "Nhu cầu cấp bách; cán bộ hoàn thành bồi dưỡng trong 6 tháng.",
    }
    assert auth.post(decision_url, override, token_from=decision_url).status_code == 403
    with app.app_context():
        db.session.get(User, 3).can_override = True
        db.session.commit()
    response = auth.post(decision_url, {**override, "reason": ""}, token_from=decision_url)
    assert 'id="reason-error"' in response.get_data(as_text=True)
    response = auth.post(decision_url, override, token_from=decision_url)  # the confirmation page
    assert response.status_code == 200 and "88-QĐ/TU" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(AppointmentDecision)).one().override is None
    response = auth.post(f"{decision_url}/override", override, token_from=decision_url)
    assert response.status_code == 302
    html = client.get(decision_url).get_data(as_text=True)
    assert "88-QĐ/TU" in html and "Nhu cầu cấp bách" in html
    with app.app_context():
        decision = db.session.scalars(select(AppointmentDecision)).one()
        assert decision.status == "blocked" and decision.override.recorded_by_id == 3  # append-only
        cadre = db.session.get(Cadre, lan)
        assert cadre.title_code == "division-head"
        positions = db.session.scalars(
            select(PositionRecord).where(PositionRecord.cadre_id == lan).order_by(PositionRecord.start_date)
        ).all()
        assert [(p.title_code, p.end_date) for p in positions] == [
            ("division-deputy", today - timedelta(1)),
            ("division-head", None),
        ]
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {"propose_appointment", "override_appointment"} <= actions
    # a second override of the same decision is refused
    assert auth.post(f"{decision_url}/override", override, token_from=decision_url).status_code == 409


def test_an_eligible_appointment_is_approved_and_updates_the_history(world, app, auth):
    hung = cadre_id(app, "HN-000002")
    auth.login(DEMO_ACCOUNTS[2][0], DEMO_ACCOUNTS[2][1])
    form = {
        "title_code": "division-head",
        "kind": "appointment",
        "unit_code": "SO-NV-TCCB",
        "effective_on": local_today().isoformat(),
        "decision_no": "600/QĐ-SNV",
    }
    auth.post(f"/cadres/{hung}/appointments/new", form, token_from=f"/cadres/{hung}/appointments/new")
    with app.app_context():
        decision = db.session.scalars(select(AppointmentDecision)).one()
        assert (decision.status, decision.eligibility) == ("approved", "met")
        assert db.session.get(Cadre, hung).title_code == "division-head"


@pytest.mark.parametrize(
    "field, value, error_field",
    [
        ("effective_on", "1950-01-01", "effective_on"),  # before the cadre's birth
        ("title_code", "vua", "title_code"),  # unknown position
        ("unit_code", "KHONG-CO", "unit_code"),
    ],
)
def test_bad_proposals_are_refused_with_the_field(world, app, auth, field, value, error_field):
    lan = cadre_id(app, "HN-000001")
    auth.login(DEMO_ACCOUNTS[2][0], DEMO_ACCOUNTS[2][1])
    form = {
        "title_code": "division-head",
        "kind": "appointment",
        "unit_code": "SO-NV-TCCB",
        "effective_on": "2026-12-01",
        "decision_no": "1/QĐ",
        field: value,
    }
    response = auth.post(
        f"/cadres/{lan}/appointments/new", form, token_from=f"/cadres/{lan}/appointments/new"
    )
    assert f'id="{error_field}-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(AppointmentDecision.id))) == 0


def test_a_cadre_sees_only_their_own_profile(world, app, auth, client):
    auth.login(DEMO_ACCOUNTS[0][0], DEMO_ACCOUNTS[0][1])
    assert client.get(f"/cadres/{cadre_id(app, 'HN-000001')}").status_code == 200
    assert client.get(f"/cadres/{cadre_id(app, 'HN-000002')}").status_code == 403
    assert client.get("/cadres/").status_code == 403
    assert client.get(f"/cadres/{cadre_id(app, 'HN-000002')}/print").status_code == 403


def test_a_unit_admin_sees_only_their_subtree(world, app, auth, client, count_queries):
    auth.login("quantri.phuong@demo.boiduong.vn", "quantri-phuong-demo")
    html = client.get("/cadres/").get_data(as_text=True)
    assert "Bùi Quang Huy" in html and "Ngô Thanh Hương" in html  # Phường Ba Đình and its office
    assert "Nguyễn Thị Lan" not in html and "Đặng Văn Long" not in html  # Sở Nội vụ, Phường Hoàn Kiếm
    # guessing another unit's profile URL
    outside = cadre_id(app, "HN-000001")
    assert client.get(f"/cadres/{outside}").status_code == 403
    assert client.get(f"/cadres/{outside}/print").status_code == 403
    assert client.get(f"/cadres/{outside}/training/new").status_code == 403
    assert client.get(f"/cadres/{outside}/appointments/new").status_code == 403
    # search is scoped too, with or without diacritics
    assert "Nguyễn Thị Lan" not in client.get("/cadres/?q=nguyen thi lan").get_data(as_text=True)
    assert "Bùi Quang Huy" in client.get("/cadres/?q=bui quang").get_data(as_text=True)
    # requirement sets are city-wide: a unit admin cannot change them
    assert client.get("/requirements/division-head/edit").status_code == 403
    # the list costs the same number of queries however many rows it shows
    with count_queries() as counter:
        client.get("/cadres/")
    assert counter.count <= 8


def test_a_unit_admin_cannot_appoint_into_another_unit(world, app, auth):
    huy = cadre_id(app, "HN-000007")
    auth.login("quantri.phuong@demo.boiduong.vn", "quantri-phuong-demo")
    form = {
        "title_code": "ward-chair",
        "kind": "appointment",
        "unit_code": "P-HOAN-KIEM",
        "effective_on": "2026-12-01",
        "decision_no": "9/QĐ",
    }
    response = auth.post(
        f"/cadres/{huy}/appointments/new", form, token_from=f"/cadres/{huy}/appointments/new"
    )
    assert 'id="unit_code-error"' in response.get_data(as_text=True)


def test_views_by_others_are_audited_and_own_views_are_not(world, app, auth, client):
    lan = cadre_id(app, "HN-000001")
    auth.login(DEMO_ACCOUNTS[0][0], DEMO_ACCOUNTS[0][1])
    client.get("/me")
    client.get(f"/cadres/{lan}")
    with app.app_context():
        assert (
            db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "view_profile"))
            == 0
        )
    auth.logout()
    auth.login(DEMO_ACCOUNTS[2][0], DEMO_ACCOUNTS[2][1])
    client.get(f"/cadres/{lan}")
    client.get(f"/cadres/{lan}/print")
    with app.app_context():
        entries = db.session.execute(
            select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.target_id).where(
                AuditEntry.action.in_(("view_profile", "print_profile"))
            )
        ).all()
        assert sorted(entries) == [("print_profile", 3, lan), ("view_profile", 3, lan)]


def test_corrections_supersede_and_the_history_stays(world, app, auth, client):
    lan = cadre_id(app, "HN-000001")
    with app.app_context():
        record_id = db.session.scalar(select(TrainingRecord.id).where(TrainingRecord.cadre_id == lan))
    auth.login(DEMO_ACCOUNTS[2][0], DEMO_ACCOUNTS[2][1])
    url = f"/training/{record_id}/correct"
    form = {
        "programme": "Bồi dưỡng kỹ năng số cơ bản",
        "issuer": "Trường Đào tạo, bồi dưỡng cán bộ Hà Nội",
        "category": "digital-transformation",
        "completed_on": "2025-10-15",
        "hours": "12",
        "certificate_no": "KNS-2025-0412",
        "reason": "",
    }
    response = auth.post(url, form, token_from=url)
    assert 'id="reason-error"' in response.get_data(as_text=True)  # why is required
    response = auth.post(url, {**form, "reason": "Sai số tiết: giấy chứng nhận ghi 12 tiết."}, token_from=url)
    assert response.status_code == 302
    html = client.get(f"/cadres/{lan}").get_data(as_text=True)
    assert 'class="superseded"' in html and "Sai số tiết" in html
    with app.app_context():
        rows = db.session.scalars(
            select(TrainingRecord).where(TrainingRecord.cadre_id == lan).order_by(TrainingRecord.id)
        ).all()
        assert [(r.hours, r.supersedes_id) for r in rows] == [(8, None), (12, rows[0].id)]
        assert rows[1].recorded_by_id == 3
    assert (
        auth.post(url, {**form, "reason": "lần hai"}, token_from=url).status_code == 200
    )  # already superseded


def test_requirement_changes_are_validated_by_field_and_previewed(world, app, auth, client):
    auth.login(DEMO_ACCOUNTS[2][0], DEMO_ACCOUNTS[2][1])
    url = "/requirements/division-head/edit"
    bad = (
        "requirements:\n  - title: division-head\n    effective_from: 2026-12-01\n    rules:\n"
        "      - {key: a, kind: course, params: {course: KHONG-CO}}\n"
        "      - {key: b, kind: qualification, params: {scale: political-theory, level: tien-si}}\n"
        "      - {key: c, kind: hours_in_category, params: {category: other, hours: -5, months: 12}}\n"
    )
    html = auth.post(url, {"source": bad, "action": "save"}, token_from=url).get_data(as_text=True)
    for field in (
        "requirements[0].rules[0].params.course",
        "requirements[0].rules[1].params.level",
        "requirements[0].rules[2].params.hours",
    ):
        assert field in html, field
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(RequirementSet.id)).where(RequirementSet.title_code == "division-head")
            )
            == 1
        )
    # dropping the course rules would make Nguyễn Thị Lan... still unmet (state management); dropping
    # everything but planning makes both candidates eligible: the preview says who gains
    relaxed = (
        "requirements:\n  - title: division-head\n    effective_from: 2026-12-01\n    legal_basis: Thử\n"
        "    rules:\n      - {key: planning, kind: planning, params: {or_higher: true}}\n"
    )
    html = auth.post(url, {"source": relaxed, "action": "preview"}, token_from=url).get_data(as_text=True)
    assert "Nguyễn Thị Lan" in html and "HN-000001" in html
    response = auth.post(url, {"source": relaxed, "action": "save"}, token_from=url)
    assert response.status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.max(RequirementSet.version)).where(RequirementSet.title_code == "division-head")
            )
            == 2
        )


def test_cli_eligibility_exit_codes_and_json(world, app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["profiles", "eligibility", "HN-000002", "division-head"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["profiles", "eligibility", "HN-000001", "division-head", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    unmet = [r for r in data["results"] if r["status"] == "unmet"]
    assert {r["rule"]["key"] for r in unmet} >= {"state-management", "platform-track"}
    assert all(r["rule"]["legal_basis"] for r in data["results"])
    # conditional: only the leadership programme is missing, within its grace window
    with app.app_context():
        cadre = db.session.scalar(select(Cadre).where(Cadre.employee_code == "HN-000002"))
        from app.models import QualificationRecord

        db.session.execute(
            QualificationRecord.__table__.delete().where(
                QualificationRecord.cadre_id == cadre.id, QualificationRecord.scale_code == "leadership"
            )
        )
        db.session.commit()
    result = runner.invoke(
        args=["profiles", "eligibility", "HN-000002", "division-head", "--as-of", "2026-12-01"]
    )
    assert result.exit_code == 3, result.output
    assert "2027-12-01" in result.output  # the deadline
    result = runner.invoke(args=["profiles", "eligibility", "KHONG-CO", "division-head"])
    assert result.exit_code != 0 and "no cadre" in result.output


def test_requirements_import_and_export_cli(world, app, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "req.yaml"
    assert runner.invoke(args=["requirements", "export", str(out)]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "division-head" in text and "Nghị định 29/2024/NĐ-CP" in text
    result = runner.invoke(args=["requirements", "import", str(out)])
    assert result.exit_code == 0 and "0 new version(s)" in result.output  # unchanged: nothing new
    out.write_text(text.replace("years: 5", "years: -1", 1), encoding="utf-8")
    result = runner.invoke(args=["requirements", "import", str(out)])
    assert result.exit_code == 1 and "params.years" in result.output


def test_units_move_merge_and_roll_up(app):
    with app.app_context():
        city = create_unit(db.session, None, code="HN", name="Hà Nội", type="city")
        district = create_unit(db.session, None, code="Q", name="Quận", type="district", parent=city)
        ward_old = create_unit(db.session, None, code="P-CU", name="Phường cũ", type="ward", parent=district)
        division = create_unit(
            db.session, None, code="P-CU-VP", name="Văn phòng", type="office", parent=ward_old
        )
        ward_new = create_unit(db.session, None, code="P-MOI", name="Phường mới", type="ward", parent=city)
        move_unit(db.session, None, ward_old, city, date(2025, 7, 1))
        assert get_unit(db.session, "P-CU-VP").path == f"/{city.id}/{ward_old.id}/{division.id}/"
        merge_unit(db.session, None, ward_old, ward_new, date(2025, 7, 1))
        merge_unit(db.session, None, district, city, date(2025, 7, 1))
        assert current_successor(db.session, ward_old).code == "P-MOI"
        assert ward_old.valid_to == date(2025, 6, 30) and not ward_old.is_valid_on(date(2025, 7, 1))
        # a record keeps the unit it was earned in
        cadre = Cadre(
            employee_code="X1",
            full_name="A",
            search_name="a",
            date_of_birth=date(1990, 1, 1),
            gender="male",
            staff_type="civil_servant",
            unit_id=ward_new.id,
        )
        db.session.add(cadre)
        db.session.flush()
        db.session.add(
            TrainingRecord(
                cadre_id=cadre.id,
                source="external",
                programme="P",
                hours=4,
                completed_on=date(2024, 5, 1),
                unit_id=ward_old.id,
            )
        )
        db.session.commit()
        assert (
            db.session.scalar(select(Unit.code).join(TrainingRecord, TrainingRecord.unit_id == Unit.id))
            == "P-CU"
        )


def test_use_after_training_report(world, app, auth, client):
    hung = cadre_id(app, "HN-000002")
    tomorrow = local_today() + timedelta(1)
    auth.login(DEMO_ACCOUNTS[2][0], DEMO_ACCOUNTS[2][1])
    html = client.get("/reports/use-after-training").get_data(as_text=True)
    assert "Phòng Tổ chức cán bộ" in html
    form = {
        "title_code": "division-head",
        "kind": "appointment",
        "unit_code": "SO-NV-TCCB",
        "effective_on": tomorrow.isoformat(),  # after the courses Hùng finished today
        "decision_no": "700/QĐ",
    }
    auth.post(f"/cadres/{hung}/appointments/new", form, token_from=f"/cadres/{hung}/appointments/new")
    result = app.test_cli_runner().invoke(args=["decisions", "apply-due", "--as-of", tomorrow.isoformat()])
    assert "1 decision(s) applied" in result.output
    html = client.get("/reports/use-after-training?months=12").get_data(as_text=True)
    row = re.search(r"Phòng Tổ chức cán bộ.*?</tr>", html, re.S)[0]
    assert re.findall(r'class="num">([^<]*)<', row)[:2] == ["2", "1"]  # trained 2 (Lan, Hùng); appointed 1


def test_linking_an_account_brings_in_completed_courses(world, app):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "canbo@demo.boiduong.vn"))
        cadre = db.session.scalar(select(Cadre).where(Cadre.user_id == user.id))
        internal = select(func.count(TrainingRecord.id)).where(TrainingRecord.source == "internal")
        before = db.session.scalar(internal)
        cadre.user_id = None
        db.session.execute(TrainingRecord.__table__.delete().where(TrainingRecord.source == "internal"))
        assert records.link_account(db.session, SYSTEM, cadre, user) == before
        db.session.commit()
        assert db.session.scalar(internal) == before


def test_pool_page_says_who_meets_the_requirements(world, app, auth, client):
    auth.login(DEMO_ACCOUNTS[2][0], DEMO_ACCOUNTS[2][1])
    html = client.get("/requirements/division-head/pool").get_data(as_text=True)
    hung = html.index("Phạm Quốc Hùng")
    lan = html.index("Nguyễn Thị Lan")
    assert hung < lan  # eligible first
    assert "Quản lý nhà nước ngạch chuyên viên chính trở lên" in html[lan:]
    auth.logout()
    auth.login("quantri.phuong@demo.boiduong.vn", "quantri-phuong-demo")
    html = client.get("/requirements/division-head/pool").get_data(as_text=True)
    assert "Nguyễn Thị Lan" not in html  # outside the unit admin's subtree


def test_admin_records_qualifications_planning_and_discipline(world, app, auth, client):
    lan = cadre_id(app, "HN-000001")
    auth.login(DEMO_ACCOUNTS[2][0], DEMO_ACCOUNTS[2][1])
    url = f"/cadres/{lan}/qualifications/new"
    response = auth.post(url, {"scale": "state-management", "level": "bachelor"}, token_from=url)
    assert 'id="level-error"' in response.get_data(as_text=True)  # not a level of that scale
    auth.post(
        url,
        {
            "scale": "state-management",
            "level": "principal",
            "issuer": "Học viện Hành chính",
            "number": "CVC-77",
            "issued_on": "2026-03-01",
        },
        token_from=url,
    )
    result = app.test_cli_runner().invoke(
        args=["profiles", "eligibility", "HN-000001", "division-head", "--json"]
    )
    unmet = {r["rule"]["key"] for r in json.loads(result.output)["results"] if r["status"] == "unmet"}
    assert "state-management" not in unmet

    url = f"/cadres/{lan}/discipline/new"
    auth.post(
        url, {"level": "reprimand", "decided_on": "2026-01-10", "decision_no": "5/QĐ-KL"}, token_from=url
    )
    html = client.get(f"/cadres/{lan}").get_data(as_text=True)
    assert "10/01/2028" in html  # eligible again 24 months later

    url = f"/cadres/{lan}/planning/new"
    response = auth.post(
        url,
        {
            "title_code": "department-deputy",
            "unit_code": "SO-NV",
            "term": "2025-2030",
            "valid_from": "2026-01-01",
            "valid_to": "2025-01-01",
            "decision_no": "9/QĐ",
        },
        token_from=url,
    )
    assert 'id="valid_to-error"' in response.get_data(as_text=True)
    auth.post(
        url,
        {
            "title_code": "department-deputy",
            "unit_code": "SO-NV",
            "term": "2025-2030",
            "valid_from": "2026-01-01",
            "decision_no": "9/QĐ",
        },
        token_from=url,
    )
    html = client.get(f"/cadres/{lan}").get_data(as_text=True)
    assert "Phó Giám đốc sở:" in html  # a new target position is now evaluated

    with app.app_context():
        from app.models import QualificationRecord

        record_id = db.session.scalar(
            select(QualificationRecord.id).where(QualificationRecord.number == "CVC-77")
        )
    url = f"/qualifications/{record_id}/revoke"
    auth.post(url, {"reason": "Chứng chỉ bị thu hồi do cấp sai đối tượng."}, token_from=url)
    result = app.test_cli_runner().invoke(
        args=["profiles", "eligibility", "HN-000001", "division-head", "--json"]
    )
    unmet = {r["rule"]["key"] for r in json.loads(result.output)["results"] if r["status"] == "unmet"}
    assert {"state-management", "discipline"} <= unmet
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        assert {"add_qualification", "add_discipline", "add_planning", "revoke_qualification"} <= set(actions)


def test_units_cli_and_page(world, app, auth, client):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["units", "create", "P-MOI", "Phường Mới", "--type", "ward", "--parent", "HN"]
    )
    assert result.exit_code == 0, result.output
    assert (
        runner.invoke(args=["units", "rename", "P-MOI", "Phường Mới Lập", "--decision", "1/NQ"]).exit_code
        == 0
    )
    result = runner.invoke(args=["units", "merge", "P-HOAN-KIEM", "P-MOI", "--on", "2026-07-01"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["units", "move", "HN", "P-MOI"]).exit_code != 0  # not under itself
    assert "no unit" in runner.invoke(args=["units", "rename", "KHONG", "X"]).output
    auth.login(DEMO_ACCOUNTS[2][0], DEMO_ACCOUNTS[2][1])
    html = client.get("/units/").get_data(as_text=True)
    assert "Phường Mới Lập" in html and "Phường Mới → Phường Mới Lập" in html
    assert "Quận Ba Đình" in html  # merged in 2025, still listed with its successor
    auth.logout()
    auth.login("quantri.phuong@demo.boiduong.vn", "quantri-phuong-demo")
    html = client.get("/units/").get_data(as_text=True)
    assert "Phường Ba Đình" in html and "Sở Nội vụ" not in html


def test_domain_errors_show_at_their_field_in_vietnamese(world, app, auth):
    lan = cadre_id(app, "HN-000001")
    auth.login(DEMO_ACCOUNTS[2][0], DEMO_ACCOUNTS[2][1])
    url = f"/cadres/{lan}/appointments/new"
    form = {
        "title_code": "division-head",
        "kind": "appointment",
        "unit_code": "SO-NV-TCCB",
        "effective_on": "1950-01-01",
        "decision_no": "1/QĐ",
    }
    html = auth.post(url, form, token_from=url).get_data(as_text=True)
    assert '<p class="field-error" id="effective_on-error">Ngày này trước ngày sinh của cán bộ.</p>' in html
