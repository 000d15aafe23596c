"""Reading tables as the personnel office has them: CSV (UTF-8 with or without BOM, Excel's
UTF-16 "Unicode text", Windows-1258) with comma, semicolon or tab, or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from app.errors import ValidationFailed
from app.exports import read_cell
from app.text import fold, nfc

MAX_IMPORT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Table:
    headers: list[str]  # as written in the file
    keys: list[str]  # normalised: folded, spaces as underscores
    rows: Iterator[tuple[int, list[str]]]  # (spreadsheet row number, cells as text)


def header_key(text: str) -> str:
    return "_".join(fold(text).replace("/", " ").replace("-", " ").split())


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1258")


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


def read_table(filename: str, data: bytes) -> Table:
    """The first sheet (XLSX) or the whole file (CSV). Raises ValidationFailed for what it cannot read."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationFailed(
            _l("larger than %(mb)s MB", mb=MAX_IMPORT_BYTES // (1024 * 1024)), field="file"
        )
    name = filename.lower()
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return _xlsx(data)
    if name.endswith((".csv", ".txt", ".tsv")) or not name:
        return _csv(data)
    raise ValidationFailed(_l("not a CSV or XLSX file"), field="file")


def _csv(data: bytes) -> Table:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationFailed(_l("not a CSV or XLSX file"), field="file")
    text = _decode(data)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        headers = [nfc(h).strip() for h in next(reader)]
    except StopIteration:
        raise ValidationFailed(_l("empty"), field="file") from None

    def rows():
        for number, row in enumerate(reader, start=2):
            if any(cell.strip() for cell in row):
                yield number, [_text(cell) for cell in row]

    return Table(headers, [header_key(h) for h in headers], rows())


def _xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ValidationFailed(
            _l("not a readable XLSX file (%(error)s)", error=exc.__class__.__name__), field="file"
        ) from None
    sheet = workbook.worksheets[0]
    rows_iter = sheet.iter_rows(values_only=True)
    try:
        headers = [_cell(h) for h in next(rows_iter)]
    except StopIteration:
        raise ValidationFailed(_l("empty"), field="file") from None

    def rows():
        for number, row in enumerate(rows_iter, start=2):
            cells = [_cell(v) for v in row]
            if any(cells):
                yield number, cells
        workbook.close()

    return Table(headers, [header_key(h) for h in headers], rows())


def parse_date(text: str) -> date | None:
    """dd/mm/yyyy (as Vietnamese offices write it), d/m/yyyy, dd-mm-yyyy or yyyy-mm-dd."""
    text = text.strip()
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None
