"""Plain-row reads for the API's JSON list of annotations (the hot path).

A page of 100 annotations with nested citations and reviews, read as model
instances through ``selectors.annotation_list()``, spends most of its time
building ~1,000 model objects. Here the same page is read with ``values()``: one
query for the annotations (joins for the slugs and usernames), one for their
citations, one for their reviews, then assembled into exactly the JSON that
:func:`annotate.api.serializers.annotation_data` gives (a test checks they agree).
The JSON-LD representation still reads model instances (the exporter's input).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet

from annotate.models import Citation, Review

from .serializers import _date, _dt

ANNOTATION_VALUES = (
    "id",
    "segment_id",
    "segment__transcript_id",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "claim_type__slug",
    "claim_text",
    "verdict",
    "verdict_summary",
    "status",
    "created_by__username",
    "last_edited_by__username",
    "assignee__username",
    "version",
    "review_round",
    "created_at",
    "updated_at",
)
CITATION_VALUES = (
    "id",
    "annotation_id",
    "url",
    "title",
    "publisher",
    "published_on",
    "accessed_at",
    "archived_url",
    "excerpt",
    "stance",
    "added_by__username",
    "added_at",
)
REVIEW_VALUES = (
    "id",
    "annotation_id",
    "decision",
    "comment",
    "annotation_version",
    "review_round",
    "reviewer__username",
    "created_at",
)


def annotation_values(queryset: QuerySet) -> QuerySet:
    """``queryset`` (of annotations, filtered) as the rows :func:`page_data` needs."""
    return queryset.values(*ANNOTATION_VALUES)


def page_data(rows: list[dict]) -> list[dict]:
    """The API JSON for a page of annotation rows: two more queries, whatever the size."""
    ids = [row["id"] for row in rows]
    citations: dict = defaultdict(list)
    reviews: dict = defaultdict(list)
    if ids:
        for c in (
            Citation.objects.filter(annotation_id__in=ids)
            .order_by("added_at", "id")
            .values(*CITATION_VALUES)
        ):
            citations[c["annotation_id"]].append(
                {
                    "id": str(c["id"]),
                    "annotation": str(c["annotation_id"]),
                    "url": c["url"],
                    "title": c["title"],
                    "publisher": c["publisher"],
                    "published_on": _date(c["published_on"]),
                    "accessed_at": _dt(c["accessed_at"]),
                    "archived_url": c["archived_url"],
                    "excerpt": c["excerpt"],
                    "stance": c["stance"],
                    "added_by": c["added_by__username"],
                    "added_at": _dt(c["added_at"]),
                }
            )
        for r in (
            Review.objects.filter(annotation_id__in=ids)
            .order_by("created_at", "id")
            .values(*REVIEW_VALUES)
        ):
            reviews[r["annotation_id"]].append(
                {
                    "id": str(r["id"]),
                    "decision": r["decision"],
                    "comment": r["comment"],
                    "annotation_version": r["annotation_version"],
                    "review_round": r["review_round"],
                    "reviewer": r["reviewer__username"],
                    "created_at": _dt(r["created_at"]),
                }
            )
    return [
        {
            "id": str(a["id"]),
            "segment": str(a["segment_id"]),
            "transcript": str(a["segment__transcript_id"]),
            "start": a["start"],
            "end": a["end"],
            "quote": a["quote"],
            "prefix": a["prefix"],
            "suffix": a["suffix"],
            "claim_type": a["claim_type__slug"],
            "claim_text": a["claim_text"],
            "verdict": a["verdict"],
            "verdict_summary": a["verdict_summary"],
            "status": a["status"],
            "created_by": a["created_by__username"],
            "last_edited_by": a["last_edited_by__username"],
            "assignee": a["assignee__username"],
            "version": a["version"],
            "review_round": a["review_round"],
            "created_at": _dt(a["created_at"]),
            "updated_at": _dt(a["updated_at"]),
            "citations": citations.get(a["id"], []),
            "reviews": reviews.get(a["id"], []),
        }
        for a in rows
    ]


def one(queryset: QuerySet, pk) -> dict | None:
    """The API JSON of one annotation of ``queryset``, or None when there is none."""
    found = list(annotation_values(queryset.filter(pk=pk).order_by())[:1])
    return page_data(found)[0] if found else None
