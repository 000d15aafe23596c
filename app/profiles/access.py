"""Who may see and change which profiles: pure checks, and the same rule as SQL for lists."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from app.models import Cadre, Role, Unit, User
from app.profiles.units import subtree_condition


def is_city_admin(user: User) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN.value and user.unit_id is None


def can_manage_profiles(user: User) -> bool:
    """Admins (city-wide or of a unit) manage profiles; others see only their own."""
    return bool(user.is_authenticated and user.role == Role.ADMIN.value)


def can_view_profile(user: User, cadre: Cadre, cadre_unit_path: str, admin_unit_path: str | None) -> bool:
    """A cadre sees their own profile; a unit admin those in their unit's subtree; a city admin all."""
    if cadre.user_id is not None and cadre.user_id == user.id:
        return True
    if not can_manage_profiles(user):
        return False
    if user.unit_id is None:
        return True
    return admin_unit_path is not None and cadre_unit_path.startswith(admin_unit_path)


def admin_unit(session: Session, user: User) -> Unit | None:
    return session.get(Unit, user.unit_id) if user.unit_id else None


def visible_cadres(session: Session, user: User) -> ColumnElement[bool]:
    """SQL condition on Cadre for the profiles `user` may list (the same rule as can_view_profile)."""
    if is_city_admin(user):
        return true()
    if can_manage_profiles(user):
        unit = admin_unit(session, user)
        return Cadre.unit_id.in_(select(Unit.id).where(subtree_condition(Unit.path, unit.path)))
    return Cadre.user_id == user.id


def unit_path(session: Session, unit_id: int | None) -> str | None:
    return session.scalar(select(Unit.path).where(Unit.id == unit_id)) if unit_id else None


def may_view(session: Session, user: User, cadre: Cadre) -> bool:
    return can_view_profile(
        user, cadre, unit_path(session, cadre.unit_id) or "", unit_path(session, user.unit_id)
    )


def may_act_in_unit(session: Session, user: User, unit: Unit) -> bool:
    """Whether an admin may record decisions for `unit` (inside their subtree, or city-wide)."""
    if is_city_admin(user):
        return True
    own = admin_unit(session, user)
    return can_manage_profiles(user) and own is not None and unit.path.startswith(own.path)
