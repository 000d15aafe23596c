"""Accounts: creating users and checking passwords."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app.errors import Conflict, ValidationFailed
from app.models import Role, User
from app.text import nfc

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 8
# Checked when the e-mail is unknown too, so a wrong e-mail costs the same time as a wrong
# password and the answer's timing does not tell whether an account exists.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def normalise_email(email: str) -> str:
    return nfc(email).strip().lower()


def create_user(session: Session, email: str, password: str, role: Role | str, full_name: str = "") -> User:
    """Create an account. Raises ValidationFailed for bad input, Conflict when the e-mail exists."""
    email = normalise_email(email)
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise ValidationFailed(f"not a valid e-mail address: {email!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    try:
        role = Role(role)
    except ValueError:
        raise ValidationFailed(f"unknown role {role!r}") from None
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"an account with e-mail {email} already exists")
    user = User(email=email, full_name=nfc(full_name).strip() or email.split("@")[0], role=role.value)
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None (without saying which part was wrong)."""
    user = session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user
