"""The review desk: evidence first, the decision last with keys, the next item without a
page load; what the annotator sees when changes are requested; a second approval.
"""

from __future__ import annotations

import pytest

from annotate import services
from annotate.models import Annotation, Status
from common.roles import Role
from tests.browser.test_annotating_flow import TEXT, _user
from tests.browser.test_desk import Watched
from tests.factories import make_annotation, make_transcript

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submitted(annotator, segment, words, verdict, note=""):
    annotation = make_annotation(annotator, segment, words=words, verdict=verdict)
    if note:
        annotation = services.annotation_update(
            actor=annotator, annotation=annotation, expected_version=1, note=note
        )
    return services.annotation_submit(
        actor=annotator, annotation=annotation, expected_version=annotation.version
    )


def test_decide_with_keys_and_the_next_item_opens_by_itself(browser, live_server, artifacts):
    annotator = _user("ann", Role.ANNOTATOR)
    _user("rev", Role.REVIEWER)
    transcript = make_transcript(TEXT, filename="review.txt")
    segment = transcript.segments.get(ordinal=1)
    first = _submitted(annotator, segment, "4.2 million", "true", note="Budget, page 4.")
    second = _submitted(annotator, segment, "on roads", "mostly-true")

    desk = Watched(browser, live_server, "rev")
    page = desk.page
    page.goto(f"{live_server.url}/admin/annotate/annotation/review/")
    page.on("load", lambda: desk.loads.append(page.url))
    assert page.inner_text("#ct-review-heading") == "Waiting for your review: 2"
    # Top to bottom: quote in context, claim, verdict, citations, note, history, decision.
    order = page.eval_on_selector_all(
        "#ct-review-item > section", "sections => sections.map(s => s.id)"
    )
    assert order == [
        "ct-review-quote",
        "ct-review-claim",
        "ct-review-verdict",
        "ct-review-citations",
        "ct-review-note",
        "ct-review-history",
        "ct-decision",
    ]
    assert page.get_attribute("#ct-review-item", "data-annotation") == str(first.pk)
    assert "Budget, page 4." in page.inner_text("#ct-review-note")
    assert "Ms. Ada Example" in page.inner_text("#ct-review-quote") or segment.speaker in (
        page.inner_text("#ct-review-quote")
    )
    page.screenshot(path=str(artifacts / "review-desk.png"), full_page=True)

    page.locator("body").focus()
    page.keyboard.press("a")
    page.wait_for_selector(f'#ct-review-item[data-annotation="{second.pk}"]')
    first.refresh_from_db()
    assert first.status == Status.APPROVED
    assert page.inner_text(".ct-review-waiting") == "1"

    # Request changes needs a comment: the API says so by the comment box.
    page.keyboard.press("c")
    page.wait_for_selector('[data-error-for="comment"]:not([hidden])')
    second.refresh_from_db()
    assert second.status == Status.IN_REVIEW
    page.keyboard.type("Say which year the roads figure is for.")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".ct-review-empty")
    second.refresh_from_db()
    assert second.status == Status.DRAFT
    assert desk.loads == []
    assert desk.errors == [] or all("400" in error for error in desk.errors)

    # The annotator cannot miss it: the dashboard, the list and the annotation say so.
    author = Watched(browser, live_server, "ann")
    author.page.goto(f"{live_server.url}/admin/annotate/annotation/dashboard/")
    sent_back = author.page.inner_text("#ct-sent-back")
    assert "Changes requested" in sent_back
    assert "Say which year the roads figure is for." in sent_back
    assert "Sent back to me: 1" in author.page.inner_text(".ct-dash-mine")
    author.page.screenshot(path=str(artifacts / "dashboard-sent-back.png"), full_page=True)
    author.page.click(".ct-sent-back-link")
    author.page.wait_for_selector("#result_list")
    rows = author.page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert "Changes requested" in rows.first.inner_text()
    author.page.goto(f"{live_server.url}/admin/annotate/annotation/{second.pk}/change/")
    assert "Say which year" in author.page.inner_text("#ct-sent-back")
    assert author.errors == []


def test_a_false_verdict_shows_waiting_for_a_second_reviewer(browser, live_server):
    annotator = _user("ann", Role.ANNOTATOR)
    reviewer = _user("rev", Role.REVIEWER)
    transcript = make_transcript(TEXT, filename="review.txt")
    segment = transcript.segments.get(ordinal=1)
    annotation = _submitted(annotator, segment, "4.2 million", "false")
    services.annotation_approve(
        actor=reviewer, annotation=annotation, expected_version=annotation.version
    )
    desk = Watched(browser, live_server, "rev")
    desk.page.goto(f"{live_server.url}/admin/annotate/annotation/review/")
    assert desk.page.locator(".ct-review-empty").is_visible()  # not in my queue any more
    desk.page.goto(f"{live_server.url}/admin/annotate/annotation/{annotation.pk}/change/")
    assert "waiting for a second reviewer" in desk.page.inner_text("#ct-waiting")
    assert desk.page.locator("button.ct-step-approve").count() == 0
    assert Annotation.objects.get().status == Status.IN_REVIEW
