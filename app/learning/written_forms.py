"""The forms of written assignments: the learner's submission and the trainer's mark."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.forms import Form


class SubmissionForm(Form):
    text = TextAreaField(
        _l("Your text"),
        validators=[Optional(), Length(max=200_000)],
        render_kw={"rows": 12, "data-word-count": "text-words"},
    )
    attachment = FileField(
        _l("Attached file (optional)"),
        description=_l("One PDF or Word (.docx) file, at most 5 MB."),
        render_kw={"accept": ".pdf,.docx,application/pdf"},
    )


class MarkForm(Form):
    marks = IntegerField(_l("Points given"), validators=[InputRequired(), NumberRange(min=0)])
    comment = TextAreaField(
        _l("Comment to the learner"), validators=[Optional(), Length(max=10_000)], render_kw={"rows": 6}
    )


def essay_mark_form(qid: str, data=None) -> MarkForm:
    """The mark form of one essay of an attempt: a page holds one per essay, told apart by prefix."""
    return MarkForm(formdata=data, prefix=f"essay-{qid}")
