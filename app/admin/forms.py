from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.auth.service import MIN_PASSWORD_LENGTH


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice("learner", _l("Learner")),
            SelectChoice("trainer", _l("Trainer")),
            SelectChoice("admin", _l("Admin")),
        ],
    )
    password = PasswordField(
        _l("Initial password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)]
    )
