"""Every change to annotations, citations and reviews, each with its ledger event.

Each service is one transaction: it locks what it changes, checks the version the
caller based the change on, checks the workflow rules, writes, and appends its
ledger event last. A refused call raises a :mod:`annotate.errors` exception and
writes nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils import timezone

from archive import ledger
from archive.models import Segment

from . import statements, workflow
from .errors import Conflict, InvalidInput, NotAllowed
from .models import Annotation, Citation, ClaimType, Decision, Review, Stance, Status, Verdict
from .roles import Role, roles_of
from .workflow import Action

CONTEXT_CHARS = 32
EDITABLE_FIELDS = ("start", "end", "claim_type", "claim_text", "verdict", "verdict_summary")
CITATION_FIELDS = (
    "url",
    "title",
    "publisher",
    "published_on",
    "accessed_at",
    "archived_url",
    "excerpt",
    "stance",
)


# ---------------------------------------------------------------- state for the ledger


def annotation_state(annotation: Annotation) -> dict[str, Any]:
    """The annotation as the ledger records it (also what history rebuilds)."""
    return {
        "id": str(annotation.pk),
        "segment": str(annotation.segment_id),
        "start": annotation.start,
        "end": annotation.end,
        "quote": annotation.quote,
        "prefix": annotation.prefix,
        "suffix": annotation.suffix,
        "claim_type": annotation.claim_type.slug,
        "claim_text": annotation.claim_text,
        "verdict": annotation.verdict,
        "verdict_summary": annotation.verdict_summary,
        "status": annotation.status,
        "created_by": _username(annotation.created_by),
        "last_edited_by": _username(annotation.last_edited_by),
        "assignee": _username(annotation.assignee),
        "version": annotation.version,
        "review_round": annotation.review_round,
    }


def citation_state(citation: Citation) -> dict[str, Any]:
    return {
        "id": str(citation.pk),
        "annotation": str(citation.annotation_id),
        "url": citation.url,
        "title": citation.title,
        "publisher": citation.publisher,
        "published_on": citation.published_on.isoformat() if citation.published_on else None,
        "accessed_at": citation.accessed_at.isoformat() if citation.accessed_at else None,
        "archived_url": citation.archived_url,
        "excerpt": citation.excerpt,
        "stance": citation.stance,
        "added_by": _username(citation.added_by),
    }


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def _diff(before: dict, after: dict) -> dict[str, list]:
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }


# ---------------------------------------------------------------- validation


def _span(segment: Segment, start: Any, end: Any) -> tuple[int, int]:
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool):
        raise InvalidInput(
            "start and end must be whole numbers", fields={"start": ["not a number"]}
        )
    length = len(segment.text)
    if not (0 <= start < end <= length):
        raise InvalidInput(
            f"the span [{start}, {end}) is not inside the segment text (0 to {length})",
            fields={"end": [f"must satisfy 0 <= start < end <= {length}"]},
        )
    return start, end


def _anchor(segment: Segment, start: int, end: int, quote: str | None) -> dict[str, str]:
    actual = segment.text[start:end]
    if quote is not None and quote != actual:
        raise InvalidInput(
            f"quote does not match the segment text at [{start}, {end}): found {actual!r}",
            fields={"quote": ["must equal segment.text[start:end]"]},
        )
    return {
        "quote": actual,
        "prefix": segment.text[max(0, start - CONTEXT_CHARS) : start],
        "suffix": segment.text[end : end + CONTEXT_CHARS],
    }


def _verdict(value: Any) -> str:
    value = value or ""
    if value and value not in Verdict.values:
        raise InvalidInput(
            f"unknown verdict {value!r}; use one of: {', '.join(Verdict.values)}",
            fields={"verdict": ["not on the verdict scale"]},
        )
    return value


def _claim_type(value: Any) -> ClaimType:
    if isinstance(value, ClaimType):
        return value
    try:
        return statements.get(ClaimType, "slug", value)
    except ClaimType.DoesNotExist:  # (.get: no ORDER BY name, unlike .first())
        raise InvalidInput(
            f"unknown claim type {value!r}", fields={"claim_type": ["unknown"]}
        ) from None


def _http_url(value: Any, field: str, *, required: bool) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            raise InvalidInput(f"{field} is required", fields={field: ["required"]})
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 2000:
        raise InvalidInput(
            f"{field} must be an http(s) address, got {value[:80]!r}",
            fields={field: ["must start with http:// or https://"]},
        )
    return value


def _stance(value: Any) -> str:
    value = value or Stance.SUPPORTS
    if value not in Stance.values:
        raise InvalidInput(
            f"unknown stance {value!r}; use one of: {', '.join(Stance.values)}",
            fields={"stance": ["not a known stance"]},
        )
    return value


def _date(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        message = f"{field} must be a date (YYYY-MM-DD)"
        raise InvalidInput(message, fields={field: ["not a date"]}) from None


def _datetime(value: Any, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        message = f"{field} must be a date and time (ISO 8601)"
        raise InvalidInput(message, fields={field: ["not a date-time"]}) from None


def _citation_values(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    unknown = set(data) - set(CITATION_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown citation field(s): {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    if not partial or "url" in data:
        values["url"] = _http_url(data.get("url"), "url", required=True)
    if not partial or "archived_url" in data:
        values["archived_url"] = _http_url(data.get("archived_url"), "archived_url", required=False)
    if not partial or "stance" in data:
        values["stance"] = _stance(data.get("stance"))
    if not partial or "published_on" in data:
        values["published_on"] = _date(data.get("published_on"), "published_on")
    if not partial or "accessed_at" in data:
        values["accessed_at"] = _datetime(data.get("accessed_at"), "accessed_at")
    for text_field, limit in (("title", 500), ("publisher", 300), ("excerpt", 100_000)):
        if not partial or text_field in data:
            text = str(data.get(text_field) or "")
            if len(text) > limit:
                raise InvalidInput(f"{text_field} is longer than {limit} characters")
            values[text_field] = text
    return values


# ---------------------------------------------------------------- locking and rules


LOCK_RELATIONS = ("segment", "claim_type", "created_by", "last_edited_by", "assignee")


def _lock(annotation: Annotation | Any) -> Annotation:
    """The annotation, read again with its relations and locked until the transaction ends.

    ``select_for_update(of=("self",)).select_related(...).get(pk=...)``; on PostgreSQL
    the same statement, built once (:mod:`annotate.statements`).
    """
    pk = annotation.pk if isinstance(annotation, Annotation) else annotation
    try:  # .get(), not .first(): no ORDER BY over the joined rows of a hot statement
        return statements.get(Annotation, "pk", pk, related=LOCK_RELATIONS, lock=True)
    except (Annotation.DoesNotExist, ValidationError):
        raise InvalidInput("this annotation no longer exists") from None


def _check_version(annotation: Annotation, expected_version: Any) -> None:
    if expected_version is None:
        raise InvalidInput("the version this change is based on is required")
    if expected_version != annotation.version:
        last = ledger.history(annotation).order_by("-sequence").first()
        who = last.actor_label if last else "someone"
        when = last.recorded_at.isoformat(timespec="seconds") if last else "unknown time"
        raise Conflict(
            f"this annotation was changed by {who} at {when} (now version "
            f"{annotation.version}, your change was based on version {expected_version}); "
            "reload it and apply your change again",
            current_version=annotation.version,
            changed_by=who,
            changed_at=last.recorded_at if last else None,
        )


def _workflow_actor(user, annotation: Annotation, *, approved_this_round: bool = False):
    return workflow.Actor(
        roles=roles_of(user),
        is_creator=annotation.created_by_id == user.pk,
        is_last_editor=annotation.last_edited_by_id == user.pk,
        is_assignee=annotation.assignee_id == user.pk,
        approved_this_round=approved_this_round,
    )


def _require(outcome: workflow.Outcome) -> workflow.Outcome:
    if not outcome.allowed:
        raise NotAllowed(outcome.reason)
    return outcome


def _require_user(actor) -> None:
    if actor is None or not getattr(actor, "pk", None) or not actor.is_active:
        raise NotAllowed("an active user is required")


def _save(annotation: Annotation, *, actor, action: str, before: dict, reason: str) -> Annotation:
    annotation.version += 1
    statements.update(annotation)  # annotation.save()
    after = annotation_state(annotation)
    ledger.append(
        actor=actor,
        action=action,
        obj=annotation,
        state=after,
        changes=_diff(before, after),
        reason=reason,
    )
    return annotation


# ---------------------------------------------------------------- annotations


@ledger.atomic
def annotation_create(
    *,
    actor,
    segment: Segment,
    start: int,
    end: int,
    claim_type: ClaimType | str,
    quote: str | None = None,
    claim_text: str = "",
    verdict: str = "",
    verdict_summary: str = "",
    assignee=None,
    citations: list[dict[str, Any]] | tuple = (),
    reason: str = "",
) -> Annotation:
    """Create a draft annotation of ``segment.text[start:end]``, with optional citations.

    ``quote``, when given, must equal the text at the span; prefix and suffix are
    always derived here, never taken from the caller.
    """
    _require_user(actor)
    if not roles_of(actor) & {Role.ANNOTATOR, Role.EDITOR}:
        raise NotAllowed("only an annotator or editor may create annotations")
    start, end = _span(segment, start, end)
    annotation = Annotation(
        segment=segment,
        start=start,
        end=end,
        **_anchor(segment, start, end, quote),
        claim_type=_claim_type(claim_type),
        claim_text=claim_text or "",
        verdict=_verdict(verdict),
        verdict_summary=verdict_summary or "",
        status=Status.DRAFT,
        created_by=actor,
        last_edited_by=actor,
        assignee=assignee,
    )
    citation_rows = [_citation_values(dict(data)) for data in citations]
    statements.insert(annotation)  # annotation.save(force_insert=True)
    ledger.append(
        actor=actor,
        action="annotation.create",
        obj=annotation,
        state=annotation_state(annotation),
        reason=reason,
    )
    for values in citation_rows:
        _insert_citation(actor, annotation, values, reason)
    return annotation


@ledger.atomic
def annotation_update(
    *, actor, annotation: Annotation, expected_version: int, reason: str = "", **changes: Any
) -> Annotation:
    """Change a draft's span, claim type, claim text, verdict or summary."""
    _require_user(actor)
    unknown = set(changes) - set(EDITABLE_FIELDS) - {"quote"}
    if unknown:
        raise InvalidInput(f"these fields cannot be changed: {', '.join(sorted(unknown))}")
    annotation = _lock(annotation)
    _check_version(annotation, expected_version)
    _require(workflow.check(Action.EDIT, annotation.status, _workflow_actor(actor, annotation)))
    before = annotation_state(annotation)
    start = changes.get("start", annotation.start)
    end = changes.get("end", annotation.end)
    if {"start", "end", "quote"} & set(changes):
        start, end = _span(annotation.segment, start, end)
        anchor = _anchor(annotation.segment, start, end, changes.get("quote"))
        annotation.start, annotation.end = start, end
        for key, value in anchor.items():
            setattr(annotation, key, value)
    if "claim_type" in changes:
        annotation.claim_type = _claim_type(changes["claim_type"])
    if "verdict" in changes:
        annotation.verdict = _verdict(changes["verdict"])
    for text_field in ("claim_text", "verdict_summary"):
        if text_field in changes:
            setattr(annotation, text_field, changes[text_field] or "")
    annotation.last_edited_by = actor
    return _save(annotation, actor=actor, action="annotation.update", before=before, reason=reason)


@ledger.atomic
def annotation_delete(*, actor, annotation: Annotation, expected_version: int, reason: str = ""):
    """Delete a draft that was never reviewed."""
    _require_user(actor)
    annotation = _lock(annotation)
    _check_version(annotation, expected_version)
    _require(workflow.check(Action.EDIT, annotation.status, _workflow_actor(actor, annotation)))
    if annotation.reviews.exists():
        raise NotAllowed("this annotation has reviews on record and cannot be deleted")
    state = annotation_state(annotation)
    object_id = str(annotation.pk)
    annotation.delete()
    ledger.append(
        actor=actor,
        action="annotation.delete",
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
    if not roles_of(actor) & {Role.EDITOR, Role.REVIEWER}:
        raise NotAllowed("only an editor or reviewer may assign annotations")
    if assignee is not None and not roles_of(assignee):
        raise InvalidInput(f"{assignee.get_username()} has no role in the team")
    annotation = _lock(annotation)
    _check_version(annotation, expected_version)
    before = annotation_state(annotation)
    annotation.assignee = assignee
    return _save(annotation, actor=actor, action="annotation.assign", before=before, reason=reason)


# ---------------------------------------------------------------- citations


def _insert_citation(actor, annotation: Annotation, values: dict, reason: str) -> Citation:
    citation = Citation(annotation=annotation, added_by=actor, **values)
    statements.insert(citation)  # citation.save(force_insert=True)
    _citation_event(
        actor, "citation.add", citation, annotation, citation_state(citation), {}, reason
    )
    return citation


def _citation_event(actor, action, citation, annotation, state, changes, reason) -> None:
    """Citation events belong to the annotation's history and carry its new version."""
    ledger.append(
        actor=actor,
        action=action,
        object_type="annotate.citation",
        object_id=str(citation.pk),
        scope=annotation,
        state={
            **state,
            "annotation_version": annotation.version,
            "annotation_last_edited_by": _username(annotation.last_edited_by),
        },
        changes=changes,
        reason=reason,
    )


def _touch(annotation: Annotation, actor) -> None:
    """A citation change is a change of the annotation: new version, new last editor."""
    Annotation.objects.filter(pk=annotation.pk).update(
        version=annotation.version + 1, last_edited_by=actor, updated_at=timezone.now()
    )
    annotation.version += 1
    annotation.last_edited_by = actor


@ledger.atomic
def citation_add(
    *, actor, annotation: Annotation, expected_version: int, reason: str = "", **data: Any
) -> Citation:
    """Add a citation to a draft. Raises the annotation's version."""
    _require_user(actor)
    values = _citation_values(data)
    annotation = _lock(annotation)
    _check_version(annotation, expected_version)
    _require(workflow.check(Action.EDIT, annotation.status, _workflow_actor(actor, annotation)))
    _touch(annotation, actor)
    return _insert_citation(actor, annotation, values, reason)


@ledger.atomic
def citation_update(
    *, actor, citation: Citation, expected_version: int, reason: str = "", **data: Any
) -> Citation:
    """Change a citation of a draft; ``expected_version`` is the annotation's version."""
    _require_user(actor)
    values = _citation_values(data, partial=True)
    annotation = _lock(citation.annotation_id)
    _check_version(annotation, expected_version)
    _require(workflow.check(Action.EDIT, annotation.status, _workflow_actor(actor, annotation)))
    citation = Citation.objects.select_related("added_by").get(pk=citation.pk)
    before = citation_state(citation)
    for key, value in values.items():
        setattr(citation, key, value)
    citation.save()
    _touch(annotation, actor)
    after = citation_state(citation)
    _citation_event(
        actor, "citation.update", citation, annotation, after, _diff(before, after), reason
    )
    return citation


@ledger.atomic
def citation_remove(*, actor, citation: Citation, expected_version: int, reason: str = "") -> None:
    """Remove a citation from a draft; ``expected_version`` is the annotation's version."""
    _require_user(actor)
    annotation = _lock(citation.annotation_id)
    _check_version(annotation, expected_version)
    _require(workflow.check(Action.EDIT, annotation.status, _workflow_actor(actor, annotation)))
    citation = Citation.objects.select_related("added_by").get(pk=citation.pk)
    state = citation_state(citation)
    citation.delete()
    citation.pk = state["id"]
    _touch(annotation, actor)
    _citation_event(actor, "citation.remove", citation, annotation, state, {}, reason)


# ---------------------------------------------------------------- workflow transitions


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
    if action is Action.SUBMIT and not annotation.verdict:
        raise InvalidInput("propose a verdict before submitting", fields={"verdict": ["required"]})
    before = annotation_state(annotation)
    if action in workflow.REVIEW_ACTIONS:
        if action is not Action.APPROVE and not (comment or "").strip():
            raise InvalidInput(
                f"say why: a comment is required to {action.value}",
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
    after = annotation_state(annotation)
    if action is Action.APPROVE:
        after["approvals"] = len(approvers) + 1
        after["approvals_needed"] = workflow.approvals_needed(annotation.verdict)
    ledger.append(
        actor=actor,
        action=f"annotation.{action.value}",
        obj=annotation,
        state=after,
        changes=_diff(before, after),
        reason=reason or comment or "",
    )
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


# ---------------------------------------------------------------- taxonomy (issue 5)

CLAIM_TYPE_FIELDS = ("name", "description", "checkable")


def claim_type_fingerprint(claim_type: ClaimType) -> str:
    """A short hash of the claim type's fields: its ETag, since it has no version number."""
    import hashlib
    import json

    state = {field: getattr(claim_type, field) for field in ("slug", *CLAIM_TYPE_FIELDS)}
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:16]


def _claim_type_state(claim_type: ClaimType) -> dict[str, Any]:
    return {
        "id": str(claim_type.pk),
        "slug": claim_type.slug,
        "name": claim_type.name,
        "description": claim_type.description,
        "checkable": claim_type.checkable,
    }


def _require_editor(actor, what: str) -> None:
    _require_user(actor)
    if Role.EDITOR not in roles_of(actor):
        raise NotAllowed(f"only an editor may {what}")


@ledger.atomic
def claim_type_create(
    *, actor, slug: str, name: str, description: str = "", checkable: bool = True, reason: str = ""
) -> ClaimType:
    """Add a claim type to the taxonomy (editors only)."""
    _require_editor(actor, "change the taxonomy")
    if ClaimType.objects.filter(slug=slug).exists():
        raise InvalidInput(f"a claim type {slug!r} already exists", fields={"slug": ["taken"]})
    if not (name or "").strip():
        raise InvalidInput("name is required", fields={"name": ["required"]})
    claim_type = ClaimType(
        slug=slug, name=name.strip(), description=description or "", checkable=bool(checkable)
    )
    claim_type.save(force_insert=True)
    ledger.append(
        actor=actor,
        action="claim_type.create",
        obj=claim_type,
        state=_claim_type_state(claim_type),
        reason=reason,
    )
    return claim_type


@ledger.atomic
def claim_type_update(
    *, actor, claim_type: ClaimType, expected_fingerprint: str, reason: str = "", **changes: Any
) -> ClaimType:
    """Change a claim type's name, description or checkability; its slug is stable."""
    _require_editor(actor, "change the taxonomy")
    unknown = set(changes) - set(CLAIM_TYPE_FIELDS)
    if unknown:
        raise InvalidInput(f"these fields cannot be changed: {', '.join(sorted(unknown))}")
    claim_type = ClaimType.objects.select_for_update().filter(pk=claim_type.pk).first()
    if claim_type is None:
        raise InvalidInput("this claim type no longer exists")
    current = claim_type_fingerprint(claim_type)
    if expected_fingerprint != current:
        last = ledger.history(claim_type).order_by("-sequence").first()
        raise Conflict(
            f"claim type {claim_type.slug!r} was changed since you read it; reload it",
            current_version=0,
            changed_by=last.actor_label if last else "",
            changed_at=last.recorded_at if last else None,
        )
    before = _claim_type_state(claim_type)
    if "name" in changes:
        if not (changes["name"] or "").strip():
            raise InvalidInput("name is required", fields={"name": ["required"]})
        claim_type.name = changes["name"].strip()
    if "description" in changes:
        claim_type.description = changes["description"] or ""
    if "checkable" in changes:
        claim_type.checkable = bool(changes["checkable"])
    claim_type.save()
    after = _claim_type_state(claim_type)
    ledger.append(
        actor=actor,
        action="claim_type.update",
        obj=claim_type,
        state=after,
        changes=_diff(before, after),
        reason=reason,
    )
    return claim_type
