"""Annotations: create, change, delete and assign, each with its ledger event."""

from __future__ import annotations

from typing import Any

from annotate import records, workflow
from annotate.actions import AnnotateAction
from annotate.fast import statements
from annotate.models import Annotation, ClaimType, Status
from annotate.services._rules import (
    _anchor,
    _check_version,
    _citation_values,
    _claim_type,
    _lock,
    _require,
    _require_user,
    _save,
    _span_or_quote,
    _verdict,
    _workflow_actor,
    quote_span,
)
from annotate.services.citations import _insert_citation
from annotate.workflow import Action
from archive import ledger
from archive.models import Segment
from common.errors import InvalidInput, NotAllowed
from common.roles import roles_of


@ledger.atomic
def annotation_create(
    *,
    actor,
    segment: Segment,
    claim_type: ClaimType | str,
    start: int | None = None,
    end: int | None = None,
    quote: str | None = None,
    verdict: str = "",
    assignee=None,
    citations: list[dict[str, Any]] | tuple = (),
    reason: str = "",
    **text: str,
) -> Annotation:
    """Create a draft annotation of ``segment.text[start:end]``, with optional citations.

    ``quote``, when given, must equal the text at the span; without ``start`` and
    ``end`` the span is where the quote occurs, and it must occur exactly once. Prefix
    and suffix are always derived here, never taken from the caller. ``text`` are the
    free-text fields (``records.ANNOTATION_TEXT``: ``claim_text``, ``verdict_summary``, ...).
    """
    _require_user(actor)
    _check_text_fields(text)
    if not workflow.may(Action.CREATE, roles_of(actor)):
        raise NotAllowed("only an annotator or editor may create annotations")
    start, end = _span_or_quote(segment, start, end, quote)
    annotation = Annotation(
        segment=segment,
        start=start,
        end=end,
        **_anchor(segment, start, end, quote),
        claim_type=_claim_type(claim_type),
        verdict=_verdict(verdict),
        **{key: value or "" for key, value in text.items()},
        status=Status.DRAFT,
        created_by=actor,
        last_edited_by=actor,
        assignee=assignee,
    )
    citation_rows = [_citation_values(dict(data)) for data in citations]
    statements.insert(annotation)  # annotation.save(force_insert=True)
    ledger.append(
        actor=actor,
        action=AnnotateAction.ANNOTATION_CREATE,
        obj=annotation,
        state=records.annotation_state(annotation),
        reason=reason,
    )
    for values in citation_rows:
        _insert_citation(actor, annotation, values, reason)
    return annotation


def _check_text_fields(text: dict[str, Any]) -> None:
    unknown = set(text) - set(records.ANNOTATION_TEXT)
    if unknown:
        raise InvalidInput(f"annotations have no field {', '.join(sorted(unknown))}")


@ledger.atomic
def annotation_update(
    *, actor, annotation: Annotation, expected_version: int, reason: str = "", **changes: Any
) -> Annotation:
    """Change a draft's span, claim type, claim text, verdict or summary.

    A new ``quote`` without offsets moves the span to where it occurs (exactly once).
    """
    _require_user(actor)
    unknown = set(changes) - set(records.ANNOTATION_EDITABLE) - {"quote"}
    if unknown:
        raise InvalidInput(f"these fields cannot be changed: {', '.join(sorted(unknown))}")
    annotation = _lock(annotation)
    _check_version(annotation, expected_version)
    _require(workflow.check(Action.EDIT, annotation.status, _workflow_actor(actor, annotation)))
    before = records.annotation_state(annotation)
    if {"start", "end", "quote"} & set(changes):
        start, end = _changed_span(annotation, changes)
        anchor = _anchor(annotation.segment, start, end, changes.get("quote"))
        annotation.start, annotation.end = start, end
        for key, value in anchor.items():
            setattr(annotation, key, value)
    if "claim_type" in changes:
        annotation.claim_type = _claim_type(changes["claim_type"])
    if "verdict" in changes:
        annotation.verdict = _verdict(changes["verdict"])
    for key in records.ANNOTATION_TEXT:
        if key in changes:
            setattr(annotation, key, changes[key] or "")
    annotation.last_edited_by = actor
    return _save(
        annotation,
        actor=actor,
        action=AnnotateAction.ANNOTATION_UPDATE,
        before=before,
        reason=reason,
    )


def _changed_span(annotation: Annotation, changes: dict[str, Any]) -> tuple[int, int]:
    """The span after ``changes``: offsets given win; a quote alone keeps the span while
    it is still the text there (however often it occurs), and is searched for otherwise."""
    quote = changes.get("quote")
    if "start" not in changes and "end" not in changes:
        text = annotation.segment.text
        if quote is None or text[annotation.start : annotation.end] == quote:
            return annotation.start, annotation.end
        return quote_span(text, quote)
    start = changes.get("start", annotation.start)
    end = changes.get("end", annotation.end)
    return _span_or_quote(annotation.segment, start, end, quote)


@ledger.atomic
def annotation_delete(*, actor, annotation: Annotation, expected_version: int, reason: str = ""):
    """Delete a draft that was never reviewed."""
    _require_user(actor)
    annotation = _lock(annotation)
    _check_version(annotation, expected_version)
    _require(workflow.check(Action.EDIT, annotation.status, _workflow_actor(actor, annotation)))
    if annotation.reviews.exists():
        raise NotAllowed("this annotation has reviews on record and cannot be deleted")
    state = records.annotation_state(annotation)
    object_id = str(annotation.pk)
    annotation.delete()
    ledger.append(
        actor=actor,
        action=AnnotateAction.ANNOTATION_DELETE,
        object_type="annotate.annotation",
        object_id=object_id,
        state=state,
        reason=reason,
    )


@ledger.atomic
def annotation_assign(
    *, actor, annotation: Annotation, assignee, expected_version: int, reason: str = ""
) -> Annotation:
    """Give the annotation to someone (or to no one). Editors and reviewers may assign."""
    _require_user(actor)
    if not workflow.may(Action.ASSIGN, roles_of(actor)):
        raise NotAllowed("only an editor or reviewer may assign annotations")
    if assignee is not None and not roles_of(assignee):
        raise InvalidInput(f"{assignee.get_username()} has no role in the team")
    annotation = _lock(annotation)
    _check_version(annotation, expected_version)
    before = records.annotation_state(annotation)
    annotation.assignee = assignee
    return _save(
        annotation,
        actor=actor,
        action=AnnotateAction.ANNOTATION_ASSIGN,
        before=before,
        reason=reason,
    )
