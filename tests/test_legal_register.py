"""The register of legal documents: the shipped file, citations `[[VB number]]` in lessons and
questions resolved by `courses check` and the import (file:line), the city admins' edits (audited),
and the published courses that cite a document repealed since they were published."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.courses.source import read_course
from app.extensions import db
from app.legal import register, service
from app.legal.register import CitationCheck, Document, RegisterError
from app.models import AuditEntry, CourseCitation, LegalDocument, Lesson
from app.policy import SYSTEM
from tests.helpers import PASSWORD, csrf_token, write_course

ADMIN = "quantri@example.vn"
QUIZ = """---
type: quiz
pass_mark: 50
---
# Kiểm tra

## Văn bản {#van-ban}

Theo [[VB 13/2023/NĐ-CP]], dữ liệu cá nhân nhạy cảm gồm những gì?

- [x] Đúng
- [ ] Sai
"""


def lessons(first: str = "Căn cứ [[VB 356/2025/NĐ-CP]].", quiz: str | None = None) -> dict[str, str]:
    found = {"01-mo-dau.md": f"# Mở đầu\n\nNội dung.\n\n{first}\n", "02-ket-luan.md": "# Kết luận\n\nHết.\n"}
    if quiz is not None:
        found["03-kiem-tra.md"] = quiz
    return found


def checked(path: Path, day: date = date(2026, 11, 30)) -> list[str]:
    _source, problems = read_course(path, (), CitationCheck(register.load(), day))
    return [f"{Path(p.path).name}:{p.line}: {p.message}" for p in problems if p.is_error]


# --- the shipped register ------------------------------------------------------------------------


def test_the_shipped_register_holds_the_reviewed_replacements():
    documents = register.load()
    expected = {
        "13/2023/NĐ-CP": ("356/2025/NĐ-CP", date(2026, 1, 1)),
        "29/2018/QH14": ("117/2025/QH15", date(2026, 3, 1)),
        "61/2018/NĐ-CP": ("118/2025/NĐ-CP", None),  # the review could not verify the date
        "130/2018/NĐ-CP": ("23/2025/NĐ-CP", date(2025, 4, 10)),
        "112/2020/NĐ-CP": ("172/2025/NĐ-CP", date(2025, 7, 1)),
        "71/2023/NĐ-CP": ("172/2025/NĐ-CP", date(2025, 7, 1)),
    }
    for number, (replacement, day) in expected.items():
        assert (documents[number].replaced_by, documents[number].replaced_on) == (replacement, day)
    assert "chưa xác minh ngày" in documents["61/2018/NĐ-CP"].note
    assert documents["132/2025/QH15"].effective_on == date(2026, 7, 1)
    assert documents["91/2025/QH15"].effective_on == date(2026, 1, 1)
    assert documents["116/2025/QH15"].effective_on == date(2026, 7, 1)
    for number in ("171/2025/NĐ-CP", "194/2025/NĐ-CP", "80/2025/QH15"):
        assert number in documents


@pytest.mark.parametrize(
    "text, message",
    [
        ("- number: 1/2025/NĐ-CP\n  kind: decree\n  title: T\n", "register.yaml:1: 'issuer' is required"),
        ("- number: 1/2025/NĐ-CP\n  kind: edict\n  title: T\n  issuer: CP\n", "kind 'edict' is not one of"),
        (
            "- number: 1/2025/NĐ-CP\n  kind: decree\n  title: T\n  issuer: CP\n"
            "- number: 1/2025/NĐ-CP\n  kind: decree\n  title: T\n  issuer: CP\n",
            "register.yaml:5: document 1/2025/NĐ-CP is listed twice",
        ),
        (
            "- number: 1/2025/NĐ-CP\n  kind: decree\n  title: T\n  issuer: CP\n  replaced_by: 2/2026/NĐ-CP\n",
            "replaced by 2/2026/NĐ-CP, which is not in the register",
        ),
        (
            "- number: 1/2025/NĐ-CP\n  kind: decree\n  title: T\n  issuer: CP\n  replaced_on: 31/12/2025\n",
            "'31/12/2025' is not a date",
        ),
    ],
)
def test_a_wrong_register_file_is_named_by_line(text, message):
    with pytest.raises(RegisterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        register.parse(text, Path("register.yaml"))


# --- citations in course files -------------------------------------------------------------------


def test_a_course_citing_documents_in_force_passes(tmp_path):
    path = write_course(tmp_path, lessons=lessons("Theo [[VB 356/2025/NĐ-CP]] và [[VB 91/2025/QH15]]."))
    assert checked(path) == []
    source, _ = read_course(path, (), CitationCheck(register.load(), date(2026, 11, 30)))
    assert [(c.number, c.file, c.line) for c in source.citations] == [
        ("356/2025/NĐ-CP", "01-mo-dau.md", 5),
        ("91/2025/QH15", "01-mo-dau.md", 5),
    ]


def test_citing_an_unknown_document_is_an_error_at_its_line(tmp_path):
    path = write_course(tmp_path, lessons=lessons("Theo [[VB 999/2099/NĐ-CP]]."))
    assert checked(path) == [
        "01-mo-dau.md:5: [[VB 999/2099/NĐ-CP]]: no such document in the register of legal documents"
    ]


def test_citing_a_repealed_document_names_its_replacement_in_lessons_and_questions(tmp_path):
    path = write_course(tmp_path, lessons=lessons("Theo [[VB 29/2018/QH14]].", quiz=QUIZ))
    assert checked(path) == [
        "01-mo-dau.md:5: [[VB 29/2018/QH14]] was replaced by 117/2025/QH15 on 01/03/2026: "
        "cite the document in force",
        "03-kiem-tra.md:9: [[VB 13/2023/NĐ-CP]] was replaced by 356/2025/NĐ-CP on 01/01/2026: "
        "cite the document in force",
    ]


def test_a_replacement_without_a_verified_date_is_an_error_too(tmp_path):
    path = write_course(tmp_path, lessons=lessons("Theo [[VB 61/2018/NĐ-CP]]."))
    assert checked(path) == [
        "01-mo-dau.md:5: [[VB 61/2018/NĐ-CP]] was replaced by 118/2025/NĐ-CP (date not verified): "
        "cite the document in force"
    ]


def test_the_check_reads_the_law_as_of_a_day(tmp_path):
    path = write_course(tmp_path, lessons=lessons("Theo [[VB 29/2018/QH14]]."))
    assert checked(path, date(2026, 2, 28)) == []
    assert len(checked(path, date(2026, 3, 1))) == 1


def test_a_marker_in_code_is_not_a_citation(tmp_path):
    path = write_course(tmp_path, lessons=lessons("Viết `[[VB 999/2099/NĐ-CP]]` để trích dẫn."))
    assert checked(path) == []


def test_courses_check_on_the_command_line(app, tmp_path):
    write_course(tmp_path, lessons=lessons("Theo [[VB 29/2018/QH14]]."))
    runner = app.test_cli_runner()
    before = runner.invoke(args=["courses", "check", str(tmp_path), "--as-of", "2026-02-28"])
    assert before.exit_code == 0, before.output
    after = runner.invoke(args=["courses", "check", str(tmp_path), "--as-of", "2026-03-01"])
    assert after.exit_code == 1
    assert "01-mo-dau.md:5: [[VB 29/2018/QH14]] was replaced by 117/2025/QH15 on 01/03/2026" in after.output


# --- the database: load, import, render ------------------------------------------------------------


def test_legal_load_is_idempotent_and_keeps_admin_edits(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["legal", "load"])
    assert first.exit_code == 0 and f"{len(register.load())} added" in first.output
    assert "0 added, 0 updated" in runner.invoke(args=["legal", "load"]).output
    with app.app_context():
        row = db.session.scalar(select(LegalDocument).where(LegalDocument.number == "80/2025/QH15"))
        service.edit(db.session, SYSTEM, row, {"effective_on": date(2025, 7, 1)})
        other = db.session.scalar(select(LegalDocument).where(LegalDocument.number == "171/2025/NĐ-CP"))
        other.title = "Tên cũ"  # as an older shipped file had it
        db.session.commit()
    again = runner.invoke(args=["legal", "load"]).output
    assert "1 updated" in again and "kept as edited in the browser" in again and "80/2025/QH15" in again
    with app.app_context():
        row = db.session.scalar(select(LegalDocument).where(LegalDocument.number == "80/2025/QH15"))
        assert row.effective_on == date(2025, 7, 1)


def test_the_import_refuses_a_repealed_citation_and_records_and_links_the_others(app, make, courses_root):
    with app.app_context():
        service.load(db.session, register.load())
        db.session.commit()
    refused = make.import_folder(write_course(courses_root, lessons=lessons("Theo [[VB 13/2023/NĐ-CP]].")))
    assert refused.status == "failed"
    assert "was replaced by 356/2025/NĐ-CP" in str(refused.problems[0])
    outcome = make.import_folder(
        write_course(courses_root, lessons=lessons(quiz=QUIZ.replace("13/2023", "356/2025")))
    )
    assert outcome.status == "created", outcome.problems
    with app.app_context():
        cited = db.session.execute(select(CourseCitation.document_number, CourseCitation.source_file)).all()
        assert sorted(cited) == [("356/2025/NĐ-CP", "01-mo-dau.md"), ("356/2025/NĐ-CP", "03-kiem-tra.md")]
        html = db.session.scalar(select(Lesson.html).where(Lesson.slug == "mo-dau"))
    assert '<a href="/legal/#vb-356-2025-nd-cp" title="Nghị định quy định chi tiết' in html
    assert ">356/2025/NĐ-CP</a>" in html


def test_the_import_sees_a_document_added_by_an_admin(app, make, courses_root):
    with app.app_context():
        db.session.add(
            LegalDocument(number="5/2026/TT-BNV", kind="circular", title="Thông tư", issuer="Bộ Nội vụ")
        )
        db.session.commit()
    outcome = make.import_folder(write_course(courses_root, lessons=lessons("Theo [[VB 5/2026/TT-BNV]].")))
    assert outcome.status == "created", outcome.problems


# --- stale courses: the trainers' and admins' list -----------------------------------------------


def _publish_citing(app, make, courses_root, clock, numbers: dict[str, str], day: date) -> None:
    """Publish one course per code on `day`, citing the register's documents as they stood then."""
    clock.set_now(day)
    with app.app_context():
        service.load(db.session, register.load())
        db.session.commit()
    for code, number in numbers.items():
        folder = write_course(
            courses_root, code.lower(), code=code, lessons=lessons(f"Theo [[VB {number}]].")
        )
        assert make.import_folder(folder).status == "created"


def test_courses_citing_a_document_repealed_since_publication_are_listed(
    app, make, courses_root, clock, count_queries
):
    numbers = {"KH-A": "86/2015/QH13", "KH-B": "24/2018/QH14", "KH-C": "91/2025/QH15"}
    _publish_citing(app, make, courses_root, clock, numbers, date(2026, 5, 1))
    clock.set_today(date(2026, 7, 1))  # Law 116/2025 replaces both cybersecurity laws
    with app.app_context(), count_queries() as counter:
        stale = service.stale_courses(db.session)
    assert len(counter.statements) == 1
    assert [(c.code, list(c.documents)) for c in stale] == [
        ("KH-A", ["86/2015/QH13"]),
        ("KH-B", ["24/2018/QH14"]),
    ]
    assert stale[0].documents["86/2015/QH13"].places == ["01-mo-dau.md:5"]
    assert stale[0].documents["86/2015/QH13"].replaced_by == "116/2025/QH15"
    clock.set_today(date(2026, 6, 30))
    with app.app_context():
        assert service.stale_courses(db.session) == []


def test_the_teaching_page_lists_them_with_one_query_whatever_their_number(
    app, make, courses_root, clock, auth, client, count_queries
):
    make.user("gv@example.vn", "trainer")
    _publish_citing(app, make, courses_root, clock, {"KH-A": "86/2015/QH13"}, date(2026, 5, 1))
    make.course_trainer("gv@example.vn", "KH-A")
    clock.set_today(date(2026, 7, 2))
    auth.login("gv@example.vn")
    with count_queries() as one:
        page = client.get("/teach/").get_data(as_text=True)
    assert "Khoá học trích dẫn văn bản đã hết hiệu lực" in page and "86/2015/QH13" in page
    assert "116/2025/QH15" in page and "01-mo-dau.md:5" in page
    _publish_citing(
        app, make, courses_root, clock, {"KH-B": "24/2018/QH14", "KH-D": "86/2015/QH13"}, date(2026, 5, 1)
    )
    make.course_trainer("gv@example.vn", "KH-B")
    make.course_trainer("gv@example.vn", "KH-D")
    clock.set_today(date(2026, 7, 2))
    with count_queries() as three:
        page = client.get("/teach/").get_data(as_text=True)
    assert "24/2018/QH14" in page
    assert len(three.statements) == len(one.statements)


# --- the pages ------------------------------------------------------------------------------------


def _admin(app, make, auth, unit: str | None = None):
    make.user(ADMIN, "admin", unit=unit)
    with app.app_context():
        service.load(db.session, register.load())
        db.session.commit()
        return db.session.scalar(select(LegalDocument.id).where(LegalDocument.number == "61/2018/NĐ-CP"))


def test_everyone_signed_in_reads_the_register(app, make, auth, client):
    make.user()
    with app.app_context():
        service.load(db.session, register.load())
        db.session.commit()
    auth.login()
    page = client.get("/legal/").get_data(as_text=True)
    assert 'id="vb-356-2025-nd-cp"' in page and "Luật Bảo vệ bí mật nhà nước" in page
    assert "/edit" not in page  # only city admins edit
    assert "01/03/2026" in page  # dates as dd/mm/yyyy


def test_a_city_admin_edits_a_document_and_the_audit_keeps_the_old_values(app, make, auth, client):
    document_id = _admin(app, make, auth)
    auth.login(ADMIN, PASSWORD)
    form = f"/legal/{document_id}/edit"
    assert "61/2018/NĐ-CP" in client.get(form).get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(client, form),
        "kind": "decree",
        "title": "Nghị định về thực hiện cơ chế một cửa, một cửa liên thông",
        "issuer": "Chính phủ",
        "effective_on": "2018-06-21",
        "replaced_by": "118/2025/NĐ-CP",
        "replaced_on": "2025-07-01",
        "note": "Ngày thay thế đã đối chiếu.",
    }
    response = client.post(form, data=data)
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(LegalDocument, document_id)
        assert (row.replaced_on, row.edited_by_id is not None) == (date(2025, 7, 1), True)
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "edit_legal_document"))
        assert entry.detail["number"] == "61/2018/NĐ-CP"
        assert entry.detail["before_replaced_on"] == "" and entry.detail["after_replaced_on"] == "2025-07-01"
        assert entry.detail["before_note"].startswith("Đã bị thay thế")


def test_the_replacement_must_be_a_document_of_the_register(app, make, auth, client):
    document_id = _admin(app, make, auth)
    auth.login(ADMIN, PASSWORD)
    form = f"/legal/{document_id}/edit"
    data = {"csrf_token": csrf_token(client, form), "kind": "decree", "title": "T", "issuer": "CP"}
    page = client.post(form, data=data | {"replaced_by": "9/2099/NĐ-CP"}).get_data(as_text=True)
    assert "9/2099/NĐ-CP" in page and "field-error" in page
    page = client.post(form, data=data | {"replaced_by": "61/2018/NĐ-CP"}).get_data(as_text=True)
    assert "field-error" in page
    with app.app_context():
        assert db.session.get(LegalDocument, document_id).title != "T"


def test_a_unit_admin_reads_the_register_but_may_not_edit_it(app, make, auth, client):
    make.unit("P-W", "Phường Tây")
    document_id = _admin(app, make, auth, unit="P-W")
    auth.login(ADMIN, PASSWORD)
    assert client.get("/legal/").status_code == 200
    assert client.get(f"/legal/{document_id}/edit").status_code == 403


def test_the_kinds_have_words():
    from app.labels import has_label

    assert all(has_label("legal_kind", kind) for kind in register.KINDS)
    assert Document("1/2025/NĐ-CP", "decree", "T", "CP", replaced_by="2/2025/NĐ-CP").repealed_as_of(
        date(2000, 1, 1)
    )


def test_the_register_page_lists_the_stale_courses_for_admins_not_learners(
    app, make, courses_root, clock, auth, client
):
    make.user()
    make.user(ADMIN, "admin")
    _publish_citing(app, make, courses_root, clock, {"KH-A": "24/2018/QH14"}, date(2026, 5, 1))
    clock.set_today(date(2026, 7, 2))
    auth.login(ADMIN, PASSWORD)
    page = client.get("/legal/").get_data(as_text=True)
    assert "Khoá học trích dẫn văn bản đã hết hiệu lực" in page and "KH-A" in page
    assert "Hết hiệu lực" in page  # the document's status as of today
    auth.logout()
    auth.login()
    page = client.get("/legal/").get_data(as_text=True)
    assert "KH-A" not in page and "24/2018/QH14" in page
