"""Importing courses: idempotent, versioned, all-or-nothing per course; and the CLI."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.models import Course, CourseCompletion, CourseVersion, Lesson, MediaFile
from tests.helpers import write_course

PROJECT_COURSES = Path(__file__).resolve().parent.parent / "courses"


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_import_is_idempotent(app, courses_root, import_folder):
    path = write_course(courses_root)
    assert import_folder(path).status == "created"
    assert import_folder(path).status == "unchanged"
    assert (count(app, Course), count(app, CourseVersion), count(app, Lesson)) == (1, 1, 3)


def test_nfd_copy_of_an_imported_course_is_unchanged(app, courses_root, import_folder):
    path = write_course(courses_root)
    import_folder(path)
    for file in path.glob("*.md"):
        file.write_text(unicodedata.normalize("NFD", file.read_text(encoding="utf-8")), encoding="utf-8")
    assert import_folder(path).status == "unchanged"
    with app.app_context():
        title = db.session.scalar(select(CourseVersion.title))
        assert title == unicodedata.normalize("NFC", "Chuyển đổi số cơ bản")


def test_changed_content_needs_a_new_version_label(app, courses_root, import_folder):
    path = write_course(courses_root)
    import_folder(path)
    (path / "03-ket-luan.md").write_text("# Kết luận\n\nNội dung đã sửa.\n", encoding="utf-8")
    outcome = import_folder(path)
    assert outcome.status == "failed"
    assert str(outcome.problems[0]).endswith(
        "course.md:7: the course changed but version '1.0' was already imported with other "
        "content; give this edition a new version label"
    )
    assert count(app, CourseVersion) == 1

    write_course(
        courses_root,
        version="1.1",
        lessons={
            "01-mo-dau.md": "# Mở đầu\n\nNội dung bài mở đầu.\n",
            "02-du-lieu.md": "# Dữ liệu\n\nNội dung về dữ liệu.\n",
            "03-ket-luan.md": "# Kết luận\n\nNội dung đã sửa.\n",
        },
    )
    assert import_folder(path).status == "updated"
    with app.app_context():
        course = db.session.scalars(select(Course)).one()
        assert course.current_version_number == 2
        assert [v.label for v in course.versions] == ["1.0", "1.1"]


def test_progress_survives_a_new_version_for_lessons_whose_id_survives(
    app, courses_root, import_folder, learner, auth, client
):
    path = write_course(courses_root)
    import_folder(path)
    auth.post("/courses/KH-01/enrol", token_from="/courses/KH-01")
    auth.post("/courses/KH-01/lessons/mo-dau/complete", token_from="/courses/KH-01")
    auth.post("/courses/KH-01/lessons/du-lieu/complete", token_from="/courses/KH-01")

    # v2: lessons renumbered, "du-lieu" renamed but keeps its id, "ket-luan" dropped, one added
    write_course(
        courses_root,
        version="2.0",
        lessons={
            "01-gioi-thieu.md": "# Giới thiệu\n\nBài mới.\n",
            "02-mo-dau.md": "# Mở đầu\n\nNội dung bài mở đầu.\n",
            "03-du-lieu-so.md": "---\nid: du-lieu\n---\n# Dữ liệu số\n\nNội dung.\n",
        },
    )
    assert import_folder(path).status == "updated"
    html = client.get("/courses/KH-01").get_data(as_text=True)
    assert "2/3 bài học" in html and "67%" in html
    response = auth.post("/courses/KH-01/lessons/gioi-thieu/complete", token_from="/courses/KH-01")
    assert response.headers["Location"].endswith("/courses/KH-01")
    with app.app_context():
        completion = db.session.scalars(select(CourseCompletion)).one()
        assert completion.course_version.label == "2.0"


def test_a_completion_keeps_the_version_it_was_earned_on(
    app, courses_root, import_folder, learner, auth, client
):
    path = write_course(courses_root, lessons={"01-mot.md": "# Một\n\nNội dung.\n"})
    import_folder(path)
    auth.post("/courses/KH-01/enrol", token_from="/courses/KH-01")
    auth.post("/courses/KH-01/lessons/mot/complete", token_from="/courses/KH-01")
    write_course(
        courses_root,
        version="2.0",
        lessons={"01-mot.md": "# Một\n\nNội dung.\n", "02-hai.md": "# Hai\n\nThêm.\n"},
    )
    import_folder(path)
    html = client.get("/my").get_data(as_text=True)
    assert "1.0" in html  # completed on edition 1.0, and it stays completed
    with app.app_context():
        assert db.session.scalars(select(CourseCompletion)).one().course_version.label == "1.0"


def test_images_are_stored_once_and_served_to_logged_in_users(
    app, courses_root, import_folder, learner, auth, client
):
    path = write_course(
        courses_root, lessons={"01-hinh.md": "# Hình\n\n![Sơ đồ tổ chức](images/so-do.svg)\n"}
    )
    (path / "images").mkdir()
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>T</title></svg>'
    (path / "images" / "so-do.svg").write_bytes(svg)
    import_folder(path)
    write_course(
        courses_root,
        version="2.0",
        lessons={"01-hinh.md": "# Hình\n\n![Sơ đồ tổ chức](images/so-do.svg)\n\nThêm một câu.\n"},
    )
    import_folder(path)
    assert count(app, MediaFile) == 1  # unchanged image shared by both versions

    auth.post("/courses/KH-01/enrol", token_from="/courses/KH-01")
    html = client.get("/courses/KH-01/lessons/hinh").get_data(as_text=True)
    src = re.search(r'<img alt="Sơ đồ tổ chức" loading="lazy" src="(/media/[0-9a-f]{64})"', html)[1]
    response = client.get(src)
    assert response.data == svg
    assert response.mimetype == "image/svg+xml"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert client.get(src, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    auth.logout()
    assert client.get(src).status_code == 302


def test_cli_check_prints_file_and_line_and_fails(app, courses_root):
    write_course(courses_root, "tot", code="TOT")
    bad = write_course(courses_root, "xau", code="XAU", category="nope")
    (bad / "02-du-lieu.md").write_text("# Dữ liệu\n\n![Hình](khong-co.png)\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["courses", "check", str(courses_root)])
    assert result.exit_code == 1
    assert f"{bad}/course.md:5: category 'nope' is not one of" in result.output
    assert f"{bad}/02-du-lieu.md:3: image 'khong-co.png' does not exist" in result.output
    assert "tot/" not in result.output


def test_cli_check_passes_on_the_shipped_courses(app):
    result = app.test_cli_runner().invoke(args=["courses", "check", str(PROJECT_COURSES)])
    assert result.exit_code == 0, result.output
    # The trainers' guide in both languages (README.md, HUONG-DAN.md) sits beside the course
    # folders and is no course: only the folders are checked, and neither file is mentioned.
    assert (PROJECT_COURSES / "README.md").is_file() and (PROJECT_COURSES / "HUONG-DAN.md").is_file()
    folders = sum(1 for p in PROJECT_COURSES.iterdir() if p.is_dir())
    assert f"{folders} course folder(s) checked, no problems" in result.output
    assert "README" not in result.output and "HUONG-DAN" not in result.output


def test_cli_import_skips_a_broken_course_and_imports_the_rest(app, courses_root):
    write_course(courses_root, "tot", code="TOT")
    bad = write_course(courses_root, "xau", code="XAU")
    (bad / "02-du-lieu.md").write_text("# Dữ liệu\n\n[hỏng](99-khong-co.md)\n", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["courses", "import", str(courses_root)])
    assert result.exit_code == 1
    assert "TOT version 1.0: created" in result.output
    assert "02-du-lieu.md:3: link '99-khong-co.md'" in result.output
    assert "not imported" in result.output
    with app.app_context():
        assert list(db.session.scalars(select(Course.code))) == ["TOT"]
        assert db.session.scalar(select(func.count(Lesson.id))) == 3


def test_cli_imports_the_shipped_courses_twice_without_duplicates(app, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(PROJECT_COURSES, root)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["courses", "import", str(root)])
    assert first.exit_code == 0, first.output
    assert first.output.count(": created") >= 3
    second = runner.invoke(args=["courses", "import", str(root)])
    assert second.output.count(": unchanged") == first.output.count(": created")
    assert count(app, CourseVersion) == first.output.count(": created")
