"""The review workflow's transitions: submit, approve, request changes, reject, reopen.

:mod:`annotate.workflow` decides who may take which; these write the outcome.
"""

from __future__ import annotations

from annotate import records, signals, workflow
from annotate.actions import AnnotateAction
from annotate.fast import statements
from annotate.models import Annotation, Decision, Review, Status
from annotate.services._rules import (
    _check_version,
    _lock,
    _require,
    _require_user,
    _workflow_actor,
)
from annotate.workflow import Action
from archive import ledger
from common.errors import InvalidInput


def require_verdict_to_submit(verdict: str | None) -> None:
    """Refuse to submit an annotation with no proposed verdict (``InvalidInput`` on
    ``verdict``). The submit service applies it; forms ask it first for a field message."""
    if not verdict:
        raise InvalidInput("propose a verdict before submitting", fields={"verdict": ["required"]})


@ledger.atomic
def _transition(
    action: Action, *, actor, annotation, expected_version: int, comment: str, reason: str
) -> Annotation:
    _require_user(actor)
    annotation = _lock(annotation)
    _check_version(annotation, expected_version)
    approvers: set[int] = set()
    if action is Action.APPROVE:  # only approving counts this round's approvals
        approvers = {
            reviewer
            for (reviewer,) in statements.values_list(
                Review,
                ("reviewer_id",),
                annotation_id=annotation.pk,
                review_round=annotation.review_round,
                decision=Decision.APPROVE,
            )
        }
    outcome = _require(
        workflow.check(
            action,
            annotation.status,
            _workflow_actor(actor, annotation, approved_this_round=actor.pk in approvers),
            verdict=annotation.verdict,
            approvals=len(approvers),
        )
    )
    if action is Action.SUBMIT:
        require_verdict_to_submit(annotation.verdict)
    before = records.annotation_state(annotation)
    if action in workflow.REVIEW_ACTIONS:
        if action is not Action.APPROVE and not (comment or "").strip():
            raise InvalidInput(
                f"say why: a comment is required to {action.words}",
                fields={"comment": ["required"]},
            )
        review = Review(
            annotation=annotation,
            decision=Decision(action.value),
            comment=comment or "",
            annotation_version=annotation.version,
            review_round=annotation.review_round,
            reviewer=actor,
        )
        statements.insert(review)  # Review.objects.create(...)
    if action is Action.SUBMIT:
        annotation.review_round += 1
    annotation.status = outcome.new_status
    annotation.version += 1
    statements.update(annotation, ("status", "version", "review_round", "updated_at"))
    after = records.annotation_state(annotation)
    if action is Action.APPROVE:
        after["approvals"] = len(approvers) + 1
        after["approvals_needed"] = workflow.approvals_needed(annotation.verdict)
    ledger.append(
        actor=actor,
        action=AnnotateAction.of_transition(action),
        obj=annotation,
        state=after,
        changes=records.changes(before, after),
        reason=reason or comment or "",
    )
    if annotation.status == Status.APPROVED:  # the deciding approval, not a first of two
        signals.announce_approval(annotation=annotation, actor=actor)
    return annotation


def annotation_submit(*, actor, annotation, expected_version, comment="", reason=""):
    """Send a draft to review. It needs a proposed verdict."""
    return _atomic(Action.SUBMIT, actor, annotation, expected_version, comment, reason)


def annotation_approve(*, actor, annotation, expected_version, comment="", reason=""):
    """Approve; ``false``/``mostly-false`` stay in review until a second reviewer approves."""
    return _atomic(Action.APPROVE, actor, annotation, expected_version, comment, reason)


def annotation_request_changes(*, actor, annotation, expected_version, comment="", reason=""):
    """Send it back to draft with a comment saying what to change."""
    return _atomic(Action.REQUEST_CHANGES, actor, annotation, expected_version, comment, reason)


def annotation_reject(*, actor, annotation, expected_version, comment="", reason=""):
    """Reject it with a comment saying why."""
    return _atomic(Action.REJECT, actor, annotation, expected_version, comment, reason)


def annotation_reopen(*, actor, annotation, expected_version, comment="", reason=""):
    """Editors only: send an approved or rejected annotation back to draft."""
    return _atomic(Action.REOPEN, actor, annotation, expected_version, comment, reason)


TRANSITION_SERVICES = {
    Action.SUBMIT: annotation_submit,
    Action.APPROVE: annotation_approve,
    Action.REQUEST_CHANGES: annotation_request_changes,
    Action.REJECT: annotation_reject,
    Action.REOPEN: annotation_reopen,
}


def _atomic(action, actor, annotation, expected_version, comment, reason) -> Annotation:
    return _transition(
        action,
        actor=actor,
        annotation=annotation,
        expected_version=expected_version,
        comment=comment,
        reason=reason,
    )
