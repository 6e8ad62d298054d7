"""Plain-dict records of segments and annotations: the only input exporters read.

The export service builds them from ``values()`` rows in bulk (see
:mod:`annotate.datasets.service`); the API builds the same dicts from model instances with
:func:`annotation_record` and :func:`segment_context`. Both go through the small
formatters here, so a value looks the same whichever way it was read.
"""

from __future__ import annotations

from typing import Any

from annotate.records import (
    ANNOTATION_RECORD,
    CITATION_RECORD,
    REVIEW_RECORD,
    record_of,
)


def citation_record(citation) -> dict[str, Any]:
    return record_of(CITATION_RECORD, citation)


def review_record(review) -> dict[str, Any]:
    return record_of(REVIEW_RECORD, review)


def annotation_record(annotation) -> dict[str, Any]:
    """The record of one model instance; citations and reviews come from ``.all()``.

    Sorted here (not in SQL) so prefetched relations are used as they are.
    """
    citations = sorted(annotation.citations.all(), key=lambda c: (c.added_at, str(c.pk)))
    reviews = sorted(annotation.reviews.all(), key=lambda r: (r.created_at, str(r.pk)))
    record = record_of(ANNOTATION_RECORD, annotation)
    record["citations"] = [citation_record(c) for c in citations]
    record["reviews"] = [review_record(r) for r in reviews]
    return record


def segment_context(segment) -> dict[str, Any]:
    """What an annotation needs from its segment, without reading the source row."""
    transcript = segment.transcript
    return {
        "id": str(segment.pk),
        "transcript_id": str(segment.transcript_id),
        "transcript_title": transcript.title,
        "transcript_revision": transcript.revision,
        "source_id": str(transcript.source_id),
        "source_start": segment.source_start,
        "ordinal": segment.ordinal,
    }
