"""An admin's lists: the cadres in scope, the unit tree with its history, and the use of cadres
after training."""

from __future__ import annotations

from flask import current_app, jsonify, render_template
from flask_login import current_user
from sqlalchemy import select

from app import params, policy
from app.access import ADMIN, allow
from app.extensions import db
from app.models import Cadre, Title, Unit, UnitChange
from app.org.picker import search_units
from app.profiles.blueprint import bp, today
from app.profiles.reports import use_after_training
from app.text import like_pattern


@bp.route("/cadres/")
@allow(ADMIN)
def cadres():
    query = params.text("q")
    stmt = select(Cadre).where(policy.visible_cadres(current_user)).order_by(Cadre.search_name, Cadre.id)
    if query:
        stmt = stmt.where(
            (Cadre.search_name.like(like_pattern(query), escape="\\"))
            | (Cadre.employee_code == query.upper())
        )
    page = params.paginate(stmt, current_app.config["PAGE_SIZE"])
    unit_ids = {c.unit_id for c in page.items}
    units = (
        {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))} if unit_ids else {}
    )
    titles = dict(db.session.execute(select(Title.code, Title.name)).all())
    return render_template("profiles/cadres.html", page=page, query=query, units=units, titles=titles)


@bp.route("/reports/use-after-training")
@allow(ADMIN)
def use_report():
    courses = params.code("course") or ""
    months = params.clamped("months", 12, 1, 120)
    rows = use_after_training(db.session, current_user, course_code=courses or None, months=months)
    return render_template("profiles/use_report.html", rows=rows, months=months, course=courses)


@bp.route("/units/")
@allow(ADMIN)
def units():
    stmt = select(Unit).where(policy.units_in_scope(current_user)).order_by(Unit.path)
    rows = list(db.session.scalars(stmt))
    by_id = {u.id: u for u in rows}
    successors = {u.successor_id for u in rows if u.successor_id and u.successor_id not in by_id}
    if successors:
        by_id.update({u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(successors)))})
    changes = list(
        db.session.scalars(
            select(UnitChange)
            .where(UnitChange.unit_id.in_([u.id for u in rows]))
            .order_by(UnitChange.effective_on.desc())
            .limit(200)
        )
    )
    return render_template("profiles/units.html", units=rows, by_id=by_id, changes=changes, today=today())


@bp.route("/units/search")
@allow(ADMIN)
def unit_search():
    """The unit picker's answer: up to 20 units of the admin's scope matching `q` (name, with or
    without diacritics, or code), as JSON [{code, name, path}]."""
    found = search_units(db.session, policy.scope_path(current_user), params.text("q", 80))
    response = jsonify([choice.as_dict() for choice in found])
    response.headers["Cache-Control"] = "private, no-store"
    return response
