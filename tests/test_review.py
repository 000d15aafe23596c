"""Admin review at city scale: imports, the dashboard, exports and assignments, within unit scope."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import delete, func, select, text

from app.clock import local_today
from app.courses.source import read_course
from app.demo.accounts import DEMO_ACCOUNTS
from app.demo.profiles import _complete_course
from app.extensions import db
from app.models import Assignment, Cadre, TrainingRecord, Unit
from tests.helpers import CITY_ADMIN, PROJECT_COURSES, WARD_ADMIN, migration, run_import

CADRES_CSV = (
    "Mã cán bộ,Họ và tên,Ngày sinh,Giới tính,Loại cán bộ,Mã đơn vị,Chức vụ,Ngạch\n"
    "HN-200001,Trần Thị Hoa,05/03/1988,Nữ,công chức,P-BA-DINH-VP,,Chuyên viên\n"
    "HN-200002,Lê Văn Bình,12/11/1990,Nam,viên chức,P-BA-DINH,,\n"
)


def test_cli_import_dry_run_apply_and_idempotence(world, app):
    bad = (
        CADRES_CSV
        + "HN-200001,Trùng,01/01/1990,Nam,công chức,P-BA-DINH,,\n"
        + "HN-200003,X,31/02/1990,Nam,công chức,KHONG,,\n"
    )
    result = run_import(app, bad.encode("utf-8-sig"))
    assert result.exit_code == 1
    assert "row 4, column Mã cán bộ: HN-200001: the same employee code is on row 2" in result.output
    assert "row 5, column Ngày sinh: 31/02/1990: not a possible date of birth" in result.output
    assert "row 5, column Mã đơn vị: KHONG: no unit has this code" in result.output
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).where(Cadre.employee_code.like("HN-2%"))) == 0
        )  # nothing
    result = run_import(app, CADRES_CSV.encode("utf-8"), "cb.csv", "--dry-run")
    assert result.exit_code == 0 and "2 would be created" in result.output
    assert run_import(app, CADRES_CSV.encode("utf-8")).exit_code == 0
    result = run_import(app, CADRES_CSV.encode("utf-8"))
    assert "0 were created, 0 updated, 2 unchanged" in result.output  # re-import changes nothing
    updated = CADRES_CSV.replace("Lê Văn Bình,12/11/1990", "Lê Văn Bình,13/11/1990")
    assert "1 updated" in run_import(app, updated.encode("utf-8")).output
    with app.app_context():
        assert (
            db.session.scalar(select(Cadre.search_name).where(Cadre.employee_code == "HN-200001"))
            == "tran thi hoa"
        )


def test_import_reads_excel_exports_and_xlsx(world, app):
    semicolons = CADRES_CSV.replace(",", ";").encode("utf-16")  # Excel's "Unicode text"-style export
    assert run_import(app, semicolons).exit_code == 0
    workbook = Workbook()
    sheet = workbook.active
    for line in CADRES_CSV.replace("HN-2", "HN-3").splitlines():
        sheet.append(line.split(","))
    out = io.BytesIO()
    workbook.save(out)
    result = run_import(app, out.getvalue(), "cb.xlsx")
    assert result.exit_code == 0 and "2 were created" in result.output
    result = run_import(app, b"\x89PNG\r\n\x1a\n\x00\x00binary", "anh.png")
    assert result.exit_code != 0 and "not a CSV or XLSX file" in result.output


def test_units_import(world, app):
    units = (
        "code,name,type,parent_code\nP-MOI,Phường Mới,phường,HN\nP-MOI-VP,Văn phòng phường Mới,office,P-MOI\n"
    )
    result = run_import(app, units.encode("utf-8"), "units.csv")
    assert result.exit_code == 0, result.output
    with app.app_context():
        child = db.session.scalar(select(Unit).where(Unit.code == "P-MOI-VP"))
        assert child.parent.code == "P-MOI" and child.path.startswith(child.parent.path)
    assert "2 unchanged" in run_import(app, units.encode("utf-8"), "units.csv").output


def test_an_import_that_links_an_account_brings_its_completed_courses(world, app, make_user):
    from app.models import User

    user_id = make_user("hoa.tran@example.vn", full_name="Trần Thị Hoa")
    with app.app_context():  # she took a course before the personnel office sent her profile
        _complete_course(db.session, db.session.get(User, user_id), "ATTT-CB")
        db.session.commit()
    linked = "Mã cán bộ,Họ và tên,Ngày sinh,Giới tính,Loại cán bộ,Mã đơn vị,Thư điện tử\n" + (
        "HN-200001,Trần Thị Hoa,05/03/1988,Nữ,công chức,P-BA-DINH-VP,hoa.tran@example.vn\n"
    )
    assert run_import(app, linked.encode("utf-8")).exit_code == 0
    with app.app_context():
        cadre = db.session.scalar(select(Cadre).where(Cadre.employee_code == "HN-200001"))
        assert cadre.user_id == user_id
        codes = db.session.scalars(
            select(TrainingRecord.course_code).where(TrainingRecord.cadre_id == cadre.id)
        )
        assert list(codes) == ["ATTT-CB"]
    assert "0 updated, 1 unchanged" in run_import(app, linked.encode("utf-8")).output  # nothing twice
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(TrainingRecord.cadre_id == cadre.id)) == 1


def test_browser_import_is_scoped_to_the_unit_admin(world, app, auth, client):
    auth.login(*WARD_ADMIN)
    outside = CADRES_CSV + "HN-200009,Ngoài Phạm Vi,01/01/1990,Nam,công chức,SO-NV,,\n"
    token = (
        client.get("/admin/import")
        .get_data(as_text=True)
        .split('name="csrf_token" type="hidden" value="')[1]
        .split('"')[0]
    )
    response = client.post(
        "/admin/import",
        data={"csrf_token": token, "file": (io.BytesIO(outside.encode()), "cb.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert "ngoài đơn vị của bạn" in html and "Thực hiện nhập dữ liệu" not in html  # in her language
    response = client.post(
        "/admin/import",
        data={"csrf_token": token, "file": (io.BytesIO(b"\x00\x01binary"), "anh.png")},
        content_type="multipart/form-data",
    )
    assert "không phải tệp CSV hoặc XLSX" in response.get_data(as_text=True)
    response = client.post(
        "/admin/import",
        data={"csrf_token": token, "file": (io.BytesIO(CADRES_CSV.encode()), "cb.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    batch = html.split('action="/admin/import/')[1].split("/apply")[0]
    assert client.post(f"/admin/import/{batch}/apply", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Cadre.employee_code.like("HN-2%"))) == 2


def test_dashboard_drill_down_and_scope(world, app, auth, client, count_queries):
    auth.login(*CITY_ADMIN)
    html = client.get("/review/").get_data(as_text=True)
    assert "Sở Nội vụ" in html and "Phường Ba Đình" in html and "<svg" in html
    html = client.get("/review/?unit=SO-NV").get_data(as_text=True)
    assert "Phòng Tổ chức cán bộ" in html
    html = client.get("/review/cadres?unit=SO-NV-TCCB").get_data(as_text=True)
    assert "Phạm Quốc Hùng" in html and "Nguyễn Thị Lan" in html
    with count_queries() as counter:
        client.get("/review/")
    assert counter.count <= 10
    auth.logout()
    auth.login(*WARD_ADMIN)
    html = client.get("/review/").get_data(as_text=True)
    assert "Sở Nội vụ" not in html
    assert client.get("/review/?unit=SO-NV").status_code == 403
    assert client.get("/review/cadres?unit=SO-NV-TCCB").status_code == 403
    rows = list(
        csv.reader(
            io.StringIO(client.get("/review/export.csv?what=cadres").get_data(as_text=True).lstrip("\ufeff"))
        )
    )
    codes = {r[0] for r in rows[1:]}
    assert "HN-000001" not in codes and "HN-000007" in codes  # no other unit's rows in an export


def test_exports_csv_and_xlsx(world, app, auth, client):
    auth.login(*CITY_ADMIN)
    rows = list(
        csv.reader(
            io.StringIO(client.get("/review/export.csv?unit=SO-NV").get_data(as_text=True).lstrip("\ufeff"))
        )
    )
    assert rows[0][:3] == ["unit_code", "unit_name", "enrolled"]
    tccb = next(r for r in rows if r[0] == "SO-NV-TCCB")
    assert int(tccb[2]) >= 2 and int(tccb[4]) >= 2  # Phạm Quốc Hùng's enrolments and completions
    data = client.get("/review/export.xlsx?unit=SO-NV").data
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))][:2] == ["unit_code", "unit_name"]


def test_assignments_overdue_and_my_learning(world, app, auth, client):
    auth.login(*CITY_ADMIN)
    due = (local_today() + timedelta(days=30)).isoformat()
    url = "/review/assignments"
    response = auth.post(
        url,
        {
            "name": "Chương trình chuyển đổi số 2026",
            "courses": ["CDS-LD", "ATTT-CB"],
            "target_kind": "unit",
            "unit_code": "SO-NV",
            "due_on": due,
        },
        token_from=url,
    )
    assert response.status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "Chương trình chuyển đổi số 2026" in html
    response = auth.post(
        url,
        {"name": "Sai", "courses": ["CDS-LD"], "target_kind": "unit", "unit_code": "KHONG", "due_on": due},
        token_from=url,
    )
    assert 'id="unit_code-error"' in response.get_data(as_text=True)
    # make it overdue: nobody edits "overdue", it follows from the due date and completions
    with app.app_context():
        db.session.scalars(select(Assignment)).one().due_on = local_today() - timedelta(days=1)
        db.session.commit()
    html = client.get("/review/?unit=SO-NV").get_data(as_text=True)
    assert '<strong class="fail">' in html
    auth.logout()
    auth.login(DEMO_ACCOUNTS[0][0], DEMO_ACCOUNTS[0][1])
    html = client.get("/my").get_data(as_text=True)
    assert "Chương trình chuyển đổi số 2026" in html and "CDS-LD" in html
    assert '<strong class="fail">' in html  # overdue for the learner too


def test_a_cadre_who_moves_out_drops_out_unless_the_assignment_follows(world, app, auth, client):
    auth.login(*CITY_ADMIN)
    url = "/review/assignments"
    due = (local_today() + timedelta(days=30)).isoformat()
    auth.post(
        url,
        {
            "name": "Theo đơn vị",
            "courses": ["QLCQDT"],
            "target_kind": "unit",
            "unit_code": "SO-NV-TCCB",
            "due_on": due,
        },
        token_from=url,
    )
    auth.post(
        url,
        {
            "name": "Theo người",
            "courses": ["ATTT-CB"],
            "target_kind": "unit",
            "unit_code": "SO-NV-TCCB",
            "due_on": due,
            "follows_movers": "y",
        },
        token_from=url,
    )
    with app.app_context():
        lan = db.session.scalar(select(Cadre).where(Cadre.employee_code == "HN-000001"))
        lan.unit_id = db.session.scalar(select(Unit.id).where(Unit.code == "P-HOAN-KIEM"))
        db.session.commit()
    auth.logout()
    auth.login(DEMO_ACCOUNTS[0][0], DEMO_ACCOUNTS[0][1])
    html = client.get("/my").get_data(as_text=True)
    assert "Theo người" in html and "Theo đơn vị" not in html


@pytest.mark.parametrize(
    "path", ["/review/", "/review/assignments", "/review/export.csv", "/review/cadres", "/admin/import"]
)
def test_learners_and_trainers_cannot_open_admin_review(world, auth, client, path):
    auth.login(DEMO_ACCOUNTS[1][0], DEMO_ACCOUNTS[1][1])
    assert client.get(path).status_code == 403


def test_counters_kept_current_equal_a_rebuild(world, app, auth, client):
    from app.models import (
        CadreHoursStats,
        CourseMonthStats,
        UnitCourseStats,
        UnitHoursStats,
        UnitMonthStats,
        User,
    )
    from app.org.units import get_unit
    from app.reports.dashboard import completions_by_month
    from app.reports.filters import Filters
    from app.stats import rollups

    auth.login(DEMO_ACCOUNTS[0][0], DEMO_ACCOUNTS[0][1])  # Nguyễn Thị Lan enrols and reads a lesson
    auth.post("/courses/ATTT-CB/enrol", token_from="/courses/ATTT-CB")
    auth.logout()
    with app.app_context():  # and completes another course: periods and a completion to carry
        cadre = db.session.scalar(select(Cadre).where(Cadre.employee_code == "HN-000001"))
        cadre_id = cadre.id
        _complete_course(db.session, db.session.get(User, cadre.user_id), "QLCQDT")
        db.session.commit()
    auth.login(*CITY_ADMIN)  # and is transferred to another unit today: her counters move with her
    url = f"/cadres/{cadre_id}/appointments/new"
    response = auth.post(
        url,
        {
            "title_code": "division-deputy",
            "kind": "transfer",
            "unit_code": "SO-NV-CCVC",
            "effective_on": local_today().isoformat(),
            "decision_no": "77/QĐ",
        },
        token_from=url,
    )
    decision_url = response.headers["Location"]  # blocked: she lacks the leadership programme
    override = {"authority": "Giám đốc Sở Nội vụ", "authority_decision_no": "77/QĐ", "reason": "Điều động."}
    assert auth.post(f"{decision_url}/override", override, token_from=decision_url).status_code == 302

    def months():  # per unit, and for the city
        return [
            sorted(row for row in db.session.execute(select(table.__table__)) if row[-1])
            for table in (UnitMonthStats, CourseMonthStats)
        ]

    def hours():  # per unit and area, and per cadre
        return [
            sorted(row for row in db.session.execute(select(table.__table__)) if row[-1])
            for table in (UnitHoursStats, CadreHoursStats)
        ]

    def snapshot():
        return sorted(
            db.session.execute(
                select(
                    UnitCourseStats.unit_id,
                    UnitCourseStats.course_id,
                    UnitCourseStats.enrolled,
                    UnitCourseStats.completed,
                    UnitCourseStats.scored,
                )
            ).all()
        )

    with app.app_context():
        moved_to = get_unit(db.session, "SO-NV-CCVC").id
        assert db.session.get(Cadre, cadre_id).unit_id == moved_to  # the move happened
        assert any(row[0] == moved_to and row[3] for row in snapshot())  # with her completion
        assert any(row[0] == moved_to and row[-1] for row in hours()[0])  # and her periods
        kept, kept_months, kept_hours = [row for row in snapshot() if row[2] or row[3]], months(), hours()
        assert all(kept_months)  # Phạm Quốc Hùng's completions this month, in his unit and the city
        rollups.rebuild(db.session)
        assert kept == snapshot()
        assert kept_months == months()
        assert kept_hours == hours()
        # the city's chart (its own counters) and Sở Nội vụ's (its units'), where all completions are
        city = completions_by_month(db.session, None, Filters())
        department = completions_by_month(db.session, get_unit(db.session, "SO-NV"), Filters())
        assert city == department and sum(n for _month, n in city) > 0


def test_dashboard_with_a_period_counts_live(world, app, auth, client):
    auth.login(*CITY_ADMIN)
    today = local_today()
    html = client.get(f"/review/?unit=SO-NV&start={today.isoformat()}&end={today.isoformat()}").get_data(
        as_text=True
    )
    row = html.split("Phòng Tổ chức cán bộ</a>")[1].split("</tr>")[0]
    assert '<td class="num">2</td>' in row  # Phạm Quốc Hùng's two completions today
    html = client.get("/review/?unit=SO-NV&start=2020-01-01&end=2020-12-31").get_data(as_text=True)
    row = html.split("Phòng Tổ chức cán bộ</a>")[1].split("</tr>")[0]
    assert row.count('<td class="num">0</td>') >= 3


def shipped_hours(folder: str) -> int:
    """The periods a shipped course credits (its `hours`, which `courses check` holds to its content)."""
    source, problems = read_course(PROJECT_COURSES / folder)
    assert problems == []
    return source.hours


def test_hours_by_content_area_and_against_a_target(world, app, auth, client):
    auth.login(*CITY_ADMIN)
    year = local_today().year
    html = client.get(f"/review/hours?unit=SO-NV&year={year}").get_data(as_text=True)
    row = html.split("Phòng Tổ chức cán bộ</a>")[1].split("</tr>")[0]
    # Phạm Quốc Hùng: the two courses of the division-head track this year, in all
    both = shipped_hours("chuyen-doi-so-lanh-dao") + shipped_hours("quan-ly-chinh-quyen-do-thi")
    assert row.endswith(f'<td class="num">{both}</td>')
    assert "Below target" not in html and "Dưới mức" not in html  # no target: off by default
    app.config["ANNUAL_HOURS_TARGET"] = 40
    html = client.get(f"/review/hours?unit=SO-NV-TCCB&year={year}").get_data(as_text=True)
    assert "Phạm Quốc Hùng" in html and "Nguyễn Thị Lan" in html  # both below 40 periods
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/review/hours?unit=SO-NV&year={year}&format=csv")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    assert rows[0][-1] == "below_target"
    auth.logout()
    auth.login(*WARD_ADMIN)
    assert client.get(f"/review/hours?unit=SO-NV&year={year}").status_code == 403


def test_hours_counters_follow_records_corrections_and_moves_and_equal_a_rebuild(world, app):
    from app.models import CadreHoursStats, UnitHoursStats, User
    from app.org import units
    from app.profiles import records
    from app.reports.hours import hours_report
    from app.stats import rollups

    year = local_today().year

    def kept():  # rows emptied by a move or a revocation hold zeros; a rebuild has no such rows
        return [
            sorted(row for row in db.session.execute(select(table.__table__)) if row[-1])
            for table in (UnitHoursStats, CadreHoursStats)
        ]

    def equal_to_a_rebuild():
        before = kept()
        rollups.rebuild_hours(db.session)
        assert before == kept()
        db.session.rollback()

    def tccb_hours():
        rows, _categories = hours_report(db.session, units.get_unit(db.session, "SO-NV"), year, 0)
        return next(r.by_category for r in rows if r.unit.code == "SO-NV-TCCB")

    with app.app_context():
        before = tccb_hours()
        admin = db.session.scalar(select(User).where(User.email == CITY_ADMIN[0]))
        lan = db.session.scalar(select(Cadre).where(Cadre.employee_code == "HN-000001"))
        _complete_course(db.session, db.session.get(User, lan.user_id), "ATTT-CB")
        course = records.ExternalTraining(
            "Bồi dưỡng lý luận chính trị", "Trường Chính trị", local_today(), 40
        )
        external = records.add_external(
            db.session,
            admin,
            lan,
            records.ExternalTraining(**{**course.__dict__, "category": "political-theory"}),
        )
        records.correct_training(
            db.session,
            admin,
            external,
            records.ExternalTraining(**{**course.__dict__, "category": "political-theory", "hours": 32}),
            "Giấy chứng nhận ghi 32 tiết",
        )
        db.session.commit()
        equal_to_a_rebuild()
        after = tccb_hours()
        security = shipped_hours("an-toan-thong-tin")
        assert after.get("information-security", 0) == before.get("information-security", 0) + security
        assert after.get("political-theory", 0) == before.get("political-theory", 0) + 32

        corrected = db.session.scalars(
            select(TrainingRecord).where(TrainingRecord.supersedes_id == external.id)
        ).one()
        records.revoke_training(db.session, admin, corrected, "Chứng chỉ bị thu hồi")
        db.session.commit()
        equal_to_a_rebuild()
        assert tccb_hours().get("political-theory", 0) == before.get("political-theory", 0)

        _transfer(admin, lan, "SO-NV-CCVC")  # moved to another division: her periods go with her
        equal_to_a_rebuild()
        assert tccb_hours().get("information-security", 0) == before.get("information-security", 0)

        # the migration that introduced the counters fills them the same way, in plain SQL
        expected = kept()
        db.session.execute(delete(UnitHoursStats))
        db.session.execute(delete(CadreHoursStats))
        for statement in migration("0006_hours_stats").backfill_statements(db.engine.dialect.name):
            db.session.execute(text(statement))
        assert kept() == expected


def test_exports_round_trip_through_the_import(world, app, auth, client):
    auth.login(*CITY_ADMIN)
    units = client.get("/review/export.csv?what=units-tree").data
    profiles = client.get("/review/export.csv?what=profiles").data
    assert b"HN-000001" in profiles and "Nguyễn Thị Lan".encode() in profiles
    result = run_import(app, units, "units.csv")
    assert result.exit_code == 0 and " 0 updated" in result.output and "0 were created" in result.output
    result = run_import(app, profiles, "profiles.csv")
    assert result.exit_code == 0, result.output
    assert "0 were created, 0 updated" in result.output  # nothing changes


def test_the_seed_builds_a_small_city_that_works(app, shipped_courses, make_user):
    from app.demo.city import seed_city

    with app.app_context():
        counts = seed_city(db.session, 60, seed=7, echo=lambda _line: None)
        db.session.commit()
        assert counts["enrolments"] > 60 and counts["completions"] > 0
        cadres = db.session.scalar(select(func.count(Cadre.id)))
        assert cadres == 60
    make_user("after@example.vn")  # ids given by the seed do not collide with new rows


def test_assignment_counters_follow_completions_moves_and_links_and_equal_a_rebuild(
    world,
    app,
    auth,
    client,
):
    from app.assignments.service import assignment_summaries
    from app.models import AssignmentStats, User
    from app.org import units
    from app.reports.dashboard import overdue_by_unit
    from app.reports.filters import Filters
    from app.stats import rollups

    auth.login(*CITY_ADMIN)
    url = "/review/assignments"
    due = (local_today() + timedelta(days=30)).isoformat()
    for name, courses, extra in (
        ("Sở Nội vụ", ["CDS-LD", "ATTT-CB"], {"target_kind": "unit", "unit_code": "SO-NV"}),
        (
            "Phòng TCCB, theo người",
            ["ATTT-CB"],
            {"target_kind": "unit", "unit_code": "SO-NV-TCCB", "follows_movers": "y"},
        ),
        ("Phó trưởng phòng", ["ATTT-CB"], {"target_kind": "title", "title_code": "division-deputy"}),
        ("Chị Lan", ["ATTT-CB", "QLCQDT"], {"target_kind": "cadres", "employee_codes": "HN-000001"}),
    ):
        response = auth.post(url, {"name": name, "courses": courses, "due_on": due, **extra}, token_from=url)
        assert response.status_code == 302, name

    def kept():  # rows a cadre has left hold zeros; a rebuild has no such rows
        return sorted(
            row for row in db.session.execute(select(AssignmentStats.__table__)) if row[3] or row[4]
        )

    def equal_to_a_rebuild():
        before = kept()
        rollups.rebuild_assignment_stats(db.session)
        assert before == kept()
        db.session.rollback()

    def summary(name):
        scope = None
        return next(s for s in assignment_summaries(db.session, scope) if s.assignment.name == name)

    with app.app_context():
        equal_to_a_rebuild()
        assert (summary("Chị Lan").members, summary("Chị Lan").completed) == (1, 0)
        lan = db.session.scalar(select(Cadre).where(Cadre.employee_code == "HN-000001"))
        learner = db.session.get(User, lan.user_id)
        _complete_course(db.session, learner, "ATTT-CB")  # her first completion counts everywhere
        db.session.commit()
        equal_to_a_rebuild()
        assert (summary("Chị Lan").members, summary("Chị Lan").completed) == (1, 1)

        # appointed head of another division: out of the title-based and the unit-bound
        # TCCB assignments, still in the one that follows movers and in the department's
        admin = db.session.scalar(select(User).where(User.email == CITY_ADMIN[0]))
        _transfer(admin, lan, "SO-NV-CCVC")
        assert lan.unit_id == units.get_unit(db.session, "SO-NV-CCVC").id  # the move happened
        equal_to_a_rebuild()
        assert summary("Phó trưởng phòng").completed == 0
        assert summary("Phòng TCCB, theo người").completed == 1

        # the whole division moves under a ward: out of the department's assignment
        units.move_unit(
            db.session,
            admin,
            units.get_unit(db.session, "SO-NV-CCVC"),
            units.get_unit(db.session, "P-HOAN-KIEM"),
            local_today(),
        )
        db.session.commit()
        equal_to_a_rebuild()

        # past due: overdue is what remains, on the dashboard and on the assignments page
        for a in db.session.scalars(select(Assignment)):
            a.due_on = local_today() - timedelta(days=1)
        db.session.commit()
        lan_summary = summary("Chị Lan")
        assert lan_summary.overdue == 1  # QLCQDT is still to do
        overdue = overdue_by_unit(db.session, Filters(), local_today(), None)
        assert sum(overdue.values()) == sum(s.overdue for s in assignment_summaries(db.session, None))

        # the migration that introduced the counters fills them the same way, in plain SQL
        expected = kept()
        db.session.execute(delete(AssignmentStats))
        db.session.execute(text(migration("0005_assignment_stats").BACKFILL))
        assert kept() == expected


def _transfer(admin, cadre, unit_code: str) -> None:
    """A transfer of `cadre` as a specialist to another unit, effective today. The post has no
    requirement set, so nothing can be checked: it goes through by the competent authority's override."""
    from app.org import units
    from app.profiles import decisions

    decision = decisions.propose(
        db.session,
        admin,
        cadre,
        title_code="specialist",
        unit=units.get_unit(db.session, unit_code),
        effective_on=local_today(),
        decision_no="12/QĐ-SNV",
        kind="transfer",
    )
    decisions.record_override(
        db.session,
        admin,
        decision,
        authority="Giám đốc Sở Nội vụ",
        authority_decision_no="12/QĐ-SNV",
        reason="Điều động.",
    )
    db.session.commit()
