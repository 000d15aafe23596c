"""Accounts, login, roles, CSRF, session cookies and rate limiting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import create_app, security
from app.access import rule_for
from app.auth.service import create_user
from app.extensions import db
from app.models import User
from app.policy import SYSTEM
from tests.helpers import PASSWORD, csrf_token

# Routes that need path values, with values that exist in no database (a 404 still proves
# that the login check ran first: an anonymous visitor is redirected before any lookup).
SAMPLE_VALUES = {
    "code": "KH-01",
    "slug": "mo-dau",
    "sha256": "0" * 64,
    "filename": "app.css",
    "attempt_id": 1,
    "cadre_id": 1,
    "record_id": 1,
    "decision_id": 1,
    "title_code": "division-head",
    "batch_id": 1,
    "assignment_id": 1,
    "fmt": "csv",
    "user_id": 1,
    "session_id": 1,
    "token": "x",
    "document_id": 1,
    "course_trainer_id": 1,
    "number": 1,  # an edition of a course
    "submission_id": 1,  # a written assignment's submission
    "certificate_id": 1,
}


def _all_routes(app):
    for rule in app.url_map.iter_rules():
        path = rule.build(SAMPLE_VALUES, append_unknown=False)[1]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            yield rule.endpoint, method, path


def test_every_page_but_the_public_ones_requires_login(app, client):
    checked = 0
    for endpoint, method, path in _all_routes(app):
        if rule_for(app, endpoint, method).public:
            continue
        response = client.open(path, method=method)
        if method == "POST":
            assert response.status_code in (302, 400), (endpoint, method)
            if response.status_code == 302:
                assert "/login" in response.headers["Location"], endpoint
        else:
            assert response.status_code == 302, (endpoint, method)
            assert "/login?next=" in response.headers["Location"], endpoint
        checked += 1
    assert checked >= 10


def test_login_and_logout(make_user, auth, client):
    make_user()
    response = auth.login()
    assert response.status_code == 302
    assert client.get("/courses/").status_code == 200
    response = auth.logout()
    assert response.headers["Location"].endswith("/login")
    assert client.get("/courses/").status_code == 302


def test_wrong_password_and_unknown_account_get_the_same_answer(make_user, auth):
    make_user()
    wrong_password = auth.login(password="wrong password").get_data(as_text=True)
    unknown = auth.login(email="nobody@example.vn").get_data(as_text=True)
    for html in (wrong_password, unknown):
        assert "Sai thư điện tử hoặc mật khẩu." in html
        assert 'aria-invalid="true"' in html  # the error sits at the field
    assert "nobody@example.vn" in unknown  # the e-mail typed is kept


def test_login_requires_csrf(make_user, client):
    make_user()
    response = client.post("/login", data={"email": "learner@example.vn", "password": PASSWORD})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)
    assert client.get("/courses/").status_code == 302


def test_logout_and_enrol_refuse_a_missing_csrf_token(learner, course, client):
    assert client.post("/courses/KH-01/enrol").status_code == 400
    assert client.post("/logout").status_code == 400
    assert client.get("/courses/").status_code == 200  # still logged in


def test_login_redirects_only_to_this_site(make_user, client):
    make_user()
    for target, expected in (("/my", "/my"), ("https://evil.example/", "/"), ("//evil.example", "/")):
        client.get("/login")
        token = csrf_token(client, "/login")
        response = client.post(
            f"/login?next={target}",
            data={"email": "learner@example.vn", "password": PASSWORD, "csrf_token": token},
        )
        assert response.headers["Location"] == expected
        client.post("/logout", data={"csrf_token": csrf_token(client, "/courses/")})


def test_session_is_renewed_on_login(make_user, client, auth):
    make_user()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login()
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session


def test_session_cookie_flags(make_user, auth):
    make_user()
    response = auth.login()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http on a developer's machine


def test_session_cookie_is_secure_over_https(make_user, client):
    make_user()
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        base_url="https://localhost",
        data={"email": "learner@example.vn", "password": PASSWORD, "csrf_token": token},
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_session_cookie_slides_at_most_once_a_refresh_interval(app, make_user, auth, client):
    make_user()
    auth.login()
    client.get("/courses/")  # the first page after login adds its CSRF secret to the session
    assert "Set-Cookie" not in client.get("/courses/").headers  # signed moments ago
    app.config["SESSION_REFRESH_SECONDS"] = 0
    renewed = client.get("/courses/")
    assert renewed.status_code == 200 and "Set-Cookie" in renewed.headers
    assert "Expires=" in renewed.headers["Set-Cookie"]


def test_an_expired_session_cookie_logs_out(app, make_user, auth, client):
    make_user()
    auth.login()
    app.config["PERMANENT_SESSION_LIFETIME"] = -1  # signed a second ago is past a lifetime of -1 s
    response = client.get("/courses/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_verified_session_cookie_is_remembered_yet_still_expires_and_a_changed_one_is_refused(
    app, make_user, auth, client, monkeypatch
):
    make_user()
    auth.login()
    client.get("/courses/")  # the first page after login adds its CSRF secret: a new cookie
    verified = []
    real = security._SessionInterface._verify
    monkeypatch.setattr(security._SessionInterface, "_verify", lambda *a: verified.append(1) or real(*a))
    assert client.get("/courses/").status_code == 200
    assert client.get("/my").status_code == 200
    assert len(verified) <= 1  # the same cookie string: its signature checked once
    name = app.config["SESSION_COOKIE_NAME"]
    genuine = client.get_cookie(name).value
    changed = genuine[:-2] + ("A" if genuine[-2] != "A" else "B") + genuine[-1]
    client.set_cookie(name, changed)
    assert client.get("/courses/").status_code == 302  # one byte off: not the remembered cookie
    client.set_cookie(name, genuine)
    assert client.get("/courses/").status_code == 200
    later = security._now() + app.permanent_session_lifetime + timedelta(minutes=1)
    monkeypatch.setattr(security, "_now", lambda: later)
    response = client.get("/courses/")  # remembered, but past its lifetime
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_passwords_are_hashed(app, make_user):
    make_user()
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        assert PASSWORD not in user.password_hash
        assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_outside_the_tests_passwords_are_hashed_with_full_strength_scrypt(app, database_url, tmp_path):
    """The tests hash with a cheap scrypt (PASSWORD_HASH_METHOD in conftest.py); an app started
    without that override, as every deployment is, uses werkzeug's scrypt at full cost, and the
    environment cannot weaken it."""
    from app.config import load_config

    environ = {
        "BOIDUONG_ENV": "production",
        "SECRET_KEY": "k" * 40,
        "PASSWORD_HASH_METHOD": "plain",
        "CERTIFICATE_KEY_FILE": "key.pem",
    }
    assert load_config(str(tmp_path), environ)["PASSWORD_HASH_METHOD"] == "scrypt"
    deployed = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})
    with deployed.app_context():
        user = create_user(db.session, SYSTEM, "day-du@example.vn", PASSWORD, "learner")
        assert user.password_hash.startswith("scrypt:32768:8:1$")
        assert user.check_password(PASSWORD) and not user.check_password(PASSWORD + "!")
        db.session.rollback()
        db.engine.dispose()


@pytest.mark.parametrize("path", ["/teach/", "/teach/courses/KH-01", "/admin/users"])
def test_learners_cannot_open_staff_pages(learner, course, client, path):
    response = client.get(path)
    assert response.status_code == 403
    assert 'class="site-header"' in response.get_data(as_text=True)


def test_trainer_sees_teaching_but_not_administration(make_user, auth, course, client):
    make_user("gv@example.vn", role="trainer")
    auth.login("gv@example.vn")
    assert client.get("/teach/").status_code == 200
    assert "KH-01" in client.get("/teach/courses/KH-01").get_data(as_text=True)
    assert client.get("/admin/users").status_code == 403


def test_admin_creates_an_account_and_sees_field_errors(app, make_user, auth, client):
    make_user("admin@example.vn", role="admin")
    auth.login("admin@example.vn")
    response = auth.post(
        "/admin/users",
        {
            "email": "moi@example.vn",
            "full_name": "Phạm Thu Hà",
            "role": "trainer",
            "password": "mat-khau-moi",
        },
        token_from="/admin/users",
    )
    assert response.status_code == 302
    html = client.get("/admin/users").get_data(as_text=True)
    assert "Phạm Thu Hà" in html
    response = auth.post(
        "/admin/users",
        {"email": "moi@example.vn", "full_name": "Trùng", "role": "learner", "password": "mat-khau-moi"},
        token_from="/admin/users",
    )
    html = response.get_data(as_text=True)
    assert 'id="email-error"' in html
    response = auth.post(
        "/admin/users",
        {"email": "x@example.vn", "full_name": "Ngắn", "role": "learner", "password": "ngan"},
        token_from="/admin/users",
    )
    assert 'id="password-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.email == "moi@example.vn")) == "trainer"


def test_login_is_rate_limited(database_url, _schema, make_user):
    make_user()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": True,
            "LOGIN_RATE_LIMIT": "3 per minute",
        }
    )
    client = app.test_client()
    codes = []
    for _ in range(5):
        token = csrf_token(client, "/login")
        codes.append(
            client.post(
                "/login", data={"email": "learner@example.vn", "password": "wrong", "csrf_token": token}
            ).status_code
        )
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]
    # pages other than the login form are not limited
    assert client.get("/login").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_users_create_cli(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "gv@example.vn",
            "--role",
            "trainer",
            "--password",
            "mot-mat-khau",
            "--name",
            "Đỗ Minh",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "created trainer gv@example.vn" in result.output
    result = runner.invoke(args=["users", "create", "gv@example.vn", "--password", "mot-mat-khau"])
    assert result.exit_code != 0 and "already exists" in result.output
    result = runner.invoke(args=["users", "create", "hv@example.vn"], input="bi-mat-123\nbi-mat-123\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "hv@example.vn"))
        assert user.role == "learner" and user.check_password("bi-mat-123")


def test_trainer_previews_a_lesson_without_enrolling(app, make_user, auth, course, client):
    make_user("gv@example.vn", role="trainer")
    auth.login("gv@example.vn")
    html = client.get("/courses/KH-01/lessons/du-lieu").get_data(as_text=True)
    assert "Nội dung về dữ liệu" in html
    assert "Xem trước" in html and "Đánh dấu hoàn thành" not in html
    with app.app_context():
        from app.models import Enrolment

        assert db.session.scalar(select(Enrolment)) is None
