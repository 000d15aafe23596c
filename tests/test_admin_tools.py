"""Admin tools: the unit picker, the confirmation before an override, the list of decisions, a
cadre reading their own decision, editing an account, and requirement errors in words. Each is
tried by a ward admin against another ward too."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AppointmentDecision, AuditEntry, RequirementSet, User
from tests.helpers import ACCOUNTS, PASSWORD, csrf_token

DEPUTY_ADVANCED = (
    {
        "key": "political-theory",
        "kind": "qualification",
        "params": {"scale": "political-theory", "level": "advanced"},
    },
)


def login(auth, actor: str):
    auth.login(ACCOUNTS[actor][0], PASSWORD)


def field_errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="field-error" id="([a-z_]+)-error"[^>]*>([^<]*)</p>', html))


# --- the unit picker ----------------------------------------------------------------------------


def test_the_picker_finds_units_by_name_without_diacritics_and_by_code_within_scope(
    wards, make, auth, client
):
    make.unit("P-W-VH", "Phòng Văn hoá – Thông tin", "division", parent="P-W")
    login(auth, "ward_admin_in")
    found = client.get("/units/search?q=van hoa").get_json()
    assert found == [{"code": "P-W-VH", "name": "Phòng Văn hoá – Thông tin", "path": "Phường Tây"}]
    assert [u["code"] for u in client.get("/units/search?q=p-w").get_json()] == ["P-W", "P-W-VH"]
    # the other ward and the city are not the ward admin's: never offered, by name or code
    assert client.get("/units/search?q=vong").get_json() == []
    assert client.get("/units/search?q=P-V").get_json() == []
    assert client.get("/units/search?q=ha noi").get_json() == []
    auth.logout()
    login(auth, "city_admin")
    assert [u["code"] for u in client.get("/units/search?q=phuong").get_json()] == [
        "P-W",
        "P-V",
    ]  # by name: Tây, Vọng


def test_the_picker_answers_at_most_twenty_and_not_to_learners(wards, make, auth, client):
    for n in range(25):
        make.unit(f"P-W-{n:02d}", f"Tổ dân phố số {n}", "division", parent="P-W")
    login(auth, "ward_admin_in")
    assert len(client.get("/units/search?q=to dan pho").get_json()) == 20
    auth.logout()
    login(auth, "learner")
    assert client.get("/units/search?q=to").status_code == 403


def test_forms_use_the_picker_and_work_without_script(wards, auth, client):
    login(auth, "ward_admin_in")
    html = client.get("/admin/users").get_data(as_text=True)
    assert 'data-unit-search="/units/search"' in html and 'role="listbox"' in html
    assert '<label for="unit_code">' in html  # a visible label
    assert "unit-picker.js" in html and "<script>" not in html  # no inline script (CSP)
    cadre = wards.values["cadre_id"]
    for page in (f"/cadres/{cadre}/appointments/new", f"/cadres/{cadre}/planning/new", "/decisions/"):
        assert "data-unit-search" in client.get(page).get_data(as_text=True), page


def test_a_ward_admin_cannot_give_a_unit_of_another_ward(wards, auth, client):
    login(auth, "ward_admin_in")
    data = {
        "email": "moi@example.vn",
        "full_name": "Lê Mới",
        "role": "learner",
        "password": "một mật khẩu dài 2026",
    }
    html = auth.post("/admin/users", {**data, "unit_code": "P-V"}, token_from="/admin/users").get_data(
        as_text=True
    )
    assert field_errors(html) == {"unit_code": "Đơn vị «P-V» nằm ngoài phạm vi đơn vị bạn quản lý."}
    html = auth.post("/admin/users", {**data, "unit_code": "KHONG-CO"}, token_from="/admin/users").get_data(
        as_text=True
    )
    assert field_errors(html) == {"unit_code": "Không có đơn vị nào có mã «KHONG-CO»."}
    assert (
        auth.post("/admin/users", {**data, "unit_code": "P-W"}, token_from="/admin/users").status_code == 302
    )
    # proposing an appointment to a post in the other ward: refused at the field, naming it
    cadre = wards.values["cadre_id"]
    url = f"/cadres/{cadre}/appointments/new"
    form = {
        "title_code": "division-head",
        "kind": "appointment",
        "unit_code": "P-V",
        "effective_on": date.today().isoformat(),
        "decision_no": "5/QĐ",
    }
    html = auth.post(url, form, token_from=url).get_data(as_text=True)
    assert field_errors(html) == {"unit_code": "Đơn vị «P-V» nằm ngoài phạm vi đơn vị bạn quản lý."}
    # planning the cadre for a post in the other ward: the same
    url = f"/cadres/{cadre}/planning/new"
    form = {
        "title_code": "division-head",
        "unit_code": "P-V",
        "term": "2025-2030",
        "valid_from": "2025-01-01",
        "decision_no": "6/QĐ",
    }
    html = auth.post(url, form, token_from=url).get_data(as_text=True)
    assert field_errors(html) == {"unit_code": "Đơn vị «P-V» nằm ngoài phạm vi đơn vị bạn quản lý."}


# --- the override, confirmed before it is recorded ----------------------------------------------


@pytest.fixture
def blocked(wards, make) -> str:
    make.requirement_set("division-head", DEPUTY_ADVANCED)
    decision = make.decision(wards.values["cadre_id"], "division-head", unit="P-W", decision_no="2/QĐ")
    with make.app.app_context():
        assert db.session.get(AppointmentDecision, decision).status == "blocked"
    return f"/decisions/{decision}"


OVERRIDE = {
    "authority": "Ban Thường vụ Thành uỷ",
    "authority_decision_no": "88-QĐ/TU",
    "reason": "Nhu cầu cấp bách\ncủa đơn vị.",
}


def _override(app, url: str):
    with app.app_context():
        return db.session.get(AppointmentDecision, int(url.rsplit("/", 1)[1])).override


def test_an_override_is_recorded_only_once_confirmed(app, blocked, auth, client):
    login(auth, "override_admin")
    page = client.get(blocked).get_data(as_text=True)
    assert "Kiểm tra trước khi ghi nhận" in page
    response = auth.post(blocked, OVERRIDE, token_from=blocked)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Xác nhận quyết định vượt điều kiện" in html
    for shown in (
        "Nguyễn Thị Đích",
        "W-001",
        "Ban Thường vụ Thành uỷ",
        "88-QĐ/TU",
        "Nhu cầu cấp bách",
        "Người override_admin",
    ):
        assert shown in html, shown
    assert "Lý luận chính trị trình độ Cao cấp" in html  # the requirement the override sets aside
    assert f'action="{blocked}/override"' in html and 'name="csrf_token"' in html
    assert _override(app, blocked) is None  # nothing recorded by the first step
    # the second step without the form's token is refused, and records nothing
    assert client.post(f"{blocked}/override", data=OVERRIDE).status_code == 400
    assert _override(app, blocked) is None
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    response = client.post(f"{blocked}/override", data={**OVERRIDE, "csrf_token": token})
    assert response.status_code == 302
    override = _override(app, blocked)
    assert override.reason == "Nhu cầu cấp bách\ncủa đơn vị." and override.authority_decision_no == "88-QĐ/TU"


def test_the_first_step_needs_its_token_too(blocked, auth, client):
    login(auth, "override_admin")
    assert client.post(blocked, data=OVERRIDE).status_code == 400


def test_admins_without_the_permission_or_of_another_ward_cannot_override(app, blocked, auth, client):
    for actor in ("ward_admin_in", "ward_admin_out", "city_admin", "learner"):
        login(auth, actor)
        token = csrf_token(client, "/account/")
        for path in (blocked, f"{blocked}/override"):
            response = client.post(path, data={**OVERRIDE, "csrf_token": token})
            assert response.status_code == 403, (actor, path)
        auth.logout()
    assert _override(app, blocked) is None


# --- the list of decisions ----------------------------------------------------------------------


def test_the_decision_list_filters_and_stays_in_scope(app, wards, make, auth, client):
    other = make.cadre("V-002", "Phạm Thị Xa", unit="P-V")
    make.decision(other, "division-head", unit="P-V", decision_no="9/QĐ-V")
    make.decision(wards.values["cadre_id"], "division-head", unit="P-W", decision_no="3/QĐ", kind="transfer")
    login(auth, "ward_admin_in")
    html = client.get("/decisions/").get_data(as_text=True)
    assert "1/QĐ" in html and "3/QĐ" in html and "9/QĐ-V" not in html and "Phạm Thị Xa" not in html
    html = client.get("/decisions/?kind=transfer").get_data(as_text=True)
    assert "3/QĐ" in html and ">1/QĐ<" not in html
    html = client.get("/decisions/?q=nguyen thi dich").get_data(as_text=True)
    assert "3/QĐ" in html
    assert "Không có quyết định nào" in client.get("/decisions/?q=pham thi xa").get_data(as_text=True)
    far = client.get("/decisions/?from=2100-01-01").get_data(as_text=True)
    assert "Không có quyết định nào" in far
    # the other ward by the unit filter: an error naming it, and no rows
    response = client.get("/decisions/?unit=P-V")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Đơn vị «P-V» nằm ngoài phạm vi" in html and "9/QĐ-V" not in html
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "view_decisions")).all()
        assert len(entries) == 5 and entries[1].detail["kind"] == "transfer"
    auth.logout()
    login(auth, "city_admin")
    html = client.get("/decisions/?unit=P-V").get_data(as_text=True)
    assert "9/QĐ-V" in html and "3/QĐ" not in html


def test_the_decision_list_outcome_filter(wards, make, auth, client):
    make.requirement_set("division-head", DEPUTY_ADVANCED)
    make.decision(wards.values["cadre_id"], "division-head", unit="P-W", decision_no="4/QĐ-CHAN")
    login(auth, "ward_admin_in")
    html = client.get("/decisions/?outcome=blocked").get_data(as_text=True)
    assert "4/QĐ-CHAN" in html and "Bị chặn" in html
    assert "4/QĐ-CHAN" not in client.get("/decisions/?outcome=approved").get_data(as_text=True)


def test_the_decision_list_query_count_does_not_grow_with_rows(wards, make, auth, client, count_queries):
    login(auth, "ward_admin_in")
    with count_queries() as few:
        assert client.get("/decisions/").status_code == 200
    for n in range(6):
        cadre = make.cadre(f"W-1{n:02d}", f"Cán bộ {n}", unit="P-W", title_code="division-deputy")
        make.decision(cadre, "division-head", unit="P-W", decision_no=f"1{n}/QĐ")
    with count_queries() as many:
        html = client.get("/decisions/").get_data(as_text=True)
    assert html.count("/decisions/") >= 7
    assert many.count == few.count


# --- a cadre reads their own decision ----------------------------------------------------------


def test_a_cadre_reads_their_own_decision_but_nobody_elses(blocked, auth, client):
    login(auth, "learner")
    response = client.get(blocked)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "2/QĐ" in html
    assert "authority_decision_no" not in html and "Kiểm tra trước khi ghi nhận" not in html
    assert f'href="{blocked}"' in client.get("/me").get_data(as_text=True)  # linked from their profile
    auth.logout()
    login(auth, "other_learner")
    assert client.get(blocked).status_code == 403


# --- editing an account -------------------------------------------------------------------------


def _account(app, actor: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == ACCOUNTS[actor][0]))
        db.session.expunge(user)
        return user


def test_an_admin_edits_an_accounts_name_role_and_unit_within_scope(app, wards, make, auth, client):
    make.unit("P-W-VH", "Phòng Văn hoá", "division", parent="P-W")
    trainer = make.user("gv.w@example.vn", "trainer", PASSWORD, "Giảng Viên Cũ", unit="P-W")
    login(auth, "ward_admin_in")
    page = f"/admin/users/{trainer}"
    html = client.get(page).get_data(as_text=True)
    assert 'value="Giảng Viên Cũ"' in html
    response = auth.post(
        f"{page}/access",
        {"full_name": "Giảng Viên Mới", "role": "trainer", "unit_code": "P-W"},
        token_from=page,
    )
    assert response.status_code == 302
    assert "Đã lưu." in client.get(page).get_data(as_text=True)
    response = auth.post(
        f"{page}/access",
        {"full_name": "Giảng Viên Mới", "role": "admin", "unit_code": "P-W-VH"},
        token_from=page,
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, trainer)
        assert (user.full_name, user.role, user.unit.code) == ("Giảng Viên Mới", "admin", "P-W-VH")
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "change_access").order_by(AuditEntry.id)
        ).all()
        assert entries[0].detail["name"] == "Giảng Viên Cũ -> Giảng Viên Mới"
        assert (
            entries[1].detail["role"] == "trainer -> admin" and entries[1].detail["unit"] == "P-W -> P-W-VH"
        )
    # never city-wide, never another ward
    for unit in ("", "P-V", "HN"):
        response = auth.post(f"{page}/access", {"role": "admin", "unit_code": unit}, token_from=page)
        assert response.status_code == 400, unit
    with app.app_context():
        assert db.session.get(User, trainer).unit.code == "P-W-VH"


def test_a_ward_admin_cannot_edit_an_account_of_another_ward(app, wards, auth, client):
    login(auth, "ward_admin_out")
    page = f"/admin/users/{wards.ids['learner']}"
    assert client.get(page).status_code == 403
    token = csrf_token(client, "/admin/users")
    response = client.post(
        f"{page}/access",
        data={"full_name": "Bị Đổi", "role": "learner", "unit_code": "P-V", "csrf_token": token},
    )
    assert response.status_code == 403
    assert _account(app, "learner").full_name == "Người learner"


# --- requirement errors in words ----------------------------------------------------------------


def test_requirement_errors_name_the_set_the_rule_and_the_line(wards, make, auth, client):
    make.requirement_set("division-head", DEPUTY_ADVANCED)
    login(auth, "city_admin")
    url = "/requirements/division-head/edit"
    source = (
        "requirements:\n"
        "  - title: division-head\n"
        "    effective_from: 2026-12-01\n"
        "    rules:\n"
        "      - {key: a, kind: planning, params: {or_higher: true}}\n"
        "      - key: b\n"
        "        kind: xyz\n"
        "      - {key: c, kind: course, params: {course: KHONG-CO}}\n"
    )
    html = auth.post(url, {"source": source, "action": "preview"}, token_from=url).get_data(as_text=True)
    assert "Yêu cầu «" in html and "điều kiện thứ 2" in html and "(dòng 7)" in html
    assert "loại điều kiện «xyz» không có" in html
    assert "điều kiện thứ 3" in html and "không có khoá học nào có mã «KHONG-CO»" in html
    html = auth.post(url, {"source": "requirements: [\n", "action": "preview"}, token_from=url).get_data(
        as_text=True
    )
    assert "đây không phải YAML hợp lệ" in html
    other = (
        source.replace("title: division-head", "title: division-deputy")
        .replace("      - key: b\n        kind: xyz\n", "")
        .replace("      - {key: c, kind: course, params: {course: KHONG-CO}}\n", "")
    )
    html = auth.post(url, {"source": other, "action": "preview"}, token_from=url).get_data(as_text=True)
    assert "trang này chỉ dùng để sửa tiêu chuẩn, điều kiện của chức vụ «division-head»" in html


def test_a_rule_added_with_the_form_is_previewed_then_saved(app, wards, make, auth, client):
    make.requirement_set("division-head", DEPUTY_ADVANCED)
    login(auth, "city_admin")
    url = "/requirements/division-head/edit"
    html = client.get(f"{url}?rule_kind=hours_in_category").get_data(as_text=True)
    assert 'name="param-hours"' in html and "Thêm điều kiện bằng biểu mẫu" in html
    source = re.search(r"<textarea[^>]*>(.*?)</textarea>", html, re.S).group(1)
    source = source.replace("&#39;", "'").replace("&#34;", '"').replace("&quot;", '"')
    rule = {
        "rule_kind": "hours_in_category",
        "rule-label": "Bồi dưỡng chuyển đổi số",
        "rule-legal_basis": "Kế hoạch 01/KH-UBND",
        "param-category": "digital-transformation",
        "param-hours": "abc",
        "param-months": "12",
    }
    html = auth.post(url, {"source": source, "action": "add_rule", **rule}, token_from=url).get_data(
        as_text=True
    )
    assert "tham số «hours»: phải là số nguyên" in html
    assert 'value="Bồi dưỡng chuyển đổi số"' in html  # the form keeps what was typed
    html = auth.post(
        url, {"source": source, "action": "add_rule", **rule, "param-hours": "40"}, token_from=url
    ).get_data(as_text=True)
    assert "Tác động đối với" in html and 'value="save"' in html  # previewed, ready to be saved
    new_source = re.search(r"<textarea[^>]*>(.*?)</textarea>", html, re.S).group(1)
    assert "kind: hours_in_category" in new_source and "hours: 40" in new_source
    with app.app_context():
        versions = db.session.scalars(
            select(RequirementSet.version).where(RequirementSet.title_code == "division-head")
        ).all()
        assert versions == [1]  # nothing saved by adding
    new_source = new_source.replace("&#39;", "'").replace("&#34;", '"').replace("&quot;", '"')
    assert auth.post(url, {"source": new_source, "action": "save"}, token_from=url).status_code == 302
    with app.app_context():
        latest = db.session.scalars(
            select(RequirementSet)
            .where(RequirementSet.title_code == "division-head")
            .order_by(RequirementSet.version.desc())
        ).first()
        assert [r.kind for r in latest.rules] == ["qualification", "hours_in_category"]
        assert latest.rules[1].params == {"category": "digital-transformation", "hours": 40, "months": 12}
