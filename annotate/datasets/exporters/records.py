"""Plain-dict records of segments and annotations: the only input exporters read.

The export service builds them from ``values()`` rows in bulk (see
:mod:`annotate.datasets.service`); the API builds the same dicts from model instances with
:func:`annotation_record` and :func:`segment_context`. Both go through the small
formatters here, so a value looks the same whichever way it was read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any


def iso_datetime(value: datetime | None) -> str | None:
    """UTC ISO 8601 with microseconds dropped only when they are zero (Python's rule)."""
    if value is None:
        return None
    if value.tzinfo is UTC:  # what the database hands back: the common, fast case
        return value.isoformat()
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def uuid_text(value: Any) -> str | None:
    return str(value) if value is not None else None


def citation_record(citation) -> dict[str, Any]:
    return {
        "id": str(citation.pk),
        "url": citation.url,
        "title": citation.title,
        "publisher": citation.publisher,
        "published_on": iso_date(citation.published_on),
        "accessed_at": iso_datetime(citation.accessed_at),
        "archived_url": citation.archived_url,
        "excerpt": citation.excerpt,
        "stance": citation.stance,
        "added_by": citation.added_by.get_username(),
        "added_at": iso_datetime(citation.added_at),
    }


def review_record(review) -> dict[str, Any]:
    return {
        "id": str(review.pk),
        "decision": review.decision,
        "comment": review.comment,
        "annotation_version": review.annotation_version,
        "review_round": review.review_round,
        "reviewer": review.reviewer.get_username(),
        "created_at": iso_datetime(review.created_at),
    }


def annotation_record(annotation) -> dict[str, Any]:
    """The record of one model instance; citations and reviews come from ``.all()``.

    Sorted here (not in SQL) so prefetched relations are used as they are.
    """
    citations = sorted(annotation.citations.all(), key=lambda c: (c.added_at, str(c.pk)))
    reviews = sorted(annotation.reviews.all(), key=lambda r: (r.created_at, str(r.pk)))
    return {
        "id": str(annotation.pk),
        "segment_id": str(annotation.segment_id),
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
        "created_by": annotation.created_by.get_username(),
        "last_edited_by": annotation.last_edited_by.get_username(),
        "assignee": annotation.assignee.get_username() if annotation.assignee_id else None,
        "version": annotation.version,
        "review_round": annotation.review_round,
        "created_at": iso_datetime(annotation.created_at),
        "updated_at": iso_datetime(annotation.updated_at),
        "citations": [citation_record(c) for c in citations],
        "reviews": [review_record(r) for r in reviews],
    }


def segment_context(segment) -> dict[str, Any]:
    """What an annotation needs from its segment, without reading the source row."""
    transcript = segment.transcript
    return {
        "id": str(segment.pk),
        "transcript_id": str(segment.transcript_id),
        "transcript_title": transcript.title,
        "source_id": str(transcript.source_id),
        "source_start": segment.source_start,
        "ordinal": segment.ordinal,
    }
