"""The form of a new assignment."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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

from app.forms import Form


class AssignmentForm(Form):
    name = StringField(_l("Assignment name"), validators=[DataRequired(), Length(max=300)])
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
    unit_code = StringField(_l("Unit (name or code)"), validators=[Optional(), Length(max=40)])
    title_code = SelectField(_l("Position"), validators=[Optional()])
    employee_codes = TextAreaField(
        _l("Employee codes, one per line"), validators=[Optional(), Length(max=200_000)]
    )
    due_on = DateField(_l("Due date"), validators=[DataRequired()])
    follows_movers = BooleanField(_l("Keep it for cadres who later move to another unit or post"))


class EditAssignmentForm(Form):
    """What may change in an assignment: its name, due date and courses (not its target)."""

    name = StringField(_l("Assignment name"), validators=[DataRequired(), Length(max=300)])
    courses = SelectMultipleField(_l("Courses"), validators=[DataRequired()])
    due_on = DateField(_l("Due date"), validators=[DataRequired()])


class CancelAssignmentForm(Form):
    reason = TextAreaField(_l("Reason for cancelling"), validators=[DataRequired(), Length(max=500)])
