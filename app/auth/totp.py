"""The second factor: time-based one-time passwords (RFC 6238, any authenticator app) and ten
single-use recovery codes. Required of every admin unless the city turns it off explicitly.

A code is accepted for the current 30-second step or the one before or after (clocks drift), and
never for a step at or before the last one accepted, so a code seen over a shoulder cannot be
used again.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from datetime import datetime

import pyotp
import segno
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.auth import sessions
from app.auth.service import audit_account, require_manage
from app.errors import ValidationFailed
from app.models import RecoveryCode, User
from app.models.base import utcnow

ISSUER = "Boiduong"
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (0/o, 1/l/i)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG, drawn on the server."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False, svgclass="qr")
    return out.getvalue().decode("ascii")


def _clean(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch.isalnum()).lower()


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step (of now-1, now, now+1) whose code is `code`, or None."""
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    for candidate in (step, step - 1, step + 1):
        if secrets.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace the account's recovery codes with ten new ones, returned once (stored as hashes)."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(c)) for c in codes)
    session.flush()
    return codes


def confirm_enrolment(
    session: Session, user: User, secret: str, code: str, now: datetime | None = None
) -> list[str]:
    """Turn the second factor on once the person proves their app has `secret`. Returns the new
    recovery codes. Raises ValidationFailed (field "code") for a wrong code."""
    step = _matching_step(secret, _clean(code), now or utcnow())
    if step is None:
        raise ValidationFailed(
            _l("This code is not right. Check the time on your phone and try again."), field="code"
        )
    enable(session, user, secret, step)
    codes = new_recovery_codes(session, user)
    audit_account(session, user, "enrol_second_factor", user)
    return codes


def enable(session: Session, user: User, secret: str, last_step: int | None = None) -> None:
    """Turn the second factor on with `secret` (confirmed by the caller)."""
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = last_step
    session.flush()


def verify(session: Session, user: User, code: str, now: datetime | None = None) -> bool:
    """Check a login's second factor: a current code from the app or an unused recovery code.
    A code from the app is accepted once; a recovery code is used up."""
    if user.totp_secret is None:
        return False
    cleaned = _clean(code)
    if len(cleaned) == 6 and cleaned.isdigit():
        step = _matching_step(user.totp_secret, cleaned, now or utcnow())
        if step is None:
            return False
        taken = session.execute(
            update(User)
            .where(User.id == user.id, (User.totp_last_step.is_(None)) | (User.totp_last_step < step))
            .values(totp_last_step=step)
        )
        return taken.rowcount == 1
    row = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_hash(cleaned),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    taken = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if taken.rowcount == 1:
        audit_account(session, user, "use_recovery_code", user)
        return True
    return False


def recovery_codes_left(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )


def reset(session: Session, actor, user: User) -> None:
    """An admin within scope removes an account's second factor (a lost phone): the person sets it
    up again at their next login, and every login of the account ends now."""
    require_manage(session, actor, user)
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.flush()
    sessions.end_all(session, user.id, "second_factor_reset")
    audit_account(session, actor, "reset_second_factor", user)
