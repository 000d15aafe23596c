"""Accounts: creating them within the actor's scope, passwords, deactivation and reset links.

Every function that changes an account takes the actor and asks the policy (`app.policy`) itself,
so the admin pages, the command line (actor `policy.SYSTEM`) and imports share one rule; each
change is audited, and a change that should end the account's logins ends them.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app import policy
from app.auth import sessions
from app.auth.passwords import check_password
from app.errors import Conflict, NotFound, ValidationFailed
from app.models import PasswordReset, Role, Unit, User
from app.models.base import utcnow
from app.models.user import password_hash_method
from app.org import audit
from app.org.units import account_home, account_unit_path
from app.text import nfc

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
RESET_LIFETIME = timedelta(hours=24)


@cache
def _dummy_hash(method: str) -> str:
    """Checked when the e-mail is unknown too, so a wrong e-mail costs the same time as a wrong
    password and the answer's timing does not tell whether an account exists."""
    return generate_password_hash("not-a-real-password", method=method)


def normalise_email(email: str) -> str:
    return nfc(email).strip().lower()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def require_manage(session: Session, actor, user: User) -> None:
    """PermissionDenied unless `actor` may administer this account."""
    policy.require(policy.can_manage_account(actor, account_unit_path(session, user)), "outside your unit")


def audit_account(session: Session, actor, action: str, user: User, **detail) -> None:
    """An audit entry about an account, readable by the admins over its home unit."""
    audit.record(
        session,
        actor,
        action,
        "user",
        user.id,
        unit_id=home.id if (home := account_home(session, user)) else None,
        email=user.email,
        **detail,
    )


def create_user(
    session: Session,
    actor,
    email: str,
    password: str,
    role: Role | str,
    full_name: str = "",
    *,
    unit: Unit | None = None,
    can_override: bool = False,
) -> User:
    """Create an account in `unit` (for an admin: the subtree it administers; None: city-wide).

    Raises ValidationFailed for bad input (naming the field), PermissionDenied when the actor may
    not grant this role in this unit, Conflict when the e-mail exists.
    """
    email = normalise_email(email)
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise ValidationFailed(_l("This is not a valid e-mail address."), field="email")
    try:
        role = Role(role)
    except ValueError:
        raise ValidationFailed(_l("Unknown role."), field="role") from None
    policy.require(
        policy.can_grant(actor, role.value, unit.path if unit else None, override=can_override),
        "may not grant this role in this unit",
    )
    full_name = nfc(full_name).strip() or email.split("@")[0]
    check_password(password, email=email, full_name=full_name)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"an account with e-mail {email} already exists")
    user = User(
        email=email,
        full_name=full_name,
        role=role.value,
        unit_id=unit.id if unit else None,
        can_override=can_override,
        created_by_id=getattr(actor, "id", None),
    )
    user.set_password(password)
    session.add(user)
    session.flush()
    session.refresh(user)  # its unit, for the audit entry and the caller
    audit_account(
        session,
        actor,
        "create_account",
        user,
        role=role.value,
        unit=unit.code if unit else "",
        override=can_override,
    )
    return user


def get_user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
    if user is None:
        raise NotFound(email)
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None (without saying which part was wrong)."""
    user = session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
    if user is None:
        check_password_hash(_dummy_hash(password_hash_method()), password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def _set_password(session: Session, user: User, password: str) -> None:
    check_password(password, email=user.email, full_name=user.full_name)
    user.set_password(password)
    session.flush()
    sessions.end_all(session, user.id, "password_changed")


def change_own_password(session: Session, user: User, current: str, new: str) -> None:
    """The account holder changes their password: the current one is asked for. Every login of the
    account ends (the caller starts a new one for this browser). Raises ValidationFailed."""
    if not user.check_password(current):
        raise ValidationFailed(_l("This is not your current password."), field="current_password")
    _set_password(session, user, new)
    audit_account(session, user, "change_password", user)


def set_password(session: Session, actor, user: User, new: str) -> None:
    """An admin within scope (or the command line) sets a password; every login of the account ends."""
    require_manage(session, actor, user)
    _set_password(session, user, new)
    audit_account(session, actor, "set_password", user)


def set_active(session: Session, actor, user: User, active: bool) -> None:
    """Deactivate (every login ends at once) or reactivate an account."""
    require_manage(session, actor, user)
    if getattr(actor, "id", None) == user.id and not active:
        raise Conflict("you cannot deactivate your own account")
    if user.is_active_account == active:
        return
    user.is_active_account = active
    session.flush()
    if not active:
        sessions.end_all(session, user.id, "deactivated")
    audit_account(session, actor, "reactivate_account" if active else "deactivate_account", user)


def update_access(
    session: Session,
    actor,
    user: User,
    *,
    role: str,
    unit: Unit | None,
    can_override: bool,
    full_name: str | None = None,
) -> str:
    """Change an account's name, role, unit or override permission. Both the account as it is and
    as it will be must be the actor's to grant; the account's logins end when its access changes
    (not for a new name). Audited with the old and new values. Returns what changed: "access" (the
    role, unit or permission, and maybe the name), "name" (only the name), or "" (nothing)."""
    require_manage(session, actor, user)
    if role not in {r.value for r in Role}:
        raise ValidationFailed(_l("Unknown role."), field="role")
    policy.require(
        policy.can_grant(actor, role, unit.path if unit else None, override=can_override),
        "may not grant this role in this unit",
    )
    name = nfc(full_name or "").strip() or user.full_name
    before = (user.role, user.unit_id, user.can_override)
    after = (role, unit.id if unit else None, can_override)
    if getattr(actor, "id", None) == user.id and before != after:
        raise Conflict("you cannot change your own access")
    if before == after and name == user.full_name:
        return ""
    old_unit = user.unit.code if user.unit else ""
    old_name = user.full_name
    user.role, user.unit_id, user.can_override = after
    user.full_name = name
    session.flush()
    session.refresh(user)
    if before != after:
        sessions.end_all(session, user.id, "access_changed")
    audit_account(
        session,
        actor,
        "change_access",
        user,
        name=_change(old_name, name),
        role=_change(before[0], role),
        unit=_change(old_unit, unit.code if unit else ""),
        override=_change(before[2], can_override),
    )
    return "access" if before != after else "name"


def _change(old, new) -> str:
    """An audited value: "old -> new" when it changed, else the value."""
    return f"{old} -> {new}" if old != new else str(new)


def end_sessions(session: Session, actor, user: User) -> int:
    """An admin signs an account out everywhere."""
    require_manage(session, actor, user)
    ended = sessions.end_all(session, user.id, "signed_out_by_admin")
    audit_account(session, actor, "end_all_sessions", user, sessions=ended)
    return ended


def issue_reset(session: Session, actor, user: User) -> str:
    """A one-time link token to set a new password (valid 24 hours, single use). Returns the token,
    which is shown once and stored only as a hash; earlier unused tokens of the account stop working."""
    require_manage(session, actor, user)
    now = utcnow()
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(
            token_hash=token_hash(token),
            user_id=user.id,
            created_by_id=getattr(actor, "id", None),
            expires_at=now + RESET_LIFETIME,
        )
    )
    session.flush()
    audit_account(session, actor, "issue_reset_link", user)
    return token


def reset_target(session: Session, token: str) -> tuple[PasswordReset, User]:
    """The reset and account a link token opens; NotFound when unknown, used or expired."""
    row = session.execute(
        select(PasswordReset, User)
        .join(User, User.id == PasswordReset.user_id)
        .where(PasswordReset.token_hash == token_hash(token))
    ).first()
    if row is None or row[0].used_at is not None or row[0].expires_at <= utcnow() or not row[1].is_active:
        raise NotFound("reset link")
    return row[0], row[1]


def use_reset(session: Session, token: str, new: str) -> User:
    """Set a new password through a reset link, which is then used up; every login ends."""
    reset, user = reset_target(session, token)
    _set_password(session, user, new)
    taken = session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if taken.rowcount != 1:  # used at the same moment by another request
        raise NotFound("reset link")
    audit_account(session, user, "use_reset_link", user)
    return user
