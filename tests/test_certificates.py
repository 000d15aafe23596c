"""Certificates (issue 14): issued with every course completion, listed in My learning, checked on
a public page by their number, signed as a credential, revoked and replaced with their training
record, and issued for completions from before they existed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, func, select

from app import create_app
from app.certificates import keys
from app.certificates.verify import verify
from app.extensions import db
from app.models import Certificate, CertificateRevocation, CourseCompletion, TrainingRecord, User
from app.profiles import records

LESSONS = {"01-mo-dau.md": "# Mở đầu\n\nNội dung bài mở đầu.\n"}
NUMBER = re.compile(r"GCN-\d{4}-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}")


@pytest.fixture
def completed(make, auth):
    """Course KH-01 (one lesson), completed by a learner with a cadre profile, logged in."""
    make.course(lessons=LESSONS)
    learner = make.user(full_name="Nguyễn Thị Lan")
    make.cadre(user=learner, full_name="Nguyễn Thị Lan")
    make.enrolment(learner)
    auth.login()
    auth.post("/courses/KH-01/lessons/mo-dau/complete", token_from="/courses/KH-01/lessons/mo-dau")
    return learner


def _certificates(app) -> list[Certificate]:
    with app.app_context():
        found = list(db.session.scalars(select(Certificate).order_by(Certificate.id)))
        db.session.expunge_all()
        return found


def _record(app) -> TrainingRecord:
    with app.app_context():
        record = db.session.scalar(select(TrainingRecord).order_by(TrainingRecord.id.desc()).limit(1))
        db.session.expunge(record)
        return record


def test_completing_a_course_issues_one_certificate_with_its_facts(app, client, completed):
    (certificate,) = _certificates(app)
    assert NUMBER.fullmatch(certificate.number), certificate.number
    assert (certificate.cadre_name, certificate.course_code, certificate.course_title) == (
        "Nguyễn Thị Lan",
        "KH-01",
        "Chuyển đổi số cơ bản",
    )
    assert (certificate.edition, certificate.hours) == (1, 1)
    page = client.get("/my").get_data(as_text=True)
    assert certificate.number in page and "Còn hiệu lực" in page
    assert f"/my/certificates/{certificate.id}/pdf" in page


def test_the_verification_page_shows_the_facts_to_anyone_and_nothing_more(app, client, auth, completed):
    (certificate,) = _certificates(app)
    auth.logout()
    response = client.get(f"/verify/{certificate.number}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Còn hiệu lực" in page and "Nguyễn Thị Lan" in page and "Chuyển đổi số cơ bản" in page
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    assert '<meta name="robots" content="noindex' in page
    assert "learner@example.vn" not in page and "HN-900001" not in page  # nothing else about the cadre
    unknown = client.get("/verify/GCN-2026-00000-00000")
    assert unknown.status_code == 404
    assert "Không có giấy chứng nhận" in unknown.get_data(as_text=True)


def test_the_verification_page_is_rate_limited(database_url, _schema):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": True,
            "VERIFY_RATE_LIMIT": "3 per minute",
        }
    )
    client = app.test_client()
    statuses = [client.get(f"/verify/GCN-2026-AAAAA-0000{n}").status_code for n in range(5)]
    assert statuses[:3] == [404, 404, 404] and statuses[3:] == [429, 429]
    with app.app_context():
        db.engine.dispose()


def test_only_the_holder_downloads_the_pdf_and_the_credential(app, make, auth, client, completed):
    (certificate,) = _certificates(app)
    pdf = client.get(f"/my/certificates/{certificate.id}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert pdf.headers["Content-Disposition"] == f'attachment; filename="{certificate.number}.pdf"'
    token = client.get(f"/my/certificates/{certificate.id}/credential").get_data(as_text=True)
    status_list = client.get("/certificates/status/1").get_data(as_text=True)
    with app.app_context():
        result = verify(token, keys.keyring(), status_list)
    assert result.valid and result.code == "valid"
    make.user("hv2@example.vn")
    auth.logout()
    auth.login("hv2@example.vn")
    for path in ("", "/pdf", "/credential"):
        assert client.get(f"/my/certificates/{certificate.id}{path}").status_code == 403


def test_revoking_the_record_revokes_the_certificate_everywhere(app, make, client, completed, tmp_path):
    (certificate,) = _certificates(app)
    token = client.get(f"/my/certificates/{certificate.id}/credential").get_data(as_text=True)
    saved = tmp_path / "chung-nhan.jwt"
    saved.write_text(token, encoding="utf-8")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["certificates", "verify", str(saved)]).exit_code == 0
    record = _record(app)
    with app.app_context():
        admin = db.session.get(User, make.admin())
        records.revoke_training(
            db.session, admin, db.session.get(TrainingRecord, record.id), "Gian lận khi học"
        )
        db.session.commit()
    page = client.get(f"/verify/{certificate.number}").get_data(as_text=True)
    assert "Đã thu hồi" in page and "bản ghi bồi dưỡng làm căn cứ cấp đã bị thu hồi" in page
    status_list = client.get("/certificates/status/1").get_data(as_text=True)
    with app.app_context():
        assert verify(token, keys.keyring(), status_list).code == "revoked"
    result = runner.invoke(args=["certificates", "verify", str(saved)])
    assert result.exit_code == 1 and "thu hồi" in result.output
    assert client.get(f"/my/certificates/{certificate.id}/pdf").status_code == 200  # kept, marked


def test_a_correction_issues_a_certificate_that_names_the_one_it_replaces(app, make, client, completed):
    (first,) = _certificates(app)
    record = _record(app)
    with app.app_context():
        admin = db.session.get(User, make.admin())
        corrected = records.ExternalTraining(
            record.programme, record.issuer, record.completed_on, 4, category=record.category, score=80.0
        )
        records.correct_training(
            db.session, admin, db.session.get(TrainingRecord, record.id), corrected, "Sai số tiết"
        )
        db.session.commit()
    first, second = _certificates(app)
    assert (second.replaces_id, second.hours, second.score) == (first.id, 4, 80.0)
    old = client.get(f"/verify/{first.number}").get_data(as_text=True)
    assert "Đã thu hồi" in old
    new = client.get(f"/verify/{second.number}").get_data(as_text=True)
    assert "Còn hiệu lực" in new and f'href="/verify/{first.number}"' in new


def test_issue_all_covers_earlier_completions_once(app, completed):
    with app.app_context():
        db.session.execute(delete(Certificate))
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["certificates", "issue", "--all"])
    assert result.exit_code == 0 and "issued 1 certificates" in result.output, result.output
    again = runner.invoke(args=["certificates", "issue", "--all"])
    assert "every completion has its certificate" in again.output
    with app.app_context():
        counts = (
            db.session.scalar(select(func.count(Certificate.id))),
            db.session.scalar(select(func.count(CourseCompletion.id))),
        )
        assert counts == (1, 1)
        assert db.session.scalar(select(func.count(CertificateRevocation.id))) == 0


def test_the_profile_and_the_dossier_give_the_certificate_number(app, make, auth, client, completed):
    (certificate,) = _certificates(app)
    with app.app_context():
        cadre_id = db.session.scalar(select(TrainingRecord.cadre_id))
    make.user("admin@example.vn", "admin", unit="P-THU")
    auth.logout()
    auth.login("admin@example.vn")
    profile = client.get(f"/cadres/{cadre_id}")
    assert profile.status_code == 200, profile.status_code
    assert f'href="/verify/{certificate.number}"' in profile.get_data(as_text=True)
    dossier = client.get(f"/cadres/{cadre_id}/print").get_data(as_text=True)
    assert certificate.number in dossier
