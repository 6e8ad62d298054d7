"""Fixtures for the export tests: a small reviewed dataset built through the real services."""

from __future__ import annotations

import pytest

from annotate import services
from tests.factories import make_annotation, make_transcript

SECOND = """Second sample hearing

1000: Lakeside: Ms. Cora Example, mayor of Lakeside

Crime fell by 8 per cent in 2024 according to police figures.

1010: Lakeside: Mr. Dan Sample

We will build 300 homes by 2030.
"""


def approve(annotation, author, reviewer, reviewer2=None):
    annotation = services.annotation_submit(
        actor=author, annotation=annotation, expected_version=annotation.version
    )
    annotation = services.annotation_approve(
        actor=reviewer, annotation=annotation, expected_version=annotation.version
    )
    if reviewer2 is not None and annotation.status != "approved":
        annotation = services.annotation_approve(
            actor=reviewer2, annotation=annotation, expected_version=annotation.version
        )
    return annotation


@pytest.fixture
def dataset(annotator, annotator2, reviewer, reviewer2, editor, transcript):
    """Two transcripts; annotations in every status, with citations and reviews."""
    segments = list(transcript.segments.order_by("ordinal"))
    second = make_transcript(SECOND, filename="second.txt")
    other = list(second.segments.order_by("ordinal"))
    roads = next(s for s in segments if "4.2 million" in s.text)
    jobs = next(s for s in segments if "Unemployment" in s.text)
    crime = next(s for s in other if "Crime" in s.text)
    homes = next(s for s in other if "300 homes" in s.text)

    approved = make_annotation(
        annotator,
        roads,
        words="4.2 million",
        verdict="mostly-true",
        claim_text="Road spending was 4.2 million in 2023.",
        verdict_summary="Budget book says 4.19 million.",
        citations=[
            {
                "url": "https://example.org/budget-2023",
                "title": "Budget 2023",
                "publisher": "Riverton council",
                "published_on": "2024-02-01",
                "excerpt": "Roads: 4,190,000",
                "stance": "supports",
                "archived_url": "https://web.archive.org/web/2024/https://example.org/budget-2023",
                "accessed_at": "2026-01-05T10:00:00+00:00",
            },
            {"url": "https://example.org/audit", "stance": "context"},
        ],
    )
    approved = approve(approved, annotator, reviewer)
    false_claim = make_annotation(
        annotator2,
        jobs,
        words="5 per cent",
        verdict="false",
        claim_type="quantity",
        claim_text="Unemployment fell to 5 per cent.",
    )
    false_claim = approve(false_claim, annotator2, reviewer, reviewer2)
    in_review = make_annotation(annotator, crime, words="8 per cent", verdict="true")
    in_review = services.annotation_submit(
        actor=annotator, annotation=in_review, expected_version=in_review.version
    )
    draft = make_annotation(
        annotator2, homes, words="300 homes", verdict="", claim_type="prediction"
    )
    rejected = make_annotation(annotator, roads, words="in 2023", verdict="unverifiable")
    rejected = services.annotation_submit(
        actor=annotator, annotation=rejected, expected_version=rejected.version
    )
    rejected = services.annotation_reject(
        actor=reviewer,
        annotation=rejected,
        expected_version=rejected.version,
        comment="Not a claim on its own.",
    )
    unrated = make_annotation(annotator2, jobs, words="lowest since 2009", verdict="unverifiable")
    unrated = approve(unrated, annotator2, reviewer)
    return {
        "transcripts": [transcript, second],
        "approved": approved,
        "false": false_claim,
        "in_review": in_review,
        "draft": draft,
        "rejected": rejected,
        "unrated": unrated,
    }


@pytest.fixture
def unpublished(settings):
    """No publisher and no public URL configured: what the base settings hold by default."""
    settings.CLAIMTRAIL_PUBLISHER = {"name": "", "url": "", "logo": ""}
    settings.CLAIMTRAIL_PUBLIC_BASE_URL = ""
