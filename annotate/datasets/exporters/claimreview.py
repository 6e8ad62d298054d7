"""schema.org ClaimReview JSON-LD for approved annotations with a rated verdict.

The file is one ``DataFeed`` (the shape fact-check feeds use) whose
``dataFeedElement`` holds one ``ClaimReview`` per annotation::

    {"@type": "ClaimReview", "url": "<public base URL>/<uuid>" (the published fact-check),
     "identifier": "<uuid>", "datePublished": "YYYY-MM-DD" (date of approval),
     "author": {"@type": "Organization", "name", "url",
                "logo": {"@type": "ImageObject", "url"} (when there is one)},
     "claimReviewed": the claim restated (or the quote),
     "reviewRating": {"@type": "Rating", "ratingValue": 1-5, "bestRating": 5,
                      "worstRating": 1, "alternateName": "Mostly false"},
     "reviewBody": the verdict summary,
     "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": speaker,
                      "jobTitle": role}, "datePublished": event date,
                      "appearance": {"@type": "CreativeWork", "url" (where the source was
                                     published, when known), "name", "sha256"},
                      "text": the quote},
     "citation": [{"@type": "CreativeWork", "url", "name", "publisher"}]}

The publisher and the public base URL come in the context (``publisher``,
``public_base_url``; the service reads them from the settings and refuses the export
without them): a ClaimReview is published by a newsroom at its own public address,
never at the workbench's API, which is behind a login. Annotations whose verdict has
no rating (unverifiable, not-checkable) are never written: ClaimReview needs a rating.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import IO, Any

from annotate.datasets.exporters.base import (
    AnnotationRecord,
    Counts,
    DataFile,
    SegmentRecord,
    pretty,
)
from annotate.datasets.jsonld import SCHEMA_CONTEXT
from annotate.models import VERDICT_RATINGS, Verdict

BEST_RATING = 5
WORST_RATING = 1


def claim_review(
    annotation: AnnotationRecord,
    segment: SegmentRecord,
    *,
    publisher: Mapping[str, str],
    public_base_url: str,
    with_context: bool = True,
) -> dict[str, Any] | None:
    """The ClaimReview of one annotation, or None when its verdict has no rating.

    ``publisher`` is the organisation that publishes it (``name``, ``url``, optional
    ``logo``); ``public_base_url`` is where its fact-checks are published.
    """
    rating = VERDICT_RATINGS.get(annotation["verdict"])
    if rating is None:
        return None
    claim: dict[str, Any] = {
        "@type": "Claim",
        "appearance": _appearance(segment),
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
            "url": review_url(annotation["id"], public_base_url=public_base_url),
            "identifier": annotation["id"],
            "datePublished": (annotation["updated_at"] or "")[:10],
            "author": _organisation(publisher),
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


def review_url(annotation_id: str, *, public_base_url: str) -> str:
    """The public URL of an annotation's fact-check: the base URL, then the annotation's id
    (the same with or without the base's trailing slash)."""
    return f"{public_base_url.rstrip('/')}/{annotation_id}"


def _organisation(publisher: Mapping[str, str]) -> dict[str, Any]:
    organisation: dict[str, Any] = {
        "@type": "Organization",
        "name": publisher["name"],
        "url": publisher["url"],
    }
    if publisher.get("logo"):
        organisation["logo"] = {"@type": "ImageObject", "url": publisher["logo"]}
    return organisation


def _appearance(segment: SegmentRecord) -> dict[str, Any]:
    """The document the claim appeared in: where it was published, when that is known (the
    workbench's own copy is behind a login, so it is never the claim's appearance)."""
    appearance: dict[str, Any] = {
        "@type": "CreativeWork",
        "name": segment["transcript_title"],
        "sha256": segment["source_sha256"],
    }
    if segment["source_origin_url"]:
        appearance["url"] = segment["source_origin_url"]
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
    needs_publisher = True

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
                    publisher=context["publisher"],
                    public_base_url=context["public_base_url"],
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
