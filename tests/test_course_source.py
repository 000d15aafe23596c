"""Reading and checking course folders: every problem is reported as file:line."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from app.courses.source import read_course
from tests.helpers import write_course

PROJECT_COURSES = Path(__file__).resolve().parent.parent / "courses"
VIDEO = ("www.youtube-nocookie.com",)


def problems_of(path: Path) -> list[str]:
    source, problems = read_course(path, VIDEO)
    assert (source is None) == bool(problems)
    return [f"{Path(p.path).name}:{p.line}: {p.message}" for p in problems]


def test_a_good_course_reads_completely(tmp_path):
    path = write_course(tmp_path)
    source, problems = read_course(path, VIDEO)
    assert problems == []
    assert source.code == "KH-01" and source.hours == 1 and source.version == "1.0"
    assert [lesson.slug for lesson in source.lessons] == ["mo-dau", "du-lieu", "ket-luan"]
    assert [lesson.title for lesson in source.lessons] == ["Mở đầu", "Dữ liệu", "Kết luận"]


def test_shipped_demo_courses_have_no_problems():
    folders = [p for p in PROJECT_COURSES.iterdir() if p.is_dir()]
    assert len(folders) >= 3
    for folder in folders:
        source, problems = read_course(folder, VIDEO)
        assert problems == [], problems
        assert len(source.lessons) >= 5
        bodies = "\n".join(lesson.body for lesson in source.lessons)
        assert "|---" in bodies.replace(" ", "") or "|:--" in bodies  # a table
        assert "!!! " in bodies  # a callout
        assert source.images  # an image


@pytest.mark.parametrize(
    "front, expected",
    [
        (
            'code: KH-01\ntitle: T\nsummary: S\ncategory: security\nhours: 4\nversion: "1"\n',
            "course.md:5: category 'security' is not one of",
        ),
        (
            'code: KH-01\ntitle: T\nsummary: S\ncategory: other\nhours: bốn\nversion: "1"\n',
            "course.md:6: hours must be a whole number",
        ),
        (
            'code: kh 01\ntitle: T\nsummary: S\ncategory: other\nhours: 4\nversion: "1"\n',
            "course.md:2: code 'kh 01' must be",
        ),
        (
            'code: KH-01\nsummary: S\ncategory: other\nhours: 4\nversion: "1"\n',
            "course.md:1: 'title' is required",
        ),
        (
            'code: KH-01\ntitle: T\nsummary: S\ncategory: other\nhours: 4\nversion: "1"\nauthor: X\n',
            "course.md:8: unknown field 'author'",
        ),
        ("code: KH-01\ntitle: [T\nsummary: S\n", "course.md:4: front matter is not valid YAML"),
    ],
)
def test_front_matter_problems_name_the_line(tmp_path, front, expected):
    path = write_course(tmp_path)
    (path / "course.md").write_text(f"---\n{front}---\nGiới thiệu\n", encoding="utf-8")
    assert any(p.startswith(expected) for p in problems_of(path)), problems_of(path)


def test_front_matter_must_exist_and_close(tmp_path):
    path = write_course(tmp_path)
    (path / "course.md").write_text("# Khoá học\n", encoding="utf-8")
    assert problems_of(path)[0].startswith("course.md:1: the file must start with front matter")
    (path / "course.md").write_text("---\ncode: KH-01\n", encoding="utf-8")
    assert problems_of(path)[0].startswith("course.md:1: front matter is not closed")


def test_lesson_problems_name_file_and_line(tmp_path):
    path = write_course(
        tmp_path,
        lessons={
            "01-mo-dau.md": (
                "# Mở đầu\n\n"  # 1-2
                "![](images/so-do.png)\n"  # 3 no description, missing
                "[bài hai](02-khong-co.md)\n"  # 4 no such lesson
                "[bấm](javascript:alert(1))\n"  # 5 javascript link
                "<script>alert(1)</script>\n"  # 6 script
                '<p onclick="x()">a</p>\n'  # 7 event attribute
                '<iframe src="https://evil.example/v"></iframe>\n'  # 8 foreign frame
                '!!! caution "Chú ý"\n    nội dung\n'  # 9 unknown callout type
                "```\n<script>in code is fine</script>\n```\n"  # 11-13 code is not checked
                "[ra ngoài](../../etc/passwd)\n"  # 14 leaves the folder
            ),
            "02-mo-dau-2.md": "Không có tiêu đề.\n",
            "bai-ba.md": "# Không có số\n",
        },
    )
    found = problems_of(path)
    for expected in (
        "01-mo-dau.md:3: image 'images/so-do.png' needs a description",
        "01-mo-dau.md:3: image 'images/so-do.png' does not exist",
        "01-mo-dau.md:4: link '02-khong-co.md': there is no lesson file",
        "01-mo-dau.md:5: link 'javascript:alert(1)': only http, https and mailto",
        "01-mo-dau.md:6: HTML <script> is not allowed",
        "01-mo-dau.md:7: HTML <p> is not allowed",
        "01-mo-dau.md:7: event attributes (on...=) are not allowed",
        "01-mo-dau.md:8: video frames are allowed only from: www.youtube-nocookie.com",
        "01-mo-dau.md:9: callout type 'caution' is not one of",
        "01-mo-dau.md:14: link '../../etc/passwd' points outside the course folder",
        "02-mo-dau-2.md:1: a lesson must start with its title",
        "bai-ba.md:1: a lesson file name must start with its number",
    ):
        assert any(p.startswith(expected) for p in found), (expected, found)
    assert not any(":12:" in p for p in found)


def test_lesson_ids_and_numbers_must_be_unique(tmp_path):
    path = write_course(
        tmp_path,
        lessons={
            "01-a.md": "# A\n\nx\n",
            "01-b.md": "---\nid: a\n---\n# B\n\ny\n",
        },
    )
    found = problems_of(path)
    assert any(p.startswith("01-b.md:1: lesson number 1 is also used by 01-a.md") for p in found)
    assert any(p.startswith("01-b.md:2: lesson id 'a' is also used by 01-a.md") for p in found)


def test_front_matter_id_keeps_a_lesson_id_across_renames(tmp_path):
    path = write_course(tmp_path, lessons={"07-ten-moi.md": "---\nid: ten-cu\n---\n# Bài\n\nNội dung\n"})
    source, _ = read_course(path)
    assert source.lessons[0].slug == "ten-cu"


def test_invalid_utf8_is_named(tmp_path):
    path = write_course(tmp_path)
    (path / "02-du-lieu.md").write_bytes("# Dữ liệu\n\ndòng hai\n".encode() + b"\xff\xfe\n")
    assert "02-du-lieu.md:4: the file is not valid UTF-8 text" in problems_of(path)[0]


def test_no_lessons(tmp_path):
    path = write_course(tmp_path, lessons={})
    assert problems_of(path) == ["course.md:1: the course has no lessons: add files such as 01-gioi-thieu.md"]


def test_svg_with_script_is_refused(tmp_path):
    path = write_course(tmp_path, lessons={"01-a.md": "# A\n\n![Hình](h.svg)\n"})
    (path / "h.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    assert problems_of(path) == ["01-a.md:3: image 'h.svg' contains script; remove it"]


def test_nfd_and_nfc_folders_read_identically(tmp_path):
    nfc_path = write_course(tmp_path, "nfc")
    nfd_path = write_course(tmp_path, "nfd")
    for file in nfd_path.glob("*.md"):
        text = file.read_text(encoding="utf-8")
        file.write_text(unicodedata.normalize("NFD", text), encoding="utf-8")
    assert (nfd_path / "course.md").read_bytes() != (nfc_path / "course.md").read_bytes()
    nfc_source, _ = read_course(nfc_path)
    nfd_source, _ = read_course(nfd_path)
    assert nfd_source.title == nfc_source.title == "Chuyển đổi số cơ bản"
    assert unicodedata.is_normalized("NFC", nfd_source.lessons[1].body)
    assert nfd_source.content_hash == nfc_source.content_hash
