"""A course sent as one .zip: checked and imported like its folder, and every hostile archive refused
with the archive's (and entry's) name, before anything of it is used."""

from __future__ import annotations

import io
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.courses import bundle
from app.courses.bundle import unpack
from app.extensions import db
from app.models import Course, Lesson
from tests.helpers import write_course

PROJECT_COURSES = Path(__file__).resolve().parent.parent / "courses"


def zipped(folder: Path, *, top: str | None = None) -> bytes:
    """The folder packed as a trainer's zip tool would: under `top/` (default: the folder's name)."""
    top = folder.name if top is None else top
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                zf.write(path, f"{top}/{name}" if top else name)
    return buffer.getvalue()


def archive(*entries: tuple[str | zipfile.ZipInfo, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return buffer.getvalue()


def refused(data: bytes, tmp_path: Path) -> list[str]:
    into = tmp_path / "ra"
    into.mkdir()
    folder, problems = unpack(data, into, "khoa.zip")
    assert folder is None and problems
    return [f"{p.path}: {p.message}" for p in problems]


@pytest.mark.parametrize("top", ["khoa-hoc", ""], ids=["in-one-folder", "at-the-top"])
def test_a_zipped_course_unpacks_to_the_same_files(tmp_path, top):
    course = write_course(tmp_path / "src")
    into = tmp_path / "ra"
    into.mkdir()
    folder, problems = unpack(zipped(course, top=top), into, "khoa.zip")
    assert problems == []
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in course.iterdir())
    assert (folder / "02-du-lieu.md").read_text(encoding="utf-8") == (course / "02-du-lieu.md").read_text(
        encoding="utf-8"
    )


def test_mac_and_windows_leftovers_are_left_out(tmp_path):
    course = write_course(tmp_path / "src")
    data = zipped(course)
    with zipfile.ZipFile(io.BytesIO(data), "a") as zf:
        zf.writestr("__MACOSX/khoa-hoc/._course.md", b"\x00\x05")
        zf.writestr("khoa-hoc/.DS_Store", b"\x00")
        zf.writestr("khoa-hoc/Thumbs.db", b"\x00")
    into = tmp_path / "ra"
    into.mkdir()
    folder, problems = unpack(data, into, "khoa.zip")
    assert problems == [] and not (folder / ".DS_Store").exists() and not (into / "__MACOSX").exists()


def test_a_damaged_or_foreign_file_is_refused(tmp_path):
    assert refused(b"PK\x03\x04 not really a zip", tmp_path) == [
        "khoa.zip: not a readable .zip archive (damaged, or another kind of file)"
    ]


def test_an_archive_without_course_md_says_where_it_looked(tmp_path):
    data = archive(("a/course.md", b"x"), ("b/01-bai.md", b"# B\n"))
    assert refused(data, tmp_path) == [
        "khoa.zip: no course.md at the top of the archive or in its one top folder"
    ]


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("khoa/../../etc/cron.d/x.md", "has '..' in its path, which would leave the course folder"),
        ("/etc/passwd", "has an absolute path"),
        ("C:/Windows/x.md", "has an absolute path"),
        ("khoa\\01-bai.md", "uses '\\' in its path"),
    ],
)
def test_a_name_that_leaves_the_folder_is_refused_and_nothing_is_written(tmp_path, name, why):
    data = archive(("khoa/course.md", b"---\n"), (name, b"# x\n"))
    problems = refused(data, tmp_path)
    assert len(problems) == 1 and why in problems[0] and problems[0].startswith("khoa.zip/")
    assert list((tmp_path / "ra").iterdir()) == []


def test_a_symbolic_link_is_refused(tmp_path):
    link = zipfile.ZipInfo("khoa/01-bai.md")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    data = archive(("khoa/course.md", b"---\n"), (link, b"/etc/passwd"))
    assert refused(data, tmp_path) == [
        "khoa.zip/khoa/01-bai.md: 'khoa/01-bai.md' is a symbolic link: put the file itself in the archive"
    ]


def test_names_must_be_utf8(tmp_path):
    # An old Windows archiver: "bài" as code page 1258 bytes ("à" is 0xE0), without the UTF-8 flag.
    data = archive(("khoa/course.md", b"---\n"), ("khoa/01-bXi.md", b"# x\n"))
    data = data.replace(b"khoa/01-bXi.md", b"khoa/01-b\xe0i.md")
    problems = refused(data, tmp_path)
    assert len(problems) == 1 and "its name is not UTF-8" in problems[0]


def test_utf8_names_without_the_flag_are_read_as_utf8(tmp_path):
    # Some archivers write UTF-8 names without setting the flag; zipfile then reads them as CP437.
    svg = b"<svg xmlns='http://www.w3.org/2000/svg'/>"
    data = archive(("khoa/course.md", b"---\n"), ("khoa/xxxxxxxxx.svg", svg))
    data = data.replace(b"khoa/xxxxxxxxx.svg", "khoa/sơ-đồ.svg".encode())
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert not zf.getinfo("khoa/sơ-đồ.svg".encode().decode("cp437")).flag_bits & 0x800
    into = tmp_path / "ra"
    into.mkdir()
    folder, problems = unpack(data, into, "khoa.zip")
    assert problems == [] and (folder / "sơ-đồ.svg").read_bytes() == svg


def test_two_names_that_differ_only_in_case_are_refused(tmp_path):
    data = archive(("khoa/course.md", b"---\n"), ("khoa/01-Bai.md", b"# a\n"), ("khoa/01-bai.md", b"# b\n"))
    problems = refused(data, tmp_path)
    assert problems == [
        "khoa.zip/khoa/01-bai.md: 'khoa/01-bai.md' is also in the archive as 'khoa/01-Bai.md'"
    ]


def test_a_deflate_bomb_is_refused_from_the_directory(tmp_path):
    data = archive(("khoa/course.md", b"---\n"), ("khoa/01-bai.md", b"\0" * (4 * 1024 * 1024)))
    problems = refused(data, tmp_path)
    assert len(problems) == 1 and "times its packed size; at most 200" in problems[0]


def test_too_many_entries_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(bundle, "MAX_ENTRIES", 3)
    data = archive(*[(f"khoa/{n:02d}-bai.md", b"# x\n") for n in range(1, 5)])
    assert refused(data, tmp_path) == ["khoa.zip: the archive has 4 entries; at most 3"]


def test_too_much_unpacked_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(bundle, "MAX_UNPACKED_BYTES", 3 * 1024 * 1024)
    image = bytes(range(256)) * 8192  # 2 MiB
    data = archive(("khoa/course.md", b"---\n"), ("khoa/a.png", image), ("khoa/b.png", image))
    assert refused(data, tmp_path) == ["khoa.zip: the archive unpacks to 4 MB; at most 3 MB"]


def test_cli_checks_a_zip_and_names_problems_after_the_archive(app, tmp_path):
    course = write_course(tmp_path / "src", category="nope")
    (course / "02-du-lieu.md").write_text("# Dữ liệu\n\n![Hình](khong-co.png)\n", encoding="utf-8")
    path = tmp_path / "khoa-hoc.zip"
    path.write_bytes(zipped(course))
    result = app.test_cli_runner().invoke(args=["courses", "check", str(path)])
    assert result.exit_code == 1
    assert f"{path}/course.md:5: category 'nope' is not one of" in result.output
    assert f"{path}/02-du-lieu.md:3: image 'khong-co.png' does not exist" in result.output
    assert "boiduong-course-" not in result.output  # never the temporary folder


def test_cli_refuses_a_hostile_zip_without_reading_the_course(app, tmp_path):
    path = tmp_path / "khoa.zip"
    path.write_bytes(archive(("khoa/course.md", b"---\n"), ("khoa/../x.md", b"# x\n")))
    result = app.test_cli_runner().invoke(args=["courses", "import", str(path)])
    assert result.exit_code == 1
    assert "has '..' in its path" in result.output and "not imported" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Course.id))) == 0


def test_cli_imports_a_shipped_course_from_its_zip(app, tmp_path):
    source = tmp_path / "an-toan-thong-tin"
    shutil.copytree(PROJECT_COURSES / "an-toan-thong-tin", source)
    path = tmp_path / "an-toan-thong-tin.zip"
    path.write_bytes(zipped(source))
    result = app.test_cli_runner().invoke(args=["courses", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "ATTT-CB version 2026.2: created" in result.output
    with app.app_context():
        assert list(db.session.scalars(select(Course.code))) == ["ATTT-CB"]
        assert db.session.scalar(select(func.count(Lesson.id))) == 8


def test_an_encrypted_entry_is_refused_by_name(tmp_path):
    data = archive(("khoa/course.md", b"---\n"), ("khoa/01-bai.md", b"# x\n"))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:  # set the "encrypted" bit, as a password tool would
        offsets = [info.header_offset for info in zf.infolist() if info.filename == "khoa/01-bai.md"]
    raw = bytearray(data)
    raw[offsets[0] + 6] |= 0x1  # the local header's flags
    raw[raw.rfind(b"PK\x01\x02") + 8] |= 0x1  # and the central record's (this entry is the last one)
    problems = refused(bytes(raw), tmp_path)
    assert problems == [
        "khoa.zip/khoa/01-bai.md: 'khoa/01-bai.md' is encrypted: pack the course without a password"
    ]


def test_an_unsupported_packing_method_is_refused_by_name(tmp_path):
    data = archive(("khoa/course.md", b"---\n"), ("khoa/01-bai.md", b"# x\n"))
    raw = bytearray(data)
    central = raw.rfind(b"PK\x01\x02")  # the last entry's central record: method at offset 10
    raw[central + 10 : central + 12] = (9).to_bytes(2, "little")  # Deflate64, as Windows writes
    problems = refused(bytes(raw), tmp_path)
    assert len(problems) == 1 and "is packed with a method this site does not read" in problems[0]
