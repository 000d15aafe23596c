"""Planning limits of Regulation 377-QĐ/TW: at most 3 cadres planned per post and 3 posts per cadre,
checked when planning is recorded (refused, or overridden with a reason) and reported on the pool
page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.errors import ValidationFailed
from app.extensions import db
from app.models import AuditEntry, PlanningEntry, Unit
from app.policy import units_in_scope, visible_cadres
from app.profiles import planning
from tests.helpers import cadre_no, plan, user_by_id


def _unit(code: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def test_a_post_takes_three_cadres_and_refuses_a_fourth(app, city, make_user):
    admin = make_user("quantri@example.vn", "admin")
    with app.app_context():
        actor = user_by_id(admin)
        for n in (1, 2, 3):
            entry = plan(actor, n)
            assert entry.unit_id == _unit("SO-NV-TCCB").id and entry.recorded_by_id == admin
        db.session.commit()
        with pytest.raises(ValidationFailed) as refused:
            plan(actor, 4)
        assert refused.value.field == "title_code"
        assert str(refused.value.message) == (  # pages speak Vietnamese by default
            "Chức danh này đã có 3 cán bộ khác được quy hoạch trong thời gian này; Quy định số "
            "377-QĐ/TW tháng 10/2025 cho phép quy hoạch tối đa 3 cán bộ cho một chức danh."
        )
        db.session.rollback()
        # the same title in another unit is another post
        plan(actor, 4, unit="SO-NV-CCVC")
        db.session.commit()
        assert db.session.scalar(select(func.count(PlanningEntry.id))) == 4


def test_a_fourth_whose_period_does_not_overlap_is_accepted(app, city, make_user):
    admin = make_user("quantri@example.vn", "admin")
    with app.app_context():
        actor = user_by_id(admin)
        for n in (1, 2, 3):
            plan(actor, n)
        with pytest.raises(ValidationFailed):  # starting on the last day of the others still overlaps
            plan(actor, 4, valid_from=date(2030, 12, 31), valid_to=None, term="2030-2035")
        db.session.rollback()
        for n in (1, 2, 3):
            plan(actor, n)
        plan(actor, 4, valid_from=date(2031, 1, 1), valid_to=None, term="2031-2036")
        db.session.commit()
        # an entry without an end keeps counting: from 2032 the 4th, 5th and 6th fill the post
        for n in (5, 6):
            plan(actor, n, valid_from=date(2032, 1, 1), valid_to=None, term="2031-2036")
        with pytest.raises(ValidationFailed):
            plan(actor, 7, valid_from=date(2032, 1, 1), valid_to=None, term="2031-2036")


def test_the_fourth_post_for_a_cadre_is_refused(app, city, make_user):
    admin = make_user("quantri@example.vn", "admin")
    with app.app_context():
        actor = user_by_id(admin)
        plan(actor, 1)
        plan(actor, 1, unit="SO-NV-CCVC")
        plan(actor, 1, unit="SO-NV", title="department-deputy")
        with pytest.raises(ValidationFailed) as refused:
            plan(actor, 1, unit="SO-NV", title="department-director")
        assert refused.value.field == "title_code"
        assert str(refused.value.message) == (
            "Cán bộ này đã được quy hoạch vào 3 chức danh khác trong thời gian này; Quy định số "
            "377-QĐ/TW tháng 10/2025 cho phép mỗi cán bộ được quy hoạch tối đa 3 chức danh."
        )
        with pytest.raises(ValidationFailed) as twice:  # the same post again is not a new post
            plan(actor, 1, unit="SO-NV-CCVC")
        assert "đã được quy hoạch vào chức danh này" in str(twice.value.message)


def test_an_override_with_a_reason_is_stored_and_audited(app, city, make_user):
    admin = make_user("quantri@example.vn", "admin", unit="SO-NV", can_override=True)
    with app.app_context():
        actor = user_by_id(admin)
        for n in (1, 2, 3):
            plan(actor, n)
        with pytest.raises(ValidationFailed) as no_reason:
            plan(actor, 4)
        assert no_reason.value.field == "limit_override"
        db.session.rollback()
        for n in (1, 2, 3):
            plan(actor, n)
        entry = plan(actor, 4, limit_override="  Nghị quyết 12-NQ/BCS: bổ sung nguồn cán bộ nữ trẻ. ")
        db.session.commit()
        assert entry.limit_override == "Nghị quyết 12-NQ/BCS: bổ sung nguồn cán bộ nữ trẻ."
        assert entry.recorded_by_id == admin
        audited = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "add_planning").order_by(AuditEntry.id.desc())
        ).first()
        assert audited.actor_id == admin and audited.target_id == entry.cadre_id
        assert audited.detail["limits_exceeded"] == f"{planning.CADRES_PER_POST} (4 > 3)"
        assert audited.detail["limit_override"] == entry.limit_override
        # within the limits a reason is not kept: there was nothing to override
        kept = plan(actor, 5, unit="SO-NV-CCVC", limit_override="không cần")
        assert kept.limit_override == ""


def test_the_same_reason_without_the_permission_is_refused(app, city, make_user):
    admin = make_user("quantri@example.vn", "admin", unit="SO-NV")
    with app.app_context():
        actor = user_by_id(admin)
        for n in (1, 2, 3):
            plan(actor, n)
        db.session.commit()
        with pytest.raises(ValidationFailed) as refused:
            plan(actor, 4, limit_override="Nghị quyết 12-NQ/BCS: bổ sung nguồn cán bộ nữ trẻ.")
        assert refused.value.field == "limit_override"
        assert "quyền ghi nhận quyết định vượt điều kiện" in str(refused.value.message)
        db.session.rollback()
        assert db.session.scalar(select(func.count(PlanningEntry.id))) == 3


def test_a_post_outside_the_actors_units_is_refused(app, city, make_user):
    ward_admin = make_user("phuong@example.vn", "admin", unit="P-BA-DINH", can_override=True)
    with app.app_context():
        actor = user_by_id(ward_admin)
        with pytest.raises(ValidationFailed) as refused:
            plan(actor, 9, unit="P-HOAN-KIEM", title="ward-chair")
        assert refused.value.field == "unit_code"
        assert plan(actor, 9, unit="P-BA-DINH", title="ward-chair").unit_id == _unit("P-BA-DINH").id


def _error(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-error">([^<]*)<', html)
    assert match, f"no error at {field}"
    return match.group(1)


def test_the_form_shows_the_limit_at_its_field_in_vietnamese(app, city, make_user, auth, client):
    admin = make_user("quantri@example.vn", "admin")
    with app.app_context():
        actor = user_by_id(admin)
        for n in (1, 2, 3):
            plan(actor, n)
        db.session.commit()
        fourth = cadre_no(4).id
    auth.login("quantri@example.vn")
    url = f"/cadres/{fourth}/planning/new"
    html = client.get(url).get_data(as_text=True)
    assert 'name="unit_code"' in html and 'value="SO-NV-TCCB"' in html  # the cadre's unit by default
    assert 'name="limit_override"' in html
    form = {
        "title_code": "division-head",
        "unit_code": "SO-NV-TCCB",
        "term": "2025-2030",
        "valid_from": "2025-06-01",
        "decision_no": "4/QĐ-SNV",
    }
    html = auth.post(url, form, token_from=url).get_data(as_text=True)
    error = _error(html, "title_code")
    assert "đã có 3 cán bộ khác được quy hoạch" in error and "Quy định số 377-QĐ/TW" in error
    assert "Cán bộ Số 1" not in html  # counts, never the names of the others
    html = auth.post(url, {**form, "limit_override": "Cần bổ sung nguồn."}, token_from=url).get_data(
        as_text=True
    )
    assert "quyền ghi nhận quyết định vượt điều kiện" in _error(html, "limit_override")
    html = auth.post(url, {**form, "unit_code": "KHONG-CO"}, token_from=url).get_data(as_text=True)
    assert _error(html, "unit_code") == "Không có đơn vị nào có mã «KHONG-CO»."
    with app.app_context():
        assert db.session.scalar(select(func.count(PlanningEntry.id))) == 3


def test_the_pool_page_reports_the_limits_in_a_constant_number_of_queries(
    app, city, make_user, auth, client, count_queries
):
    admin = make_user("quantri@example.vn", "admin", can_override=True)
    with app.app_context():
        actor = user_by_id(admin)
        for n in (1, 2, 3):
            plan(actor, n)
        plan(actor, 4, limit_override="Quyết định của Ban Thường vụ.")
        db.session.commit()
    auth.login("quantri@example.vn")
    html = client.get("/requirements/division-head/pool").get_data(as_text=True)
    assert "Giới hạn quy hoạch" in html and "Phòng Tổ chức cán bộ" in html
    assert "Vượt giới hạn" in html
    assert "Cán bộ Số 4" not in html.split('id="limits-heading"')[1]  # nobody has more than 3 posts yet
    with count_queries() as few:
        client.get("/requirements/division-head/pool")

    with app.app_context():
        actor = user_by_id(admin)
        plan(actor, 4, unit="SO-NV-CCVC")
        plan(actor, 4, unit="P-BA-DINH", title="ward-chair")
        plan(actor, 4, unit="SO-NV", title="department-deputy", limit_override="Nguồn cán bộ trẻ.")
        plan(actor, 5, unit="SO-NV-CCVC")
        plan(actor, 9, unit="P-BA-DINH")
        db.session.commit()
    html = client.get("/requirements/division-head/pool").get_data(as_text=True)
    report = html.split('id="limits-heading"')[1]
    assert "Phòng Công chức, viên chức" in report and "Phường Ba Đình" in report
    assert "Cán bộ Số 4" in report  # four posts
    with count_queries() as many:
        client.get("/requirements/division-head/pool")
    assert many.count == few.count


def test_the_report_counts_every_cadre_but_lists_only_posts_and_cadres_in_scope(
    app, city, make_user, count_queries
):
    city_admin = make_user("quantri@example.vn", "admin", can_override=True)
    ward_admin = make_user("phuong@example.vn", "admin", unit="P-BA-DINH")
    with app.app_context():
        actor = user_by_id(city_admin)
        for n in (1, 2, 3, 4):  # cadres of Sở Nội vụ planned for a post of the ward
            plan(actor, n, unit="P-BA-DINH", title="ward-chair", limit_override="Điều động tăng cường.")
        plan(actor, 9, unit="P-BA-DINH", title="ward-chair", limit_override="Nguồn tại chỗ.")
        plan(actor, 1, unit="P-HOAN-KIEM", title="ward-chair")
        db.session.commit()
        ward = user_by_id(ward_admin)
        with count_queries() as counter:
            report = planning.limits_report(
                db.session,
                "ward-chair",
                date(2026, 1, 1),
                units_in_scope(ward),
                visible_cadres(ward),
            )
        assert counter.count == 2
        assert [(p.unit.code, p.cadres, p.is_over) for p in report.posts] == [("P-BA-DINH", 5, True)]
        assert report.posts_over == 1 and report.cadres_over == []
