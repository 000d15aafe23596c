"""Vietnamese first, English on request; every user-facing string is translated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from tests.helpers import csrf_token

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "app" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"


def test_pages_are_vietnamese_by_default(learner, course, client):
    html = client.get("/courses/").get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "Danh mục khoá học" in html and "Học tập của tôi" in html


def test_login_page_is_vietnamese_and_switches_to_english(client):
    assert "Đăng nhập" in client.get("/login").get_data(as_text=True)
    token = csrf_token(client, "/login")
    response = client.post("/language", data={"language": "en", "next": "/login", "csrf_token": token})
    assert response.headers["Location"] == "/login"
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html and "Log in" in html


def test_a_users_choice_of_english_is_remembered_on_their_account(make_user, auth, client, app):
    make_user()
    auth.login()
    auth.post("/language", {"language": "en", "next": "/courses/"})
    auth.logout()
    with client.session_transaction() as session:
        session.clear()
    auth.login()
    html = client.get("/courses/").get_data(as_text=True)
    assert "Course catalogue" in html and "My learning" in html


def test_unknown_language_is_ignored(client):
    token = csrf_token(client, "/login")
    client.post("/language", data={"language": "fr", "csrf_token": token})
    assert '<html lang="vi">' in client.get("/login").get_data(as_text=True)


def test_every_message_in_the_code_has_a_vietnamese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [
            str(pybabel),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            "app",
            "templates",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    assert len(wanted) > 100
    with CATALOG.open("rb") as f:
        catalog = read_po(f)
    missing = []
    for msgid in sorted(wanted):
        message = catalog.get(msgid)
        text = message.string if message else None
        if isinstance(text, tuple | list):
            text = text[0]
        if not text or (message and message.fuzzy):
            missing.append(msgid)
    assert not missing, f"untranslated (run 'make extract-messages' and translate): {missing}"
