"""The team's own fact-checks: the ClaimReview an approved annotation is published as.

The shape is the ClaimReview export's (:func:`annotate.datasets.exporters.claimreview.
claim_review`), so the library holds what the newsroom publishes. Two differences,
because the library also serves the team itself:

* Without ``CLAIMTRAIL_PUBLIC_BASE_URL`` the fact-check has no public address, so its
  ``url`` is ``urn:claimtrail:annotation:<id>``: stable, unique, and plainly not a web
  page. Without ``CLAIMTRAIL_PUBLISHER`` the publisher is left empty. (The export
  refuses to publish without them; the library never publishes anything.)
* An approved verdict that ClaimReview cannot rate (``unverifiable``,
  ``not-checkable``) still joins, with the verdict's name as its rating and no numbers:
  "we could not verify this last week" is worth suggesting too.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from annotate.datasets.exporters.claimreview import claim_review, review_url
from annotate.datasets.exporters.records import annotation_record
from annotate.models import Annotation, Verdict
from archive.models import Segment

OWN_ORIGIN = "claimtrail"
URN_PREFIX = "urn:claimtrail:annotation:"


def own_url(annotation_id) -> str:
    """Where the team's fact-check of ``annotation_id`` is (or stands in for one)."""
    base = getattr(settings, "CLAIMTRAIL_PUBLIC_BASE_URL", "") or ""
    if base:
        return review_url(str(annotation_id), public_base_url=base)
    return f"{URN_PREFIX}{annotation_id}"


def own_claim_review(annotation: Annotation) -> dict[str, Any]:
    """The ClaimReview of an approved annotation (relations loaded by
    :func:`library.selectors.annotation_for_library`)."""
    publisher = _publisher()
    record = annotation_record(annotation)
    segment = _segment_record(annotation.segment)
    review = claim_review(
        record,
        segment,
        publisher=publisher,
        public_base_url=getattr(settings, "CLAIMTRAIL_PUBLIC_BASE_URL", "") or "",
        with_context=False,
    )
    if review is None:  # a verdict without a rating
        review = {
            "@type": "ClaimReview",
            "datePublished": (record["updated_at"] or "")[:10],
            "author": {"@type": "Organization", **publisher},
            "claimReviewed": record["claim_text"] or record["quote"],
            "reviewRating": {"@type": "Rating", "alternateName": Verdict(record["verdict"]).label},
            "itemReviewed": {
                "@type": "Claim",
                "author": {"@type": "Person", "name": segment["speaker"]},
                "datePublished": segment["transcript_event_date"],
                "text": record["quote"],
            },
        }
    review["url"] = own_url(annotation.pk)
    return review


def _publisher() -> dict[str, str]:
    configured = getattr(settings, "CLAIMTRAIL_PUBLISHER", None) or {}
    return {"name": configured.get("name") or "", "url": configured.get("url") or ""}


def _segment_record(segment: Segment) -> dict[str, Any]:
    """What ``claim_review`` reads of a segment record (annotate.datasets.exporters.base)."""
    transcript = segment.transcript
    source = transcript.source
    return {
        "speaker": segment.speaker,
        "speaker_role": segment.speaker_role,
        "transcript_title": transcript.title,
        "transcript_event_date": transcript.event_date.isoformat()
        if transcript.event_date
        else None,
        "source_sha256": source.sha256,
        "source_origin_url": source.origin_url,
    }
