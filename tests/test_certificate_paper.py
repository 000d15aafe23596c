"""The certificate on paper: the PDF holds one A4 page whose text says who completed which course,
with what number and on which day, in Vietnamese with its diacritics; its QR code reads back as the
verification URL; a revoked certificate says so; nothing on it makes the server fetch anything.

The PDF is read back with poppler-utils (pdfinfo, pdftotext, pdftoppm) and zbar-tools (zbarimg).
Where they (or the Pango library WeasyPrint draws with) are missing these tests skip, unless
REQUIRE_PDF_TOOLS=1 (set by .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import http.server
import threading
import unicodedata
from contextlib import contextmanager
from dataclasses import replace
from datetime import date

import pytest
from flask_babel import force_locale

from app.certificates.facts import REVOCATION_REASONS, CertificateStatus
from app.certificates.labels import REASONS
from app.certificates.paper import certificate_html, certificate_pdf
from tests.certificate_data import PAPER_FACTS as FACTS
from tests.certificate_data import VERIFY_URL, require, run

VALID = CertificateStatus()
REVOKED = CertificateStatus(revoked_on=date(2026, 6, 1), reason="withdrawn")


@pytest.fixture(autouse=True)
def request_context(app):
    """A request to the app, as when a page or a download draws the certificate."""
    with app.test_request_context():
        yield


@pytest.fixture
def pdf_file(tmp_path):
    """Draws a certificate and writes it to a file: the file's path."""

    def draw(facts=FACTS, status=VALID, url=VERIFY_URL):
        path = tmp_path / f"{facts.number}.pdf"
        path.write_bytes(certificate_pdf(facts, status, url))
        return path

    return draw


def text_of(path) -> str:
    return " ".join(run("pdftotext", str(path), "-").split())


def test_the_pdf_is_one_a4_page_that_states_the_facts_in_vietnamese(pdf_file):
    require("pdfinfo", "pdftotext")
    path = pdf_file()
    assert path.read_bytes().startswith(b"%PDF-")
    info = run("pdfinfo", str(path))
    assert "Pages:           1" in info
    assert "841.89 x 595.276 pts (A4)" in info  # A4 landscape
    text = text_of(path)
    assert unicodedata.is_normalized("NFC", text)
    for words in (
        "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "SỞ NỘI VỤ THÀNH PHỐ HÀ NỘI",
        "GIẤY CHỨNG NHẬN",
        "Số: GCN-2026-7KQ4M9XZ",
        "Chứng nhận: Ông/Bà Nguyễn Thị Ánh Tuyết",
        "Đã hoàn thành khoá bồi dưỡng:",
        "Chuyển đổi số trong cơ quan hành chính nhà nước cấp xã, phường",
        "Mã khoá học: CDS-01",
        "Phiên bản: 3",
        "Số tiết: 8",
        "Điểm tổng kết: 86,5%",  # Vietnamese decimal comma, cut and not rounded
        "Ngày hoàn thành: 05/03/2026",
        "Hà Nội, ngày 06 tháng 3 năm 2026",
    ):
        assert words in text, words
    assert "THU HỒI" not in text


def test_a_long_title_and_a_replaced_certificate_still_fit_one_page(pdf_file):
    require("pdfinfo", "pdftotext")
    title = "Bồi dưỡng kiến thức, kỹ năng quản lý nhà nước về chuyển đổi số, an toàn thông tin " * 3
    facts = replace(FACTS, course_title=title.strip(), score=None, replaces="GCN-2025-AB12CD34")
    path = pdf_file(facts)
    assert "Pages:           1" in run("pdfinfo", str(path))
    text = text_of(path)
    assert "Giấy chứng nhận này thay thế giấy chứng nhận số GCN-2025-AB12CD34." in text
    assert "Điểm" not in text  # a course without a graded quiz has no score to print


def test_the_qr_code_reads_back_as_exactly_the_verification_url(pdf_file, tmp_path):
    require("pdftoppm", "zbarimg")
    for status in (VALID, REVOKED):  # a revoked paper still leads to the page that says so
        path = pdf_file(status=status)
        run("pdftoppm", "-png", "-r", "150", str(path), str(tmp_path / "page"))
        decoded = run("zbarimg", "-q", "--raw", str(tmp_path / "page-1.png"))
        assert decoded.splitlines() == [VERIFY_URL]


def test_a_revoked_certificate_shows_the_mark_the_date_and_the_reason(pdf_file):
    require("pdftotext")
    text = text_of(pdf_file(status=REVOKED))
    assert "ĐÃ THU HỒI" in text
    assert "Thu hồi ngày 01/06/2026: bản ghi bồi dưỡng làm căn cứ cấp đã bị thu hồi." in text
    assert "Nguyễn Thị Ánh Tuyết" in text  # what was certified stays readable


def test_markup_in_a_course_title_is_printed_as_text_and_never_fetched(pdf_file):
    require("pdftotext")
    with _counting_server() as server:
        facts = replace(FACTS, course_title=f'<img src="{server.url}/logo.png"> Chuyển đổi số')
        html = certificate_html(facts, VALID, VERIFY_URL)
        assert "<img" not in html and "&lt;img src=" in html
        text = text_of(pdf_file(facts))
        assert f'<img src="{server.url}/logo.png"> Chuyển đổi số' in text
    assert server.hits == []


def test_the_pdf_renderer_refuses_network_and_local_files():
    require()
    from app.certificates.pdf import html_to_pdf

    with _counting_server() as server:
        html = (
            f'<link rel="stylesheet" href="{server.url}/style.css">'
            f'<img src="{server.url}/a.png"><img src="file:///etc/hostname">'
            '<img src="/static/../../../../etc/hostname"><p>Nội dung</p>'
        )
        pdf = html_to_pdf(html, "/static/")
    assert pdf.startswith(b"%PDF-")
    assert server.hits == []


def test_the_page_names_its_qr_code_by_the_url_and_links_it():
    html = certificate_html(FACTS, VALID, VERIFY_URL)
    assert f'role="img" aria-label="Mã QR dẫn đến trang kiểm tra giấy chứng nhận: {VERIFY_URL}"' in html
    assert f'<a href="{VERIFY_URL}">{VERIFY_URL}</a>' in html
    assert "<script" not in html and "http://" not in html  # nothing to run, nothing fetched elsewhere


def test_in_english_the_national_heading_stays_vietnamese():
    with force_locale("en"):
        html = certificate_html(FACTS, REVOKED, VERIFY_URL)
    assert '<html lang="en">' in html
    assert '<div class="nation" lang="vi">' in html
    assert "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html and "Độc lập - Tự do - Hạnh phúc" in html
    assert "Certificate of completion" in html and "This is to certify that" in html
    assert "Revoked on 01/06/2026: its training record was withdrawn." in html
    assert "Final score: 86.5%" in html


def test_every_revocation_reason_has_words():
    assert set(REASONS) == set(REVOCATION_REASONS)


class _Server(http.server.ThreadingHTTPServer):
    hits: list[str]
    url: str


class _Counting(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802  (the name http.server calls)
        self.server.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


@contextmanager
def _counting_server():
    """A local HTTP server that records every request it gets."""
    server = _Server(("127.0.0.1", 0), _Counting)
    server.hits = []
    server.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
