"""List-page pieces of the annotation admin: filters, queues and search.

Everything here keeps the changelist cheap on millions of rows: filters that
would list every speaker or transcript are text inputs, and search uses
PostgreSQL full-text indexes (migration 0004) with a plain ``icontains``
fallback on SQLite.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from annotate import selectors
from archive.models import Segment

SEARCH_CONFIG = "english"


def annotation_vector():
    return SearchVector("quote", "claim_text", config=SEARCH_CONFIG)


def segment_vector(prefix: str = ""):
    return SearchVector(f"{prefix}text", config=SEARCH_CONFIG)


RANK_LIMIT = 2_000
MATCH_LIMIT = 10_000


@dataclass(frozen=True)
class SearchResult:
    queryset: QuerySet
    ranked: bool = False
    truncated: bool = False
    count: int | None = None  # exact number of matches, when known without a query
    # Unranked matches, newest first (the list's default order), for IdListPaginator.
    ordered_ids: list | None = None


def search_annotations(queryset: QuerySet, term: str) -> SearchResult:
    """Annotations of ``queryset`` whose quote, claim text or segment text match ``term``.

    PostgreSQL: full-text search (``websearch`` syntax: quotes, ``or``, ``-word``).
    The matching ids are collected once, each side through its GIN expression index
    (migration 0004), at most ``MATCH_LIMIT`` of them; the page then reads those
    rows by primary key (one array parameter) and the count is already known, so
    the search is not repeated. Up to ``RANK_LIMIT`` matches are ranked, best
    first; more would cost more than the page, so they come newest first.
    SQLite: case-insensitive substring match, newest first.
    """
    term = term.strip()
    if not term:
        return SearchResult(queryset)
    if connection.vendor != "postgresql":
        return SearchResult(
            queryset.filter(
                Q(quote__icontains=term)
                | Q(claim_text__icontains=term)
                | Q(segment__text__icontains=term)
            )
        )
    query = SearchQuery(term, search_type="websearch", config=SEARCH_CONFIG)
    base = queryset.order_by()
    own = base.annotate(_v=annotation_vector()).filter(_v=query)
    segments = Segment.objects.annotate(_v=segment_vector()).filter(_v=query).values("pk")
    in_segments = base.filter(segment_id__in=segments)
    found = (
        own.values_list("pk", "updated_at")
        .union(in_segments.values_list("pk", "updated_at"), all=True)
        .order_by()[: MATCH_LIMIT + 1]
    )
    stamps = dict(found)  # UNION ALL can stop early; duplicates collapse here
    truncated = len(stamps) > MATCH_LIMIT
    ids = list(stamps)[:MATCH_LIMIT]
    matched = queryset.filter(pk__in=RawSQL("SELECT unnest(%s::uuid[])", (ids,)))
    if len(ids) > RANK_LIMIT:
        newest_first = sorted(ids, key=lambda pk: (stamps[pk], pk), reverse=True)
        return SearchResult(matched, truncated=truncated, count=len(ids), ordered_ids=newest_first)
    rank = SearchRank(annotation_vector(), query) + SearchRank(
        segment_vector("segment__"), query, weights=[0.05, 0.1, 0.2, 0.5]
    )
    ranked = matched.annotate(search_rank=rank).order_by("-search_rank", *queryset.query.order_by)
    return SearchResult(ranked, ranked=True, count=len(ids))


class IdListPaginator(Paginator):
    """Pages over ids already in list order: each page reads only its own rows.

    Used for large search results, where a single ORDER BY ... LIMIT query would
    join every match before sorting.
    """

    def __init__(self, object_list, per_page, ordered_ids, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.ordered_ids = ordered_ids
        self.count = len(ordered_ids)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        page_ids = self.ordered_ids[bottom : bottom + self.per_page]
        rows = {row.pk: row for row in self.object_list.filter(pk__in=page_ids).order_by()}
        return self._get_page([rows[pk] for pk in page_ids if pk in rows], number, self)


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
    placeholder = "full name, any case"

    def queryset(self, request, queryset):
        return selectors.annotation_filter(queryset, speaker=self.value() or "")


class TranscriptFilter(InputFilter):
    title = "transcript"
    parameter_name = "transcript"
    placeholder = "title words or id"

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        try:
            return selectors.annotation_filter(queryset, transcript=[uuid.UUID(value)])
        except ValueError:  # not an id (or empty): words of the title
            return selectors.annotation_filter(queryset, transcript_title=value)


class SharedChoicesFilter(admin.ChoicesFieldListFilter):
    """Django's choices filter (``?status__exact=draft``) applied through
    :func:`annotate.selectors.annotation_filter`, the rule the API's filters share."""

    def queryset(self, request, queryset):
        values = self.used_parameters.get(self.lookup_kwarg)
        if not values:
            return queryset
        values = [values] if isinstance(values, str) else values
        return selectors.annotation_filter(queryset, **{self.field_path: values})


class QueueFilter(admin.SimpleListFilter):
    """The work queues: what waits for me, what is assigned to me, what I wrote."""

    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return (
            ("review", "Waiting for my review"),
            ("assigned", "Assigned to me"),
            ("mine", "Created by me"),
            ("changes", "Sent back to me (changes requested)"),
        )

    def queryset(self, request, queryset):
        user = request.user
        match self.value():
            # ``&`` merges the selector's conditions into this query (no IN subquery).
            case "review":
                return queryset & selectors.awaiting_review_by(user)
            case "assigned":
                return queryset & selectors.assigned_to(user)
            case "mine":
                return queryset.filter(created_by=user)
            case "changes":
                return queryset & selectors.changes_requested(user)
        return queryset


class TeamMemberFilter(admin.RelatedFieldListFilter):
    """Creator / assignee: lists staff accounts only, without scanning annotations."""

    def field_choices(self, field, request, model_admin):
        users = get_user_model().objects.filter(is_staff=True).order_by("username")
        return [(user.pk, user.get_username()) for user in users]
