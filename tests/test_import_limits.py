"""Hostile import files: every limit is checked before the work it bounds, every unreadable file is a
clear `FILE: why` (a message at the upload field, one line and exit 1 on the command line), and
uploads that are not applied do not keep their bytes. The files are built here, byte by byte."""

from __future__ import annotations

import io
import struct
import zipfile
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.clock import local_today
from app.errors import ValidationFailed
from app.extensions import db
from app.imports import reader
from app.imports.people import MAX_PROBLEMS, import_people
from app.imports.reader import MAX_ROWS, read_table
from app.models import Cadre, ImportBatch, User
from app.models.base import utcnow
from app.policy import SYSTEM
from tests.helpers import csrf_token

CADRE_HEADER = ("employee_code", "full_name", "date_of_birth", "gender", "staff_type", "unit_code")

# The smallest workbook openpyxl reads: the parts Excel writes, with inline strings.
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Cán bộ" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    "</Relationships>"
)
SHEET = "xl/worksheets/sheet1.xml"


def xml_row(number: int, *values: str) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for i, value in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def sheet_xml(rows, dimension: str | None = None, tail: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + (f'<dimension ref="{dimension}"/>' if dimension else "")
        + "<sheetData>"
        + "".join(rows)
        + tail
        + "</sheetData></worksheet>"
    )


def workbook(sheet: str, omit: tuple[str, ...] = (), extra: dict[str, str] | None = None) -> bytes:
    parts = {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _RELS,
        "xl/workbook.xml": _WORKBOOK,
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
        SHEET: sheet,
        **(extra or {}),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            if name not in omit:
                archive.writestr(name, text)
    return out.getvalue()


def with_declared_size(data: bytes, part: str, size: int) -> bytes:
    """The workbook with the central directory claiming `size` uncompressed bytes for `part`."""
    out = bytearray(data)
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) != -1:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length].decode() == part:
            struct.pack_into("<I", out, at + 24, size)
        at += 4
    return bytes(out)


def read_all(name: str, data: bytes) -> list[tuple[int, list[str]]]:
    return list(read_table(name, data).rows)


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(ValidationFailed) as caught:
        read_all(name, data)
    assert caught.value.field == "file"
    with force_locale("en"):
        return str(caught.value.message)


HEADER_ROW = xml_row(1, *CADRE_HEADER)
CSV_HEADER = ",".join(CADRE_HEADER).encode() + b"\n"

# Each hostile file of issue 10, and the start of what the reader says about it.
HOSTILE = {
    "windows-1258 0x81": (
        "cb.csv",
        "employee_code,full_name\nHN-1,Tr\xe0n\n".encode("cp1258") + b"HN-2,\x81\n",
        "line 3, byte 39: 0x81 is not a character in UTF-8 / Windows-1258",
    ),
    "odd-length UTF-16": (
        "cb.csv",
        "employee_code;full_name\nHN-1;Trần\n".encode("utf-16") + b"\x00",
        "line 3: the file ends in the middle of a character (UTF-16 with an odd number of bytes)",
    ),
    "a 131,073-character field": (
        "cb.csv",
        CSV_HEADER + b"HN-1," + b"x" * 131_073 + b"\n",
        "line 2: longer than 32,768 characters",
    ),
    "a 131,073-character quoted field over many short lines": (
        "cb.csv",
        CSV_HEADER + b'HN-1,"' + b"xxxxxxxxxxxxxxx\n" * 8193 + b'"\n',
        "row 2: a field longer than 1,000 characters (is a quote left open?)",
    ),
    "a 15 MB line": (
        "cb.csv",
        CSV_HEADER + b"a," * (15 * 1024 * 1024 // 2) + b"\n",
        "line 2: longer than 32,768 characters",
    ),
    "truncated sheet XML": (
        "cb.xlsx",
        workbook(sheet_xml([HEADER_ROW, xml_row(2, "HN-1", "An")], dimension="A1:F3")[:-60]),
        "not a readable XLSX file after row 1 (unclosed token",
    ),
    "missing sheet part": (
        "cb.xlsx",
        workbook(sheet_xml([HEADER_ROW]), omit=(SHEET,), extra={"xl/worksheets/sheet2.xml": sheet_xml([])}),
        "not a readable XLSX file (the part xl/worksheets/sheet1.xml is missing)",
    ),
    "a sheet that claims 300 MB": (
        "cb.xlsx",
        with_declared_size(workbook(sheet_xml([HEADER_ROW])), SHEET, 300 * 1024 * 1024),
        "unpacks to 300 MB; at most 256 MB",
    ),
    "a deflate bomb": (
        "cb.xlsx",
        workbook(sheet_xml([HEADER_ROW], tail=" " * (40 * 1024 * 1024))),
        "xl/worksheets/sheet1.xml unpacks to 1,0",
    ),
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_each_hostile_file_is_refused_with_why_and_where(app, case):
    name, data, why = HOSTILE[case]
    with app.app_context():
        assert refusal(name, data).startswith(why)


def test_a_field_over_the_limit_is_named_by_row_and_column(app):
    data = ("employee_code,full_name\nHN-1,An\nHN-2," + "x" * 1_001 + "\n").encode()
    with app.app_context():
        assert (
            refusal("cb.csv", data) == "row 3, column B: longer than 1,000 characters (is a quote left open?)"
        )


def test_too_many_columns_and_parts_are_refused_from_the_header_and_the_zip_directory(app):
    with app.app_context():
        assert refusal("cb.csv", (",".join(f"c{i}" for i in range(101)) + "\n").encode()) == (
            "more than 100 columns"
        )
        parts = {f"xl/media/image{i}.png": "" for i in range(1_000)}
        assert refusal("cb.xlsx", workbook(sheet_xml([HEADER_ROW]), extra=parts)).startswith(
            "an XLSX file with 1,005 parts; at most 1000"
        )


def test_empty_rows_cost_nothing_whatever_the_sheet_claims(app, monkeypatch):
    """116 KB of empty rows took 68.7 s: the sheet's <dimension> said A1:XFD1048576, so every row was
    padded to 16,384 cells and empty rows were made up to the millionth."""
    cells_read = []
    real_cell = reader._cell

    def counted(value):
        cells_read.append(value)
        if len(cells_read) > 10_000:
            raise AssertionError("reads cells the sheet does not hold")
        return real_cell(value)

    monkeypatch.setattr(reader, "_cell", counted)
    empty = [f'<row r="{n}" spans="1:16384"/>' for n in range(2, 20_000)] + ['<row r="1048576"/>']
    data = workbook(sheet_xml([HEADER_ROW, *empty], dimension="A1:XFD1048576"))
    with app.app_context():
        assert read_all("cb.xlsx", data) == []
    assert len(cells_read) <= reader.MAX_COLUMNS + 1  # the header row, read once
    forged = workbook(sheet_xml([HEADER_ROW, '<row r="99999999999"/>']))
    with app.app_context():
        assert refusal("cb.xlsx", forged) == "not a readable XLSX file (a row beyond Excel's last)"


def test_reading_stops_at_the_row_limit(app):
    """A row past the limit is refused where it is met: what follows it is never parsed (here,
    a megabyte of rows and then broken XML)."""
    after = [xml_row(n, "HN-x" * 50) for n in range(MAX_ROWS + 3, MAX_ROWS + 5_000)]
    rows = [HEADER_ROW, xml_row(2, "HN-1"), xml_row(MAX_ROWS + 2, "HN-2"), *after]
    data = workbook(sheet_xml(rows, dimension="A1:F2", tail="<row r='300000'><c><broken"))
    csv_data = b"employee_code\n" + b"HN\n" * (MAX_ROWS + 1) + b"x" * 40_000 + b"\n"
    with app.app_context():
        assert (
            refusal("cb.xlsx", data)
            == "more than 200,000 rows below the header (row 200,002); split the file"
        )
        assert refusal("cb.csv", csv_data).startswith("more than 200,000 rows below the header (row 200,002)")


def test_a_200000_row_file_of_wrong_rows_reports_the_first_thousand_problems(app):
    """The issue's 89.6 KB file: 200,000 rows that each lack five required columns."""
    rows = [HEADER_ROW] + [f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, MAX_ROWS + 2)]
    data = workbook(sheet_xml(rows))
    assert len(data) < 2 * 1024 * 1024
    with app.app_context():
        report = import_people(db.session, SYSTEM, read_table("cb.xlsx", data), dry_run=True)
    assert report.rows == MAX_ROWS
    assert len(report.problems) == MAX_PROBLEMS == 1_000
    assert report.problem_count == 5 * MAX_ROWS and report.more == 5 * MAX_ROWS - 1_000
    assert report.problems[0].row == 2


def test_a_value_longer_than_its_column_is_a_problem_not_a_database_error(app):
    data = ",".join(CADRE_HEADER) + "\nHN-1," + "A" * 201 + ",01/01/1990,Nam,công chức,X\n"
    with app.app_context():
        report = import_people(db.session, SYSTEM, read_table("cb.csv", data.encode()), dry_run=True)
        with force_locale("en"):
            whys = [str(p.why) for p in report.problems if p.column == "full_name"]
    assert whys == ["longer than 200 characters"]


def run_import(app, name: str, data: bytes, *extra: str):
    path = app.instance_path + "/" + name
    with open(path, "wb") as f:
        f.write(data)
    return path, app.test_cli_runner().invoke(args=["cadres", "import", path, *extra])


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_the_command_line_says_one_line_and_exits_1(app, case):
    name, data, why = HOSTILE[case]
    path, result = run_import(app, name, data, "--dry-run")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.output.count("\n") == 1 and result.output.startswith(f"Error: {path}: {why}")


def test_the_command_line_lists_the_first_thousand_problems_then_how_many_more(app):
    data = ",".join(CADRE_HEADER) + "\n" + "".join(f"HN-{n}\n" for n in range(300))
    _path, result = run_import(app, "cb.csv", data.encode())
    lines = result.output.splitlines()
    assert result.exit_code == 1
    assert len([line for line in lines if line.startswith("row ")]) == 1_000
    assert "... and 500 more problem(s)" in lines and "1500 problem(s)" in lines[-1]


def admin_client(app, make_user, auth):
    make_user("quantri@example.vn", role="admin", full_name="Quản trị")
    auth.login("quantri@example.vn")
    return auth.client


def upload(client, name: str, data: bytes):
    """Post the file as a browser would. The body is encoded here, in memory: the test client spools
    bodies over 500 KB to a temporary file that it never closes."""
    token = csrf_token(client, "/admin/import")
    boundary, body = encode_multipart(
        {"csrf_token": token, "file": FileStorage(io.BytesIO(data), filename=name)}
    )
    return client.post("/admin/import", data=body, content_type=f'multipart/form-data; boundary="{boundary}"')


VIETNAMESE = {
    "windows-1258 0x81": "không phải là ký tự trong UTF-8 / Windows-1258",
    "odd-length UTF-16": "tệp dừng giữa chừng một ký tự",
    "a 15 MB line": "dài quá 32,768 ký tự",
    "truncated sheet XML": "không đọc được tệp XLSX sau hàng 1",
    "missing sheet part": "thiếu phần xl/worksheets/sheet1.xml",
    "a deflate bomb": "giải nén ra gấp",
}


def test_the_browser_shows_why_at_the_upload_field(app, make_user, auth):
    client = admin_client(app, make_user, auth)
    for case, words in VIETNAMESE.items():
        name, data, _why = HOSTILE[case]
        response = upload(client, name, data)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, case
        field = html.split('name="file"')[1].split("</div>")[0]
        assert f"{name}: " in field and words in field, case
    with app.app_context():
        assert db.session.scalar(select(ImportBatch.id)) is None  # refused files are not kept


def test_the_browser_takes_a_units_file_not_the_whole_city(app, make_user, auth):
    """A file is read, checked and written inside one request: over MAX_ROWS_IN_BROWSER rows the
    upload is refused at its field before any row is checked (the command line takes the city)."""
    from app.imports.reader import MAX_ROWS_IN_BROWSER

    client = admin_client(app, make_user, auth)
    header = b"employee_code,full_name,date_of_birth,gender,staff_type,unit_code\n"
    data = header + b"HN-1,A,1980-01-01,male,civil_servant,HN\n" * (MAX_ROWS_IN_BROWSER + 1)
    html = upload(client, "ca-thanh-pho.csv", data).get_data(as_text=True)
    field = html.split('name="file"')[1].split("</div>")[0]
    assert "50,000" in field and "ca-thanh-pho.csv: " in field
    ok = header + b"HN-1,A,1980-01-01,male,civil_servant,HN\n" * 10
    assert "50,000" not in upload(client, "don-vi.csv", ok).get_data(as_text=True)


UNITS = b"code,name,type\nP-MOI,Ph\xc6\xb0\xe1\xbb\x9dng M\xe1\xbb\x9bi,ward\n"


def test_uploads_not_applied_lose_their_bytes_after_a_day(app, make_user, auth):
    client = admin_client(app, make_user, auth)
    html = upload(client, "dv.csv", UNITS).get_data(as_text=True)
    first = int(html.split('action="/admin/import/')[1].split("/apply")[0])
    upload(client, "sai.csv", b"code,name,type\nP-X,,\n")  # a check with problems keeps no bytes
    with app.app_context():
        kept = dict(db.session.execute(select(ImportBatch.filename, ImportBatch.data)).all())
        assert kept == {"dv.csv": UNITS, "sai.csv": b""}
        db.session.execute(
            update(ImportBatch)
            .where(ImportBatch.id == first)
            .values(created_at=utcnow() - timedelta(hours=25))
        )
        db.session.commit()
    token = csrf_token(client, "/admin/import")
    response = client.post(f"/admin/import/{first}/apply", data={"csrf_token": token}, follow_redirects=True)
    assert "tải tệp lên lại" in response.get_data(as_text=True)  # too old to apply, even before the purge
    result = app.test_cli_runner().invoke(args=["cadres", "purge-uploads"])
    assert result.exit_code == 0 and "1 unapplied upload(s)" in result.output
    with app.app_context():
        batch = db.session.get(ImportBatch, first)
        assert batch.data == b"" and batch.filename == "dv.csv" and len(batch.sha256) == 64
        assert batch.created_by_id is not None and batch.applied_at is None
    html = upload(client, "dv.csv", UNITS).get_data(as_text=True)  # a fresh upload applies as before
    second = html.split('action="/admin/import/')[1].split("/apply")[0]
    token = csrf_token(client, "/admin/import")
    assert client.post(f"/admin/import/{second}/apply", data={"csrf_token": token}).status_code == 302


def test_the_account_search_takes_percent_and_underscore_literally(app, make_user, auth):
    client = admin_client(app, make_user, auth)
    make_user("giam_doc@example.vn", full_name="Giám đốc 100%")
    make_user("giamxdoc@example.vn", full_name="Giám đốc 1000")
    html = client.get("/admin/users?q=_").get_data(as_text=True)
    assert "giam_doc@example.vn" in html and "giamxdoc@example.vn" not in html
    html = client.get("/admin/users?q=100%").get_data(as_text=True)
    assert "giam_doc@example.vn" in html and "giamxdoc@example.vn" not in html


def test_a_training_record_dated_0001_01_01_is_refused(world, app):
    from app.profiles import records

    with app.app_context():
        admin = db.session.scalar(select(User).where(User.role == "admin", User.unit_id.is_(None)))
        cadre = db.session.scalar(select(Cadre).where(Cadre.employee_code == "HN-000001"))
        for completed_on, valid_until, field in (
            (date(1, 1, 1), None, "completed_on"),
            (date(1949, 12, 31), None, "completed_on"),
            (local_today() + timedelta(days=1), None, "completed_on"),
            (date(2020, 1, 1), date(9999, 12, 31), "valid_until"),
        ):
            data = records.ExternalTraining(
                "Lý luận chính trị", "Trường", completed_on, 40, valid_until=valid_until
            )
            with pytest.raises(ValidationFailed) as caught:
                records.add_external(db.session, admin, cadre, data)
            assert caught.value.field == field
        data = records.ExternalTraining("Lý luận chính trị", "Trường", date(1950, 1, 1), 40)
        assert records.add_external(db.session, admin, cadre, data).completed_on == date(1950, 1, 1)


# Fuzzing: whatever the bytes, the reader answers rows or ValidationFailed, nothing else.


def _consume(name: str, data: bytes) -> None:
    try:
        for number, cells in read_table(name, data).rows:
            assert number >= 2 and all(len(cell) <= reader.MAX_FIELD_CHARS for cell in cells)
    except ValidationFailed as exc:
        assert exc.field == "file" and str(exc.message)


_cell_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=30) | st.sampled_from(
    ['"', '""', "a\nb", "\r", ";", "\t", ",", "=1+1", "Nguyễn Thị Hoà", "\x00", "\ufeff"]
)
_rows = st.lists(st.lists(_cell_text, max_size=8), max_size=12)


@pytest.mark.fuzz
@given(data=st.binary(max_size=2_000), name=st.sampled_from(["f.csv", "f.xlsx", "f.txt", "f"]))
def test_fuzz_random_bytes(app, data, name):
    with app.app_context():
        _consume(name, data)
        _consume(name, b"PK\x03\x04" + data)


@pytest.mark.fuzz
@given(
    rows=_rows,
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258"]),
    cut=st.integers(min_value=0, max_value=50),
)
def test_fuzz_csv_like_content(app, rows, delimiter, encoding, cut):
    text = "\n".join(delimiter.join(row) for row in rows)
    data = text.encode(encoding, errors="replace")
    with app.app_context():
        _consume("f.csv", data)
        _consume("f.csv", data[: len(data) - cut])


_BASE_SHEET = sheet_xml([HEADER_ROW, xml_row(2, "HN-1", "Trần Thị Hoa", "05/03/1988")], dimension="A1:F2")


@pytest.mark.fuzz
@given(
    part=st.sampled_from([SHEET, "xl/workbook.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"]),
    at=st.integers(min_value=0, max_value=600),
    insert=st.text(alphabet="<>/\"'=&;r c v t 0123456789ABXFD", max_size=20),
    cut=st.integers(min_value=0, max_value=2_000),
    rows=_rows,
)
def test_fuzz_xlsx_like_content(app, part, at, insert, cut, rows):
    cells = [
        xml_row(n, *(value.replace("&", "&amp;").replace("<", "&lt;") for value in row))
        for n, row in enumerate(rows, 2)
    ]
    parts = {
        "[Content_Types].xml": _CONTENT_TYPES,
        "xl/workbook.xml": _WORKBOOK,
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
        SHEET: sheet_xml([HEADER_ROW, *cells]),
    }
    parts[part] = parts[part][:at] + insert + parts[part][at:]
    data = workbook(parts[SHEET], extra={k: v for k, v in parts.items() if k != SHEET})
    with app.app_context():
        _consume("f.xlsx", data)
        _consume("f.xlsx", data[: max(len(data) - cut, 0)])
