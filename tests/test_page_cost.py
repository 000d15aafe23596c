"""A cheaper page without weaker guarantees (issue 15): what is cached is keyed by everything it
depends on, and every request still checks its identity against the database.

- Addresses built for templates are cached per endpoint, arguments and mount point
  (app/urls.py): the same as Flask builds, and different under another SCRIPT_NAME.
- The menu, brand and footer are rendered once per language and roles (app/fragments.py): a
  learner never sees an admin's menu, English never leaks into a Vietnamese page and the current
  section follows the page.
- Translations are looked up once per request and follow `force_locale`.
- A page's form token is signed once a minute per session, not on every page (app/security.py):
  the reused token is accepted, and a login or logout still replaces it.
- A logged-in page costs one statement for identity; the quiz attempt page and the answer save
  read the attempt once (the access guard's row is reused by the view).
"""

from __future__ import annotations

import re

from flask import render_template_string
from flask_babel import force_locale

from app import fragments, security
from tests.helpers import csrf_token


def test_no_url_defaults_callback_can_change_an_address_per_request(app):
    # The address cache relies on this: a url_defaults callback could make the same endpoint and
    # arguments give another address in another request.
    assert not any(app.url_default_functions.values())
    assert not any(app.url_value_preprocessors.values())


def test_cached_addresses_are_flasks_addresses(app):
    endpoints = [
        ("learning.catalogue", {}),
        ("learning.lesson", {"code": "CDS-LD", "slug": "bai-1"}),
        ("quizzes.save", {"attempt_id": 7}),
        ("static", {"filename": "app.css"}),
        ("reports.dashboard", {"unit": "HN"}),
    ]
    url_for = app.jinja_env.globals["url_for"]
    for script_root in ("", "/boiduong"):
        with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
            for endpoint, values in endpoints:
                for _ in range(2):  # built, then from the cache
                    assert url_for(endpoint, **values) == app.url_for(endpoint, **values)
            assert url_for("learning.catalogue").startswith(f"{script_root}/courses")
            external = url_for("learning.catalogue", _external=True)
            assert external == app.url_for("learning.catalogue", _external=True)


def test_the_menu_section_follows_the_page():
    assert fragments.section_of("learning.lesson") == "courses"
    assert fragments.section_of("learning.my_learning") == "my_learning"
    assert fragments.section_of("profiles.my_profile") == "my_profile"
    assert fragments.section_of("profiles.cadres") == "cadres"
    assert fragments.section_of("teach.index") == "teaching"
    assert fragments.section_of("assignments.index") == "review"
    assert fragments.section_of("audit.log") == "administration"
    assert fragments.section_of(None) is None and fragments.section_of("auth.login") is None


def test_the_menu_is_the_readers_own_in_their_language(make_user, auth, client):
    make_user("hoc@example.vn")
    make_user("quantri@example.vn", role="admin")
    auth.login("hoc@example.vn")
    learner_page = client.get("/courses/").get_data(as_text=True)
    assert "Học tập của tôi" in learner_page and "Quản trị" not in learner_page
    assert 'href="/courses/" aria-current="page"' in learner_page
    auth.post("/language", {"language": "en", "next": "/my"})
    english = client.get("/my").get_data(as_text=True)
    assert "My learning" in english and "Học tập của tôi" not in english
    assert 'href="/my" aria-current="page"' in english
    auth.logout()
    with client.session_transaction() as session:
        session.clear()
    auth.login("quantri@example.vn")
    admin_page = client.get("/courses/").get_data(as_text=True)
    assert "Quản trị" in admin_page and "Cadres" not in admin_page
    auth.logout()
    auth.login("hoc@example.vn")  # the learner chose English: their menu, not the admin's
    again = client.get("/courses/").get_data(as_text=True)
    assert "Administration" not in again and "Course catalogue" in again


def test_translations_follow_force_locale_inside_a_request(app):
    with app.test_request_context("/"):
        template = "{{ _('My learning') }}"
        assert render_template_string(template) == "Học tập của tôi"
        with force_locale("en"):
            assert render_template_string(template) == "My learning"
        assert render_template_string(template) == "Học tập của tôi"


def test_a_logged_in_page_and_the_quiz_pages_read_what_they_need_once(
    app, learner, quiz_course, auth, client, count_queries
):
    quiz_course()
    auth.post("/courses/KT-01/enrol", token_from="/courses/KT-01")
    started = auth.post("/courses/KT-01/quizzes/kiem-tra/start", token_from="/courses/KT-01")
    attempt = started.headers["Location"]
    html = client.get(attempt).get_data(as_text=True)
    field, value = re.search(r'type="radio" name="([^"]+)" value="([^"]+)"', html).groups()
    token = csrf_token(client, attempt)

    def reads(statements, table):
        return [s for s in statements if s.lstrip().startswith("SELECT") and f"FROM {table}" in s]

    with count_queries() as page:
        assert client.get(attempt).status_code == 200
    with count_queries() as save:
        response = client.post(
            f"{attempt}/save",
            data={"csrf_token": token, "qids": field.removeprefix("q-"), field: value},
            headers={"X-Requested-With": "fetch"},
        )
    assert response.status_code == 200 and response.get_json()["saved"], response.get_data(as_text=True)
    for counter in (page, save):
        assert len(reads(counter.statements, "login_sessions")) == 1  # identity, checked every time
        assert len(reads(counter.statements, "quiz_attempts")) == 1  # the guard's row, reused


def test_every_template_sees_every_global_the_app_registers(app):
    # Templates get the globals as a dict made when they load (app/templating.py): the app
    # registers them all while it is created, before the first page.
    with app.test_request_context("/"):
        template = app.jinja_env.get_template("base.html")
    assert set(app.jinja_env.globals) <= set(template.globals)
    for name in ("url_for", "fragment", "policy", "csrf_token", "get_locale", "gettext", "label"):
        assert name in template.globals


def test_a_lesson_outline_follows_the_lessons_done(app, learner, course, auth, client):
    # The outline and pager are cached per edition, lesson and lessons done (app/fragments.py):
    # marking a lesson done shows at once, on this page and the next.
    auth.post("/courses/KH-01/enrol", token_from="/courses/KH-01")
    first = client.get("/courses/KH-01/lessons/mo-dau").get_data(as_text=True)
    assert 'class="check"' not in first and 'rel="next"' in first
    auth.post("/courses/KH-01/lessons/mo-dau/complete", token_from="/courses/KH-01/lessons/mo-dau")
    again = client.get("/courses/KH-01/lessons/mo-dau").get_data(as_text=True)
    assert again.count('class="check"') == 1
    second = client.get("/courses/KH-01/lessons/du-lieu").get_data(as_text=True)
    assert second.count('class="check"') == 1 and 'rel="prev"' in second


def test_a_form_token_is_signed_once_a_minute_and_replaced_by_a_login(make_user, auth, client, monkeypatch):
    signed, clock = [], [1000.0]
    real = security.generate_csrf
    monkeypatch.setattr(security, "generate_csrf", lambda: signed.append(1) or real())
    monkeypatch.setattr(security.time, "monotonic", lambda: clock[0])
    make_user("hoc@example.vn")
    before_login = csrf_token(client, "/login")
    auth.login("hoc@example.vn")
    first = csrf_token(client, "/courses/")
    assert first != before_login  # a login replaces the token
    count = len(signed)
    clock[0] += 30
    assert csrf_token(client, "/my") == first and len(signed) == count  # reused, not signed again
    # the reused token is good for a form
    response = client.post("/language", data={"csrf_token": first, "language": "en", "next": "/my"})
    assert response.status_code == 302
    clock[0] += security.CSRF_TOKEN_REUSE_SECONDS
    csrf_token(client, "/my")
    assert len(signed) == count + 1  # a minute on: signed anew
    auth.logout()
    assert csrf_token(client, "/login") != first
