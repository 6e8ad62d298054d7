"""The annotation list: queues, filters, search, counts and query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from annotate import services
from archive.admin import EstimatedCountPaginator
from tests.factories import make_annotation, three_annotations

LIST = "admin:annotate_annotation_changelist"


def _quotes(client, query=""):
    response = client.get(reverse(LIST) + query)
    assert response.status_code == 200
    return [row.quote for row in response.context["cl"].result_list]


@pytest.fixture
def three(annotator, annotator2, transcript):
    return three_annotations(annotator, annotator2, transcript)


def test_filters_by_status_verdict_and_creator(login, editor, annotator, three):
    client = login(editor)
    assert _quotes(client, "?status__exact=in-review") == ["Unemployment fell"]
    assert _quotes(client, "?verdict__exact=false") == ["three bridges"]
    assert sorted(_quotes(client, f"?created_by__id__exact={annotator.pk}")) == [
        "4.2 million on roads",
        "Unemployment fell",
    ]


def test_filters_by_speaker_transcript_and_claim_type(login, editor, transcript, three):
    client = login(editor)
    assert _quotes(client, "?speaker=Mr.+Ben+Sample") == ["Unemployment fell"]
    assert len(_quotes(client, f"?transcript={transcript.pk}")) == 3
    assert len(_quotes(client, "?transcript=budget")) == 3
    assert _quotes(client, "?transcript=nothing-like-this") == []
    from annotate.models import ClaimType

    quantity = ClaimType.objects.get(slug="quantity")
    assert len(_quotes(client, f"?claim_type__id__exact={quantity.pk}")) == 3


def test_the_speaker_filter_ignores_case_and_surrounding_spaces(login, editor, three):
    client = login(editor)
    assert _quotes(client, "?speaker=+mr.+BEN+sample+") == ["Unemployment fell"]
    assert _quotes(client, "?speaker=Ben+Sample") == []


def test_queue_waiting_for_my_review_excludes_my_own(login, reviewer, annotator, three):
    assert _quotes(login(reviewer), "?queue=review") == ["Unemployment fell"]
    assert _quotes(login(annotator), "?queue=review") == []


def test_queue_assigned_to_me(login, editor, reviewer, three):
    roads = three[0]
    services.annotation_assign(
        actor=editor, annotation=roads, assignee=reviewer, expected_version=roads.version
    )
    assert _quotes(login(reviewer), "?queue=assigned") == ["4.2 million on roads"]


@pytest.mark.parametrize(
    "term, expected",
    [
        ("bridges", ["4.2 million on roads", "three bridges"]),  # segment text of both
        ("restated", None),  # claim text of all three
        ("treasurer", None),  # not in any quote or segment text: speaker role only
        ("lowest since 2009", ["Unemployment fell"]),  # segment text
    ],
)
def test_search_quote_claim_and_segment_text(login, editor, three, term, expected):
    found = _quotes(login(editor), f"?q={term.replace(' ', '+')}")
    if term == "restated":
        assert len(found) == 3
    elif term == "treasurer":
        assert found == []
    else:
        assert sorted(found) == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking needs PostgreSQL")
def test_search_is_ranked_on_postgresql(login, editor, annotator, transcript):
    segment = transcript.segments.order_by("ordinal").first()
    make_annotation(annotator, segment, words="4.2 million", claim_text="Roads budget.")
    make_annotation(
        annotator, segment, words="on roads", claim_text="Roads roads roads budget spending."
    )
    assert _quotes(login(editor), "?q=roads")[0] == "on roads"


def test_a_sidebar_filter_value_with_html_is_escaped(login, editor, three):
    html = login(editor).get(reverse(LIST) + "?speaker=%3Cscript%3Ex%3C/script%3E").content.decode()
    assert "<script>x</script>" not in html


# Session, user, 2 x permissions, roles, users for 2 filters, claim types, count, the page;
# on PostgreSQL one more: the row estimate (pg_class.reltuples) tried before counting.
LIST_QUERIES = 10 + (connection.vendor == "postgresql")


@pytest.mark.parametrize("size", [1, 50])
def test_list_query_count_is_the_same_for_1_and_50_rows(
    login, editor, annotator, big_transcript, annotate_each, django_assert_num_queries, size
):
    annotate_each(annotator, big_transcript(size))
    client = login(editor)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse(LIST))
    assert len(response.context["cl"].result_list) == size


def test_capped_count_for_filtered_lists(annotator, big_transcript, annotate_each):
    from annotate.models import Annotation

    annotate_each(annotator, big_transcript(5))
    paginator = EstimatedCountPaginator(Annotation.objects.filter(status="draft"), 2)
    paginator.cap = 3
    assert paginator.count == 3 and paginator.count_is_capped
    exact = EstimatedCountPaginator(Annotation.objects.filter(status="draft"), 2)
    assert exact.count == 5 and not exact.count_is_capped


def test_roles_without_view_permission_are_refused(login, outsider):
    assert login(outsider).get(reverse(LIST)).status_code == 403


def test_annotator_sees_the_list(login, annotator, three):
    assert len(_quotes(login(annotator))) == 3


def test_queue_keeps_an_annotation_the_reviewer_has_not_approved_this_round(
    login, annotator, reviewer, reviewer2, segment
):
    annotation = make_annotation(annotator, segment, words="4.2 million", verdict="false")
    annotation = services.annotation_submit(
        actor=annotator, annotation=annotation, expected_version=1
    )
    annotation = services.annotation_request_changes(
        actor=reviewer, annotation=annotation, expected_version=2, comment="Source?"
    )
    annotation = services.annotation_submit(
        actor=annotator, annotation=annotation, expected_version=3
    )
    services.annotation_approve(actor=reviewer2, annotation=annotation, expected_version=4)
    # rev reviewed in round 1 and rev2 approved in round 2: rev still has to act on it.
    assert _quotes(login(reviewer), "?queue=review") == ["4.2 million"]
    assert _quotes(login(reviewer2), "?queue=review") == []
