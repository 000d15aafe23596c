"""The shipped courses read well on a phone: no lesson table too wide for a 360 px screen.

A table on a 360 px screen has room for about four narrow columns; a wider one scrolls sideways
inside its box, and a cell of long prose in a narrow column becomes a ribbon of one or two words a
line. Prose that compares several things belongs in a list of short sections (a bold term with its
explanation), or in a narrower table plus notes. So every table in the shipped course files has:

- at most 4 columns;
- no cell longer than 120 characters of text (the longest cell left in November 2026 has 117);
- when it has 4 columns, rows of at most 100 characters of text in all (four columns only fit when
  they are short: the 4-column tables left are data and scales, longest row 95 characters).

The limits count the text a reader sees (Markdown markup removed), as rendered by the importer, in
every Markdown file of the shipped course folders (lessons, quizzes and course pages).
"""

from html.parser import HTMLParser

import pytest

from app.courses.render import render_markdown
from tests.helpers import PROJECT_COURSES

MAX_COLUMNS = 4
MAX_CELL = 120
MAX_FOUR_COLUMN_ROW = 100


class _Tables(HTMLParser):
    """Collects each table as a list of rows, each row a list of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.tables:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _course_files():
    return sorted(PROJECT_COURSES.glob("*/*.md"))


def _tables(path):
    parser = _Tables()
    parser.feed(render_markdown(path.read_text(encoding="utf-8")))
    return parser.tables


def test_the_shipped_courses_have_tables_to_check():
    assert len(_course_files()) >= 9 * 8
    assert sum(len(_tables(path)) for path in _course_files()) > 50


@pytest.mark.parametrize("path", _course_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_table_is_too_wide_for_a_phone(path):
    problems = []
    for number, rows in enumerate(_tables(path), start=1):
        columns = max(len(row) for row in rows)
        if columns > MAX_COLUMNS:
            problems.append(f"table {number}: {columns} columns (at most {MAX_COLUMNS})")
        for row in rows:
            for cell in row:
                if len(cell) > MAX_CELL:
                    problems.append(
                        f"table {number}: a cell of {len(cell)} characters (at most {MAX_CELL}): {cell[:60]}…"
                    )
            width = sum(len(cell) for cell in row)
            if columns == MAX_COLUMNS and width > MAX_FOUR_COLUMN_ROW:
                problems.append(
                    f"table {number}: a 4-column row of {width} characters "
                    f"(at most {MAX_FOUR_COLUMN_ROW}): {' | '.join(row)[:60]}…"
                )
    assert not problems, f"{path.relative_to(PROJECT_COURSES)}: " + "; ".join(problems)
