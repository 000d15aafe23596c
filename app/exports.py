"""Tables sent as files, and the one place that writes them: CSV streamed row by row (Excel opens
it as UTF-8 thanks to the BOM), XLSX built with openpyxl's write-only mode, and the header that
names a download.

Every export goes through `csv_response` or `xlsx_response`, so that no cell can reach a
spreadsheet as a formula (OWASP "CSV injection"): a name such as =HYPERLINK(...) planted through
an import would otherwise run in the file a city admin opens.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

from flask import Response, stream_with_context

# A text cell beginning with one of these is read as a formula by Excel and LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Characters the XML of an XLSX file cannot hold (openpyxl refuses them): dropped, not a 500.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _formula_like(text: str) -> bool:
    """True if the text, once the apostrophes a writer may have put before it are read away,
    begins as a formula would: such text gets one more apostrophe, so that `read_cell` gives
    back exactly what was written (even a name that itself begins with an apostrophe)."""
    return text.lstrip("'").startswith(FORMULA_STARTS)


def safe_cell(value):
    """A value as written to a CSV file: text that would begin a formula gets a leading
    apostrophe (OWASP's rule; spreadsheets show such a cell as text). Numbers stay numbers."""
    if isinstance(value, str) and _formula_like(value):
        return "'" + value
    return value


def read_cell(text: str) -> str:
    """The inverse of `safe_cell`, for the import: a cell written by an export comes back as the
    value that was exported (an apostrophe is removed only before formula-like text)."""
    if text.startswith("'") and _formula_like(text):
        return text[1:]
    return text


def _xlsx_cell(sheet, value):
    """A value as written to an XLSX sheet. Formula-like text becomes an explicit text cell with
    Excel's quote prefix, so it is shown as typed and stays text even when someone edits the
    cell; openpyxl would otherwise store any text that begins with '=' as a formula."""
    if not isinstance(value, str):
        return value
    value = _XML_ILLEGAL.sub("", value)
    if not _formula_like(value):
        return value
    from openpyxl.cell import WriteOnlyCell

    # Text that begins with apostrophes keeps one more, as in CSV, so the import reads it back.
    cell = WriteOnlyCell(sheet, value if value.startswith(FORMULA_STARTS) else "'" + value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _ascii_fallback(name: str) -> str:
    """The file name for clients that ignore filename*: letters without their marks, and only
    characters that need no quoting (so no quote, backslash, separator or control can pass)."""
    ascii_name = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name).strip("._")
    return ascii_name or "download"


def attachment_headers(filename: str) -> dict[str, str]:
    """The headers that send a response as a download named `filename`.

    Content-Disposition follows RFC 6266 with the RFC 5987 encoding: an ASCII `filename` for old
    clients and the full name, percent-encoded UTF-8, as `filename*`. Control characters (CR and
    LF among them), quotes and path separators are removed from the name first, so that no input
    (a unit code, a course code) can break the header, add another, or name a path.
    """
    name = unicodedata.normalize("NFC", filename)
    name = "".join(
        " " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in name if c not in "\"'\\/"
    )
    name = " ".join(name.split()).strip(". ") or "download"
    return {
        "Content-Disposition": (
            f"attachment; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
        )
    }


def csv_response(rows: Iterable[list], filename: str) -> Response:
    """Stream `rows` as a CSV attachment, in chunks of about 64 KB, every cell through `safe_cell`."""

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        yield "\ufeff"
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers.update(attachment_headers(filename))
    return response


def xlsx_response(rows: Iterable[list], filename: str) -> Response:
    """`rows` as an XLSX attachment (one sheet), no cell of it a formula."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    response = Response(
        out.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response.headers.update(attachment_headers(filename))
    return response
