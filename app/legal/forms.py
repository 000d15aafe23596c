from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import Form
from app.legal.labels import KIND_LABELS
from app.legal.register import MAX_LENGTH


class LegalDocumentForm(Form):
    kind = SelectField(
        _l("Kind of document"), choices=[SelectChoice(code, words) for code, words in KIND_LABELS.items()]
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_LENGTH["title"])])
    issuer = StringField(_l("Issued by"), validators=[DataRequired(), Length(max=MAX_LENGTH["issuer"])])
    effective_on = DateField(_l("In force from (optional)"), validators=[Optional()])
    replaced_by = StringField(
        _l("Replaced by (number of the document, optional)"),
        validators=[Optional(), Length(max=MAX_LENGTH["replaced_by"])],
        description=_l("A document of the register, e.g. 356/2025/NĐ-CP."),
    )
    replaced_on = DateField(
        _l("Replaced or repealed from (optional)"),
        validators=[Optional()],
        description=_l(
            "Empty with a replacement: the date is not verified, and courses citing it are flagged."
        ),
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=MAX_LENGTH["note"])])
