"""Messages made once and shown in the reader's language: the course checker's problems.

`courses check` and the upload page show the same problems: the command line in English (it wraps
its output in `force_locale("en")`), a trainer's page in the trainer's language. So a checker does
not format its message; it keeps the English msgid and the values, `_l("... %(tag)s", tag=tag)`, and
the text is made when the message is shown, in the locale active then (English outside an
application context).

A `Message` is a `str` whose characters are the English text: comparing, hashing, sorting,
searching (`in`, `re`, `startswith`) and joining go by the English, the same in every locale. Showing
it translates: `str(message)`, an f-string or `%s`, and `{{ message }}` in a template (escaped).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from markupsafe import Markup, escape


def english(value: Any) -> Any:
    """The value as the English text of a message (other values as they are)."""
    return value.english if isinstance(value, Message) else value


class Message(str):
    """A translatable message: English as a string, translated when shown."""

    def __new__(cls, msgid: str, **variables: Any) -> Message:
        text = msgid % {name: english(value) for name, value in variables.items()} if variables else msgid
        message = super().__new__(cls, text)
        message.msgid = msgid
        message.variables = variables
        return message

    @property
    def english(self) -> str:
        return str.__str__(self)

    def __str__(self) -> str:
        """The message in the active locale (a value that is a Message is translated too)."""
        return gettext(self.msgid, **self.variables)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __html__(self) -> Markup:
        return escape(str(self))

    def __reduce__(self):
        return (_rebuild, (self.msgid, self.variables))


def _rebuild(msgid: str, variables: dict) -> Message:
    return Message(msgid, **variables)


_l = Message  # the name `make extract-messages` looks for (pybabel -k _l)
