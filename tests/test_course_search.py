"""The catalogue search finds a course by its code, title, category and the words of its lessons,
with or without diacritics, on SQLite (FTS5) and PostgreSQL (tsvector), best matches first."""

from __future__ import annotations

import re

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from app.config import PROJECT_ROOT
from app.courses.search import html_text, search_words
from app.extensions import db
from app.models import CourseSearchDocument
from tests.helpers import write_course

REVISION = "0012_course_search"  # migrations/versions/0012_course_search_index.py
NO_MATCH = "Không có khoá học nào phù hợp với nội dung tìm kiếm."


@pytest.fixture
def catalogue(learner, courses_root, import_folder):
    """Three courses: one filed under "Chuyển đổi số" whose title does not say so, one with a
    lesson about Zalo, one on urban governance."""
    import_folder(
        write_course(
            courses_root,
            "du-lieu",
            code="DL-MO",
            title="Dữ liệu mở của thành phố",
            category="digital-transformation",
            lessons={"01-gioi-thieu.md": "# Giới thiệu\n\nDữ liệu mở giúp người dân tra cứu.\n"},
        )
    )
    import_folder(
        write_course(
            courses_root,
            "dich-vu",
            code="DVC-02",
            title="Dịch vụ công trực tuyến",
            category="state-management",
            lessons={
                "01-mo-dau.md": "# Mở đầu\n\nNộp hồ sơ qua cổng dịch vụ công.\n",
                "02-kenh.md": "# Kênh liên lạc\n\nNgười dân có thể **nhắn tin** qua Zalo của phường "
                "để hỏi về thủ tục hành chính.\n",
            },
        )
    )
    import_folder(
        write_course(
            courses_root,
            "do-thi",
            code="QLDT",
            title="Quản lý trật tự đô thị",
            category="urban-governance",
            lessons={"01-vi-pham.md": "# Vi phạm\n\nXử lý lấn chiếm vỉa hè.\n"},
        )
    )


def _titles(client, query: str) -> list[str]:
    html = client.get("/courses/", query_string={"q": query}).get_data(as_text=True)
    return re.findall(r'<h2><a href="/courses/[^"]+">([^<]+)</a></h2>', html)


@pytest.mark.parametrize("query", ["chuyen doi so", "chuyển đổi số", "CHUYỂN ĐỔI", "digital transformation"])
def test_a_category_finds_its_courses_with_or_without_diacritics(catalogue, client, query):
    assert _titles(client, query) == ["Dữ liệu mở của thành phố"]


def test_a_word_only_in_a_lesson_finds_its_course_and_names_the_lesson(catalogue, client):
    html = client.get("/courses/", query_string={"q": "zalo"}).get_data(as_text=True)
    assert _titles(client, "zalo") == ["Dịch vụ công trực tuyến"]
    assert re.search(r"Tìm thấy trong bài\s*<strong>Kênh liên lạc</strong>", html)
    assert "<mark>Zalo</mark>" in html
    assert "nhắn tin" in html and "**" not in html  # the lesson's words, without Markdown


def test_words_may_come_from_several_parts_and_must_all_match(catalogue, client):
    assert _titles(client, "thu tuc hanh chinh dich vu") == ["Dịch vụ công trực tuyến"]
    assert _titles(client, "zalo chuyen doi so") == []  # no course has both


def test_a_code_finds_its_course_and_a_prefix_is_enough(catalogue, client):
    assert _titles(client, "dvc-02") == ["Dịch vụ công trực tuyến"]
    assert _titles(client, "QLD") == ["Quản lý trật tự đô thị"]
    assert _titles(client, "vỉa") == ["Quản lý trật tự đô thị"]


def test_no_match_says_so_in_vietnamese(catalogue, client):
    html = client.get("/courses/", query_string={"q": "tàu vũ trụ"}).get_data(as_text=True)
    assert NO_MATCH in html
    assert "Hiện tất cả khoá học" in html or 'href="/courses/"' in html


def test_title_matches_come_before_lesson_matches(learner, courses_root, import_folder, client):
    import_folder(
        write_course(
            courses_root,
            "a",
            code="AAA",
            title="Kỹ năng mềm",
            lessons={"01-bai.md": "# Bài một\n\nAn ninh mạng cho mọi người.\n"},
        )
    )
    import_folder(write_course(courses_root, "b", code="BBB", title="An ninh mạng cơ bản"))
    assert _titles(client, "an ninh mang") == ["An ninh mạng cơ bản", "Kỹ năng mềm"]
    html = client.get("/courses/", query_string={"q": "an ninh mang"}).get_data(as_text=True)
    assert html.count("Tìm thấy trong bài") == 1  # only the course found through its lesson


def test_a_new_version_replaces_the_words_it_is_found_by(app, learner, courses_root, import_folder, client):
    path = write_course(
        courses_root, lessons={"01-bai.md": "# Chuỗi khối\n\nỨng dụng blockchain trong lưu trữ.\n"}
    )
    import_folder(path)
    assert _titles(client, "blockchain") == ["Chuyển đổi số cơ bản"]
    write_course(
        courses_root,
        version="2.0",
        lessons={"01-bai.md": "# Trí tuệ nhân tạo\n\nỨng dụng trí tuệ nhân tạo trong hành chính.\n"},
    )
    assert import_folder(path).status == "updated"
    assert _titles(client, "blockchain") == []
    assert _titles(client, "tri tue nhan tao") == ["Chuyển đổi số cơ bản"]
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(CourseSearchDocument))
    assert rows == 3 + 2  # head, summary, category; one lesson's title and text: the old ones are gone


def test_search_with_category_filter_and_pages(catalogue, client, app):
    assert _titles(client, "dich vu") == ["Dịch vụ công trực tuyến"]
    html = client.get("/courses/", query_string={"q": "dich vu", "category": "urban-governance"}).get_data(
        as_text=True
    )
    assert NO_MATCH in html
    app.config["PAGE_SIZE"] = 1
    first = client.get("/courses/", query_string={"q": "nguoi dan"}).get_data(as_text=True)
    assert len(re.findall(r'class="card course-card"', first)) == 1
    assert re.search(r'href="/courses/\?[^"]*page=2[^"]*" rel="next"', first)
    assert "q=nguoi+dan" in re.search(r'href="([^"]*)" rel="next"', first).group(1)


def test_search_costs_the_same_queries_however_many_courses_it_finds(
    learner, courses_root, import_folder, client, count_queries
):
    def add(n: int) -> None:
        lessons = {"01-bai.md": f"# Bài {n}\n\nNội dung có từ hiếm kỳ lân số {n}.\n"}
        import_folder(write_course(courses_root, f"c{n}", code=f"C-{n}", title=f"Khoá {n}", lessons=lessons))

    add(1)
    with count_queries() as few:
        client.get("/courses/", query_string={"q": "ky lan"})
    for n in range(2, 6):
        add(n)
    with count_queries() as many:
        html = client.get("/courses/", query_string={"q": "ky lan"}).get_data(as_text=True)
    assert html.count("Tìm thấy trong bài") == 5
    assert many.count == few.count


def test_the_migration_indexes_courses_imported_before_it(catalogue, app, client):
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    before = ScriptDirectory.from_config(config).get_revision(REVISION).down_revision
    with app.app_context():
        downgrade(revision=before)
        upgrade()
        db.session.remove()
    assert _titles(client, "chuyen doi so") == ["Dữ liệu mở của thành phố"]
    assert _titles(client, "zalo") == ["Dịch vụ công trực tuyến"]


def test_query_words_and_lesson_text():
    assert search_words("  Chuyển-đổi  SỐ, số!  ") == ["chuyen", "doi", "so"]
    assert search_words("a b c d e f g h i j") == list("abcdefgh")
    assert html_text("<h1>Tiêu đề</h1><p>Đoạn <b>một</b>.</p><script>x()</script>") == "Tiêu đề Đoạn một ."


def test_words_found_together_beat_the_same_syllables_found_apart(
    learner, courses_root, import_folder, client
):
    """Folded Vietnamese syllables are ambiguous ("so" is số, sở, sổ): a course with the whole
    phrase is the answer, not one with chuyên... đối... sở scattered through its lessons."""
    scattered = "# Đối ngoại\n\nChuyên viên của sở đón đoàn đối tác.\n"
    import_folder(
        write_course(
            courses_root,
            "a",
            code="AAA",
            title="Lễ tân",
            category="international",
            lessons={"01-bai.md": scattered},
        )
    )
    together = "# Bài một\n\nPhường đẩy mạnh chuyển đổi số trong thủ tục.\n"
    import_folder(
        write_course(
            courses_root,
            "b",
            code="BBB",
            title="Cải cách",
            category="state-management",
            lessons={"01-bai.md": together},
        )
    )
    assert _titles(client, "chuyen doi so") == ["Cải cách"]
    html = client.get("/courses/", query_string={"q": "chuyen doi so"}).get_data(as_text=True)
    assert "<mark>chuyển</mark> <mark>đổi</mark> <mark>số</mark>" in html
    assert _titles(client, "doan chuyen vien") == ["Lễ tân"]  # no phrase anywhere: every word will do
