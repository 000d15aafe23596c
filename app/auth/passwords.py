"""Password policy: which new passwords are refused, each refusal said in words its owner can act on."""

from __future__ import annotations

import string
from functools import cache
from importlib.resources import files

from flask_babel import lazy_gettext as _l

from app.errors import ValidationFailed
from app.text import fold, nfc

MIN_LENGTH = 10
# What people add at the end of a word to get past a rule: "matkhau123", "Password1!", "hanoi@2025".
_APPENDED = string.digits + string.punctuation
# Straight runs, read forwards or backwards; the digits go round so "1234567890" and "0987654321" count.
_RUNS = ("0123456789" * 3, "abcdefghijklmnopqrstuvwxyz")
_SHORTEST_PATTERN = 4

_BLANK = _l("Enter a password: spaces alone do not count.")
_PERSONAL = _l("Do not use your e-mail address or your name as your password, even with numbers added.")
_COMMON = _l("This password is too common. Choose one that is harder to guess, such as a short sentence.")
_TOO_SHORT = _l("Use at least %(count)s characters; a short sentence is easy to remember.", count=MIN_LENGTH)
_PREDICTABLE = _l('Avoid repeats and runs such as "aaaa" or "1234"; a short sentence works better.')


def check_password(password: str, *, email: str = "", full_name: str = "") -> None:
    """Refuse a new password that is easy to guess; return None when it is acceptable.

    Letters are compared case-insensitively and with Vietnamese diacritics folded ("Mật Khẩu" is
    "matkhau"). The rules, in the order they are checked:

    1. Not empty and not only spaces.
    2. Not the person's e-mail address, its local part (before "@") or their full name, compared
       without spaces or punctuation ("Nguyễn Văn An" and "nguyen.van.an" are "nguyenvanan"),
       even with digits or punctuation added at the end ("nguyenvanan1990", "hocvien2024!").
       Other words with it are allowed ("hocvien-demo" for hocvien@…).
    3. Not in the list of common passwords (common_passwords.txt), with spaces ignored, nor such a
       password with digits or punctuation added at the end ("matkhau123", "Password1!").
    4. Not predictable: one character or a group shorter than MIN_LENGTH repeated ("aaaaaaaaaa",
       "abcabcabcabc"), or a straight run of letters or digits ("abcdefghij", "9876543210"), alone or
       with digits or punctuation added at the end ("hanoihanoi2025"), from four characters on.
    5. At least MIN_LENGTH characters, counted in Unicode NFC (a Vietnamese letter with its marks is
       one character however it was typed) and without the spaces at either end.

    Raises ValidationFailed(field="password") naming the first rule broken; its message is a lazy
    translation, so it is put into words in the reader's language when shown.
    """
    text = nfc(password).strip()
    if not text:
        raise ValidationFailed(_BLANK, field="password")
    if _is_personal(text, email, full_name):
        raise ValidationFailed(_PERSONAL, field="password")
    key = fold(text).replace(" ", "")
    candidates = {key, key.rstrip(_APPENDED)} - {""}
    if candidates & _common_passwords():
        raise ValidationFailed(_COMMON, field="password")
    if any(_is_predictable(candidate) for candidate in candidates):
        raise ValidationFailed(_PREDICTABLE, field="password")
    if len(text) < MIN_LENGTH:
        raise ValidationFailed(_TOO_SHORT, field="password")


def _letters_and_digits(text: str) -> str:
    return "".join(ch for ch in fold(text) if ch.isalnum())


def _is_personal(password: str, email: str, full_name: str) -> bool:
    email = nfc(email).strip()
    own = {_letters_and_digits(part) for part in (email, email.partition("@")[0], full_name)}
    # Punctuation is already gone, so only trailing digits remain to strip ("hocvien2024!").
    squashed = _letters_and_digits(password)
    return bool({squashed, squashed.rstrip(string.digits)} & (own - {""}))


def _is_predictable(key: str) -> bool:
    if len(key) < _SHORTEST_PATTERN:
        return False
    repeated = any(
        len(key) % size == 0 and key == key[:size] * (len(key) // size)
        for size in range(1, min(MIN_LENGTH, len(key) // 2 + 1))
    )
    return repeated or any(key in run or key in run[::-1] for run in _RUNS)


@cache
def _common_passwords() -> frozenset[str]:
    """The common-password list, folded like the passwords checked against it; read once."""
    lines = files(__package__).joinpath("common_passwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(
        fold(line).replace(" ", "") for line in lines if line.strip() and not line.startswith("#")
    )
