"""The transcript reading page: segments in order, highlights, escaping, query count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.admin.conftest import reading_url
from tests.factories import make_annotation


def test_segments_are_shown_in_order_with_clock_location_and_speaker(login, annotator, transcript):
    response = login(annotator).get(reading_url(transcript))
    assert response.status_code == 200
    html = response.content.decode()
    first, second = html.index("Ms. Ada Example"), html.index("Mr. Ben Sample")
    assert first < second
    assert "09:00" in html and "Riverton" in html
    assert "The town spent 4.2 million on roads" in html


def test_annotations_are_highlighted_by_status_and_link_to_their_page(
    login, annotator, transcript, segment
):
    annotation = make_annotation(annotator, segment, words="4.2 million")
    html = login(annotator).get(reading_url(transcript)).content.decode()
    assert 'class="ct-hl ct-draft"' in html
    assert f'data-annotation="{annotation.pk}"' in html
    change = reverse("admin:annotate_annotation_change", args=[annotation.pk])
    assert f'data-href="{change}"' in html
    assert f'data-start="{annotation.start}"' in html
    assert ">4.2 million</mark>" in html


def test_overlapping_annotations_are_cut_into_runs(login, annotator, transcript, segment):
    wide = make_annotation(annotator, segment, words="4.2 million on roads")
    narrow = make_annotation(annotator, segment, words="million")
    html = login(annotator).get(reading_url(transcript)).content.decode()
    assert ">4.2 </mark>" in html
    assert 'class="ct-hl ct-draft ct-overlap ct-depth-2"' in html
    assert ">million</mark>" in html
    # The overlap run names both, shortest first, so the desk can offer a choice.
    assert f'data-annotations="{narrow.pk} {wide.pk}"' in html


def test_segment_and_quote_html_are_escaped(login, annotator, big_transcript):
    transcript = big_transcript(1, extra=" <script>alert('x')</script> <b>bold</b>")
    segment = transcript.segments.get()
    make_annotation(annotator, segment, words="<script>alert('x')</script>")
    html = login(annotator).get(reading_url(transcript)).content.decode()
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html


def test_carriage_returns_are_kept_as_character_references(login, annotator, big_transcript):
    transcript = big_transcript(1, extra="\r\nSecond line")
    segment = transcript.segments.get()
    if "\r" not in segment.text:  # the importer normalised line ends: nothing to keep
        return
    html = login(annotator).get(reading_url(transcript)).content.decode()
    assert "&#13;" in html


def test_annotate_links_only_for_roles_that_may_create(login, annotator, reviewer, transcript):
    add = reverse("admin:annotate_annotation_add")
    assert f"{add}?segment=" in login(annotator).get(reading_url(transcript)).content.decode()
    assert f"{add}?segment=" not in login(reviewer).get(reading_url(transcript)).content.decode()


def test_outsider_without_a_role_is_refused(login, outsider, transcript):
    assert login(outsider).get(reading_url(transcript)).status_code == 403


def test_anonymous_is_sent_to_login(client, transcript):
    response = client.get(reading_url(transcript))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_reading_page_is_paginated_by_200_segments(login, annotator, big_transcript):
    transcript = big_transcript(205)
    client = login(annotator)
    first = client.get(reading_url(transcript)).content.decode()
    assert "Speaker 199\n" in first or "Speaker 199<" in first
    assert "Speaker 200<" not in first
    second = client.get(reading_url(transcript) + "?p=2").content.decode()
    assert "Speaker 204<" in second


# Session, user, transcript + source, 2 x permissions, segments, annotations, roles, the
# claim types the desk offers, and whether a later revision exists (the Revisions link).
READING_PAGE_QUERIES = 10


@pytest.mark.parametrize("size", [1, 50])
def test_query_count_is_the_same_for_1_and_50_annotated_segments(
    login, annotator, big_transcript, annotate_each, django_assert_num_queries, size
):
    transcript = big_transcript(size)
    annotate_each(annotator, transcript)
    client = login(annotator)
    with django_assert_num_queries(READING_PAGE_QUERIES):
        assert client.get(reading_url(transcript)).status_code == 200
