from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.forms import Form


class TrainingForm(Form):
    programme = StringField(_l("Programme"), validators=[DataRequired(), Length(max=300)])
    issuer = StringField(_l("Issuer"), validators=[Optional(), Length(max=200)])
    certificate_no = StringField(_l("Certificate number"), validators=[Optional(), Length(max=100)])
    category = SelectField(_l("Category"), validators=[Optional()])
    course_code = StringField(
        _l("Equivalent course code (optional)"), validators=[Optional(), Length(max=32)]
    )
    completed_on = DateField(_l("Completed on"), validators=[DataRequired()])
    valid_until = DateField(_l("Valid until (optional)"), validators=[Optional()])
    hours = IntegerField(_l("Periods (tiết)"), validators=[DataRequired(), NumberRange(min=0, max=2000)])
    score = DecimalField(_l("Score % (optional)"), validators=[Optional(), NumberRange(min=0, max=100)])
    evidence = StringField(_l("Evidence reference"), validators=[Optional(), Length(max=300)])


class CorrectionForm(TrainingForm):
    reason = TextAreaField(_l("Reason for the correction"), validators=[DataRequired(), Length(max=2000)])


class RevokeForm(Form):
    revoked_on = DateField(_l("Revoked from (the date of the revoking decision)"), validators=[Optional()])
    reason = TextAreaField(_l("Reason for the revocation"), validators=[DataRequired(), Length(max=2000)])


class ProposalForm(Form):
    title_code = SelectField(_l("Position"), validators=[DataRequired()])
    unit_code = StringField(_l("Unit (name or code)"), validators=[DataRequired(), Length(max=40)])
    kind = SelectField(_l("Kind"))
    effective_on = DateField(_l("Effective date"), validators=[DataRequired()])
    decision_no = StringField(_l("Decision number"), validators=[DataRequired(), Length(max=100)])


class OverrideForm(Form):
    authority = StringField(_l("Competent authority"), validators=[DataRequired(), Length(max=300)])
    authority_decision_no = StringField(
        _l("Its decision number"), validators=[DataRequired(), Length(max=100)]
    )
    reason = TextAreaField(_l("Written reason"), validators=[DataRequired(), Length(max=4000)])


class RequirementsForm(Form):
    source = TextAreaField(_l("Requirement set (YAML)"), validators=[DataRequired(), Length(max=100_000)])


class QualificationForm(Form):
    scale = SelectField(_l("Area"), validators=[DataRequired()])
    level = SelectField(_l("Level"), validators=[DataRequired()], validate_choice=False)
    issuer = StringField(_l("Issuer"), validators=[Optional(), Length(max=200)])
    number = StringField(_l("Certificate number"), validators=[Optional(), Length(max=100)])
    issued_on = DateField(_l("Issued on"), validators=[Optional()])
    expires_on = DateField(_l("Valid until (optional)"), validators=[Optional()])
    evidence = StringField(_l("Evidence reference"), validators=[Optional(), Length(max=300)])


class PlanningForm(Form):
    title_code = SelectField(_l("Target position"), validators=[DataRequired()])
    unit_code = StringField(_l("Unit of the post (code)"), validators=[DataRequired(), Length(max=40)])
    term = StringField(_l("Term, e.g. 2025-2030"), validators=[DataRequired(), Length(max=20)])
    valid_from = DateField(_l("From"), validators=[DataRequired()])
    valid_to = DateField(_l("To (optional)"), validators=[Optional()])
    decision_no = StringField(_l("Decision number"), validators=[DataRequired(), Length(max=100)])
    limit_override = TextAreaField(
        _l("Reason for exceeding the limit (optional)"),
        validators=[Optional(), Length(max=2000)],
        description=_l(
            "At most 3 cadres are planned for a post and 3 posts for a cadre (Regulation 377-QĐ/TW). "
            "Only an administrator with the override permission may go beyond that, saying why."
        ),
    )


class DisciplineChangeForm(Form):
    """Annul a discipline decision, or replace it by another level (after a complaint, a review)."""

    action = SelectField(_l("Change"), validators=[DataRequired()])
    effective_on = DateField(_l("Date of the annulling or replacing decision"), validators=[DataRequired()])
    level = SelectField(_l("New level (when replaced)"), validators=[Optional()])
    decided_on = DateField(
        _l("Cooling-off counted from (when replaced; empty: the original decision's date)"),
        validators=[Optional()],
    )
    decision_no = StringField(_l("Decision number"), validators=[DataRequired(), Length(max=100)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class DisciplineForm(Form):
    level = SelectField(_l("Level"), validators=[DataRequired()])
    decided_on = DateField(_l("Decided on"), validators=[DataRequired()])
    decision_no = StringField(_l("Decision number"), validators=[DataRequired(), Length(max=100)])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
