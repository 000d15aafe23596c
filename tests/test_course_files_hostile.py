"""Course files from a careless trainer or an attacker: every problem by file:line, never a traceback,
nothing read from outside the course folder, each course imported whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.courses import importer
from app.courses.source import MAX_IMAGE_BYTES, MAX_TEXT_BYTES, read_course
from app.extensions import db
from app.models import Course, CourseVersion, Lesson, MediaFile
from app.profiles import requirements
from tests.helpers import write_course

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND"
    b"\xaeB`\x82"
)
VIDEO_HOSTS = ("www.youtube-nocookie.com", "player.vimeo.com")


def problems_of(path: Path) -> list[str]:
    _, problems = read_course(path, VIDEO_HOSTS)
    return [f"{Path(p.path).name}:{p.line}: {p.message}" for p in problems]


def set_front(path: Path, old: str, new: str) -> None:
    course = path / "course.md"
    course.write_text(course.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# -- YAML values ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, message",
    [
        ("2025-13-01", "'2025-13-01' is not a valid date"),
        ("2025-02-30", "'2025-02-30' is not a valid date"),
        ("2025-02-28 25:00:00", "'2025-02-28 25:00:00' is not a valid date"),
    ],
)
def test_an_impossible_date_in_course_md_is_a_problem_at_its_line(tmp_path, value, message):
    path = write_course(tmp_path)
    set_front(path, 'version: "1.0"', f"version: {value}")
    assert problems_of(path) == [
        f"course.md:7: front matter: {message} (write it as YYYY-MM-DD with a real "
        "month and day, or quote it if it is text)"
    ]


@pytest.mark.parametrize("value", ["0b_", "0x_", "1" * 5000, "!!int vài", "!!float x"])
def test_a_malformed_number_is_a_problem_at_its_line(tmp_path, value):
    path = write_course(tmp_path)
    set_front(path, "hours: 1", f"hours: {value}")
    found = problems_of(path)
    assert len(found) == 1 and found[0].startswith("course.md:6: front matter: '")
    assert found[0].endswith("is not a valid number")


def test_aliases_and_deep_nesting_are_refused_by_line(tmp_path):
    path = write_course(tmp_path)
    set_front(path, 'version: "1.0"', 'version: &v "1.0"\ntitle2: *v')
    assert problems_of(path) == [
        "course.md:8: front matter: anchors and aliases (*name) are not allowed; write the value out"
    ]
    path = write_course(tmp_path / "b")
    set_front(path, 'version: "1.0"', 'version: "1.0"\nx: ' + "[" * 100 + "]" * 100)
    assert problems_of(path)[0].startswith("course.md:8: front matter: values nest more than")


def test_an_impossible_date_in_quiz_front_matter_is_a_problem_at_its_line(tmp_path):
    quiz = "---\ntype: quiz\npass_mark: 2025-02-30\n---\n# Đề\n\n## Câu {#a}\n\n- [x] Một\n- [ ] Hai\n"
    path = write_course(tmp_path, lessons={"01-bai.md": "# Bài\n\nNội dung.\n", "02-de.md": quiz})
    assert problems_of(path) == [
        "02-de.md:3: front matter: '2025-02-30' is not a valid date (write it as YYYY-MM-DD with a real "
        "month and day, or quote it if it is text)"
    ]


def test_check_reports_the_bad_date_without_a_traceback(app, courses_root):
    path = write_course(courses_root, "hong", code="HONG")
    set_front(path, 'version: "1.0"', "version: 2025-13-01")
    result = app.test_cli_runner().invoke(args=["courses", "check", str(courses_root)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert f"{path}/course.md:7: front matter: '2025-13-01' is not a valid date" in result.output
    assert "Traceback" not in result.output


def test_import_goes_on_past_a_course_with_a_bad_date_and_sums_up(app, courses_root):
    bad = write_course(courses_root, "a-hong", code="HONG")
    set_front(bad, 'version: "1.0"', "version: 2025-13-01")
    write_course(courses_root, "b-tot", code="TOT")
    write_course(courses_root, "c-tot", code="TOT-2")
    result = app.test_cli_runner().invoke(args=["courses", "import", str(courses_root)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert f"{bad}/course.md:7: front matter: '2025-13-01' is not a valid date" in result.output
    assert "TOT version 1.0: created" in result.output and "TOT-2 version 1.0: created" in result.output
    assert "3 course folder(s) in" in result.output and "2 created, 1 failed" in result.output
    assert f"not imported: {bad}" in result.output
    with app.app_context():
        assert sorted(db.session.scalars(select(Course.code))) == ["TOT", "TOT-2"]


def test_a_course_that_fails_half_way_leaves_nothing_and_the_next_imports(app, courses_root, monkeypatch):
    write_course(courses_root, "a-vo", code="VO")
    write_course(courses_root, "b-tot", code="TOT")
    real = importer.render_markdown
    calls = {"n": 0}

    def fails_on_the_second_lesson_of_vo(text, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # course VO: intro, lesson 1, then lesson 2 breaks
            raise OSError("disk read error")
        return real(text, **kwargs)

    monkeypatch.setattr(importer, "render_markdown", fails_on_the_second_lesson_of_vo)
    result = app.test_cli_runner().invoke(args=["courses", "import", str(courses_root)])
    assert result.exit_code == 1
    assert "a-vo:1: OSError: disk read error" in result.output
    assert "TOT version 1.0: created" in result.output
    with app.app_context():
        assert list(db.session.scalars(select(Course.code))) == ["TOT"]
    assert (count(app, CourseVersion), count(app, Lesson)) == (1, 3)


def _requirement_yaml(effective_from: str) -> str:
    return (
        "requirements:\n"
        "  - title: division-head\n"
        f"    effective_from: {effective_from}\n"
        "    rules:\n"
        "      - {key: years, kind: remaining_service, legal_basis: x, params: {years: 5}}\n"
    )


def test_an_impossible_date_in_requirements_yaml_names_the_line(app):
    with app.app_context(), pytest.raises(requirements.RequirementsInvalid) as caught:
        requirements.parse_sets(db.session, _requirement_yaml("2025-02-30"))
    [problem] = caught.value.problems
    assert str(problem).startswith("line 3: not valid YAML: '2025-02-30' is not a valid date")


def test_requirements_import_cli_reports_the_bad_date_by_line(app, tmp_path):
    path = tmp_path / "req.yaml"
    path.write_text(_requirement_yaml("2025-13-01"), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["requirements", "import", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert f"{path}: line 3: not valid YAML: '2025-13-01' is not a valid date" in result.output


# -- Paths and links out of the folder -------------------------------------------------------------


def test_a_lesson_linked_to_a_file_outside_is_refused_and_not_read(app, tmp_path, courses_root):
    secret = tmp_path / "secret.md"
    secret.write_text("# Bí mật\n\nMật khẩu máy chủ.\n", encoding="utf-8")
    path = write_course(courses_root)
    (path / "04-bi-mat.md").symlink_to(secret)
    assert problems_of(path) == ["04-bi-mat.md:1: the file is a link to a file outside the course folder"]
    result = app.test_cli_runner().invoke(args=["courses", "import", str(path)])
    assert result.exit_code == 1
    assert count(app, Lesson) == 0


def test_course_md_linked_outside_is_refused(tmp_path):
    path = write_course(tmp_path / "x")
    os.replace(path / "course.md", tmp_path / "elsewhere.md")
    (path / "course.md").symlink_to(tmp_path / "elsewhere.md")
    assert problems_of(path) == ["course.md:1: the file is a link to a file outside the course folder"]


def test_an_image_linked_to_a_system_file_is_refused_and_never_served(app, tmp_path, courses_root):
    outside = tmp_path / "passwd.png"
    outside.write_bytes(b"root:x:0:0:root:/root:/bin/bash\n")
    path = write_course(
        courses_root,
        lessons={"01-bai.md": "# Bài\n\n![Sơ đồ](images/so-do.png)\n\n![Hình](" + str(outside) + ")\n"},
    )
    (path / "images").mkdir()
    (path / "images" / "so-do.png").symlink_to(outside)
    assert problems_of(path) == [
        "01-bai.md:3: image 'images/so-do.png' is a link to a file outside the course folder",
        f"01-bai.md:5: image '{outside}' points outside the course folder",
    ]
    result = app.test_cli_runner().invoke(args=["courses", "import", str(path)])
    assert result.exit_code == 1
    assert count(app, MediaFile) == 0


def test_links_inside_the_folder_still_work(tmp_path):
    path = write_course(tmp_path, lessons={"01-bai.md": "# Bài\n\n![Sơ đồ](images/so-do.png)\n"})
    (path / "anh").mkdir()
    (path / "anh" / "that.png").write_bytes(PNG)
    (path / "images").mkdir()
    (path / "images" / "so-do.png").symlink_to(path / "anh" / "that.png")
    course, problems = read_course(path, VIDEO_HOSTS)
    assert problems == [] and course is not None and list(course.images) == ["images/so-do.png"]


def test_a_link_loop_is_a_problem_not_a_crash(tmp_path):
    path = write_course(tmp_path, lessons={"01-bai.md": "# Bài\n\n![Sơ đồ](images/vong.png)\n"})
    (path / "images").mkdir()
    (path / "images" / "vong.png").symlink_to(path / "images" / "vong.png")
    assert problems_of(path) == ["01-bai.md:3: image 'images/vong.png' does not exist"]


# -- Fences and sizes -------------------------------------------------------------------------------


def test_an_unclosed_fence_is_an_error_at_its_line(tmp_path):
    lesson = "# Bài\n\nĐoạn đầu.\n\n```\nmã\n\n<script>alert(1)</script>\n[hỏng](99-khong-co.md)\n"
    path = write_course(tmp_path, lessons={"01-bai.md": lesson})
    assert problems_of(path) == [
        "01-bai.md:5: the code block opened here with ``` is never closed: add a ``` line after it"
    ]


def test_a_fence_closes_only_on_its_own_kind(tmp_path):
    lesson = "# Bài\n\n````\n```\n~~~\n````\n\n~~~~\n~~~\n"
    path = write_course(tmp_path, lessons={"01-bai.md": lesson})
    assert problems_of(path) == [
        "01-bai.md:8: the code block opened here with ~~~~ is never closed: add a ~~~~ line after it"
    ]


def test_an_unclosed_fence_in_a_quiz_is_an_error(tmp_path):
    quiz = "---\ntype: quiz\n---\n# Đề\n\n## Câu {#a}\n\n```\n- [x] Một\n- [ ] Hai\n\n## Câu {#b}\n"
    path = write_course(tmp_path, lessons={"01-bai.md": "# Bài\n\nNội dung.\n", "02-de.md": quiz})
    assert "02-de.md:8: the code block opened here with ``` is never closed: add a ``` line after it" in (
        problems_of(path)
    )


def test_a_lesson_over_the_limit_is_refused_with_its_size(tmp_path):
    body = "# Bài dài\n\n" + "Noi dung bai hoc. " * (5 * 1024 * 1024 // 18)
    path = write_course(tmp_path, lessons={"01-bai.md": "# Bài\n\nNgắn.\n", "02-dai.md": body})
    assert MAX_TEXT_BYTES == 500 * 1024
    assert problems_of(path) == ["02-dai.md:1: the file is 5.0 MB; the limit is 500 KB"]


def test_a_lesson_at_the_limit_is_accepted(tmp_path):
    body = "# Bài\n\n" + "a" * (MAX_TEXT_BYTES - 20) + "\n"
    path = write_course(tmp_path, lessons={"01-bai.md": body})
    assert problems_of(path) == []


def test_an_image_over_the_limit_is_refused_with_its_size(tmp_path):
    path = write_course(tmp_path, lessons={"01-bai.md": "# Bài\n\n![Ảnh lớn](lon.png)\n"})
    (path / "lon.png").write_bytes(PNG + b"\0" * (6 * 1024 * 1024))
    assert MAX_IMAGE_BYTES == 5 * 1024 * 1024
    assert problems_of(path) == ["01-bai.md:3: image 'lon.png' is 6.0 MB; the limit is 5.0 MB"]


# -- What the sanitiser drops, check names ----------------------------------------------------------


@pytest.mark.parametrize(
    "line, expected",
    [
        (
            '<iframe src="https://evil.example\\@www.youtube-nocookie.com/embed/x" title="V"></iframe>',
            "video frames are allowed only from",
        ),
        (
            '<iframe src="https://evil.example&#92;@www.youtube-nocookie.com/embed/x" title="V"></iframe>',
            "video frames are allowed only from",
        ),
        (
            '<iframe src="https://www.youtube-nocookie.com/embed/x" allow="camera; microphone; geolocation">'
            "</iframe>",
            "allow= may list only: fullscreen, picture-in-picture, encrypted-media, not 'camera; microphone;",
        ),
        ("[trang](//evil.example/x)", "link '//evil.example/x' has no scheme"),
        (
            "![Ảnh][a]\n\n[a]: //evil.example/x.png",
            "image '//evil.example/x.png' must be stored in the course",
        ),
        (
            "![Ảnh][a]\n\n[a]: http://evil.example/x.png",
            "image 'http://evil.example/x.png' must be stored in",
        ),
        ("![Ảnh](//evil.example/x.png)", "image '//evil.example/x.png' must be stored in the course folder"),
    ],
)
def test_check_names_what_the_sanitiser_would_drop(tmp_path, line, expected):
    path = write_course(tmp_path, lessons={"01-bai.md": f"# Bài\n\n{line}\n"})
    found = problems_of(path)
    assert any(p.startswith(f"01-bai.md:3: {expected}") for p in found), found


def test_check_accepts_a_plain_video_frame_and_its_allowed_features(tmp_path):
    frame = (
        '<iframe src="https://www.youtube-nocookie.com/embed/x?rel=0" title="V" '
        'allow="fullscreen; picture-in-picture; encrypted-media" allowfullscreen></iframe>'
    )
    path = write_course(tmp_path, lessons={"01-bai.md": f"# Bài\n\n{frame}\n\n![Ảnh][a]\n\n[a]: anh.png\n"})
    (path / "anh.png").write_bytes(PNG)
    assert problems_of(path) == []
