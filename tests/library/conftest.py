"""Fact-check builders for the library tests: ClaimReview objects, feeds and files."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from annotate import services as annotate_services
from library import formats, services
from library.models import FactCheck
from tests.api.conftest import (  # noqa: F401  (the API tests' clients, one per role)
    anon,
    as_annotator,
    as_editor,
    as_outsider,
    as_reviewer,
)
from tests.factories import make_annotation


def claim_review(number: int = 1, **changes: Any) -> dict:
    """A complete ClaimReview object; ``changes`` replace top-level keys (None removes one)."""
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"https://checks.example.org/{number}",
        "claimReviewed": f"Unemployment fell by {number} per cent last year.",
        "headline": f"Did unemployment fall by {number} per cent?",
        "datePublished": "2024-03-05",
        "inLanguage": "en",
        "author": {
            "@type": "Organization",
            "name": "Example Checks",
            "url": "https://checks.example.org/",
        },
        "reviewRating": {
            "@type": "Rating",
            "alternateName": "Mostly False",
            "ratingValue": "2",
            "bestRating": "5",
            "worstRating": "1",
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "Ben Sample"},
            "datePublished": "2024-03-01T18:00:00Z",
        },
    }
    for key, value in changes.items():
        if value is None:
            review.pop(key, None)
        else:
            review[key] = value
    return copy.deepcopy(review)


def data_feed(*elements: Any) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "dataFeedElement": list(elements),
    }


def feed_item(*reviews: dict) -> dict:
    """A Data Commons style element: an item list holding ClaimReviews."""
    return {"@type": "DataFeedItem", "dateCreated": "2024-03-06", "item": list(reviews)}


def as_json(value: Any, *, indent: int | None = 2) -> bytes:
    return json.dumps(value, indent=indent, ensure_ascii=False).encode()


def as_jsonl(*objects: Any) -> bytes:
    return "".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in objects).encode()


def items_of(data: bytes, **options) -> list[formats.Item]:
    return list(formats.read_bytes(data, **options).items)


@pytest.fixture
def import_bytes(db):
    """Import ``data`` as a file through the service the command uses."""

    def _import(data: bytes, *, filename: str = "feed.json", actor=None, **options):
        import io

        return services.factcheck_import_file(
            actor=actor, stream=io.BytesIO(data), filename=filename, **options
        )

    return _import


@pytest.fixture
def approve(django_capture_on_commit_callbacks):
    """Submit ``annotation`` (by its author) and approve it by each of ``reviewers``, running
    what waits for each approval's commit, as a real request would."""

    def _approve(annotation, *reviewers):
        annotation = annotate_services.annotation_submit(
            actor=annotation.created_by, annotation=annotation, expected_version=annotation.version
        )
        for reviewer in reviewers:
            with django_capture_on_commit_callbacks(execute=True):
                annotation = annotate_services.annotation_approve(
                    actor=reviewer, annotation=annotation, expected_version=annotation.version
                )
        return annotation

    return _approve


@pytest.fixture
def approved_factcheck(approve, annotator, reviewer, segment):
    """The team's own fact-check of an annotation approved with a ``true`` verdict."""
    annotation = make_annotation(annotator, segment, words="4.2 million", verdict="true")
    approve(annotation, reviewer)
    return FactCheck.objects.get(annotation=annotation)
