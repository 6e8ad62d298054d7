"""Domain errors raised by services. The admin, API and commands turn them into messages."""

from __future__ import annotations

from collections.abc import Mapping


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


class NotConfigured(DomainError):
    """The request is fine, but this installation lacks a setting it needs (the message
    names it); nothing is invented in its place."""

    code = "not_configured"


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


class WrongState(DomainError):
    """The object is not in the state the request needs (an annotation that is not
    orphaned is neither placed nor retired): 409 in the API."""

    code = "wrong_state"


class DocumentError(ValueError):
    """A document cannot be imported; the message is shown to the user as is.

    Raised by the archive's importers (``archive.importers.base`` re-exports it); the
    API's error handler answers it with 400 ``invalid_document``.

    Some refusals have a way out that only the person can take: naming what the
    importer could not find out (``needs``: ``"encoding"`` or ``"format"``, one of
    ``choices``). How to name it depends on where the person is (a command has flags,
    the API fields, the admin a form), so such an error also keeps its ``problem``
    alone, ``str()`` is a neutral wording, and each interface words the way out in its
    own terms with :meth:`worded`.
    """

    def __init__(
        self, message: str, *, problem: str = "", needs: str = "", choices: tuple[str, ...] = ()
    ):
        super().__init__(message)
        self.problem = problem or message
        self.needs = needs
        self.choices = tuple(choices)

    def worded(self, ways_out: Mapping[str, str]) -> str:
        """The problem with the way out ``ways_out[needs]`` (where ``{choices}`` lists the
        choices); the message as it is when ``ways_out`` has nothing for it."""
        way_out = ways_out.get(self.needs) if self.needs else None
        if way_out is None:
            return str(self)
        return f"{self.problem}; {way_out.format(choices=', '.join(self.choices))}"


class DocumentTooLarge(DocumentError):
    """A document is over the import size limit (the API answers 413 ``too_large``)."""

    field = "file"
