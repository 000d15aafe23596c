"""Tables sent as files: CSV streamed row by row (Excel opens it as UTF-8 thanks to the BOM), and
XLSX built with openpyxl's write-only mode."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from flask import Response, stream_with_context
from werkzeug.http import quote_header_value

# A text cell beginning with one of these is read as a formula by Excel and LibreOffice: a name
# such as =HYPERLINK(...) planted through an import would run in the file a city admin opens.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a spreadsheet shows it as text: a leading apostrophe before a formula start."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def commit_before_streaming(session, actor) -> None:
    """Commit (an export's audit entry), then load the actor again. A streamed body is produced
    after the request's database session has closed: the account stays readable there (the
    language of labels and dates depends on it) only if its attributes were not left expired."""
    session.commit()
    session.refresh(actor)


def _attachment(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f"attachment; filename={quote_header_value(filename)}"
    return response


def csv_response(rows: Iterable[list], filename: str) -> Response:
    """Stream `rows` as a CSV attachment, in chunks of about 64 KB."""

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

    return _attachment(Response(stream_with_context(generate()), mimetype="text/csv"), filename)


def xlsx_response(rows: Iterable[list], filename: str) -> Response:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    response = Response(
        out.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return _attachment(response, filename)
