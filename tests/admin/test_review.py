"""Review steps on the annotation page and the bulk actions, per role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from annotate import services
from annotate.models import Review, Status
from tests.admin.conftest import change_url, step_url
from tests.factories import make_annotation


def _in_review(annotator, segment, *, verdict="true"):
    annotation = make_annotation(annotator, segment, words="4.2 million", verdict=verdict)
    return services.annotation_submit(
        actor=annotator, annotation=annotation, expected_version=annotation.version
    )


def _step(client, annotation, action, comment="", version=None):
    return client.post(
        step_url(annotation),
        {
            "action": action,
            "comment": comment,
            "expected_version": version or annotation.version,
        },
        follow=True,
    )


def test_reviewer_sees_span_citations_earlier_reviews_and_the_review_buttons(
    login, annotator, reviewer, reviewer2, segment
):
    annotation = _in_review(annotator, segment, verdict="false")
    services.annotation_approve(actor=reviewer2, annotation=annotation, expected_version=2)
    html = login(reviewer).get(change_url(annotation)).content.decode()
    assert 'class="ct-hl ct-in-review"' in html and ">4.2 million</mark>" in html
    assert "rev2" in html and "Approve</strong> (round 1)" in html  # the earlier review
    for label in ("Approve", "Request changes", "Reject"):
        assert f">{label}</button>" in html
    assert "approvals this round: 1 of 2" in html


def test_approve_goes_through_the_service_and_records_a_review(login, annotator, reviewer, segment):
    annotation = _in_review(annotator, segment)
    response = _step(login(reviewer), annotation, "approve")
    assert "is now approved" in response.content.decode()
    annotation.refresh_from_db()
    assert annotation.status == Status.APPROVED
    assert Review.objects.get().reviewer == reviewer


def test_request_changes_needs_a_comment(login, annotator, reviewer, segment):
    annotation = _in_review(annotator, segment)
    client = login(reviewer)
    response = _step(client, annotation, "request-changes")
    assert "a comment is required" in response.content.decode()
    annotation.refresh_from_db()
    assert annotation.status == Status.IN_REVIEW
    _step(client, annotation, "request-changes", comment="Cite the audit.")
    annotation.refresh_from_db()
    assert annotation.status == Status.DRAFT
    assert Review.objects.get().comment == "Cite the audit."


def test_the_missing_comment_message_names_the_step_in_words(login, annotator, reviewer, segment):
    annotation = _in_review(annotator, segment)
    html = _step(login(reviewer), annotation, "request-changes").content.decode()
    assert "say why: a comment is required to request changes" in html
    assert "to request-changes" not in html


LONG = "The town spent 4.2 million on roads in 2023, up 12 per cent on 2022."


def _quoted_in_messages(html):
    """What the messages quote between “ and ”."""
    messages = html.split('<ul class="messagelist">')[1].split("</ul>")[0]
    return [part.split("”")[0] for part in messages.split("“")[1:]]


def _cut_between_words(shown, whole):
    kept = shown[:-1].rstrip(" ,.;:")
    return shown.endswith("…") and whole.startswith(kept) and whole[len(kept)] in " ,.;:"


def test_a_step_message_cuts_a_long_quote_between_words_with_an_ellipsis(
    login, annotator, reviewer, segment
):
    annotation = make_annotation(annotator, segment, words=LONG)
    annotation = services.annotation_submit(
        actor=annotator, annotation=annotation, expected_version=1
    )
    html = _step(login(reviewer), annotation, "approve").content.decode()
    [shown] = _quoted_in_messages(html)
    assert _cut_between_words(shown, LONG), shown


def test_a_bulk_refusal_cuts_a_long_quote_between_words_with_an_ellipsis(
    login, annotator, reviewer, segment
):
    draft = make_annotation(annotator, segment, words=LONG)  # a draft: approving is refused
    html = _bulk(login(reviewer), "approve_selected", [draft]).content.decode()
    [shown] = _quoted_in_messages(html)
    assert _cut_between_words(shown, LONG), shown


def test_reject_with_a_comment(login, annotator, reviewer, segment):
    annotation = _in_review(annotator, segment)
    _step(login(reviewer), annotation, "reject", comment="Not a claim.")
    annotation.refresh_from_db()
    assert annotation.status == Status.REJECTED


def test_four_eyes_an_annotator_cannot_approve_their_own(login, segment, db):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    both = UserFactory(username="both")
    both.groups.add(*Group.objects.filter(name__in=["Annotator", "Reviewer"]))
    annotation = _in_review(both, segment)
    client = login(both)
    html = client.get(change_url(annotation)).content.decode()
    assert "four-eyes rule" in html and ">Approve</button>" not in html
    response = _step(client, annotation, "approve")
    assert "Not done (approve): four-eyes rule" in response.content.decode()
    annotation.refresh_from_db()
    assert annotation.status == Status.IN_REVIEW


def test_a_stale_step_is_refused(login, annotator, reviewer, segment):
    annotation = _in_review(annotator, segment)
    response = _step(login(reviewer), annotation, "approve", version=1)
    assert "this annotation was changed by ann" in response.content.decode()
    annotation.refresh_from_db()
    assert annotation.status == Status.IN_REVIEW


def test_annotator_submits_from_the_page(login, annotator, segment):
    annotation = make_annotation(annotator, segment, words="4.2 million")
    _step(login(annotator), annotation, "submit")
    annotation.refresh_from_db()
    assert annotation.status == Status.IN_REVIEW


def test_only_an_editor_reopens(login, annotator, reviewer, editor, segment):
    annotation = _in_review(annotator, segment)
    services.annotation_approve(actor=reviewer, annotation=annotation, expected_version=2)
    annotation.refresh_from_db()
    assert (
        ">Reopen as draft</button>"
        not in login(reviewer).get(change_url(annotation)).content.decode()
    )
    response = _step(login(reviewer), annotation, "reopen", comment="x")
    assert "only an editor may reopen" in response.content.decode()
    client = login(editor)
    assert ">Reopen as draft</button>" in client.get(change_url(annotation)).content.decode()
    _step(client, annotation, "reopen", comment="New evidence.")
    annotation.refresh_from_db()
    assert annotation.status == Status.DRAFT


def test_outsider_cannot_take_steps(login, annotator, outsider, segment):
    annotation = _in_review(annotator, segment)
    response = login(outsider).post(
        step_url(annotation), {"action": "approve", "expected_version": 2}
    )
    assert response.status_code == 403


def test_a_malformed_step_is_refused_without_an_error_page(login, annotator, reviewer, segment):
    annotation = _in_review(annotator, segment)
    response = login(reviewer).post(step_url(annotation), {"action": "explode"}, follow=True)
    assert response.status_code == 200
    assert "reload the page" in response.content.decode()


def _bulk(client, action, annotations):
    return client.post(
        reverse("admin:annotate_annotation_changelist"),
        {"action": action, "_selected_action": [str(a.pk) for a in annotations]},
        follow=True,
    )


def test_bulk_approve_enforces_the_rules_per_row_and_reports_refusals(
    login, annotator, reviewer, transcript
):
    from django.contrib.auth.models import Group

    segments = list(transcript.segments.order_by("ordinal"))
    plain = _in_review(annotator, segments[0])
    needs_two = make_annotation(annotator, segments[1], words="Unemployment", verdict="false")
    needs_two = services.annotation_submit(
        actor=annotator, annotation=needs_two, expected_version=1
    )
    draft = make_annotation(annotator, segments[0], words="three bridges")
    reviewer.groups.add(Group.objects.get(name="Annotator"))
    own = make_annotation(reviewer, segments[0], words="2024 audit")
    own = services.annotation_submit(actor=reviewer, annotation=own, expected_version=1)
    response = _bulk(login(reviewer), "approve_selected", [plain, needs_two, draft, own])
    html = response.content.decode()
    for obj in (plain, needs_two, draft, own):
        obj.refresh_from_db()
    assert plain.status == Status.APPROVED
    assert needs_two.status == Status.IN_REVIEW  # one approval of two
    assert draft.status == Status.DRAFT and own.status == Status.IN_REVIEW
    assert "2 annotation(s) done" in html
    assert "2 refused" in html and "four-eyes rule" in html and "cannot approve" in html


def test_bulk_approve_is_not_offered_to_annotators(login, annotator, segment):
    annotation = _in_review(annotator, segment)
    html = login(annotator).get(reverse("admin:annotate_annotation_changelist")).content.decode()
    assert 'value="approve_selected"' not in html
    assert 'value="submit_selected"' in html
    _bulk(login(annotator), "approve_selected", [annotation])
    annotation.refresh_from_db()
    assert annotation.status == Status.IN_REVIEW


def test_bulk_submit(login, annotator, segment):
    annotation = make_annotation(annotator, segment, words="4.2 million")
    _bulk(login(annotator), "submit_selected", [annotation])
    annotation.refresh_from_db()
    assert annotation.status == Status.IN_REVIEW


def test_reviewer_assigns_annotations_to_themselves(login, annotator, reviewer, segment):
    annotation = _in_review(annotator, segment)
    _bulk(login(reviewer), "assign_to_me", [annotation])
    annotation.refresh_from_db()
    assert annotation.assignee == reviewer
    html = login(reviewer).get(reverse("admin:annotate_annotation_changelist") + "?queue=assigned")
    assert annotation.quote in html.content.decode()


@pytest.mark.parametrize("citations", [1, 20])
def test_annotation_page_query_count_does_not_grow_with_citations(
    login, annotator, reviewer, segment, django_assert_num_queries, citations
):
    annotation = make_annotation(
        annotator,
        segment,
        words="4.2 million",
        citations=[{"url": f"https://example.org/{n}"} for n in range(citations)],
    )
    annotation = services.annotation_submit(
        actor=annotator, annotation=annotation, expected_version=annotation.version
    )
    from django.contrib.contenttypes.models import ContentType

    client = login(reviewer)
    ContentType.objects.clear_cache()  # the same cold cache for both sizes
    with django_assert_num_queries(ANNOTATION_PAGE_QUERIES):
        assert client.get(change_url(annotation)).status_code == 200


# Session, user, annotation (+ its relations), 2 x permissions, roles, citations (+ their
# authors), reviews (+ reviewers), content type for the admin's links.
ANNOTATION_PAGE_QUERIES = 9
