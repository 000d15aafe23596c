"""Admin review: the completion dashboard with its drill-down, the exports, the hours report."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app import params
from app.access import AUDITED_VIEW, REVIEW, allow
from app.clock import local_today
from app.courses.categories import category_choices
from app.courses.listing import current_courses
from app.courses.review import review_due
from app.exports import csv_response, xlsx_response
from app.extensions import db
from app.models import Course
from app.org import audit
from app.reports import exports
from app.reports.dashboard import cadre_rows, completions_by_month, rolled_up
from app.reports.filters import Filters, get_scope_unit
from app.reports.hours import hours_report, hours_table, short_cadres

bp = Blueprint("reports", __name__)


def _filters() -> Filters:
    codes = params.codes("course")
    ids = tuple(db.session.scalars(select(Course.id).where(Course.code.in_(codes)))) if codes else ()
    category = params.choice("category", dict(category_choices()))
    return Filters(ids, category, params.day("start"), params.day("end"))


# The query parameters a report page carries over into its links (the filters). Only these: a
# template that passed every parameter on to `url_for` failed on `?what=`, `?fmt=` or `?_scheme=`.
FILTER_ARGS = ("unit", "course", "category", "start", "end", "below")


def _unit():
    return get_scope_unit(db.session, params.code("unit"), current_user.unit)


@bp.route("/")
@allow(REVIEW)
def dashboard():
    unit = _unit()
    filters = _filters()
    total, rows = rolled_up(db.session, unit, filters)
    below = params.percent("below")
    if below is not None:
        rows = [r for r in rows if r.stats.rate is not None and r.stats.rate < below]
    return render_template(
        "reports/dashboard.html",
        unit=unit,
        total=total,
        rows=rows,
        filters=filters,
        courses=current_courses(db.session),
        categories=category_choices(),
        months=completions_by_month(db.session, unit, filters),
        args=params.only(*FILTER_ARGS),
        below=below,
        trail=_trail(unit),
        review=review_due(db.session),
        today=local_today(),
    )


def _trail(unit):
    trail = []
    scope = current_user.unit
    while unit is not None:
        trail.append(unit)
        if scope is not None and unit.id == scope.id:
            break
        unit = unit.parent
    return list(reversed(trail))


@bp.route("/cadres")
@allow(REVIEW, get_writes=AUDITED_VIEW)
def cadres():
    unit = _unit()
    if unit is None:
        return redirect(url_for("reports.dashboard"))
    filters = _filters()
    audit.record(db.session, current_user, "view_unit_cadres", "unit", unit.id, unit_id=unit.id)
    return render_template(
        "reports/cadres.html",
        unit=unit,
        rows=cadre_rows(db.session, unit, filters),
        args=params.only(*FILTER_ARGS),
        trail=_trail(unit),
    )


@bp.route("/export.<fmt>")
@allow(REVIEW, get_writes=AUDITED_VIEW)
def export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    what = params.choice("what", exports.KINDS, exports.UNITS, strict=True)
    unit = _unit()
    filters = _filters()
    if what in exports.PERSONAL:
        audit.record(
            db.session,
            current_user,
            "export",
            "unit",
            unit.id if unit else None,
            unit_id=unit.id if unit else None,
            what=what,
            format=fmt,
        )
    rows = exports.export_rows(db.session, what, unit, filters)
    name = f"{what}-{unit.code if unit else 'HN'}.{fmt}"
    return csv_response(rows, name) if fmt == "csv" else xlsx_response(rows, name)


@bp.route("/hours")
@allow(REVIEW)
def hours():
    unit = _unit()
    year = params.year("year", local_today().year)
    target = current_app.config["ANNUAL_HOURS_TARGET"]
    rows, categories = hours_report(db.session, unit, year, target)
    short = short_cadres(db.session, unit, year, target) if unit is not None and target else []
    if request.args.get("format") == "csv":
        return csv_response(hours_table(rows, categories), f"hours-{year}.csv")
    return render_template(
        "reports/hours.html",
        unit=unit,
        rows=rows,
        categories=categories,
        year=year,
        target=target,
        short=short,
        trail=_trail(unit),
        args=params.only("unit", "year"),
    )
