"""The forms of the page where an admin assigns a course's trainers and its issuing unit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import Form
from app.labels import kinds

TRAINER_ROLE_CHOICES = [SelectChoice(code, words) for code, words in kinds()["course_trainer_role"].items()]


class TrainerForm(Form):
    email = EmailField(
        _l("Trainer's e-mail"),
        validators=[DataRequired(), Length(max=254)],
        description=_l("The e-mail of an account with the trainer role."),
    )
    role = SelectField(_l("As"), choices=TRAINER_ROLE_CHOICES)


class IssuerForm(Form):
    unit_code = StringField(
        _l("Issuing unit (name or code)"),
        validators=[Optional(), Length(max=40)],
        description=_l("The training institution or department that issues the course."),
    )
