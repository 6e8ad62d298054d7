"""List-page pieces of the annotation admin: filters, queues and search.

Everything here keeps the changelist cheap on millions of rows: filters that
would list every speaker or transcript are text inputs, and search uses
PostgreSQL full-text indexes (migration 0004) with a plain ``icontains``
fallback on SQLite.
"""

from __future__ import annotations

import uuid

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

from archive.models import Segment

from . import selectors
from .models import Annotation

SEARCH_CONFIG = "english"


def annotation_vector():
    return SearchVector("quote", "claim_text", config=SEARCH_CONFIG)


def segment_vector(prefix: str = ""):
    return SearchVector(f"{prefix}text", config=SEARCH_CONFIG)


RANK_LIMIT = 2_000


def search_annotations(queryset: QuerySet, term: str) -> tuple[QuerySet, bool]:
    """Annotations whose quote, claim text or segment text match ``term``.

    Returns the queryset and whether it is ranked. PostgreSQL: full-text search
    (``websearch`` syntax: quotes, ``or``, ``-word``), each side answered by its GIN
    expression index (migration 0004) and the two id sets united, so no table is
    scanned. Up to ``RANK_LIMIT`` matches are ranked, best first; beyond that,
    ranking every match would cost more than the page, so they come newest first.
    SQLite: case-insensitive substring match, newest first.
    """
    term = term.strip()
    if not term:
        return queryset, False
    if connection.vendor != "postgresql":
        return (
            queryset.filter(
                Q(quote__icontains=term)
                | Q(claim_text__icontains=term)
                | Q(segment__text__icontains=term)
            ),
            False,
        )
    query = SearchQuery(term, search_type="websearch", config=SEARCH_CONFIG)
    own = Annotation.objects.annotate(_v=annotation_vector()).filter(_v=query).values("pk")
    segments = Segment.objects.annotate(_v=segment_vector()).filter(_v=query).values("pk")
    in_segments = Annotation.objects.filter(segment_id__in=segments).values("pk")
    matched = queryset.filter(pk__in=own.union(in_segments))
    if matched.order_by().values("pk")[: RANK_LIMIT + 1].count() > RANK_LIMIT:
        return matched, False
    rank = SearchRank(annotation_vector(), query) + SearchRank(
        segment_vector("segment__"), query, weights=[0.05, 0.1, 0.2, 0.5]
    )
    ranked = matched.annotate(search_rank=rank)
    return ranked.order_by("-search_rank", *queryset.query.order_by), True


class InputFilter(admin.SimpleListFilter):
    """A filter typed into a text box, for fields with too many values to list."""

    template = "admin/claimtrail/input_filter.html"
    placeholder = ""

    def lookups(self, request, model_admin):
        return ((),)  # a filter needs a lookup to be shown; the template ignores it

    def choices(self, changelist):
        query_string = changelist.get_query_string(remove=[self.parameter_name, "p"])
        yield {
            "parameter_name": self.parameter_name,
            "value": self.value() or "",
            "placeholder": self.placeholder,
            "other_params": [
                (key, value)
                for key, values in changelist.params.items()
                if key not in (self.parameter_name, "p")
                for value in (values if isinstance(values, list) else [values])
            ],
            "clear_url": query_string,
        }


class SpeakerFilter(InputFilter):
    title = "speaker"
    parameter_name = "speaker"
    placeholder = "exact name, as written"

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(segment__speaker=self.value().strip())
        return queryset


class TranscriptFilter(InputFilter):
    title = "transcript"
    parameter_name = "transcript"
    placeholder = "title words or id"

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        if not value:
            return queryset
        try:
            return queryset.filter(segment__transcript_id=uuid.UUID(value))
        except ValueError:
            return queryset.filter(segment__transcript__title__icontains=value)


class QueueFilter(admin.SimpleListFilter):
    """The work queues: what waits for me, what is assigned to me, what I wrote."""

    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return (
            ("review", "Waiting for my review"),
            ("assigned", "Assigned to me"),
            ("mine", "Created by me"),
        )

    def queryset(self, request, queryset):
        user = request.user
        match self.value():
            # ``&`` merges the selector's conditions into this query (no IN subquery).
            case "review":
                return queryset & selectors.review_queue(user)
            case "assigned":
                return queryset & selectors.assigned_to(user)
            case "mine":
                return queryset.filter(created_by=user)
        return queryset


class TeamMemberFilter(admin.RelatedFieldListFilter):
    """Creator / assignee: lists staff accounts only, without scanning annotations."""

    def field_choices(self, field, request, model_admin):
        users = get_user_model().objects.filter(is_staff=True).order_by("username")
        return [(user.pk, user.get_username()) for user in users]
