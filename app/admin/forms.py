from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.auth.forms import PASSWORD_HINT
from app.forms import Form

ROLE_CHOICES = [
    SelectChoice("learner", _l("Learner")),
    SelectChoice("trainer", _l("Trainer")),
    SelectChoice("admin", _l("Admin")),
]


class AccessForm(Form):
    full_name = StringField(
        _l("Full name"),
        validators=[Optional(), Length(max=200)],
        description=_l("Empty: the name stays as it is."),
    )
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    unit_code = StringField(
        _l("Unit (name or code)"),
        validators=[Optional(), Length(max=40)],
        description=_l("An admin administers this unit and the units below it; empty: the whole city."),
    )
    can_override = BooleanField(_l("May record the competent authority's override of unmet requirements"))


class UserForm(AccessForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        _l("Initial password"), validators=[InputRequired(), Length(max=1000)], description=PASSWORD_HINT
    )
