"""Steps the browser tests share."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.helpers import PASSWORD


def log_in(page: Page, base: str, email: str = "hocvien@example.vn") -> None:
    """Open the catalogue, be sent to the login page, and log in as the learner."""
    page.goto(base + "/courses/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Thư điện tử").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def fits(page: Page) -> None:
    """The page does not scroll sideways."""
    overflow = page.evaluate("document.scrollingElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"
