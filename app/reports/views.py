"""Admin review: completion dashboard with drill-down, exports, assignments."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
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

from app.clock import local_today
from app.courses.categories import category_choices
from app.errors import ValidationFailed
from app.extensions import db
from app.form_errors import field_error
from app.models import Course, CourseVersion, Title
from app.profiles.access import admin_unit
from app.reports import service
from app.security import can_administer, require

bp = Blueprint("reports", __name__)
bp.before_request(require(can_administer))


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
    codes = [c for c in request.args.getlist("course") if c]
    ids = tuple(db.session.scalars(select(Course.id).where(Course.code.in_(codes)))) if codes else ()
    category = request.args.get("category", "")
    if category not in dict(category_choices()):
        category = ""

    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(request.args.get(name, ""))
        except ValueError:
            return None

    return service.Filters(ids, category, day("start"), day("end"))


def _unit():
    return service.get_scope_unit(db.session, request.args.get("unit"), admin_unit(db.session, current_user))


@bp.route("/")
def dashboard():
    unit = _unit()
    filters = _filters()
    total, rows = service.rolled_up(db.session, unit, filters)
    below = request.args.get("below", type=float)
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
        args=request.args,
        below=below,
        trail=_trail(unit),
    )


def _trail(unit):
    trail = []
    scope = admin_unit(db.session, current_user)
    while unit is not None:
        trail.append(unit)
        if scope is not None and unit.id == scope.id:
            break
        unit = unit.parent
    return list(reversed(trail))


@bp.route("/cadres")
def cadres():
    unit = _unit()
    if unit is None:
        return redirect(url_for("reports.dashboard"))
    filters = _filters()
    return render_template(
        "reports/cadres.html",
        unit=unit,
        rows=service.cadre_rows(db.session, unit, filters),
        args=request.args,
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


def _csv_stream(rows) -> Response:
    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        yield "\ufeff"
        for row in rows:
            writer.writerow(row)
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(stream_with_context(generate()), mimetype="text/csv")


def _xlsx(rows) -> Response:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return Response(
        out.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


@bp.route("/export.<fmt>")
def export(fmt: str):
    unit = _unit()
    filters = _filters()
    what = request.args.get("what", "units")
    exports = {
        "cadres": lambda: service.iter_cadre_export(db.session, unit, filters),
        "profiles": lambda: service.iter_profile_export(db.session, unit),
        "units-tree": lambda: service.iter_unit_export(db.session, unit),
    }
    rows = exports[what]() if what in exports else _table_rows(unit, filters)
    if fmt == "csv":
        response = _csv_stream(rows)
    elif fmt == "xlsx":
        response = _xlsx(rows)
    else:
        return Response(status=404)
    name = f"{what}-{unit.code if unit else 'HN'}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


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
def assignments():
    scope = admin_unit(db.session, current_user)
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
            db.session.rollback()
            field_error(form, exc, default="name")
        else:
            db.session.commit()
            flash(_("Assignment “%(name)s” created.", name=assignment.name), "success")
            return redirect(url_for("reports.assignments"))
    return render_template(
        "reports/assignments.html", form=form, summaries=service.assignment_summaries(db.session, scope)
    )


@bp.route("/hours")
def hours():
    unit = _unit()
    year = request.args.get("year", local_today().year, type=int)
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
        response = _csv_stream(table)
        response.headers["Content-Disposition"] = f'attachment; filename="hours-{year}.csv"'
        return response
    return render_template(
        "reports/hours.html",
        unit=unit,
        rows=rows,
        categories=categories,
        year=year,
        target=target,
        short=short,
        trail=_trail(unit),
        args=request.args,
    )
