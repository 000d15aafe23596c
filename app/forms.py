"""The base of every form with fields: WTForms' own messages in the reader's language.

WTForms has no Vietnamese catalogue of its own, so its messages ("This field is required.", "Field
must be at least 8 characters long.") are translated in the app's catalogue, and `Form` reads them
from there. The English texts are listed below so that `make extract-messages` finds them.
"""

from __future__ import annotations

from flask_babel import get_translations
from flask_wtf import FlaskForm


def N_(text: str) -> str:  # noqa: N802 (the marker pybabel looks for)
    return text


def N_plural(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802
    return singular, plural


class _AppTranslations:
    """WTForms' gettext and ngettext, answered from the app's catalogue in the reader's language."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


_TRANSLATIONS = _AppTranslations()


class Form(FlaskForm):
    """A form whose built-in messages (required, too long, not a valid date...) are translated."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _TRANSLATIONS


# The messages of the WTForms fields and validators the app's forms use, as WTForms words them.
WTFORMS_MESSAGES = (
    N_("This field is required."),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Invalid input."),
    N_("Not a valid choice."),
    N_("Invalid Choice: could not coerce."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
    N_("Not a valid date value."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
    N_("Field must be equal to %(other_name)s."),
)
WTFORMS_PLURAL_MESSAGES = (
    N_plural(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
    ),
    N_plural(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
    ),
    N_plural(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
    ),
)
