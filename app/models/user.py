"""Login accounts, their sessions, reset links and second factor."""

from __future__ import annotations

import enum
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.models.base import Base, utcnow
from app.models.org import Unit


def password_hash_method() -> str:
    """Werkzeug's method for new password hashes: the PASSWORD_HASH_METHOD setting (scrypt)."""
    return current_app.config["PASSWORD_HASH_METHOD"]


class Role(enum.StrEnum):
    LEARNER = "learner"
    TRAINER = "trainer"
    ADMIN = "admin"


class User(UserMixin, Base):
    """A person who logs in: a learner (cadre), a trainer or an admin."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('learner', 'trainer', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.LEARNER.value)
    locale: Mapped[str | None] = mapped_column(String(8))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # An admin's unit is the subtree it administers (none: city-wide). For other accounts it is the
    # unit they were created in; once linked to a cadre profile, the profile's unit counts instead.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # May record the competent authority's override of an ineligible appointment.
    can_override: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    password_changed_at: Mapped[datetime | None]
    # Time-based one-time passwords (RFC 6238): the shared secret (base32), when it was confirmed,
    # and the last time step accepted, so that a code is never accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None]

    # Loaded with the account in the same statement: the policy reads the unit's path.
    unit: Mapped[Unit | None] = relationship(lazy="joined", foreign_keys=[unit_id])

    # The LoginSession this account was loaded through (set by the loader; not a column).
    login_session = None

    def get_id(self) -> str | None:
        """What Flask-Login keeps in the cookie: the login session's token, never the account id,
        so that ending the session on the server ends the cookie too."""
        return self.login_session.token if self.login_session is not None else None

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=password_hash_method())
        self.password_changed_at = utcnow()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None

    def has_role(self, *roles: Role) -> bool:
        return self.role in {r.value for r in roles}

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginSession(Base):
    """One login: a browser that logged in, until it logs out, idles out or is ended.

    The cookie carries a random token; the database keeps only its SHA-256, so a copy of the
    database opens no session. Ending the row ends the cookie at its next request.
    """

    __tablename__ = "login_sessions"
    __table_args__ = (Index("ix_login_sessions_user_id", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    # Whether this login passed the second factor (TOTP or a recovery code).
    second_factor: Mapped[bool] = mapped_column(default=False, server_default=false())
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(30))

    # The token itself, known only in the request that created or presented it (not a column).
    token = None

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class PasswordReset(Base):
    """A one-time link to set a new password, issued by an admin (there is no mail yet): shown once,
    kept as a hash, valid 24 hours, used at most once."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class RecoveryCode(Base):
    """One of the ten single-use codes that stand in for the authenticator app (kept as hashes)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]
