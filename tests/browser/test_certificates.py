"""Done when (issue 14): a learner completes a course and downloads the PDF; the QR code in the PDF
decodes to the verification URL, which says valid; after the record is revoked it says revoked, and
so does `flask certificates verify`; a changed credential fails; a verifier written with another
library (PyJWT) accepts the untouched credential from the published keys."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import jwt
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import TrainingRecord, User
from app.profiles import records
from tests.browser.helpers import fits, log_in
from tests.certificate_data import require, run

pytestmark = pytest.mark.browser

LESSONS = {"01-mo-dau.md": "# Mở đầu\n\nNội dung bài mở đầu về chuyển đổi số.\n"}


@pytest.fixture
def course(make):
    make.course(lessons=LESSONS)
    learner = make.user("hocvien@example.vn", full_name="Nguyễn Thị Lan")
    make.cadre(user=learner, full_name="Nguyễn Thị Lan")
    make.enrolment(learner)


def _download(page: Page, link_name: str, folder) -> str:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).first.click()
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return str(path)


def _revoke_the_record(app, make) -> None:
    with app.app_context():
        admin = db.session.get(User, make.admin())
        record = db.session.scalar(select(TrainingRecord).order_by(TrainingRecord.id.desc()).limit(1))
        records.revoke_training(db.session, admin, record, "Học thay, gian lận khi học")
        db.session.commit()


def test_a_certificate_is_downloaded_scanned_verified_and_revoked(
    app, make, course, page: Page, live_server_url, tmp_path, screenshot_dir
):
    require("pdftoppm", "zbarimg")
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server_url)
    page.goto(live_server_url + "/courses/KH-01/lessons/mo-dau")
    page.get_by_role("button", name="Đánh dấu hoàn thành").click()
    page.goto(live_server_url + "/my")
    item = page.locator(".certificate-item")
    expect(item).to_contain_text("Chuyển đổi số cơ bản")
    expect(item).to_contain_text("Còn hiệu lực")
    fits(page)
    pdf = _download(page, "Tải PDF", tmp_path)
    token_file = _download(page, "Chứng nhận điện tử có chữ ký", tmp_path)

    # the QR code printed in the PDF holds the verification address
    run("pdftoppm", "-png", "-r", "150", pdf, str(tmp_path / "trang"))
    url = run("zbarimg", "-q", "--raw", str(tmp_path / "trang-1.png")).strip()
    assert re.fullmatch(re.escape(live_server_url) + r"/verify/GCN-\d{4}-\w{5}-\w{5}", url), url
    page.goto(url)
    expect(page.locator(".verify-result")).to_contain_text("Còn hiệu lực")
    expect(page.locator(".facts")).to_contain_text("Nguyễn Thị Lan")
    fits(page)
    page.screenshot(path=str(screenshot_dir / "certificate-valid.png"), full_page=True)

    # a verifier built on another library accepts it from the published keys alone
    token = Path(token_file).read_text(encoding="utf-8").strip()
    with urllib.request.urlopen(live_server_url + "/.well-known/jwks.json") as response:  # noqa: S310
        published = jwt.PyJWKSet.from_dict(json.load(response))
    key = next(k for k in published.keys if k.key_id == jwt.get_unverified_header(token)["kid"])
    claims = jwt.decode(token, key=key, algorithms=["EdDSA"])
    assert claims["id"] == url

    runner = app.test_cli_runner()
    assert runner.invoke(args=["certificates", "verify", token_file]).exit_code == 0
    head, body, signature = token.split(".")
    changed = tmp_path / "sua.jwt"
    changed.write_text(f"{head}.{body[:-3]}{'A' if body[-3] != 'A' else 'B'}{body[-2:]}.{signature}")
    refused = runner.invoke(args=["certificates", "verify", str(changed)])
    assert refused.exit_code == 1, refused.output

    _revoke_the_record(app, make)
    page.reload()
    expect(page.locator(".verify-result")).to_contain_text("Đã thu hồi")
    page.screenshot(path=str(screenshot_dir / "certificate-revoked.png"), full_page=True)
    result = runner.invoke(args=["certificates", "verify", token_file])
    assert result.exit_code == 1 and "thu hồi" in result.output, result.output

    page.goto(live_server_url + "/my")
    expect(page.locator(".certificate-item")).to_contain_text("Thu hồi ngày")
    page.locator(".certificate-item").get_by_role("link", name="Xem", exact=True).click()
    expect(page.locator("body")).to_contain_text("Đã thu hồi")
    fits(page)
