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


def search_annotations(queryset: QuerySet, term: str) -> QuerySet:
    """Annotations whose quote, claim text or segment text match ``term``.

    PostgreSQL: ranked full-text search (``websearch`` syntax: quotes, ``or``,
    ``-word``), best match first; each side is answered by its GIN expression
    index. SQLite: case-insensitive substring match, newest first.
    """
    term = term.strip()
    if not term:
        return queryset
    if connection.vendor != "postgresql":
        return queryset.filter(
            Q(quote__icontains=term)
            | Q(claim_text__icontains=term)
            | Q(segment__text__icontains=term)
        )
    query = SearchQuery(term, search_type="websearch", config=SEARCH_CONFIG)
    own = Annotation.objects.annotate(_v=annotation_vector()).filter(_v=query).values("pk")
    segments = Segment.objects.annotate(_v=segment_vector()).filter(_v=query).values("pk")
    rank = SearchRank(annotation_vector(), query) + SearchRank(
        segment_vector("segment__"), query, weights=[0.05, 0.1, 0.2, 0.5]
    )
    matched = queryset.filter(Q(pk__in=own) | Q(segment_id__in=segments))
    return matched.annotate(search_rank=rank).order_by("-search_rank", *queryset.query.order_by)


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
            case "review":
                return queryset.filter(pk__in=selectors.review_queue(user).values("pk"))
            case "assigned":
                return queryset.filter(pk__in=selectors.assigned_to(user).values("pk"))
            case "mine":
                return queryset.filter(created_by=user)
        return queryset


class TeamMemberFilter(admin.RelatedFieldListFilter):
    """Creator / assignee: lists staff accounts only, without scanning annotations."""

    def field_choices(self, field, request, model_admin):
        users = get_user_model().objects.filter(is_staff=True).order_by("username")
        return [(user.pk, user.get_username()) for user in users]
