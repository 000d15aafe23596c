"""Steps the browser tests share."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.helpers import PASSWORD

# How far the page reaches past the screen's right edge (0: it does not scroll sideways). Stricter
# than `scrollWidth > innerWidth`: the width of a vertical scroll bar does not hide an overflow.
OVERFLOW_JS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
# The elements that reach past the right edge, innermost first, to say what to fix.
WIDE_JS = """() => {
  const edge = document.documentElement.clientWidth;
  const right = e => e.getBoundingClientRect().right;
  const wide = [...document.body.querySelectorAll('*')].filter(e => right(e) > edge + 0.5);
  const name = e => e.tagName.toLowerCase()
    + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().replace(/ +/g, '.') : '');
  return wide.filter(e => !wide.some(o => o !== e && e.contains(o))).slice(0, 3)
    .map(e => name(e) + ' (' + Math.round(right(e)) + 'px)');
}"""

# Chart labels drawn smaller than 11.5 px (an SVG's text shrinks with its picture).
SMALL_CHART_TEXT_JS = """() => [...document.querySelectorAll('svg text')]
  .filter(t => t.getClientRects().length)
  .map(t => [t.textContent.trim(), parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a])
  .filter(([_text, size]) => size < 11.5)
  .map(([text, size]) => text + ' (' + size.toFixed(1) + 'px)')"""


def log_in(page: Page, base: str, email: str = "hocvien@example.vn") -> None:
    """Open the catalogue, be sent to the login page, and log in as the learner."""
    page.goto(base + "/courses/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Thư điện tử").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def overflow(page: Page) -> str | None:
    """None when the page does not scroll sideways; else by how much, and which elements stick out."""
    # Right after a click that navigates, the new document may have no root element yet.
    page.wait_for_load_state("load")
    excess = page.evaluate(OVERFLOW_JS)
    if excess <= 0:
        return None
    return f"{excess}px wider than the screen: {', '.join(page.evaluate(WIDE_JS))}"


def small_chart_text(page: Page) -> list[str]:
    """The chart labels on the page too small to read."""
    return page.evaluate(SMALL_CHART_TEXT_JS)


def fits(page: Page) -> None:
    """The page does not scroll sideways."""
    problem = overflow(page)
    assert problem is None, f"{page.url} is {problem}"


def open_quiz(page: Page, base: str) -> None:
    log_in(page, base)
    page.goto(base + "/courses/KT-01")
    page.get_by_role("button", name="Ghi danh khoá học này").click()
    page.wait_for_load_state("load")  # the enrolment is stored before the next page is asked for
    page.goto(base + "/courses/KT-01/lessons/kiem-tra")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_url("**/attempts/*")
    expect(page.locator(".attempt-bar")).to_be_visible()


def pages_of(pdf: bytes) -> int:
    """The number of pages in a PDF Chromium wrote (its page objects; not the /Pages tree)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
