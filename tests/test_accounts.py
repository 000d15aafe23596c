"""Sessions that can be ended, the account lifecycle, the password policy and the second factor."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select, update

from app import create_app
from app.extensions import db
from app.models import LoginSession, PasswordReset, User
from app.models.base import utcnow
from tests.helpers import PASSWORD, Auth, csrf_token, totp_code

ADMIN = "qt@example.vn"
NEW_PASSWORD = "một câu mật khẩu mới 2026"


def _copy_login(source, target) -> None:
    """The session cookie of one browser replayed by another (a stolen or kept cookie)."""
    target.set_cookie("session", source.get_cookie("session").value)


def _on_login_page(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_cookie_replayed_after_logout_gets_the_login_page(app, make_user, auth, client):
    make_user()
    auth.login()
    thief = app.test_client()
    _copy_login(client, thief)
    assert thief.get("/courses/").status_code == 200  # the copy works while the login lasts
    auth.logout()
    assert _on_login_page(thief.get("/courses/"))


def test_a_cookie_replayed_after_a_password_change_gets_the_login_page(app, make_user, auth, client):
    make_user()
    auth.login()
    thief = app.test_client()
    _copy_login(client, thief)
    response = auth.post(
        "/account/",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        token_from="/account/",
    )
    assert response.status_code == 302
    assert _on_login_page(thief.get("/courses/"))
    assert client.get("/courses/").status_code == 200  # this browser got a new login
    auth.logout()
    assert auth.login(password=PASSWORD).status_code == 200  # the old password no longer works
    assert auth.login(password=NEW_PASSWORD).status_code == 302


def test_changing_the_password_asks_for_the_current_one_and_a_good_new_one(make_user, auth):
    make_user()
    auth.login()
    for data, field, message in (
        (
            {"current_password": "not it at all", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
            "current_password",
            "Đây không phải mật khẩu hiện tại",
        ),
        (
            {"current_password": PASSWORD, "password": "matkhau123", "confirm": "matkhau123"},
            "password",
            "quá phổ biến",
        ),
        (
            {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": "khác"},
            "confirm",
            "không giống nhau",
        ),
    ):
        html = auth.post("/account/", data, token_from="/account/").get_data(as_text=True)
        assert f'id="{field}-error"' in html and message in html, field


@pytest.mark.parametrize(
    "password, message",
    [
        ("12345678", "quá phổ biến"),
        ("aaaaaaaaaaaa", "lặp lại"),
        ("          ", "chỉ gồm dấu cách"),
        ("moi@example.vn", "thư điện tử hoặc họ tên"),
        ("Ngắn9!", "ít nhất 10 ký tự"),
    ],
)
def test_weak_passwords_are_refused_at_the_field_also_for_admins(make_user, auth, client, password, message):
    make_user(ADMIN, role="admin")
    auth.login(ADMIN)
    html = auth.post(
        "/admin/users",
        {"email": "moi@example.vn", "full_name": "Phạm Thu Hà", "role": "admin", "password": password},
        token_from="/admin/users",
    ).get_data(as_text=True)
    assert 'id="password-error"' in html and message in html
    assert "moi@example.vn" not in client.get("/admin/users").get_data(as_text=True)


def field_errors(html: str) -> dict[str, str]:
    """The errors shown under the fields of a page, by field."""
    return dict(re.findall(r'<p class="field-error" id="([a-z_]+)-error">([^<]*)</p>', html))


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"email": "khong-phai-thu"}, "email", "Địa chỉ thư điện tử không hợp lệ."),
        ({"unit_code": "KHONG-CO"}, "unit_code", "Không có đơn vị nào có mã «KHONG-CO»."),
        ({"password": "12345678"}, "password", "quá phổ biến"),
    ],
)
def test_each_problem_of_a_new_account_is_shown_at_its_own_field(
    make_user, auth, client, change, field, message
):
    """Not every refusal is about the e-mail: each is shown under the field it concerns, and only there."""
    make_user(ADMIN, role="admin")
    auth.login(ADMIN)
    data = {
        "email": "moi@example.vn",
        "full_name": "Phạm Thu Hà",
        "role": "learner",
        "password": NEW_PASSWORD,
    }
    html = auth.post("/admin/users", {**data, **change}, token_from="/admin/users").get_data(as_text=True)
    errors = field_errors(html)
    assert list(errors) == [field] and message in errors[field]
    assert "moi@example.vn" not in client.get("/admin/users").get_data(as_text=True)


def test_a_problem_of_no_field_is_shown_above_the_form_not_at_the_e_mail(make_user, auth, monkeypatch):
    from app.admin import views
    from app.errors import ValidationFailed

    def refuses(*_args, **_kwargs):
        raise ValidationFailed("Không tạo được tài khoản lúc này")

    monkeypatch.setattr(views.service, "create_user", refuses)
    make_user(ADMIN, role="admin")
    auth.login(ADMIN)
    data = {
        "email": "moi@example.vn",
        "full_name": "Phạm Thu Hà",
        "role": "learner",
        "password": NEW_PASSWORD,
    }
    html = auth.post("/admin/users", data, token_from="/admin/users").get_data(as_text=True)
    assert field_errors(html) == {}
    assert '<p class="field-error">Không tạo được tài khoản lúc này</p>' in html


def test_an_unknown_unit_when_changing_access_is_shown_at_the_unit(make_user, auth):
    make_user(ADMIN, role="admin")
    learner = make_user()
    auth.login(ADMIN)
    page = f"/admin/users/{learner}"
    response = auth.post(f"{page}/access", {"role": "learner", "unit_code": "KHONG-CO"}, token_from=page)
    assert response.status_code == 400
    assert field_errors(response.get_data(as_text=True)) == {
        "unit_code": "Không có đơn vị nào có mã «KHONG-CO»."
    }


def test_my_logins_are_listed_and_can_be_ended(app, make_user, auth, client):
    make_user()
    auth.login()
    phone = app.test_client()
    Auth(phone, app).login()
    page = client.get("/account/", headers={"User-Agent": "x"}).get_data(as_text=True)
    assert page.count("Đăng xuất</button>") >= 2 and "thiết bị này" in page
    with app.app_context():
        other = db.session.scalars(select(LoginSession).order_by(LoginSession.id.desc())).first().id
    auth.post(f"/account/sessions/{other}/end", token_from="/account/")
    assert _on_login_page(phone.get("/courses/"))
    assert client.get("/courses/").status_code == 200
    Auth(phone, app).login()
    auth.post("/account/sessions/end-others", token_from="/account/")
    assert _on_login_page(phone.get("/courses/"))
    assert client.get("/courses/").status_code == 200


def test_a_login_idle_past_its_lifetime_ends(app, make_user, auth, client):
    make_user()
    auth.login()
    with app.app_context():
        db.session.execute(update(LoginSession).values(last_seen_at=utcnow() - timedelta(hours=9)))
        db.session.commit()
    assert _on_login_page(client.get("/courses/"))


def test_a_logged_in_page_costs_one_statement_for_identity(make_user, auth, client, count_queries):
    make_user()
    auth.login()
    client.get("/courses/")
    with count_queries() as counter:
        assert client.get("/courses/").status_code == 200
    identity = [s for s in counter.statements if "login_sessions" in s or "FROM users" in s]
    assert len(identity) == 1, identity
    assert "JOIN users" in identity[0]


def _admin_client(app, make_user, unit=None):
    make_user(ADMIN, role="admin", unit=unit)
    browser = app.test_client()
    Auth(browser, app).login(ADMIN)
    return Auth(browser, app)


def test_deactivation_role_change_and_sign_out_end_logins_at_once(app, make_user, auth, client):
    learner = make_user()
    admin = _admin_client(app, make_user)
    for action, data in (
        ("sign-out", {}),
        ("access", {"role": "trainer", "unit_code": ""}),
        ("deactivate", {}),
    ):
        auth.login()
        assert client.get("/courses/").status_code == 200
        admin.post(f"/admin/users/{learner}/{action}", data, token_from=f"/admin/users/{learner}")
        assert _on_login_page(client.get("/courses/")), action
    assert "Sai thư điện tử hoặc mật khẩu" in auth.login().get_data(as_text=True)  # deactivated
    admin.post(f"/admin/users/{learner}/reactivate", token_from=f"/admin/users/{learner}")
    assert auth.login().status_code == 302
    with app.app_context():
        assert db.session.get(User, learner).role == "trainer"


def test_an_admin_cannot_lock_themselves_out(app, make_user):
    admin = _admin_client(app, make_user)
    with app.app_context():
        me = db.session.scalar(select(User.id).where(User.email == ADMIN))
    admin.post(f"/admin/users/{me}/deactivate", token_from=f"/admin/users/{me}")
    with app.app_context():
        assert db.session.get(User, me).is_active_account


def test_a_reset_link_works_once_within_a_day(app, make_user, auth, client):
    learner = make_user()
    auth.login()
    admin = _admin_client(app, make_user)
    html = admin.post(f"/admin/users/{learner}/reset-link", token_from=f"/admin/users/{learner}").get_data(
        as_text=True
    )
    link = re.search(r"http://localhost(/reset/[\w-]+)", html).group(1)
    assert "24 giờ" in html
    stranger = app.test_client()
    page = stranger.get(link)
    assert page.status_code == 200 and "learner@example.vn" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    token = csrf_token(stranger, link)
    weak = stranger.post(link, data={"password": "12345678", "confirm": "12345678", "csrf_token": token})
    assert 'id="password-error"' in weak.get_data(as_text=True)
    done = stranger.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token})
    assert _on_login_page(done)
    assert _on_login_page(client.get("/courses/"))  # the learner's old login has ended
    assert stranger.get(link).status_code == 404  # used up
    assert auth.login(password=NEW_PASSWORD).status_code == 302
    # a second link expires after 24 hours
    html = admin.post(f"/admin/users/{learner}/reset-link", token_from=f"/admin/users/{learner}").get_data(
        as_text=True
    )
    link = re.search(r"http://localhost(/reset/[\w-]+)", html).group(1)
    with app.app_context():
        db.session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert "đã hết hạn" in stranger.get(link).get_data(as_text=True)


def test_users_cli_lifecycle(app, make_user):
    make_user()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "set-password", "learner@example.vn", "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "set-password", "learner@example.vn", "--password", "12345678"])
    assert result.exit_code != 0 and "common" in result.output
    result = runner.invoke(args=["users", "deactivate", "learner@example.vn"])
    assert result.exit_code == 0 and "deactivated" in result.output
    result = runner.invoke(args=["users", "reactivate", "learner@example.vn"])
    assert result.exit_code == 0
    result = runner.invoke(
        args=["users", "reset-link", "learner@example.vn", "--base-url", "https://boiduong.hanoi.gov.vn"]
    )
    assert result.exit_code == 0 and re.match(
        r"https://boiduong\.hanoi\.gov\.vn/reset/[\w-]{40,}$", result.output.strip()
    )
    result = runner.invoke(args=["users", "deactivate", "nobody@example.vn"])
    assert result.exit_code != 0 and "no account" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "learner@example.vn"))
        assert user.check_password(NEW_PASSWORD) and user.is_active_account


# --- the second factor --------------------------------------------------------------------------


def test_an_admin_must_set_up_the_second_factor_before_any_admin_page(app, make_user, auth, client):
    make_user(ADMIN, role="admin", second_factor=False)
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": ADMIN, "password": PASSWORD, "csrf_token": token})
    assert "/account/two-factor" in response.headers["Location"]
    for path in ("/admin/users", "/review/", "/cadres/", "/audit/", "/courses/"):
        response = client.get(path)
        assert response.status_code == 302 and "/account/two-factor" in response.headers["Location"], path
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "<svg" in page  # the QR code, drawn on the server
    secret = re.search(r'<code class="setup-key">([A-Z2-7]+)</code>', page).group(1)
    token = csrf_token(client, "/account/two-factor")
    wrong = client.post("/account/two-factor", data={"code": "000000", "csrf_token": token})
    assert 'id="code-error"' in wrong.get_data(as_text=True)
    done = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.get_data(as_text=True))
    assert len(codes) == 10
    assert client.get("/admin/users").status_code == 200


def test_login_with_the_second_factor_accepts_each_code_once(app, make_user, client):
    make_user(ADMIN, role="admin")
    token = csrf_token(client, "/login")
    client.post("/login", data={"email": ADMIN, "password": PASSWORD, "csrf_token": token})
    assert client.get("/admin/users").status_code == 302  # not logged in before the code
    code = totp_code(app, ADMIN)
    token = csrf_token(client, "/login/code")
    assert client.post("/login/code", data={"code": "123456", "csrf_token": token}).status_code == 200
    assert _on_login_page(client.get("/admin/users"))
    assert client.post("/login/code", data={"code": code, "csrf_token": token}).status_code == 302
    assert client.get("/admin/users").status_code == 200
    # the same code seen over a shoulder does not open a second login
    other = app.test_client()
    token = csrf_token(other, "/login")
    other.post("/login", data={"email": ADMIN, "password": PASSWORD, "csrf_token": token})
    token = csrf_token(other, "/login/code")
    replay = other.post("/login/code", data={"code": code, "csrf_token": token})
    assert replay.status_code == 200 and "đã được dùng" in replay.get_data(as_text=True)


def test_a_recovery_code_works_once(app, make_user, client, auth):
    make_user(ADMIN, role="admin", second_factor=False)
    auth.login(ADMIN)  # sets the factor up on the way
    codes = re.findall(
        r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>",
        auth.post("/account/two-factor/recovery-codes", token_from="/account/").get_data(as_text=True),
    )
    auth.logout()
    for attempt, expected in ((codes[0], 302), (codes[0], 200)):
        browser = app.test_client()
        token = csrf_token(browser, "/login")
        browser.post("/login", data={"email": ADMIN, "password": PASSWORD, "csrf_token": token})
        token = csrf_token(browser, "/login/code")
        assert (
            browser.post("/login/code", data={"code": attempt.upper(), "csrf_token": token}).status_code
            == expected
        )


def test_an_admin_resets_a_lost_second_factor(app, make_user, auth, client):
    other = make_user("qt2@example.vn", role="admin")
    auth.login("qt2@example.vn")
    admin = _admin_client(app, make_user)
    admin.post(f"/admin/users/{other}/reset-second-factor", token_from=f"/admin/users/{other}")
    assert _on_login_page(client.get("/courses/"))
    response = auth.login("qt2@example.vn")
    assert "recovery-codes" in response.get_data(as_text=True)  # set up again on the way in


def test_a_city_may_turn_the_second_factor_off_explicitly(database_url, _schema, make_user, caplog):
    make_user(ADMIN, role="admin", second_factor=False)
    with caplog.at_level("WARNING"):
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "ADMIN_SECOND_FACTOR": False,
                "RATELIMIT_ENABLED": False,
            }
        )
    assert "ADMIN_SECOND_FACTOR=off" in caplog.text
    client = app.test_client()
    Auth(client, app).login(ADMIN)
    assert client.get("/admin/users").status_code == 200
    with app.app_context():
        db.engine.dispose()


# --- throttling ---------------------------------------------------------------------------------


def test_login_is_limited_per_account_without_telling_whether_it_exists(database_url, _schema, make_user):
    make_user()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": True,
            "LOGIN_RATE_LIMIT": "100 per minute",
            "LOGIN_ACCOUNT_RATE_LIMIT": "3 per minute",
            "TRUSTED_PROXIES": 1,
        }
    )
    client = app.test_client()

    def attempt(email: str, address: str, password: str = "wrong password here") -> int:
        token = csrf_token(client, "/login")
        return client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": token},
            headers={"X-Forwarded-For": address},
        ).status_code

    for email in ("learner@example.vn", "nobody@example.vn"):
        codes = [attempt(email, f"10.0.0.{n}") for n in range(5)]  # from five addresses
        assert codes == [200, 200, 200, 429, 429], email
    assert attempt("someone-else@example.vn", "10.0.0.9") == 200
    with app.app_context():
        db.engine.dispose()
