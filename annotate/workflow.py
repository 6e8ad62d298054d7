"""The review workflow as data: which transitions exist and who may take them.

Pure functions over plain values, so the whole table can be tested without a
database. ``annotate.services`` asks :func:`check` before every transition.

    draft ──submit──▶ in-review ──approve──▶ approved
      ▲                  │  │
      └─request-changes──┘  └──reject──▶ rejected
    approved/rejected ──reopen (editor)──▶ draft
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from annotate.models import Status, Verdict
from common.roles import SOURCE_IMPORTERS, Role


class Action(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REQUEST_CHANGES = "request-changes"
    REJECT = "reject"
    REOPEN = "reopen"
    EDIT = "edit"
    # Not transitions of one annotation: what a role may do at all.
    CREATE = "create"
    ASSIGN = "assign"
    REVIEW = "review"
    CHANGE_TAXONOMY = "change-taxonomy"
    IMPORT_SOURCES = "import-sources"
    EXPORT = "export"

    @property
    def words(self) -> str:
        """The action as a verb in a sentence: ``request changes``, not its value."""
        return self.value.replace("-", " ")

    def on(self, thing: str) -> str:
        """The action done to ``thing``: ``approve an annotation``, ``request changes to it``."""
        if self is Action.REQUEST_CHANGES:
            return f"{self.words} to {thing}"
        return f"{self.words} {thing}"


# (action, from status) -> status after the action.
TRANSITIONS: dict[tuple[Action, Status], Status] = {
    (Action.SUBMIT, Status.DRAFT): Status.IN_REVIEW,
    (Action.APPROVE, Status.IN_REVIEW): Status.APPROVED,
    (Action.REQUEST_CHANGES, Status.IN_REVIEW): Status.DRAFT,
    (Action.REJECT, Status.IN_REVIEW): Status.REJECTED,
    (Action.REOPEN, Status.APPROVED): Status.DRAFT,
    (Action.REOPEN, Status.REJECTED): Status.DRAFT,
    (Action.EDIT, Status.DRAFT): Status.DRAFT,
}

# Which roles may take an action at all.
ROLES_FOR: dict[Action, frozenset[Role]] = {
    Action.EDIT: frozenset({Role.ANNOTATOR, Role.EDITOR}),
    Action.SUBMIT: frozenset({Role.ANNOTATOR, Role.EDITOR}),
    Action.APPROVE: frozenset({Role.REVIEWER, Role.EDITOR}),
    Action.REQUEST_CHANGES: frozenset({Role.REVIEWER, Role.EDITOR}),
    Action.REJECT: frozenset({Role.REVIEWER, Role.EDITOR}),
    Action.REOPEN: frozenset({Role.EDITOR}),
    Action.CREATE: frozenset({Role.ANNOTATOR, Role.EDITOR}),
    Action.ASSIGN: frozenset({Role.EDITOR, Role.REVIEWER}),
    Action.REVIEW: frozenset({Role.REVIEWER, Role.EDITOR}),
    Action.CHANGE_TAXONOMY: frozenset({Role.EDITOR}),
    Action.IMPORT_SOURCES: SOURCE_IMPORTERS,  # enforced by archive.services.source_upload
    Action.EXPORT: frozenset({Role.EDITOR}),
}

REVIEW_ACTIONS = frozenset({Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT})
# Verdicts that need approvals from this many different reviewers.
APPROVALS_NEEDED = {Verdict.FALSE: 2, Verdict.MOSTLY_FALSE: 2}


@dataclass(frozen=True)
class Actor:
    """What the workflow needs to know about the person acting on one annotation."""

    roles: frozenset[Role]
    is_creator: bool = False
    is_last_editor: bool = False
    is_assignee: bool = False
    approved_this_round: bool = False


@dataclass(frozen=True)
class Outcome:
    allowed: bool
    reason: str = ""
    new_status: Status | None = None


def may(action: Action, roles: frozenset[Role]) -> bool:
    """Whether someone holding ``roles`` may take ``action`` at all (before any per-object
    rule). The admin asks this to show or hide a control; the services ask it too."""
    return bool(roles & ROLES_FOR[action])


def approvals_needed(verdict: str) -> int:
    return APPROVALS_NEEDED.get(verdict, 1)


def check(action: Action, status: str, actor: Actor, *, verdict: str = "", approvals: int = 0):
    """Decide whether ``actor`` may take ``action`` on an annotation in ``status``.

    ``approvals`` counts the approvals already given in the current review round.
    Returns an :class:`Outcome` whose ``reason`` says why when it is refused.
    """
    status = Status(status)
    target = TRANSITIONS.get((action, status))
    if target is None:
        return Outcome(False, _wrong_status(action, status))
    allowed_roles = ROLES_FOR[action]
    if not actor.roles & allowed_roles:
        names = " or ".join(sorted(role.value.lower() for role in allowed_roles))
        return Outcome(False, f"only an {names} may {action.on('an annotation')}")
    if action in (Action.EDIT, Action.SUBMIT) and Role.EDITOR not in actor.roles:
        if not (actor.is_creator or actor.is_assignee):
            return Outcome(False, f"only its author or assignee may {action.on('this annotation')}")
    if action in REVIEW_ACTIONS:
        if actor.is_creator or actor.is_last_editor:
            return Outcome(
                False, "four-eyes rule: you cannot review an annotation you created or last edited"
            )
        if action is Action.APPROVE:
            if actor.approved_this_round:
                return Outcome(False, "you already approved it; another reviewer must approve")
            if approvals + 1 < approvals_needed(verdict):
                return Outcome(True, new_status=Status.IN_REVIEW)
    return Outcome(True, new_status=target)


def _wrong_status(action: Action, status: Status) -> str:
    if action is Action.EDIT:
        hint = " (reopen it first)" if status in (Status.APPROVED, Status.REJECTED) else ""
        return f"only drafts can be edited; this annotation is {status.label.lower()}{hint}"
    sources = [s.label.lower() for (a, s) in TRANSITIONS if a is action]
    return (
        f"cannot {action.on('an annotation')} that is {status.label.lower()} "
        f"(only from: {', '.join(sources)})"
    )
