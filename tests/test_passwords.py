"""The password policy: what a person choosing a password is refused, and told, and what passes."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from flask_babel import force_locale

from app.auth.passwords import MIN_LENGTH, check_password
from app.errors import ValidationFailed
from tests.helpers import PASSWORD

COMMON_LIST = Path(__file__).resolve().parent.parent / "app" / "auth" / "common_passwords.txt"
LAN = {"email": "hocvien@demo.boiduong.vn", "full_name": "Nguyễn Thị Lan"}


def refusal(password: str, **identity) -> str:
    """The message a refused password gets (English, outside a request)."""
    with pytest.raises(ValidationFailed) as caught:
        check_password(password, **identity)
    assert caught.value.field == "password"
    message = str(caught.value.message)
    assert message.strip()
    return message


@pytest.mark.parametrize("password", ["", "          ", " \t \n "])
def test_empty_or_only_spaces_is_refused(password):
    assert "spaces" in refusal(password)


@pytest.mark.parametrize("password", ["Xk7#Lq2p", "mây trời"])
def test_short_password_is_refused_with_the_minimum(password):
    assert str(MIN_LENGTH) in refusal(password)


def test_length_counts_vietnamese_letters_once_however_they_were_typed():
    typed_decomposed = unicodedata.normalize("NFD", "Đời sống!")
    assert len(typed_decomposed) > MIN_LENGTH  # 9 letters, 13 code points
    assert str(MIN_LENGTH) in refusal(typed_decomposed)
    check_password(unicodedata.normalize("NFD", "Đời sống!!"))


def test_spaces_at_either_end_do_not_count_towards_the_length():
    assert str(MIN_LENGTH) in refusal("  Xk7#Lq2p  ")


@pytest.mark.parametrize(
    "password",
    [
        "hocvien@demo.boiduong.vn",
        "  HocVien@Demo.Boiduong.VN ",
        "hocvien",
        "hocvien2024!",
        "Nguyễn Thị Lan",
        "nguyenthilan",
        "Nguyen Thi Lan 1990",
        "nguyen.thi.lan",
    ],
)
def test_own_email_or_name_is_refused(password):
    assert "name" in refusal(password, **LAN)


def test_own_name_is_only_refused_for_its_owner():
    check_password("nguyenthilan1990", email="giangvien@demo.boiduong.vn", full_name="Trần Văn Minh")


@pytest.mark.parametrize(
    "password",
    [
        "12345678",
        "aaaaaaaa",
        "1234567890",
        "0987654321",
        "qwertyuiop",
        "1qaz2wsx3edc",
        "matkhau123",
        "Matkhau@2024",
        "Mật khẩu 2024",
        "password1!",
        "Password123!",
        "P@ssw0rd2025",
        "anhyeuem2024",
        "iloveyou!!!",
        "vietnam1945",
        "hanoi2025",
        "boiduong2025",
        "congchuc@123",
    ],
)
def test_common_password_is_refused_even_with_digits_or_symbols_added(password):
    assert "common" in refusal(password)


def test_every_password_of_the_list_is_refused_as_common_in_any_case():
    lines = COMMON_LIST.read_text(encoding="utf-8").splitlines()
    entries = [line for line in lines if line.strip() and not line.startswith("#")]
    assert len(entries) >= 1000
    accepted = [e for e in entries if "common" not in refusal(e) or "common" not in refusal(e.upper())]
    assert not accepted


@pytest.mark.parametrize(
    "password",
    ["aaaaaaaaaaaa", "abcabcabcabc", "hanoihanoi2025", "zyxwvutsrq", "abcdefghijkl", "1357913579"],
)
def test_repeats_and_runs_are_refused(password):
    assert "repeats" in refusal(password)


@pytest.mark.parametrize(
    "password",
    [
        PASSWORD,
        "Học tập suốt đời 2026",
        "mùa thu Hà Nội có hoa sữa",
        "the river flows past my window",
        "password manager for the office",
        "Sông Hồng 1975!",
        "9182736450",
    ],
)
def test_passphrases_and_unpredictable_passwords_are_accepted(password):
    check_password(password, **LAN)


@pytest.mark.parametrize(
    ("password", "email", "full_name"),
    [
        ("hocvien-demo", "hocvien@demo.boiduong.vn", "Nguyễn Thị Lan"),
        ("giangvien-demo", "giangvien@demo.boiduong.vn", "Trần Văn Minh"),
        ("quantri-demo", "quantri@demo.boiduong.vn", "Lê Hoàng Nam"),
        ("quantri-phuong-demo", "quantri.phuong@demo.boiduong.vn", "Phan Thị Hạnh"),
        ("canbo-demo", "canbo@demo.boiduong.vn", "Phạm Quốc Hùng"),
        (PASSWORD, "learner@example.vn", "Nguyễn Văn An"),
    ],
)
def test_demo_and_test_accounts_passwords_are_accepted(password, email, full_name):
    check_password(password, email=email, full_name=full_name)


def test_refusal_is_told_in_vietnamese_to_a_vietnamese_reader(app):
    with pytest.raises(ValidationFailed) as caught:
        check_password("matkhau123")
    with app.app_context(), force_locale("vi"):
        assert str(caught.value.message).startswith("Mật khẩu này quá phổ biến")
