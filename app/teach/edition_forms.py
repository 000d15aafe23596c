"""The forms of the pages where trainers upload, fetch, edit and publish editions of a course."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import Form


class UploadForm(Form):
    archive = FileField(
        _l("Course folder as a .zip"),
        validators=[FileRequired(), FileAllowed(["zip"], _l("Choose a .zip file."))],
        description=_l("The course's folder (course.md, its lessons and quizzes, its images), zipped."),
        render_kw={"accept": ".zip,application/zip"},
    )


class RepositoryForm(Form):
    url = StringField(
        _l("Repository address"),
        validators=[Optional(), Length(max=500)],
        description=_l("An https:// address, or a path on the server. Leave empty to unlink."),
    )
    branch = StringField(_l("Branch"), validators=[Optional(), Length(max=100)], default="main")
    path = StringField(
        _l("Course folder in the repository"),
        validators=[Optional(), Length(max=255)],
        description=_l("Empty when course.md is at the top of the repository."),
    )


class FetchForm(Form):
    accept_rewrite = BooleanField(_l("Fetch even though the branch's history was rewritten"))


class LessonEditForm(Form):
    text = TextAreaField(_l("Lesson (Markdown)"), validators=[DataRequired(), Length(max=500_000)])
    label = StringField(
        _l("Version label of the new edition"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("A label not yet published, e.g. 2026.2."),
    )
