"""Reads the library's admin, API and services share: querysets already shaped."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from annotate.models import Annotation, Citation, Review, Status
from library.models import FactCheck

# The full-text vector the search filters on; migration 0001 indexes exactly this
# expression (GIN, PostgreSQL only), so a search reads the index.
SEARCH_FIELDS = ("claim_reviewed", "headline", "claimant", "publisher_name")
SEARCH_CONFIG = "english"


def search_vector() -> SearchVector:
    return SearchVector(*SEARCH_FIELDS, config=SEARCH_CONFIG)


def factcheck_list() -> QuerySet[FactCheck]:
    """Every fact-check, newest first. A row needs no relation (the annotation is its id)."""
    return FactCheck.objects.order_by("-created_at", "-id")


def factcheck_filter(
    queryset: QuerySet[FactCheck],
    *,
    verdict: Iterable[str] = (),
    publisher: str = "",
    language: str = "",
    origin: str = "",
    annotation: uuid.UUID | str | None = None,
    q: str = "",
) -> QuerySet[FactCheck]:
    """``queryset`` narrowed to the fact-checks that meet every condition given.

    ``verdict`` matches any of its values (``""``: no verdict); ``publisher``,
    ``language`` and ``origin`` are exact, any case; ``q`` is :func:`factcheck_search`.
    With no condition the same queryset comes back.
    """
    conditions = [
        Q(verdict__in=list(verdict)) if verdict else None,
        Q(publisher_name__iexact=publisher.strip()) if publisher.strip() else None,
        Q(language__iexact=language.strip()) if language.strip() else None,
        Q(origin__iexact=origin.strip()) if origin.strip() else None,
        Q(annotation_id=annotation) if annotation is not None else None,
    ]
    for condition in conditions:
        if condition is not None:
            queryset = queryset.filter(condition)
    return factcheck_search(queryset, q)


def factcheck_search(queryset: QuerySet[FactCheck], term: str) -> QuerySet[FactCheck]:
    """Fact-checks whose claim, headline, claimant or publisher match ``term``, or whose
    URL is exactly ``term``.

    PostgreSQL: full-text search (``websearch`` syntax: quotes, ``or``, ``-word``;
    English stemming, so "taxes" finds "tax") through the GIN index of migration 0001.
    SQLite: every word of ``term`` occurs in one of those fields, any case.
    """
    term = term.strip()
    if not term:
        return queryset
    if connection.vendor == "postgresql":
        query = SearchQuery(term, search_type="websearch", config=SEARCH_CONFIG)
        return queryset.alias(_search=search_vector()).filter(Q(_search=query) | Q(url=term))
    condition = Q()
    for word in term.split()[:20]:
        condition &= Q(
            *(Q(**{f"{name}__icontains": word}) for name in SEARCH_FIELDS), _connector=Q.OR
        )
    return queryset.filter(condition | Q(url=term))


def annotation_for_library(pk) -> Annotation | None:
    """The annotation with what its ClaimReview needs (segment, transcript, source without
    its bytes, claim type, users, citations, reviews), or None when it is gone."""
    return _for_library().filter(pk=pk).first()


def approved_annotations_for_library() -> QuerySet[Annotation]:
    """Every approved annotation with a verdict, loaded as :func:`annotation_for_library`."""
    return _for_library().filter(status=Status.APPROVED).exclude(verdict="").order_by("id")


def _for_library() -> QuerySet[Annotation]:
    return (
        Annotation.objects.select_related(
            "segment__transcript__source",
            "claim_type",
            "created_by",
            "last_edited_by",
            "assignee",
        )
        .defer("segment__transcript__source__content", "segment__transcript__source__text")
        .prefetch_related(
            Prefetch("citations", queryset=Citation.objects.select_related("added_by")),
            Prefetch("reviews", queryset=Review.objects.select_related("reviewer")),
        )
    )
