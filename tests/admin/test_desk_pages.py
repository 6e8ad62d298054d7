"""The pages behind the desks: one segment's fragment, the review desk, sent-back drafts."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from annotate import services
from tests.admin.conftest import change_url, reading_url
from tests.factories import make_annotation


def fragment_url(transcript, segment_id) -> str:
    return reverse("admin:annotate_reading_segment", args=[transcript.pk, segment_id])


def submitted(user, segment, words="4.2 million", verdict="true"):
    annotation = make_annotation(user, segment, words=words, verdict=verdict)
    return services.annotation_submit(actor=user, annotation=annotation, expected_version=1)


def test_the_fragment_is_the_segment_as_the_reading_page_shows_it(
    login, annotator, transcript, segment
):
    annotation = make_annotation(annotator, segment, words="4.2 million")
    client = login(annotator)
    fragment = client.get(fragment_url(transcript, segment.pk)).content.decode()
    page = client.get(reading_url(transcript)).content.decode()
    assert fragment.startswith(f'<div class="ct-seg-body" data-segment-body="{segment.pk}">')
    assert fragment.strip() in page
    assert f'data-annotation="{annotation.pk}" data-editable="1"' in fragment


@pytest.mark.parametrize("which", ["unknown", "other transcript"])
def test_a_fragment_of_a_segment_not_in_the_transcript_is_a_404(
    login, annotator, transcript, big_transcript, which
):
    other = big_transcript(2)
    segment_id = uuid.uuid4() if which == "unknown" else other.segments.first().pk
    assert login(annotator).get(fragment_url(transcript, segment_id)).status_code == 404


def test_a_chip_says_whether_this_user_may_edit_it(login, annotator, reviewer, transcript, segment):
    annotation = make_annotation(annotator, segment, words="4.2 million")
    html = login(reviewer).get(fragment_url(transcript, segment.pk)).content.decode()
    assert f'data-annotation="{annotation.pk}" data-editable="0"' in html


def test_the_reading_page_tells_each_role_what_it_can_do(
    login, annotator, reviewer, editor, transcript
):
    said = {
        user.username: login(user).get(reading_url(transcript)).content.decode()
        for user in (annotator, reviewer, editor)
    }
    assert "Select words in a segment" in said["ann"]
    assert 'data-can-create="1"' in said["ann"]
    assert "Select words" not in said["rev"] and "review queue" in said["rev"]
    assert 'data-can-create="0"' in said["rev"]
    assert "review it" in said["ed"] and 'data-can-create="1"' in said["ed"]


def test_the_review_desk_shows_the_longest_waiting_item_first(login, annotator, reviewer, segment):
    first = submitted(annotator, segment, "4.2 million")
    submitted(annotator, segment, "on roads")
    response = login(reviewer).get(reverse("admin:annotate_review_desk"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Waiting for your review: <span" in html and '"ct-review-waiting">2<' in html
    assert f'data-annotation="{first.pk}"' in html
    # Evidence first, the decision last.
    assert html.index('id="ct-review-citations"') < html.index('id="ct-decision"')


def test_skipping_moves_on_and_malformed_skips_are_ignored(login, annotator, reviewer, segment):
    first = submitted(annotator, segment, "4.2 million")
    second = submitted(annotator, segment, "on roads")
    url = reverse("admin:annotate_review_desk")
    client = login(reviewer)
    html = client.get(url, {"skip": [str(first.pk), "not-a-uuid"], "fragment": "1"}).content
    assert html.decode().strip().startswith('<div id="ct-review-item"')
    assert f'data-annotation="{second.pk}"'.encode() in html
    empty = client.get(url, {"skip": [str(first.pk), str(second.pk)]}).content.decode()
    assert "Nothing is waiting for your review" in empty


def test_only_reviewers_have_a_review_desk(login, annotator):
    assert login(annotator).get(reverse("admin:annotate_review_desk")).status_code == 403


def test_a_draft_sent_back_shows_as_changes_requested_to_its_author(
    login, annotator, reviewer, segment
):
    annotation = submitted(annotator, segment)
    services.annotation_request_changes(
        actor=reviewer, annotation=annotation, expected_version=2, comment="Which year?"
    )
    client = login(annotator)
    dashboard = client.get(reverse("admin:annotate_dashboard")).content.decode()
    assert "Sent back to me: <strong>1</strong>" in dashboard
    assert "Which year?" in dashboard
    listed = client.get(reverse("admin:annotate_annotation_changelist") + "?queue=changes")
    assert listed.content.decode().count("Changes requested</span>") == 1
    page = client.get(change_url(annotation)).content.decode()
    assert 'id="ct-sent-back"' in page and "Which year?" in page
    # Submitted again, it is no longer sent back.
    services.annotation_submit(actor=annotator, annotation=annotation, expected_version=3)
    dashboard = client.get(reverse("admin:annotate_dashboard")).content.decode()
    assert "Sent back to me: <strong>0</strong>" in dashboard


def test_without_javascript_a_decision_comes_back_to_the_review_desk(
    login, annotator, reviewer, segment
):
    annotation = submitted(annotator, segment)
    desk = reverse("admin:annotate_review_desk")
    html = login(reviewer).get(desk).content.decode()
    assert f'<input type="hidden" name="next" value="{desk}">' in html
    response = login(reviewer).post(
        reverse("admin:annotate_annotation_step", args=[annotation.pk]),
        {"action": "approve", "expected_version": annotation.version, "comment": "", "next": desk},
    )
    assert (response.status_code, response["Location"]) == (302, desk)
    annotation.refresh_from_db()
    assert annotation.status == "approved"
