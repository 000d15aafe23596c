"""The one way to write codes, dates and numbers for a reader (app/labels.py), in both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from app import labels
from app.quizzes.service import accepted_words


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("vi", ("Phường", "Sáp nhập", "Trả lời bằng số", "Chuyển đổi số", "Nữ", "Công chức", "cán bộ")),
        (
            "en",
            (
                "Ward",
                "Merged",
                "Numeric answer",
                "Digital transformation",
                "Female",
                "Civil servant",
                "cadres",
            ),
        ),
    ],
)
def test_codes_read_as_words_in_the_readers_language(app, locale, words):
    codes = (
        ("unit_type", "ward"),
        ("unit_event", "merged"),
        ("question_type", "numeric"),
        ("category", "digital-transformation"),
        ("gender", "female"),
        ("staff_type", "civil_servant"),
        ("import_kind", "cadres"),
    )
    with app.test_request_context(), force_locale(locale):
        assert tuple(labels.label(kind, code) for kind, code in codes) == words
        assert labels.label("title", "division-head") == "Trưởng phòng"  # reference data, as shipped
        assert labels.level_label("political-theory", "intermediate") == "Trung cấp"
        assert labels.label("rule_kind", "qualification") != "qualification"
        assert labels.label("unit_type", None) == "—"
        assert labels.label("unit_type", "new-kind") == "new-kind"  # unknown: shown, not hidden


def test_dates_and_numbers_have_one_format(app):
    moment = datetime(2026, 11, 29, 3, 5, tzinfo=UTC)  # 10:05 in Hà Nội
    with app.test_request_context():
        for locale in ("vi", "en"):
            with force_locale(locale):
                assert labels.date_words(date(2026, 11, 29)) == "29/11/2026"
                assert labels.date_words(date(2026, 11, 29), "short") == "29/11/2026"
                assert labels.datetime_words(moment) == "29/11/2026 10:05"
                assert labels.datetime_words(moment, "HH:mm:ss") == "10:05:00"
                assert labels.date_words(None) == "—"
        with force_locale("vi"):
            assert labels.number_words(12.0) == "12"
            assert labels.number_words(4.5) == "4,5"
            assert labels.percent_words(100.0) == "100%"
            assert labels.percent_words(66.666) == "66,7%"
            assert labels.format_score(49.996) == "49,9"  # cut, never rounded past a threshold
        with force_locale("en"):
            assert labels.number_words(4.5) == "4.5"


def test_accepted_answers_read_as_people_write_them(app):
    with app.test_request_context(), force_locale("vi"):
        assert accepted_words("numeric", {"text": "92 +- 0.5", "low": 91.5, "high": 92.5}) == "92 ± 0,5"
        assert accepted_words("numeric", {"text": "3..6", "low": 3.0, "high": 6.0}) == "từ 3 đến 6"
        assert accepted_words("numeric", {"text": "126", "low": 126.0, "high": 126.0}) == "126"
        assert accepted_words("short", {"text": "tổ hoà giải"}) == "tổ hoà giải"
    with app.test_request_context(), force_locale("en"):
        assert accepted_words("numeric", {"text": "3..6", "low": 3.0, "high": 6.0}) == "from 3 to 6"
