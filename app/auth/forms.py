from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class LanguageForm(FlaskForm):
    language = SelectField(
        _l("Language"), choices=[SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")]
    )
