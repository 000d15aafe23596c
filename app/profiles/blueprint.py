"""The profiles Blueprint, shared by the profile pages' view modules (profile_views, record_views,
decision_views, requirement_views, list_views), and the day those pages speak of."""

from __future__ import annotations

from datetime import date

from flask import Blueprint

from app.clock import local_today

bp = Blueprint("profiles", __name__)


def today() -> date:
    """The pages' today: every profile page asks here, so a test can move the day of all of them."""
    return local_today()
