"""On a phone the site's menu folds behind a button that the keyboard can open and close; on a wide
screen the links show as they are."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import fits, log_in

pytestmark = pytest.mark.browser


def test_the_menu_folds_behind_a_button_on_a_phone(make_user, page: Page, live_server_url):
    make_user("hocvien@example.vn", full_name="Nguyễn Thị Lan Phương Hoàng Anh")
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server_url)
    menu = page.get_by_role("button", name="Trình đơn")
    nav = page.get_by_role("navigation", name="Chính")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    fits(page)

    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Học tập của tôi")).to_be_visible()
    expect(page.get_by_role("link", name="Nguyễn Thị Lan Phương Hoàng Anh")).to_be_visible()  # not clipped
    fits(page)
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(menu).to_be_focused()

    menu.click()
    nav.get_by_role("link", name="Học tập của tôi").click()
    expect(page.get_by_role("heading", name="Học tập của tôi", level=1)).to_be_visible()

    page.set_viewport_size({"width": 1366, "height": 768})
    expect(menu).to_be_hidden()
    expect(nav.get_by_role("link", name="Khoá học")).to_be_visible()


def test_without_scripts_the_menu_links_wrap_on_a_phone(make_user, browser, live_server_url):
    make_user("hocvien@example.vn", full_name="Nguyễn Thị Lan")
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server_url)
    expect(page.get_by_role("button", name="Trình đơn")).to_be_hidden()
    expect(
        page.get_by_role("navigation", name="Chính").get_by_role("link", name="Hồ sơ của tôi")
    ).to_be_visible()
    fits(page)
    context.close()
