"""A cadre's profile: the cadre's own page, the page an admin opens, and the printable dossier."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import select

from app.access import AUDITED_VIEW, LOGGED_IN, VIEW_PROFILE, allow
from app.extensions import db
from app.labels import place_and_date
from app.models import Cadre
from app.profiles.blueprint import bp, today
from app.profiles.labels import wording
from app.profiles.pages import (
    audit_view,
    cadre_for_viewer,
    issuing_body,
    legal_bases,
    profile_page,
)


def _page(template: str, cadre: Cadre, **extra):
    page = profile_page(db.session, current_user, cadre, today())
    if extra.pop("cite", False):
        extra["bases"] = legal_bases(page.evaluations)
    return render_template(template, **extra, **page.parts(), **wording(page.names))


@bp.route("/me")
@allow(LOGGED_IN)
def my_profile():
    cadre = db.session.scalar(select(Cadre).where(Cadre.user_id == current_user.id))
    if cadre is None:
        return render_template("profiles/no_profile.html")
    return _page("profiles/profile.html", cadre, owner=True)


@bp.route("/cadres/<int:cadre_id>")
@allow(VIEW_PROFILE, get_writes=AUDITED_VIEW)
def profile(cadre_id: int):
    cadre = cadre_for_viewer(db.session, current_user, cadre_id)
    audit_view(db.session, current_user, "view_profile", cadre)
    return _page("profiles/profile.html", cadre, owner=cadre.user_id == current_user.id)


@bp.route("/cadres/<int:cadre_id>/print")
@allow(VIEW_PROFILE, get_writes=AUDITED_VIEW)
def dossier(cadre_id: int):
    cadre = cadre_for_viewer(db.session, current_user, cadre_id)
    audit_view(db.session, current_user, "print_profile", cadre)
    parent, unit = issuing_body(cadre)
    return _page(
        "profiles/dossier.html",
        cadre,
        parent_unit=parent,
        issuing_unit=unit,
        dated=place_and_date(today()),
        signer=current_user.full_name,
        cite=True,
    )
