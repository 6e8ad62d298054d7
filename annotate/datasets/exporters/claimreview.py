"""schema.org ClaimReview JSON-LD for approved annotations with a rated verdict.

The file is one ``DataFeed`` (the shape fact-check feeds use) whose
``dataFeedElement`` holds one ``ClaimReview`` per annotation::

    {"@type": "ClaimReview", "url": "<base>/api/v1/annotations/<uuid>/",
     "identifier": "<uuid>", "datePublished": "YYYY-MM-DD" (date of approval),
     "author": {"@type": "Organization", "name", "url"} (settings.CLAIMTRAIL_ORGANISATION),
     "claimReviewed": the claim restated (or the quote),
     "reviewRating": {"@type": "Rating", "ratingValue": 1-5, "bestRating": 5,
                      "worstRating": 1, "alternateName": "Mostly false"},
     "reviewBody": the verdict summary,
     "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": speaker,
                      "jobTitle": role}, "datePublished": event date,
                      "appearance": {"@type": "CreativeWork", "url", "name", "sha256"},
                      "text": the quote},
     "citation": [{"@type": "CreativeWork", "url", "name", "publisher"}]}

Annotations whose verdict has no rating (unverifiable, not-checkable) are never
written: ClaimReview needs a rating.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from annotate.datasets.exporters.base import (
    AnnotationRecord,
    Counts,
    DataFile,
    SegmentRecord,
    pretty,
)
from annotate.datasets.exporters.webannotation import annotation_iri, source_iri
from annotate.datasets.jsonld import SCHEMA_CONTEXT
from annotate.models import VERDICT_RATINGS, Verdict

BEST_RATING = 5
WORST_RATING = 1


def claim_review(
    annotation: AnnotationRecord,
    segment: SegmentRecord,
    *,
    base_url: str,
    organisation: dict[str, str],
    with_context: bool = True,
) -> dict[str, Any] | None:
    """The ClaimReview of one annotation, or None when its verdict has no rating."""
    rating = VERDICT_RATINGS.get(annotation["verdict"])
    if rating is None:
        return None
    claim: dict[str, Any] = {
        "@type": "Claim",
        "appearance": _appearance(segment, base_url),
        "text": annotation["quote"],
    }
    if segment["speaker"]:
        person: dict[str, Any] = {"@type": "Person", "name": segment["speaker"]}
        if segment["speaker_role"]:
            person["jobTitle"] = segment["speaker_role"]
        claim["author"] = person
    if segment.get("transcript_event_date"):
        claim["datePublished"] = segment["transcript_event_date"]
    review: dict[str, Any] = {}
    if with_context:
        review["@context"] = SCHEMA_CONTEXT
    review.update(
        {
            "@type": "ClaimReview",
            "url": annotation_iri(annotation["id"], base_url=base_url),
            "identifier": annotation["id"],
            "datePublished": (annotation["updated_at"] or "")[:10],
            "author": {
                "@type": "Organization",
                "name": organisation["name"],
                "url": organisation["url"],
            },
            "claimReviewed": annotation["claim_text"] or annotation["quote"],
            "reviewRating": {
                "@type": "Rating",
                "ratingValue": rating,
                "bestRating": BEST_RATING,
                "worstRating": WORST_RATING,
                "alternateName": Verdict(annotation["verdict"]).label,
            },
            "itemReviewed": claim,
        }
    )
    if annotation["verdict_summary"]:
        review["reviewBody"] = annotation["verdict_summary"]
    if annotation["citations"]:
        review["citation"] = [_citation(c) for c in annotation["citations"]]
    return review


def _appearance(segment: SegmentRecord, base_url: str) -> dict[str, Any]:
    appearance: dict[str, Any] = {
        "@type": "CreativeWork",
        "url": segment["source_origin_url"] or source_iri(segment["source_id"], base_url=base_url),
        "name": segment["transcript_title"],
        "sha256": segment["source_sha256"],
    }
    return appearance


def _citation(citation: dict[str, Any]) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork", "url": citation["url"]}
    if citation["title"]:
        work["name"] = citation["title"]
    if citation["publisher"]:
        work["publisher"] = {"@type": "Organization", "name": citation["publisher"]}
    if citation["published_on"]:
        work["datePublished"] = citation["published_on"]
    return work


class ClaimReviewExporter:
    name = "claimreview"
    description = "schema.org ClaimReview JSON-LD (approved annotations with a rated verdict)"
    annotation_unit = True
    default_approved_only = True
    rated_only = True
    needs_ledger = False

    def data_files(self, options: dict[str, Any]) -> list[DataFile]:
        return [
            DataFile(
                path="data/claimreviews.jsonld",
                name="claimreviews",
                format="jsonld",
                mediatype="application/ld+json",
                description="A schema.org DataFeed of ClaimReview items.",
            )
        ]

    def write(
        self,
        segments: Iterable[SegmentRecord],
        outs: dict[str, IO[bytes]],
        *,
        context: dict[str, Any],
    ) -> Counts:
        out = outs["claimreviews"]
        counts = Counts()
        out.write(
            f'{{\n  "@context": "{SCHEMA_CONTEXT}",\n  "@type": "DataFeed",\n'
            f'  "dataFeedElement": ['.encode()
        )
        first = True
        for segment in segments:
            counts.segments += 1
            for annotation in segment["annotations"]:
                review = claim_review(
                    annotation,
                    segment,
                    base_url=context["base_url"],
                    organisation=context["organisation"],
                    with_context=False,
                )
                if review is None:
                    continue
                counts.add_annotation(annotation)
                text = "\n".join("    " + line for line in pretty(review).split("\n"))
                out.write(("\n" if first else ",\n").encode() + text.encode("utf-8"))
                first = False
        out.write(b"]\n}\n" if first else b"\n  ]\n}\n")
        counts.records = counts.annotations
        return counts
