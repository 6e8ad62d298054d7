"""The fixed SQL the hot paths use on PostgreSQL reads and writes what the ORM would.

On another database the same functions are the ORM calls themselves, so these tests
hold there too.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from annotate import services
from annotate.fast import api_rows as rows
from annotate.fast import statements
from annotate.models import Annotation, Citation, ClaimType, Review, Status
from archive.models import Segment
from common.api.pagination import KeysetPagination
from tests.factories import make_annotation


def _values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_locking_read_builds_the_instances_select_related_builds(annotator, segment):
    draft = make_annotation(annotator, segment, words="4.2 million")
    with transaction.atomic():
        fixed = statements.get(
            Annotation, "pk", draft.pk, related=services.LOCK_RELATIONS, lock=True
        )
        orm = (
            Annotation.objects.select_for_update(of=("self",))
            .select_related(*services.LOCK_RELATIONS)
            .get(pk=draft.pk)
        )
    assert _values(fixed) == _values(orm)
    assert not fixed._state.adding and fixed._state.db == orm._state.db
    for name in services.LOCK_RELATIONS:
        field = Annotation._meta.get_field(name)
        assert field.is_cached(fixed), name  # no query when the service reads it
        mine, theirs = getattr(fixed, name), getattr(orm, name)
        assert (mine is None) == (theirs is None), name
        if mine is not None:
            assert _values(mine) == _values(theirs), name


def test_missing_and_malformed_keys_fail_as_the_orm_fails(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(Annotation.DoesNotExist):
        statements.get(Annotation, "pk", "00000000-0000-0000-0000-000000000000")
    with pytest.raises(ValidationError):
        statements.get(Annotation, "pk", "not-a-uuid")
    with pytest.raises(ClaimType.DoesNotExist):
        statements.get(ClaimType, "slug", "no-such-type")
    assert statements.get(ClaimType, "slug", "quantity") == ClaimType.objects.get(slug="quantity")


def test_writes_store_what_the_orm_stores(annotator, reviewer, segment):
    draft = make_annotation(
        annotator,
        segment,
        words="4.2 million",
        citations=[{"url": "https://example.org/a", "accessed_at": "2024-01-03T04:05:06+00:00"}],
    )
    stored = Annotation.objects.get(pk=draft.pk)
    assert _values(stored) == _values(draft)
    [citation] = Citation.objects.filter(annotation=draft)
    assert citation.added_by_id == annotator.pk and citation.added_at is not None

    before = stored.updated_at
    updated = services.annotation_update(
        actor=annotator, annotation=draft, expected_version=1, claim_text="Changed."
    )
    stored = Annotation.objects.get(pk=draft.pk)
    assert _values(stored) == _values(updated)
    assert stored.claim_text == "Changed." and stored.version == 2 and stored.updated_at > before

    submitted = services.annotation_submit(actor=annotator, annotation=draft, expected_version=2)
    approved = services.annotation_approve(actor=reviewer, annotation=submitted, expected_version=3)
    stored = Annotation.objects.get(pk=draft.pk)
    assert _values(stored) == _values(approved)
    assert stored.status == Status.APPROVED and stored.version == 4
    [review] = Review.objects.filter(annotation=draft)
    assert (review.reviewer_id, review.annotation_version, review.review_round) == (
        reviewer.pk,
        3,
        1,
    )
    approvers = statements.values_list(
        Review, ("reviewer_id",), annotation_id=draft.pk, review_round=1, decision="approve"
    )
    assert approvers == [(reviewer.pk,)]


def test_unfiltered_annotation_pages_are_the_orm_pages(annotator, transcript):
    """The fixed page statement (PostgreSQL) returns the rows the ORM's keyset query returns."""
    segments = list(Segment.objects.filter(transcript=transcript))
    for n in range(7):
        make_annotation(annotator, segments[n % len(segments)])
    paginator = KeysetPagination()
    paginator.ordering = ("created_at", "id")
    queryset = rows.annotation_values(Annotation.objects.all())

    def orm(cleaned, reverse, limit):
        ordering = ("-created_at", "-id") if reverse else ("created_at", "id")
        return list(
            paginator._after(queryset, cleaned, reverse=reverse).order_by(*ordering)[:limit]
        )

    everything = orm(None, False, 100)
    assert len(everything) == 7
    if statements.fast(Annotation) is None:
        pytest.skip("the fixed page statement is for PostgreSQL")
    middle = paginator._clean(Annotation, paginator._keys(everything[3]))
    for cleaned, reverse, limit in [
        (None, False, 100),
        (None, False, 3),
        (middle, False, 100),
        (middle, True, 2),
    ]:
        fixed = rows.page_rows(cleaned, reverse, limit)
        assert fixed == orm(cleaned, reverse, limit)
        for row in fixed:
            assert row["created_at"].tzinfo is not None


def test_api_list_uses_the_fixed_page_only_without_filters(as_reviewer, annotator, transcript):
    segments = list(Segment.objects.filter(transcript=transcript))
    made = [make_annotation(annotator, segments[n % len(segments)]) for n in range(5)]
    first = as_reviewer.get("/api/v1/annotations/?page_size=2").json()
    second = as_reviewer.get(first["next"]).json()
    back = as_reviewer.get(second["previous"]).json()
    assert back["results"] == first["results"]
    walked = first["results"] + second["results"]
    assert [row["id"] for row in walked] == [str(a.pk) for a in made[:4]]
    filtered = as_reviewer.get(f"/api/v1/annotations/?segment={segments[0].pk}").json()
    assert {row["segment"] for row in filtered["results"]} == {str(segments[0].pk)}


def test_children_and_their_authors_come_as_the_orm_reads_them(annotator, reviewer, draft):
    services.citation_add(
        actor=annotator,
        annotation=draft,
        expected_version=1,
        url="https://example.org/z",
        published_on="2024-01-02",
        accessed_at="2024-01-03T04:05:06+00:00",
    )
    draft = services.annotation_submit(actor=annotator, annotation=draft, expected_version=2)
    services.annotation_request_changes(
        actor=reviewer, annotation=draft, expected_version=3, comment="Why?"
    )
    names: dict = {}
    citations, reviews = rows._children([draft.pk], reviews=True, names=names)
    assert citations == list(
        Citation.objects.filter(annotation=draft).values_list(*rows.CITATION_VALUES)
    )
    assert reviews == list(Review.objects.filter(annotation=draft).values_list(*rows.REVIEW_VALUES))
    if statements.fast(Annotation) is not None:  # read with the rows, not looked up
        assert names == {annotator.pk: "ann", reviewer.pk: "rev"}
    without, none = rows._children([draft.pk], reviews=False, names={})
    assert without == citations and none == []


def test_update_many_stores_what_bulk_update_stores(annotator, transcript):
    from django.utils import timezone

    segments = list(transcript.segments.order_by("ordinal"))
    first = [make_annotation(annotator, segments[0], words=w) for w in ("4.2 million", "roads")]
    second = [make_annotation(annotator, segments[0], words=w) for w in ("4.2 million", "roads")]
    fields = (
        "segment",
        "start",
        "end",
        "prefix",
        "anchor_status",
        "anchor_note",
        "version",
        "updated_at",
    )
    now = timezone.now()

    def change(annotations):
        for n, annotation in enumerate(annotations):
            annotation.segment = segments[1]
            annotation.start, annotation.end = n, n + 3
            annotation.prefix = "é'\"\\ %s"  # quoting, placeholders and non-ASCII survive
            annotation.anchor_status = "moved"
            annotation.anchor_note = ""
            annotation.version += 1
            annotation.updated_at = now

    change(first)
    change(second)
    with transaction.atomic():
        statements.update_many(first, fields)
        Annotation.objects.bulk_update(second, fields)
    skip = ("id", "created_at")
    for fixed, orm in zip(first, second, strict=True):
        stored = _values(Annotation.objects.get(pk=fixed.pk))
        expected = _values(Annotation.objects.get(pk=orm.pk))
        assert {k: v for k, v in stored.items() if k not in skip} == {
            k: v for k, v in expected.items() if k not in skip
        }
