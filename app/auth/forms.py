from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.auth.passwords import MIN_LENGTH
from app.forms import Form

PASSWORD_HINT = _l("At least %(n)s characters; not your e-mail or name, nor a common password.", n=MIN_LENGTH)


class LoginForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])


class CodeForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])


class LanguageForm(Form):
    language = SelectField(
        _l("Language"), choices=[SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")]
    )


class NewPasswordForm(Form):
    password = PasswordField(
        _l("New password"), validators=[InputRequired(), Length(max=1000)], description=PASSWORD_HINT
    )
    confirm = PasswordField(_l("New password again"), validators=[DataRequired(), Length(max=1000)])

    def validate_confirm(self, field) -> None:
        if field.data != self.password.data:
            raise ValidationError(_l("The two passwords are not the same."))


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1000)])
