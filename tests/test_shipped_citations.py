"""The shipped courses cite legal documents through the register, so a change in the law reaches them.

`courses check` only sees citations written as markers (`[[VB 356/2025/NĐ-CP]]`); a number written
as plain text is invisible to it and would stay "true" after its document is repealed. So, in every
Markdown file of the shipped course folders (lessons, course pages and quizzes):

(a) every document number found (state forms such as `356/2025/NĐ-CP`, `91/2025/QH15`, `06/QĐ-TTg`,
    and party forms such as `144-QĐ/TW`, `18-NQ/TU`) is in the register
    (app/courses/legal_documents.yaml);
(b) a document in force as of today is cited only inside a marker;
(c) so a plain number can only be of a replaced or repealed document, mentioned as history
    ("thay thế Nghị định 13/2023/NĐ-CP");
(d) a citation is not shortened to number and year ("Nghị định 118/2025"), which neither the register
    nor this test could recognise.

Markers do not work in front matter (courses/README.md): a document in force is cited in the body,
and the front matter may only name replaced ones. Not citations, and so not checked: code, the keys
of short-answer questions (lines starting with "=": what a learner types, not what the course
asserts) and format hints (`Ghi theo dạng "123/2025/NĐ-CP"`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from app.legal import register
from tests.helpers import PROJECT_COURSES

# 356/2025/NĐ-CP, 91/2025/QH15, 06/QĐ-TTg, 1656/NQ-UBTVQH15, 02/2019/TT-BNV ...
STATE_NUMBER = r"\d{1,4}/(?:\d{4}/)?[A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ][A-ZĐa-zđ0-9]*)*"
# 144-QĐ/TW, 57-NQ/TW, 18-NQ/TU ...
PARTY_NUMBER = r"\d{1,4}-[A-ZĐ]+/[A-ZĐƯ]+"
NUMBER_RE = re.compile(rf"(?<![\w/-])(?:{STATE_NUMBER}|{PARTY_NUMBER})(?![\w/])")
SHORTENED_RE = re.compile(
    r"\b(?:Nghị định|Nghị quyết|Quyết định|Thông tư|Luật)(?: số)? (\d{1,4}/\d{4})(?![\w/])"
)
FORMAT_HINT_RE = re.compile(r'dạng\s+"[^"\n]*"')
CODE_SPAN_RE = re.compile(r"`[^`\n]*`")


@dataclass(frozen=True)
class Found:
    where: str
    number: str
    in_marker: bool
    front_matter: bool


def _body_start(lines: list[str]) -> int:
    """Index of the first line after the front matter (0 when there is none)."""
    if lines and lines[0].strip() == "---":
        for index in range(1, len(lines)):
            if lines[index].strip() == "---":
                return index + 1
    return 0


def scan(text: str, name: str) -> tuple[list[Found], list[str]]:
    """The document numbers in a course file, and the shortened citations (file:line each)."""
    lines = text.split("\n")
    start = _body_start(lines)
    found: list[Found] = []
    shortened: list[str] = []
    in_code = False
    for index, line in enumerate(lines):
        where = f"{name}:{index + 1}"
        front = index < start
        if not front and line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if in_code or (not front and line.lstrip().startswith("=")):
            continue
        line = FORMAT_HINT_RE.sub("", CODE_SPAN_RE.sub("", line))
        for number in register.citations(line):
            found.append(Found(where, number, True, front))
        plain = register.MARKER_RE.sub("", line)
        for match in NUMBER_RE.finditer(plain):
            found.append(Found(where, match.group(0), False, front))
        if not front:
            shortened += [f"{where}: {m.group(0)}" for m in SHORTENED_RE.finditer(plain)]
    return found, shortened


def _course_files() -> list[Path]:
    return sorted(PROJECT_COURSES.glob("*/*.md"))


def _all_found() -> tuple[list[Found], list[str]]:
    found: list[Found] = []
    shortened: list[str] = []
    for path in _course_files():
        name = f"{path.parent.name}/{path.name}"
        file_found, file_shortened = scan(path.read_text(encoding="utf-8"), name)
        found += file_found
        shortened += file_shortened
    return found, shortened


@pytest.fixture(scope="module")
def documents() -> dict[str, register.Document]:
    return register.load()


@pytest.fixture(scope="module")
def shipped() -> tuple[list[Found], list[str]]:
    return _all_found()


def test_the_scan_sees_plain_numbers_and_markers_and_skips_what_is_not_a_citation():
    text = "\n".join(
        [
            "---",
            "summary: theo Nghị quyết 97/2019/QH14",
            "---",
            "Theo Nghị định [[VB 356/2025/NĐ-CP]] (thay thế Nghị định 13/2023/NĐ-CP).",
            "Quy định 144-QĐ/TW năm 2024; ngày 05/01/2026; tháng 10/2025.",
            'Ghi số hiệu theo dạng "123/2025/NĐ-CP".',
            "= 118/2025/NĐ-CP",
            "Mã `91/2025/QH15` trong mã nguồn.",
            "Nghị định 118/2025 quy định lại cơ chế một cửa.",
        ]
    )
    found, shortened = scan(text, "x.md")
    assert [(f.where, f.number, f.in_marker, f.front_matter) for f in found] == [
        ("x.md:2", "97/2019/QH14", False, True),
        ("x.md:4", "356/2025/NĐ-CP", True, False),
        ("x.md:4", "13/2023/NĐ-CP", False, False),
        ("x.md:5", "144-QĐ/TW", False, False),
    ]
    assert shortened == ["x.md:9: Nghị định 118/2025"]


def test_the_shipped_courses_cite_documents(shipped):
    found, _ = shipped
    assert len({f.number for f in found if f.in_marker}) >= 30


def test_every_document_number_in_the_shipped_courses_is_in_the_register(documents, shipped):
    found, _ = shipped
    unknown = [f"{f.where}: {f.number}" for f in found if f.number not in documents]
    assert unknown == [], "not in app/courses/legal_documents.yaml:\n" + "\n".join(unknown)


def _plain(found: list[Found], documents: dict[str, register.Document]) -> list[tuple[Found, bool]]:
    """The numbers written without a marker, each with whether its document is in force today."""
    today = date.today()
    return [
        (f, not documents[f.number].repealed_as_of(today))
        for f in found
        if not f.in_marker and f.number in documents
    ]


def test_documents_in_force_are_cited_only_by_marker(documents, shipped):
    found, _ = shipped
    plain = [
        f"{f.where}: {f.number} is in force: write [[VB {f.number}]]"
        + (" in the body (front matter cannot hold a marker)" if f.front_matter else "")
        for f, in_force in _plain(found, documents)
        if in_force
    ]
    assert plain == [], "\n".join(plain)


def test_a_plain_number_is_only_of_a_replaced_document_recorded_with_its_replacement(documents, shipped):
    found, _ = shipped
    wrong = [
        f"{f.where}: {f.number}"
        for f, in_force in _plain(found, documents)
        if not in_force and not documents[f.number].replaced_by
    ]
    assert wrong == [], "repealed without a replacement in the register:\n" + "\n".join(wrong)


def test_citations_are_not_shortened_to_number_and_year(shipped):
    _, shortened = shipped
    assert shortened == [], "write the full number (e.g. 118/2025/NĐ-CP):\n" + "\n".join(shortened)
