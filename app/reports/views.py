"""Admin review: completion dashboard with drill-down, exports, assignments."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app import params
from app.access import AUDITED_VIEW, REVIEW, allow
from app.clock import local_today
from app.courses.categories import category_choices
from app.errors import ValidationFailed
from app.exports import csv_response, xlsx_response
from app.extensions import db
from app.form_errors import field_error
from app.models import Course, CourseVersion, Title
from app.org import audit
from app.reports import service

bp = Blueprint("reports", __name__)


def _courses() -> list[tuple[Course, CourseVersion]]:
    return list(
        db.session.execute(
            select(Course, CourseVersion)
            .join(
                CourseVersion,
                (CourseVersion.course_id == Course.id)
                & (CourseVersion.number == Course.current_version_number),
            )
            .order_by(CourseVersion.title)
        ).all()
    )


def _filters() -> service.Filters:
    codes = params.codes("course")
    ids = tuple(db.session.scalars(select(Course.id).where(Course.code.in_(codes)))) if codes else ()
    category = params.choice("category", dict(category_choices()))
    return service.Filters(ids, category, params.day("start"), params.day("end"))


# The query parameters a report page carries over into its links (the filters). Only these: a
# template that passed every parameter on to `url_for` failed on `?what=`, `?fmt=` or `?_scheme=`.
FILTER_ARGS = ("unit", "course", "category", "start", "end", "below")


def _unit():
    return service.get_scope_unit(db.session, params.code("unit"), current_user.unit)


@bp.route("/")
@allow(REVIEW)
def dashboard():
    unit = _unit()
    filters = _filters()
    total, rows = service.rolled_up(db.session, unit, filters)
    below = params.percent("below")
    if below is not None:
        rows = [r for r in rows if r.stats.rate is not None and r.stats.rate < below]
    return render_template(
        "reports/dashboard.html",
        unit=unit,
        total=total,
        rows=rows,
        filters=filters,
        courses=_courses(),
        categories=category_choices(),
        months=service.completions_by_month(db.session, unit, filters),
        args=params.only(*FILTER_ARGS),
        below=below,
        trail=_trail(unit),
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
        rows=service.cadre_rows(db.session, unit, filters),
        args=params.only(*FILTER_ARGS),
        trail=_trail(unit),
    )


def _table_rows(unit, filters) -> list[list]:
    total, rows = service.rolled_up(db.session, unit, filters)
    out = [
        [
            "unit_code",
            "unit_name",
            "enrolled",
            "in_progress",
            "completed",
            "completion_rate",
            "average_score",
            "overdue",
        ]
    ]
    for r in rows + ([service.UnitRow(unit, total, False)] if unit else []):
        s = r.stats
        out.append(
            [
                r.unit.code,
                r.unit.name,
                s.enrolled,
                s.in_progress,
                s.completed,
                "" if s.rate is None else round(s.rate, 1),
                "" if s.average_score is None else round(s.average_score, 1),
                s.overdue,
            ]
        )
    return out


# Exports that carry personal data (names, dates of birth): each one is audited.
PERSONAL_EXPORTS = ("cadres", "profiles")


@bp.route("/export.<fmt>")
@allow(REVIEW, get_writes=AUDITED_VIEW)
def export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        return Response(status=404)
    unit = _unit()
    filters = _filters()
    what = params.choice("what", ("cadres", "profiles", "units-tree"), "units")
    exports = {
        "cadres": lambda: service.iter_cadre_export(db.session, unit, filters),
        "profiles": lambda: service.iter_profile_export(db.session, unit),
        "units-tree": lambda: service.iter_unit_export(db.session, unit),
    }
    if what in PERSONAL_EXPORTS:
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
    rows = exports[what]() if what in exports else _table_rows(unit, filters)
    name = f"{what}-{unit.code if unit else 'HN'}.{fmt}"
    return csv_response(rows, name) if fmt == "csv" else xlsx_response(rows, name)


class AssignmentForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=300)])
    courses = SelectMultipleField(_l("Courses"), validators=[DataRequired()])
    target_kind = SelectField(
        _l("Assign to"),
        choices=[
            SelectChoice("unit", _l("A unit and the units below it")),
            SelectChoice("title", _l("Holders of a position")),
            SelectChoice("planning", _l("The planning pool of a position")),
            SelectChoice("cadres", _l("Named cadres")),
        ],
    )
    unit_code = StringField(_l("Unit code"), validators=[Optional(), Length(max=40)])
    title_code = SelectField(_l("Position"), validators=[Optional()])
    employee_codes = TextAreaField(
        _l("Employee codes, one per line"), validators=[Optional(), Length(max=200_000)]
    )
    due_on = DateField(_l("Due date"), validators=[DataRequired()])
    follows_movers = BooleanField(_l("Keep it for cadres who later move to another unit or post"))


@bp.route("/assignments", methods=["GET", "POST"])
@allow(REVIEW)
def assignments():
    scope = current_user.unit
    form = AssignmentForm()
    form.courses.choices = [SelectChoice(c.code, v.title) for c, v in _courses()]
    form.title_code.choices = [SelectChoice("", "—")] + [
        SelectChoice(t.code, t.name) for t in db.session.scalars(select(Title).order_by(Title.rank))
    ]
    if form.validate_on_submit():
        try:
            assignment = service.create_assignment(
                db.session,
                current_user,
                service.AssignmentInput(
                    name=form.name.data or "",
                    course_codes=tuple(form.courses.data or ()),
                    target_kind=form.target_kind.data,
                    due_on=form.due_on.data,
                    unit_code=(form.unit_code.data or "").strip(),
                    title_code=form.title_code.data or "",
                    employee_codes=tuple((form.employee_codes.data or "").split()),
                    follows_movers=form.follows_movers.data,
                ),
                scope,
            )
        except ValidationFailed as exc:
            field_error(form, exc, default="name")
        else:
            flash(_("Assignment “%(name)s” created.", name=assignment.name), "success")
            return redirect(url_for("reports.assignments"))
    return render_template(
        "reports/assignments.html", form=form, summaries=service.assignment_summaries(db.session, scope)
    )


@bp.route("/hours")
@allow(REVIEW)
def hours():
    unit = _unit()
    year = params.year("year", local_today().year)
    target = current_app.config["ANNUAL_HOURS_TARGET"]
    rows, categories = service.hours_report(db.session, unit, year, target)
    short = service.short_cadres(db.session, unit, year, target) if unit is not None and target else []
    if request.args.get("format") == "csv":
        table = [["unit_code", "unit_name", "cadres", *categories, "total", "below_target"]] + [
            [
                r.unit.code,
                r.unit.name,
                r.cadres,
                *[r.by_category.get(c, 0) for c in categories],
                r.total,
                r.short,
            ]
            for r in rows
        ]
        return csv_response(table, f"hours-{year}.csv")
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
