"""Trainers publish their own courses: a .zip uploaded and checked in the browser becomes a draft
edition, which its owners publish; earlier editions are published again, downloaded, and a lesson
is edited in the browser. Learners never see a draft."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from app.courses.bundle import unpack
from app.courses.source import read_course
from app.extensions import db
from app.models import AuditEntry, Course, CourseTrainer, CourseVersion, User
from tests.helpers import write_course

TRAINER = "gv@example.vn"
EDITOR = "bt@example.vn"
OTHER_TRAINER = "gv2@example.vn"
WARD_ADMIN = "qt.w@example.vn"
LEARNER = "hv@example.vn"


@pytest.fixture
def town(make):
    """Ward W; course KH-01 issued by W, owned by TRAINER with EDITOR as its editor; another
    trainer, W's admin and a learner."""
    make.unit("HN", "Thành phố Hà Nội", "city")
    make.unit("P-W", "Phường Tây", "ward", parent="HN")
    make.user(TRAINER, "trainer", full_name="Trần Văn Minh", unit="P-W")
    make.user(EDITOR, "trainer", full_name="Bùi Thu Trang")
    make.user(OTHER_TRAINER, "trainer", full_name="Đặng Thị Hoa")
    make.user(WARD_ADMIN, "admin", full_name="Phạm Thu Hà", unit="P-W")
    make.user(LEARNER, "learner", full_name="Nguyễn Thị Lan")
    make.course(code="KH-01", title="Chuyển đổi số cơ bản", version="1.0")
    make.course_issuer("KH-01", "P-W")
    make.course_trainer(TRAINER, "KH-01", "owner")
    make.course_trainer(EDITOR, "KH-01", "editor")


def zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    return buffer.getvalue()


def second_edition(tmp_path: Path, **changes) -> Path:
    fields = {
        "code": "KH-01",
        "title": "Chuyển đổi số cơ bản (cập nhật)",
        "version": "2.0",
        "lessons": {
            "01-mo-dau.md": "# Mở đầu\n\nNội dung mới của bài mở đầu.\n",
            "02-du-lieu.md": "# Dữ liệu\n\nDữ liệu mở. Xem [bài đầu](01-mo-dau.md).\n",
        },
    }
    fields.update(changes)
    return write_course(tmp_path / "tai-len", "khoa-hoc", **fields)


def upload(auth, data: bytes, name: str = "khoa-hoc.zip"):
    return auth.post(
        "/teach/upload",
        {"archive": (io.BytesIO(data), name)},
        token_from="/teach/upload",
        content_type="multipart/form-data",
    )


def versions(app, code: str = "KH-01") -> list[tuple[int, str, str, str]]:
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == code))
        rows = db.session.execute(
            select(CourseVersion.number, CourseVersion.label, CourseVersion.status, CourseVersion.origin)
            .where(CourseVersion.course_id == course.id)
            .order_by(CourseVersion.number)
        ).all()
        return [tuple(row) for row in rows]


def current(app, code: str = "KH-01") -> int:
    with app.app_context():
        return db.session.scalar(select(Course.current_version_number).where(Course.code == code))


def audited(app, action: str) -> list[dict]:
    with app.app_context():
        return [
            row.detail for row in db.session.scalars(select(AuditEntry).where(AuditEntry.action == action))
        ]


@pytest.mark.usefixtures("town")
def test_an_upload_with_errors_shows_each_by_file_and_line_with_its_text_and_changes_nothing(
    app, auth, tmp_path
):
    broken = second_edition(
        tmp_path,
        lessons={
            "01-mo-dau.md": "# Mở đầu\n\nXem ![sơ đồ](hinh/so-do.png) ở đây.\n",
            "02-du-lieu.md": "# Dữ liệu\n\nXem [bài cuối](09-khong-co.md).\n",
        },
    )
    auth.login(TRAINER)
    response = upload(auth, zipped(broken))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "01-mo-dau.md:3" in page and "Xem ![sơ đồ](hinh/so-do.png) ở đây." in page
    assert "02-du-lieu.md:3" in page and "Xem [bài cuối](09-khong-co.md)." in page
    assert "2 lỗi" in page or "2 vấn đề" in page
    assert versions(app) == [(1, "1.0", "published", "import")]
    assert audited(app, "upload_course") == []


@pytest.mark.usefixtures("town")
def test_a_passing_upload_is_a_draft_learners_do_not_see_until_an_owner_publishes_it(
    app, auth, client, tmp_path
):
    auth.login(EDITOR)
    response = upload(auth, zipped(second_edition(tmp_path)))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Bản nháp" in response.get_data(as_text=True) or "bản nháp" in response.get_data(as_text=True)
    assert versions(app) == [(1, "1.0", "published", "import"), (2, "2.0", "draft", "upload")]
    assert current(app) == 1
    # An editor drafts; publishing is for owners.
    editions = client.get("/teach/courses/KH-01/editions").get_data(as_text=True)
    assert "khoa-hoc.zip" in editions and "Bùi Thu Trang" in editions
    assert (
        auth.post(
            "/teach/courses/KH-01/editions/2/publish", token_from="/teach/courses/KH-01/editions"
        ).status_code
        == 403
    )
    auth.logout()

    auth.login(LEARNER)
    assert "Chuyển đổi số cơ bản (cập nhật)" not in client.get("/courses/KH-01").get_data(as_text=True)
    auth.logout()

    auth.login(TRAINER)
    response = auth.post(
        "/teach/courses/KH-01/editions/2/publish", token_from="/teach/courses/KH-01/editions"
    )
    assert response.status_code == 303
    assert current(app) == 2
    assert versions(app)[1][2] == "published"
    auth.logout()

    auth.login(LEARNER)
    assert "Chuyển đổi số cơ bản (cập nhật)" in client.get("/courses/KH-01").get_data(as_text=True)
    assert [str(d["edition"]) for d in audited(app, "upload_course")] == ["2"]
    assert [str(d["edition"]) for d in audited(app, "publish_edition")] == ["2"]


@pytest.mark.usefixtures("town")
def test_an_earlier_edition_is_published_again_as_a_new_edition_with_its_content(app, auth, client, tmp_path):
    auth.login(TRAINER)
    upload(auth, zipped(second_edition(tmp_path)))
    auth.post("/teach/courses/KH-01/editions/2/publish", token_from="/teach/courses/KH-01/editions")
    response = auth.post(
        "/teach/courses/KH-01/editions/1/republish", token_from="/teach/courses/KH-01/editions"
    )
    assert response.status_code == 303
    assert versions(app)[-1] == (3, "1.0", "published", "republish")
    assert current(app) == 3
    with app.app_context():
        old, new = (db.session.scalar(select(CourseVersion).where(CourseVersion.number == n)) for n in (1, 3))
        assert (new.content_hash, new.title, new.based_on_number) == (old.content_hash, old.title, 1)
    assert [str(d["based_on"]) for d in audited(app, "republish_edition")] == ["1"]
    page = client.get("/teach/courses/KH-01/editions").get_data(as_text=True)
    assert "Xuất bản lại" in page or "xuất bản lại" in page


@pytest.mark.usefixtures("town")
def test_a_downloaded_edition_passes_the_check_and_uploads_as_the_same_content(app, auth, client, tmp_path):
    auth.login(TRAINER)
    response = client.get("/teach/courses/KH-01/editions/1/download")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    folder, problems = unpack(response.data, tmp_path / "tai-ve", "tai-ve.zip")
    assert problems == [] and folder is not None
    source, problems = read_course(folder, app.config["VIDEO_HOSTS"])
    assert source is not None and [p for p in problems if p.is_error] == []
    again = upload(auth, response.data)
    assert "đã có nội dung này" in again.get_data(as_text=True) or again.status_code == 200
    assert versions(app) == [(1, "1.0", "published", "import")]


@pytest.mark.usefixtures("town")
def test_other_trainers_and_admins_cannot_write_a_course_they_do_not_teach(app, auth, client, tmp_path):
    auth.login(OTHER_TRAINER)
    response = upload(auth, zipped(second_edition(tmp_path)))
    assert response.status_code == 403
    assert versions(app) == [(1, "1.0", "published", "import")]
    for path in ("/teach/courses/KH-01/editions", "/teach/courses/KH-01/editions/1/download"):
        assert client.get(path).status_code == 403
    auth.logout()
    auth.login(WARD_ADMIN)
    assert client.get("/teach/upload").status_code == 403  # admins oversee courses; trainers write them
    assert client.get("/teach/courses/KH-01/editions").status_code == 200


@pytest.mark.usefixtures("town")
def test_a_new_course_code_makes_a_course_the_uploader_owns_unseen_until_published(
    app, auth, client, tmp_path
):
    folder = write_course(
        tmp_path, "an-toan", code="AT-09", title="An toàn thông tin cơ sở", version="2026.1"
    )
    auth.login(TRAINER)
    assert upload(auth, zipped(folder)).status_code == 200
    assert versions(app, "AT-09") == [(1, "2026.1", "draft", "upload")]
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == "AT-09"))
        owner = db.session.scalar(
            select(User.email)
            .join(CourseTrainer, CourseTrainer.user_id == User.id)
            .where(CourseTrainer.course_id == course.id, CourseTrainer.role == "owner")
        )
        issuer = db.session.scalar(select(User.unit_id).where(User.email == TRAINER))
        assert (owner, course.current_version_number, course.issuing_unit_id) == (TRAINER, 0, issuer)
    teaching = client.get("/teach/").get_data(as_text=True)
    assert "An toàn thông tin cơ sở" in teaching
    auth.logout()
    auth.login(LEARNER)
    assert "An toàn thông tin cơ sở" not in client.get("/courses/").get_data(as_text=True)
    assert client.get("/courses/AT-09").status_code == 404


@pytest.mark.usefixtures("town")
def test_a_lesson_edited_in_the_browser_is_checked_and_saved_as_a_draft(app, auth, client):
    auth.login(EDITOR)
    path = "/teach/courses/KH-01/editions/1/lessons/mo-dau/edit"
    page = client.get(path).get_data(as_text=True)
    assert "Nội dung bài mở đầu." in page
    broken = auth.post(
        path, {"text": "# Mở đầu\n\nXem [bài cuối](09-khong-co.md).\n", "label": "1.1"}, token_from=path
    )
    assert broken.status_code == 422 and "01-mo-dau.md:3" in broken.get_data(as_text=True)
    assert versions(app) == [(1, "1.0", "published", "import")]
    saved = auth.post(
        path, {"text": "# Mở đầu\n\nBài mở đầu đã sửa trên trình duyệt.\n", "label": "1.1"}, token_from=path
    )
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert versions(app)[-1] == (2, "1.1", "draft", "edit")
    preview = auth.post(
        "/teach/courses/KH-01/editions/1/markdown-preview",
        {"text": "---\ntitle: x\n---\n# Tiêu đề\n\n<script>alert(1)</script>**đậm**"},
        token_from=path,
    )
    assert preview.status_code == 200
    html = preview.get_json()["html"]
    assert "<strong>đậm</strong>" in html and "<script>" not in html


@pytest.fixture
def git_everywhere(app):
    app.config["GIT_SOURCES"] = ("https", "http", "git", "path")
    app.config["GIT_PRIVATE_HOSTS"] = True  # the test servers listen on 127.0.0.1


def link(auth, url: str, branch: str = "main", path: str = ""):
    page = "/teach/courses/KH-01/repository"
    return auth.post(page, {"url": url, "branch": branch, "path": path}, token_from=page)


def fetch_course(auth, accept_rewrite: bool = False):
    page = "/teach/courses/KH-01/repository"
    data = {"accept_rewrite": "y"} if accept_rewrite else {}
    return auth.post("/teach/courses/KH-01/repository/fetch", data, token_from=page)


@pytest.mark.usefixtures("town", "git_everywhere")
def test_a_course_fetched_from_a_git_repository_is_a_draft_that_records_the_commit(
    app, auth, client, daemon, repos
):
    from tests.git_servers import course_at

    _bare, head = repos.create(
        "kh-01-web", course_at("khoa-hoc", code="KH-01", title="Chuyển đổi số (từ git)", version="3.0")
    )
    auth.login(TRAINER)
    assert link(auth, f"{daemon}/kh-01-web.git", path="khoa-hoc").status_code == 303
    page = client.get("/teach/courses/KH-01/repository").get_data(as_text=True)
    assert f"{daemon}/kh-01-web.git" in page and "Lấy về và kiểm tra" in page

    response = fetch_course(auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert head[:7] in response.get_data(as_text=True)
    assert versions(app)[-1] == (2, "3.0", "draft", "repository")
    with app.app_context():
        draft = db.session.scalar(select(CourseVersion).where(CourseVersion.number == 2))
        assert draft.source_commit == head and "kh-01-web.git" in draft.origin_detail
    assert [d["commit"] for d in audited(app, "fetch_course")] == [head]
    auth.post("/teach/courses/KH-01/editions/2/publish", token_from="/teach/courses/KH-01/editions")
    assert current(app) == 2
    editions = client.get("/teach/courses/KH-01/editions").get_data(as_text=True)
    assert f"commit {head[:7]}" in editions

    # Nothing new at the same commit; a push that rewrote history changes nothing unless asked.
    assert "Không có gì mới" in fetch_course(auth).get_data(as_text=True)
    work = repos.root / "work" / "kh-01-web"
    rewritten = repos.commit(
        work, course_at("khoa-hoc", code="KH-01", title="Viết lại", version="3.1"), amend=True
    )
    refused = fetch_course(auth)
    assert refused.status_code == 422 and "viết lại" in refused.get_data(as_text=True).lower()
    assert len(versions(app)) == 2
    taken = fetch_course(auth, accept_rewrite=True)
    assert taken.status_code == 200 and versions(app)[-1] == (3, "3.1", "draft", "repository")
    with app.app_context():
        assert (
            db.session.scalar(select(CourseVersion.source_commit).where(CourseVersion.number == 3))
            == rewritten
        )


@pytest.mark.usefixtures("town", "git_everywhere")
def test_a_repository_that_cannot_be_reached_or_has_no_course_says_so(app, auth, daemon, repos):
    from tests.git_servers import course_at, free_port

    auth.login(TRAINER)
    link(auth, f"git://127.0.0.1:{free_port()}/khong-co.git")
    closed = fetch_course(auth)
    assert closed.status_code == 422 and "127.0.0.1" in closed.get_data(as_text=True)
    repos.create("kh-01-trong", course_at("khac", code="KH-01"))
    link(auth, f"{daemon}/kh-01-trong.git", path="khong-co-thu-muc")
    missing = fetch_course(auth)
    assert missing.status_code == 422 and "khong-co-thu-muc" in missing.get_data(as_text=True)
    refused = link(auth, "ext::sh -c touch% /tmp/pwned")
    assert refused.status_code == 400
    assert len(versions(app)) == 1


@pytest.mark.usefixtures("town")
def test_a_draft_whose_label_was_published_since_with_other_content_cannot_be_published(app, auth, tmp_path):
    auth.login(TRAINER)
    upload(auth, zipped(second_edition(tmp_path)))  # draft 2, labelled 2.0
    other = second_edition(tmp_path / "khac", title="Một nội dung khác")
    upload(auth, zipped(other))  # draft 3, also labelled 2.0: drafts do not hold their label
    assert [v[1:3] for v in versions(app)] == [("1.0", "published"), ("2.0", "draft"), ("2.0", "draft")]
    auth.post("/teach/courses/KH-01/editions/3/publish", token_from="/teach/courses/KH-01/editions")
    response = auth.post(
        "/teach/courses/KH-01/editions/2/publish", token_from="/teach/courses/KH-01/editions"
    )
    assert response.status_code == 303 and current(app) == 3
    assert versions(app)[1][2] == "draft"
    again = auth.post("/teach/courses/KH-01/editions/2/discard", token_from="/teach/courses/KH-01/editions")
    assert again.status_code == 303 and versions(app)[1][2] == "discarded"


@pytest.mark.usefixtures("town")
def test_a_draft_is_not_found_by_the_catalogue_search(app, auth, client, tmp_path):
    auth.login(TRAINER)
    upload(auth, zipped(second_edition(tmp_path, title="Quản trị dữ liệu mở")))
    auth.logout()
    auth.login(LEARNER)
    assert "Quản trị dữ liệu mở" not in client.get("/courses/?q=du lieu mo").get_data(as_text=True)
    assert "Chuyển đổi số cơ bản" in client.get("/courses/?q=chuyen doi").get_data(as_text=True)
    auth.logout()
    auth.login(TRAINER)
    auth.post("/teach/courses/KH-01/editions/2/publish", token_from="/teach/courses/KH-01/editions")
    auth.logout()
    auth.login(LEARNER)
    assert "Quản trị dữ liệu mở" in client.get("/courses/?q=du lieu mo").get_data(as_text=True)


@pytest.mark.usefixtures("town")
def test_the_editions_page_says_what_each_edition_changed(app, auth, client, tmp_path):
    auth.login(TRAINER)
    upload(auth, zipped(second_edition(tmp_path)))
    page = client.get("/teach/courses/KH-01/editions").get_data(as_text=True)
    assert "1 bài học bỏ" in page and "Kết luận" in page  # 03-ket-luan.md left out of edition 2


@pytest.mark.usefixtures("town")
def test_the_editions_page_costs_the_same_queries_however_many_editions(
    auth, client, tmp_path, count_queries
):
    auth.login(TRAINER)
    upload(auth, zipped(second_edition(tmp_path)))
    with count_queries() as two:
        assert client.get("/teach/courses/KH-01/editions").status_code == 200
    for n in range(3, 7):
        title = f"Chuyển đổi số, lần sửa {n}"
        upload(auth, zipped(second_edition(tmp_path / str(n), title=title, version=f"2.{n}")))
    with count_queries() as six:
        page = client.get("/teach/courses/KH-01/editions").get_data(as_text=True)
    assert "Phiên bản số 6" in page and "lần sửa 6" in page
    assert len(six.statements) == len(two.statements)


@pytest.mark.usefixtures("town")
def test_a_broken_zip_a_bomb_and_an_oversized_upload_are_refused_in_vietnamese(app, auth, tmp_path):
    auth.login(TRAINER)
    broken = upload(auth, b"PK\x03\x04 not really a zip")
    assert broken.status_code == 422 and "khoa-hoc.zip" in broken.get_data(as_text=True)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("khoa-hoc/course.md", "---\ncode: KH-01\n---\n")
        zf.writestr("khoa-hoc/01-bom.md", b"0" * 3_000_000)
    refused = upload(auth, bomb.getvalue(), "bom.zip")
    assert refused.status_code == 422 and "bom.zip" in refused.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 1024
    too_big = upload(auth, b"0" * 4096)
    assert too_big.status_code == 413 and "quá lớn" in too_big.get_data(as_text=True).lower()
    assert versions(app) == [(1, "1.0", "published", "import")]
