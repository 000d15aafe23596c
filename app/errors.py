"""Domain exceptions, raised by the domain modules and turned into HTTP answers in one place."""


class DomainError(Exception):
    """Base of the errors the domain modules raise on purpose."""


class NotFound(DomainError):
    """The thing asked for does not exist (404)."""


class PermissionDenied(DomainError):
    """The actor may not do this (403)."""


class ValidationFailed(DomainError):
    """The input is not acceptable (400); the message says why."""


class Conflict(DomainError):
    """The action clashes with the current state (409)."""
