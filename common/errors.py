"""Domain errors raised by services. The admin, API and commands turn them into messages."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: ``code`` is stable and machine-readable, the message is for people."""

    code = "invalid"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class InvalidInput(DomainError):
    code = "invalid"


class NotAllowed(DomainError):
    code = "not_allowed"


class Conflict(DomainError):
    """The write was based on an old version of the object."""

    code = "conflict"

    def __init__(
        self, message: str, *, current_version: int, changed_by: str = "", changed_at=None
    ):
        super().__init__(message)
        self.current_version = current_version
        self.changed_by = changed_by
        self.changed_at = changed_at


class DocumentError(ValueError):
    """A document cannot be imported; the message is shown to the user as is.

    Raised by the archive's importers (``archive.importers.base`` re-exports it); the
    API's error handler answers it with 400 ``invalid_document``.
    """


class DocumentTooLarge(DocumentError):
    """A document is over the import size limit (the API answers 413 ``too_large``)."""

    field = "file"
