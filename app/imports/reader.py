"""Reading tables as the personnel office has them: CSV (UTF-8 with or without BOM, Excel's
UTF-16 "Unicode text", Windows-1258) with comma, semicolon or tab, or XLSX.

A file is hostile until measured: every limit below is checked before the work it bounds (the size
before decoding, the ZIP directory before any XML is parsed, each line and row as it is read), and
everything the reader cannot read is a `ValidationFailed` on the field "file" saying why, with the
row, column or byte offset where known. Rows are read lazily, so iterating `Table.rows` may raise
it too; nothing else escapes the reader.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from openpyxl.utils import get_column_letter

from app.errors import ValidationFailed
from app.exports import read_cell
from app.text import fold, nfc

# The city has 131,565 cadres: the whole city in one file, with half as many again for growth.
MAX_ROWS = 200_000
# Through the browser a file must be read, checked and written inside one request (gunicorn's
# 30 s timeout): 20,000 XLSX rows are read and checked in 2.3 s here (`flask cadres import
# --dry-run`), so 50,000 take about 6 s, 18 s on a busy machine. A unit's own cadres fit; the
# whole city goes through `flask cadres import`, or in parts.
MAX_ROWS_IN_BROWSER = 50_000
# The cadre format has 11 columns; exports from personnel systems carry extra columns (ignored),
# rarely more than 60. Bounds the work per row.
MAX_COLUMNS = 100
# The longest value the import stores is 254 characters (an e-mail); four times that leaves room
# for long qualifications while a field that swallowed the file through an unclosed quote is refused.
MAX_FIELD_CHARS = 1_000
# A hundred columns of about 300 characters; a real export's lines are under 2,000. Checked on each
# line before the CSV parser sees it, so a 15 MB line costs nothing.
MAX_LINE_CHARS = 32_768
# 200,000 rows of about 300 bytes (every column filled, Vietnamese in UTF-8) as CSV; the command
# line checks the file's size before reading it, the browser refuses larger uploads earlier still
# (MAX_CONTENT_LENGTH, 16 MiB: an XLSX of the whole city is about 8 MiB).
MAX_IMPORT_BYTES = 64 * 1024 * 1024
# XLSX, read from the ZIP directory before any XML is parsed. Excel writes about ten parts plus a
# few per sheet; thousands of entries are not a personnel table.
MAX_XLSX_ENTRIES = 1_000
# The XML of 200,000 rows of 11 cells as Excel writes it (with styles) is about 150 MB; the parts are
# inflated and parsed as they are read, so this bounds the parsing time (about 20 s at the limit).
MAX_XLSX_UNCOMPRESSED = 256 * 1024 * 1024
# Sheets of real data inflate 5 to 20 times, repetitive ones (many empty styled cells) up to ~100;
# a deflate bomb inflates about 1,000 times. Checked on parts above 1 MiB (small ones may be denser).
MAX_XLSX_RATIO = 200
_RATIO_CHECKED_ABOVE = 1024 * 1024
# Excel's last row: a row numbered beyond it is a damaged or forged sheet.
_EXCEL_LAST_ROW = 1_048_576


@dataclass(frozen=True)
class Table:
    headers: list[str]  # as written in the file
    keys: list[str]  # normalised: folded, spaces as underscores
    rows: Iterator[
        tuple[int, list[str]]
    ]  # (spreadsheet row number, cells as text); may raise ValidationFailed


def header_key(text: str) -> str:
    return "_".join(fold(text).replace("/", " ").replace("-", " ").split())


def _refuse(message) -> ValidationFailed:
    return ValidationFailed(message, field="file")


def read_table(filename: str, data: bytes, max_rows: int = MAX_ROWS) -> Table:
    """The first sheet (XLSX) or the whole file (CSV), with at most `max_rows` rows below the header.
    Raises ValidationFailed (field "file") for what it cannot read, also while the rows are read."""
    if len(data) > MAX_IMPORT_BYTES:
        raise _refuse(_l("larger than %(mb)s MB", mb=MAX_IMPORT_BYTES // (1024 * 1024)))
    name = filename.lower()
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return _xlsx(data, max_rows)
    if name.endswith((".csv", ".txt", ".tsv")) or not name:
        return _csv(data, max_rows)
    raise _refuse(_l("not a CSV or XLSX file"))


def _cells(number: int, cells: list[str]) -> list[str]:
    for index, cell in enumerate(cells):
        if len(cell) > MAX_FIELD_CHARS:
            raise _refuse(
                _l(
                    "row %(row)s, column %(column)s: longer than %(limit)s characters"
                    " (is a quote left open?)",
                    row=number,
                    column=get_column_letter(index + 1),
                    limit=f"{MAX_FIELD_CHARS:,}",
                )
            )
    return cells


def _too_many_rows(number: int, limit: int) -> ValidationFailed:
    return _refuse(
        _l(
            "more than %(limit)s rows below the header (row %(row)s); split the file",
            limit=f"{limit:,}",
            row=f"{number:,}",
        )
    )


# CSV


def _decode(data: bytes) -> str:
    """UTF-16 when it starts with its byte-order mark, else UTF-8 (with or without BOM), else
    Windows-1258. Bytes that mean nothing in the guessed encoding are an error at their offset."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding, label = "utf-16", "UTF-16"
    else:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            encoding, label = "cp1258", "UTF-8 / Windows-1258"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(encoding, errors="replace").count("\n") + 1
        if exc.reason == "truncated data":
            raise _refuse(
                _l(
                    "line %(line)s: the file ends in the middle of a character"
                    " (%(encoding)s with an odd number of bytes)",
                    line=line,
                    encoding=label,
                )
            ) from None
        raise _refuse(
            _l(
                "line %(line)s, byte %(offset)s: 0x%(byte)s is not a character in %(encoding)s;"
                " save the file as CSV UTF-8",
                line=line,
                offset=f"{exc.start:,}",
                byte=f"{data[exc.start]:02X}",
                encoding=label,
            )
        ) from None


def _lines(text: str) -> Iterator[str]:
    """The file's lines for the CSV parser, each measured before it is parsed."""
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise _refuse(
                _l(
                    "line %(line)s: longer than %(limit)s characters",
                    line=f"{number:,}",
                    limit=f"{MAX_LINE_CHARS:,}",
                )
            )
        yield line


def _dialect(sample: str):
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        csv.reader([], dialect)  # the sniffer can guess a dialect the parser refuses
    except (csv.Error, TypeError, ValueError):
        return csv.excel
    return dialect


def _csv(data: bytes, max_rows: int) -> Table:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _refuse(_l("not a CSV or XLSX file"))
    text = _decode(data)
    reader = csv.reader(_lines(text), _dialect(text[:4096]))

    def read(number: int) -> list[str] | None:
        try:
            row = next(reader, None)
        except csv.Error:  # with newline="" and strict off, only the field limit (131,072) is left
            raise _refuse(
                _l(
                    "row %(row)s: a field longer than %(limit)s characters (is a quote left open?)",
                    row=f"{number:,}",
                    limit=f"{MAX_FIELD_CHARS:,}",
                )
            ) from None
        if row is None:
            return None
        if len(row) > MAX_COLUMNS and any(cell.strip() for cell in row[MAX_COLUMNS:]):
            raise _refuse(_l("more than %(limit)s columns", limit=MAX_COLUMNS))
        return _cells(number, [_text(cell) for cell in row[:MAX_COLUMNS]])

    headers = read(1)
    if headers is None:
        raise _refuse(_l("empty"))

    def rows():
        number = 1
        while (cells := read(number + 1)) is not None:
            number += 1
            if any(cells):
                if number > max_rows + 1:
                    raise _too_many_rows(number, max_rows)
                yield number, cells

    return Table(headers, [header_key(h) for h in headers], rows())


# XLSX


def _check_archive(data: bytes) -> None:
    """The ZIP directory, measured before anything is inflated: entry count, sizes, ratios and the
    parts every workbook has. zipfile never inflates an entry beyond the size its directory states."""
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _refuse(_l("not a readable XLSX file (the ZIP archive is damaged)")) from None
    if len(entries) > MAX_XLSX_ENTRIES:
        raise _refuse(
            _l(
                "an XLSX file with %(count)s parts; at most %(limit)s",
                count=f"{len(entries):,}",
                limit=MAX_XLSX_ENTRIES,
            )
        )
    total = sum(entry.file_size for entry in entries)
    if total > MAX_XLSX_UNCOMPRESSED:
        raise _refuse(
            _l(
                "unpacks to %(mb)s MB; at most %(limit)s MB",
                mb=f"{total // (1024 * 1024):,}",
                limit=MAX_XLSX_UNCOMPRESSED // (1024 * 1024),
            )
        )
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > _RATIO_CHECKED_ABOVE and ratio > MAX_XLSX_RATIO:
            raise _refuse(
                _l(
                    "%(part)s unpacks to %(ratio)s times its packed size; at most %(limit)s",
                    part=entry.filename,
                    ratio=f"{int(ratio):,}",
                    limit=MAX_XLSX_RATIO,
                )
            )
    names = {entry.filename for entry in entries}
    for part in ("[Content_Types].xml", "xl/workbook.xml"):
        if part not in names:
            raise _missing(part)


def _missing(part: str) -> ValidationFailed:
    return _refuse(_l("not a readable XLSX file (the part %(part)s is missing)", part=part))


def _damaged(exc: Exception, row: int | None = None) -> ValidationFailed:
    lines = str(exc).strip().splitlines()
    why = (lines[0] if lines else exc.__class__.__name__)[:160]
    if row is None:
        return _refuse(_l("not a readable XLSX file (%(why)s)", why=why))
    return _refuse(_l("not a readable XLSX file after row %(row)s (%(why)s)", row=f"{row:,}", why=why))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _text(str(value))


def _text(value: str) -> str:
    """A cell's text as the import uses it; the apostrophe an export put before formula-like
    text (see app.exports) is read away, so an exported table imports unchanged."""
    return read_cell(nfc(value).strip())


def _open_first_sheet(data: bytes):
    """The workbook and its first sheet, the sheet's part checked present (openpyxl would silently
    skip a missing one and read the next sheet instead)."""
    from openpyxl.reader.excel import ExcelReader

    # openpyxl warns about what it tolerates (no default style, unknown extensions): not our refusal.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read()
        declared = next(reader.parser.find_sheets(), None)
    if declared is None:
        raise _refuse(_l("not a readable XLSX file (the workbook has no sheet)"))
    if declared[1].target not in reader.valid_files:
        raise _missing(declared[1].target)
    if not reader.wb.worksheets:
        raise _refuse(_l("not a readable XLSX file (the workbook has no sheet)"))
    return reader.wb, reader.wb.worksheets[0]


def _xlsx(data: bytes, max_rows: int) -> Table:
    _check_archive(data)
    try:
        workbook, sheet = _open_first_sheet(data)
        # The sheet's own <dimension> may claim A1:XFD1048576: openpyxl would then pad every row to
        # 16,384 cells and add empty rows up to the millionth. Read only what the XML holds.
        sheet.reset_dimensions()
        header = next(sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS + 1, values_only=True), ())
    except ValidationFailed:
        raise
    except Exception as exc:  # openpyxl, zipfile and the XML parser raise many kinds for a damaged file
        raise _damaged(exc) from None
    headers = [_cell(value) for value in header]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        workbook.close()
        raise _refuse(_l("empty"))
    if len(headers) > MAX_COLUMNS:
        workbook.close()
        raise _refuse(_l("more than %(limit)s columns", limit=MAX_COLUMNS))
    _cells(1, headers)
    width = len(headers)

    def rows():
        number = 1
        try:
            for number, row in enumerate(
                sheet.iter_rows(min_row=2, max_col=width, values_only=True), start=2
            ):
                if row.count(None) == width:  # an empty row costs one count in C
                    if number > _EXCEL_LAST_ROW:
                        raise _refuse(_l("not a readable XLSX file (a row beyond Excel's last)"))
                    continue
                if number > max_rows + 1:
                    raise _too_many_rows(number, max_rows)
                cells = [_cell(value) for value in row]
                if any(cells):
                    yield number, _cells(number, cells)
        except ValidationFailed:
            raise
        except Exception as exc:  # a truncated or malformed sheet surfaces while it is read
            raise _damaged(exc, number) from None
        finally:
            workbook.close()

    return Table(headers, [header_key(h) for h in headers], rows())
