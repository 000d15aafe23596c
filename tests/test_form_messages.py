"""WTForms' own messages (required, too long, out of range, not a date) in the reader's language."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from flask_wtf import FlaskForm

from app.auth.forms import LoginForm
from app.forms import Form
from app.profiles.forms import TrainingForm
from tests.helpers import csrf_token

BAD_TRAINING = {
    "programme": "",
    "issuer": "x" * 201,
    "completed_on": "",
    "valid_until": "ngày mai",
    "hours": "5000",
    "score": "abc",
}


def _errors(app, form_class, data: dict, locale: str) -> dict[str, list[str]]:
    with app.test_request_context(method="POST", data=data), force_locale(locale):
        form = form_class(meta={"csrf": False})
        if hasattr(form, "category"):
            form.category.choices = [("", "")]
        assert not form.validate()
        return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "vi",
            {
                "programme": ["Vui lòng điền mục này."],
                "issuer": ["Mục này không được dài quá 200 ký tự."],
                "completed_on": ["Vui lòng điền mục này."],
                "valid_until": ["Ngày không hợp lệ (ghi theo dạng ngày/tháng/năm)."],
                "hours": ["Số phải trong khoảng từ 0 đến 2000."],
                "score": ["Vui lòng nhập một số.", "Số phải trong khoảng từ 0 đến 100."],
            },
        ),
        (
            "en",
            {
                "programme": ["This field is required."],
                "issuer": ["Field cannot be longer than 200 characters."],
                "completed_on": ["This field is required."],
                "valid_until": ["Not a valid date value."],
                "hours": ["Number must be between 0 and 2000."],
                "score": ["Not a valid decimal value.", "Number must be between 0 and 100."],
            },
        ),
    ],
)
def test_the_built_in_messages_are_in_the_reader_s_language(app, locale, expected):
    assert _errors(app, TrainingForm, BAD_TRAINING, locale) == expected


def test_the_login_page_says_what_is_missing_in_vietnamese(app, client):
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": "", "password": "", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert html.count("Vui lòng điền mục này.") == 2
    assert "This field is required." not in html


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_with_fields_reads_its_messages_from_the_app(app):
    """A form built on FlaskForm directly would show WTForms' English again (the app is created,
    so every module with a form has been imported)."""
    forms = {cls for cls in _subclasses(FlaskForm) if cls.__module__.startswith("app.")} - {Form}
    assert len(forms) >= 15
    assert [cls.__qualname__ for cls in forms if not issubclass(cls, Form)] == []
    assert _errors(app, LoginForm, {}, "vi") == {
        "email": ["Vui lòng điền mục này."],
        "password": ["Vui lòng điền mục này."],
    }


def test_the_admin_menu_and_the_assignment_form_use_their_own_words(app, make_user, auth, client):
    """ "Review" (the dashboard) and "Name" (an assignment's) each had a translation meant for
    another place: the quiz review's "Xem lại bài làm" and a person's "Họ và tên"."""
    make_user("quantri@example.vn", "admin")
    auth.login("quantri@example.vn")
    html = client.get("/review/assignments").get_data(as_text=True)
    assert "Theo dõi bồi dưỡng" in html and "Xem lại bài làm" not in html
    assert "Tên đợt giao khoá học" in html and "Họ và tên" not in html
