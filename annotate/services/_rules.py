"""What every service checks before it writes: the input's shape, the lock, the version,
the workflow's answer. Private to :mod:`annotate.services`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from annotate import records, workflow
from annotate.fast import statements
from annotate.models import Annotation, ClaimType, Stance, Verdict
from archive import ledger
from archive.models import Segment
from common.errors import Conflict, InvalidInput, NotAllowed
from common.roles import roles_of
from common.text import shorten

CONTEXT_CHARS = 32


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


def _span_or_quote(segment: Segment, start: Any, end: Any, quote: str | None) -> tuple[int, int]:
    """The span to annotate: ``[start, end)`` when both are given, otherwise the one place
    ``quote`` occurs in the segment text (see :func:`quote_span`)."""
    if start is None and end is None:
        if not quote:
            raise InvalidInput(
                "give start and end, or a quote that occurs once in the segment",
                fields={"start": ["required without a quote"], "end": ["required without a quote"]},
            )
        return quote_span(segment.text, quote)
    if start is None or end is None:
        missing = "start" if start is None else "end"
        raise InvalidInput(
            "give both start and end, or neither and a quote",
            fields={missing: ["required with the other offset"]},
        )
    return _span(segment, start, end)


def quote_span(text: str, quote: str) -> tuple[int, int]:
    """Where ``quote`` occurs in ``text`` as ``(start, end)``; it must occur exactly once.

    Occurrences are counted overlapping too ("aa" occurs twice in "aaa"): either one
    could be meant, so neither is chosen.
    """
    first = text.find(quote) if quote else -1
    if first < 0 or text.find(quote, first + 1) >= 0:
        times = _occurrences(text, quote) if quote else 0
        raise InvalidInput(
            f"the quote occurs {times} times in the segment text, not once; "
            "give start and end offsets to choose the words",
            fields={"quote": [f"occurs {times} times in the segment; give start and end"]},
        )
    return first, first + len(quote)


def _occurrences(text: str, quote: str) -> int:
    count, at = 0, text.find(quote)
    while at >= 0:
        count, at = count + 1, text.find(quote, at + 1)
    return count


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
            f"{field} must be an http(s) address, got {shorten(value, 80)!r}",
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
    unknown = set(data) - set(records.CITATION_FIELDS)
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


LOCK_RELATIONS = ("segment", "claim_type", "created_by", "last_edited_by", "assignee")


def _lock(annotation: Annotation | Any) -> Annotation:
    """The annotation, read again with its relations and locked until the transaction ends.

    ``select_for_update(of=("self",)).select_related(...).get(pk=...)``; on PostgreSQL
    the same statement, built once (:mod:`annotate.fast.statements`).
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
        last = ledger.latest_change(annotation)  # its citations' events raise it too
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
    after = records.annotation_state(annotation)
    ledger.append(
        actor=actor,
        action=action,
        obj=annotation,
        state=after,
        changes=records.changes(before, after),
        reason=reason,
    )
    return annotation
