"""A ward admin on a phone picks a unit by typing part of its name without diacritics, with the
keyboard; only the ward's units are offered, and the page fits a 360 px screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import fits
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

ADMIN = "quantri.phuong@example.vn"


@pytest.fixture
def app_settings():
    return {"ADMIN_SECOND_FACTOR": False}


def test_a_ward_admin_picks_a_unit_by_name_on_a_phone(make, page: Page, live_server_url, screenshot_dir):
    make.unit("HN", "Thành phố Hà Nội", "city")
    make.unit("P-W", "Phường Tây Hồ", "ward", parent="HN")
    make.unit("P-W-VH", "Phòng Văn hoá – Thông tin", "division", parent="P-W")
    make.unit("P-V", "Phường Văn Miếu", "ward", parent="HN")
    make.user(ADMIN, "admin", PASSWORD, "Quản trị Phường", unit="P-W", second_factor=False)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server_url + "/login")
    page.get_by_label("Thư điện tử").fill(ADMIN)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("form:has(input[type=password]) button[type=submit]").click()
    page.goto(live_server_url + "/admin/users")
    unit = page.get_by_role("combobox", name="Đơn vị (tên hoặc mã)")
    unit.fill("")
    unit.press_sequentially("van")
    options = page.get_by_role("listbox", name="Các đơn vị tìm thấy").get_by_role("option")
    expect(options).to_have_count(1)  # Phường Văn Miếu is another ward's
    expect(options.first).to_contain_text("Phòng Văn hoá – Thông tin")
    fits(page)
    page.screenshot(path=str(screenshot_dir / "unit-picker.png"), full_page=True)
    unit.press("ArrowDown")
    unit.press("Enter")
    expect(unit).to_have_value("P-W-VH")
    expect(page.locator("#unit_code-chosen")).to_contain_text("Phòng Văn hoá – Thông tin")
    expect(page.get_by_role("listbox")).to_be_hidden()
    assert errors == []


def test_a_rule_is_added_with_the_form_on_a_phone(make, page: Page, live_server_url, screenshot_dir):
    make.requirement_set("division-head")
    make.user("quantri@example.vn", "admin", PASSWORD, "Quản trị Thành phố", second_factor=False)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server_url + "/login")
    page.get_by_label("Thư điện tử").fill("quantri@example.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("form:has(input[type=password]) button[type=submit]").click()
    page.goto(live_server_url + "/requirements/division-head/edit")
    page.get_by_label("Loại điều kiện").select_option("planning")
    page.get_by_role("button", name="Hiện các trường của loại này").click()
    page.get_by_label("Được quy hoạch vào chức vụ này hoặc chức vụ cao hơn").check()
    page.get_by_label("Căn cứ pháp lý").fill("Quy định 377-QĐ/TW")
    page.get_by_role("button", name="Thêm điều kiện này và xem trước ảnh hưởng").click()
    expect(page.get_by_role("button", name="Lưu thành phiên bản mới")).to_be_visible()
    expect(page.locator("textarea#source")).to_contain_text("kind: planning")
    fits(page)
    page.screenshot(path=str(screenshot_dir / "rule-form.png"), full_page=True)
