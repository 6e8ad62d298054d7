"""The fast read representations give exactly what DRF's field-by-field rendering gives."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from annotate import selectors, services
from annotate.api import renderers
from annotate.api import serializers as s


def _generic(serializer_class, instance) -> dict:
    return dict(serializers.Serializer.to_representation(serializer_class(), instance))


def test_annotation_citation_review_and_segment_match_drf(annotator, reviewer, draft, segment):
    services.citation_add(
        actor=annotator,
        annotation=draft,
        expected_version=1,
        url="https://example.org/x",
        title="X",
        published_on="2024-01-02",
        accessed_at="2024-01-03T04:05:06+00:00",
    )
    draft = services.annotation_submit(actor=annotator, annotation=draft, expected_version=2)
    services.annotation_request_changes(
        actor=reviewer, annotation=draft, expected_version=3, comment="Why?"
    )
    annotation = selectors.annotation_list().get(pk=draft.pk)
    fast = s.AnnotationSerializer(annotation).data
    generic = _generic(s.AnnotationSerializer, annotation)
    assert set(fast) == set(generic)
    for key in generic:
        if key not in ("citations", "reviews"):
            assert fast[key] == generic[key], key
    [citation] = annotation.citations.all()
    assert fast["citations"] == [_generic(s.CitationSerializer, citation)]
    [review] = annotation.reviews.all()
    assert fast["reviews"] == [_generic(s.ReviewSerializer, review)]
    assert s.SegmentSerializer(segment).data == _generic(s.SegmentSerializer, segment)


def test_plain_row_reads_match_the_model_representation(annotator, reviewer, draft):
    from annotate.fast import api_rows as rows
    from annotate.models import Annotation

    services.citation_add(
        actor=annotator,
        annotation=draft,
        expected_version=1,
        url="https://example.org/y",
        published_on="2024-01-02",
    )
    draft = services.annotation_submit(actor=annotator, annotation=draft, expected_version=2)
    services.annotation_reject(actor=reviewer, annotation=draft, expected_version=3, comment="No.")
    annotation = selectors.annotation_list().get(pk=draft.pk)
    expected = JSONRenderer().render(s.annotation_data(annotation))
    # Rows keep UUIDs and times as objects; written out they are the same JSON,
    # whether by the API's renderer or by DRF's own.
    fast = rows.one(Annotation.objects.all(), draft.pk)
    assert renderers.JSONRenderer().render(fast) == JSONRenderer().render(fast) == expected
    written = rows.written(selectors.annotation_list(with_children=False).get(pk=draft.pk))
    assert renderers.JSONRenderer().render(written) == expected


def test_fixed_statements_read_what_the_orm_reads(annotator, reviewer, draft):
    """On PostgreSQL the children and usernames are read by fixed SQL, not the ORM."""
    from annotate.fast import api_rows as rows
    from annotate.models import Citation, Review

    services.citation_add(
        actor=annotator,
        annotation=draft,
        expected_version=1,
        url="https://example.org/z",
        published_on="2024-01-02",
        accessed_at="2024-01-03T04:05:06+00:00",
    )
    draft = services.annotation_submit(actor=annotator, annotation=draft, expected_version=2)
    services.annotation_reject(actor=reviewer, annotation=draft, expected_version=3, comment="No.")
    for model, columns in ((Citation, rows.CITATION_VALUES), (Review, rows.REVIEW_VALUES)):
        fixed = rows.rows_where_any(model, columns, "annotation_id", [draft.pk])
        orm = list(model.objects.filter(annotation_id=draft.pk).values_list(*columns))
        assert fixed == orm and len(fixed) == 1
    assert rows.usernames([annotator.pk, reviewer.pk, None]) == {
        annotator.pk: "ann",
        reviewer.pk: "rev",
    }
