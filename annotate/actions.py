"""annotate's ledger actions, registered with :mod:`archive.actions`."""

from __future__ import annotations

from enum import StrEnum

from annotate.workflow import Action
from archive import actions


class AnnotateAction(StrEnum):
    ANNOTATION_CREATE = "annotation.create"
    ANNOTATION_UPDATE = "annotation.update"
    ANNOTATION_DELETE = "annotation.delete"
    ANNOTATION_ASSIGN = "annotation.assign"
    ANNOTATION_SUBMIT = "annotation.submit"
    ANNOTATION_APPROVE = "annotation.approve"
    ANNOTATION_REQUEST_CHANGES = "annotation.request-changes"
    ANNOTATION_REJECT = "annotation.reject"
    ANNOTATION_REOPEN = "annotation.reopen"
    ANNOTATION_RESTORE = "annotation.restore"
    # Transcript revisions: carried (unchanged, moved or orphaned), then placed or retired.
    ANNOTATION_CARRY = "annotation.carry"
    ANNOTATION_PLACE = "annotation.place"
    ANNOTATION_RETIRE = "annotation.retire"
    CITATION_ADD = "citation.add"
    CITATION_UPDATE = "citation.update"
    CITATION_REMOVE = "citation.remove"
    # ``claimtype``: the model's name, as in the events' object type ``annotate.claimtype``.
    CLAIMTYPE_CREATE = "claimtype.create"
    CLAIMTYPE_UPDATE = "claimtype.update"
    CLAIMTYPE_DELETE = "claimtype.delete"
    CLAIMTYPE_RESTORE = "claimtype.restore"
    DATASET_EXPORT = "dataset.export"
    DATASET_EXPORT_FAILED = "dataset.export_failed"
    DATASET_IMPORT = "dataset.import"
    TOKEN_ISSUE = "token.issue"
    TOKEN_REVOKE = "token.revoke"
    USER_CREATE = "user.create"
    USER_UPDATE = "user.update"
    USER_ROLES_CHANGE = "user.roles_change"
    USER_ACTIVATE = "user.activate"
    USER_DEACTIVATE = "user.deactivate"

    @classmethod
    def of_transition(cls, action: Action) -> AnnotateAction:
        """The event a workflow transition writes (``annotation.<action>``)."""
        return cls(f"annotation.{action.value}")


# Events the annotation's own rows are rebuilt from (each carries its full state).
ANNOTATION_EVENTS = frozenset(a for a in AnnotateAction if a.value.startswith("annotation."))

actions.register(
    AnnotateAction,
    # The API wrote claim-type events under these names before the taxonomy had one
    # write path; the rows keep them (they are hashed).
    legacy={
        "claim_type.create": AnnotateAction.CLAIMTYPE_CREATE,
        "claim_type.update": AnnotateAction.CLAIMTYPE_UPDATE,
    },
)
