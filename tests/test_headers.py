"""Response headers (Permissions-Policy, HSTS over HTTPS, no-store on personal data) and CSRF
tokens that last no longer than the login they were issued in."""

from __future__ import annotations

import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from tests.helpers import CITY_ADMIN, PASSWORD, csrf_token

CADRE = ("canbo@demo.boiduong.vn", "canbo-demo")
NEW_PASSWORD = "một câu mật khẩu mới 2026"


def headers(client, path: str, **kw):
    """The headers of a response, closed at once (a static file is sent from an open file)."""
    with client.get(path, **kw) as response:
        return response.headers


@pytest.mark.parametrize("path", ["/login", "/static/app.css", "/no-such-page"])
def test_every_response_denies_features_a_training_site_never_uses(client, path):
    policy = headers(client, path)["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers(client, "/static/app.css", base_url="https://localhost")["Strict-Transport-Security"]


def assert_no_store(response) -> None:
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"


def test_personal_pages_and_downloads_are_not_stored(world, app, auth, client):
    auth.login(*CADRE)
    assert_no_store(client.get("/me"))
    assert "no-store" not in headers(client, "/static/app.css").get("Cache-Control", "")
    auth.logout()
    auth.login(*CITY_ADMIN)
    for path in (
        "/review/",
        "/review/export.csv?what=profiles",
        "/review/export.xlsx?what=cadres",
        "/audit/",
    ):
        assert_no_store(client.get(path))
    assert "no-store" not in headers(client, "/static/app.css").get("Cache-Control", "")


def test_an_anonymous_page_may_be_cached(client):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")


# CSRF: Flask-WTF signs a random token kept in the session; `csrf_token()` reads the signed copy
# from a page's form, as a browser (or someone who copied the page) would have it.


def test_a_csrf_token_from_before_logout_is_refused_after_logging_in_again(make_user, auth, client):
    make_user()
    auth.login()
    old = csrf_token(client, "/courses/")
    auth.logout()
    auth.login()
    assert client.post("/logout", data={"csrf_token": old}).status_code == 400
    assert client.get("/courses/").status_code == 200  # still logged in: the old token did nothing


def test_a_csrf_token_from_before_a_password_change_is_refused_after_it(make_user, auth, client):
    make_user()
    auth.login()
    old = csrf_token(client, "/account/")
    response = client.post(
        "/account/",
        data={
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": old,
        },
    )
    assert response.status_code == 302  # the change went through and started a new login
    assert client.post("/logout", data={"csrf_token": old}).status_code == 400
    assert client.get("/courses/").status_code == 200


def _signed_ago(app, raw: str, seconds: int, monkeypatch) -> str:
    """The token Flask-WTF would have put in a form `seconds` ago, for this session's raw token."""
    with monkeypatch.context() as patched:
        patched.setattr(TimestampSigner, "get_timestamp", lambda _self: int(time.time()) - seconds)
        return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


def test_a_csrf_token_expires_with_the_login_lifetime(app, make_user, auth, client, monkeypatch):
    make_user()
    auth.login()
    csrf_token(client, "/courses/")
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    too_old = _signed_ago(app, raw, lifetime + 60, monkeypatch)
    assert client.post("/logout", data={"csrf_token": too_old}).status_code == 400
    assert client.get("/courses/").status_code == 200
    still_good = _signed_ago(app, raw, lifetime - 60, monkeypatch)
    assert client.post("/logout", data={"csrf_token": still_good}).status_code == 302
