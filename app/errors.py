"""Domain exceptions, raised by the domain modules and turned into HTTP answers in one place."""


class DomainError(Exception):
    """Base of the errors the domain modules raise on purpose."""


class NotFound(DomainError):
    """The thing asked for does not exist (404)."""


class PermissionDenied(DomainError):
    """The actor may not do this (403)."""


class ValidationFailed(DomainError):
    """The input is not acceptable (400); the message says why, and `field` names the input at fault.

    The message may be a lazy translation: it is put into words in the language of whoever reads it.
    A message written "field: why" (without `field=`) names its field the same way.
    """

    def __init__(self, message, field: str | None = None):
        text = str(message) if field is not None else None
        if field is None and isinstance(message, str) and ": " in message:
            field, _sep, message = message.partition(": ")
        self.field = field
        self.message = message
        super().__init__(f"{field}: {text if text is not None else message}" if field else str(message))


class Conflict(DomainError):
    """The action clashes with the current state (409)."""
