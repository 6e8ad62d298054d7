"""Triage in the browser: the highest sentence's "annotate" opens the desk panel on that
exact span (offsets in code points, after an emoji), saving leaves it out of the open
queue, "dismiss" records a negative; both themes render without CSP errors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from annotate.models import Annotation
from common.roles import Role
from tests.browser.test_annotating_flow import TEXT, _user
from tests.browser.test_desk import Watched, _key_of, _panel_closed, _panel_open
from tests.factories import make_transcript
from triage.models import Sentence

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _triage_url(live_server, transcript) -> str:
    return live_server.url + reverse("admin:triage_sentence_transcript", args=[transcript.pk])


def test_annotate_from_triage_opens_the_panel_on_the_sentence(browser, live_server, artifacts):
    _user("ann", Role.ANNOTATOR)
    transcript = make_transcript(TEXT, filename="triage.txt")
    sentence = Sentence.objects.get(transcript=transcript, text__contains="4.2 million")
    desk = Watched(browser, live_server, "ann")
    page = desk.page
    page.goto(_triage_url(live_server, transcript))
    row = page.locator("tr", has_text="4.2 million")
    row.locator(".ct-triage-annotate").click()
    _panel_open(page)
    assert page.inner_text(".ct-desk-quote") == f"“{sentence.text}”"
    page.keyboard.press(_key_of("quantity"))
    page.keyboard.press("Control+Enter")
    _panel_closed(page)

    annotation = Annotation.objects.get()
    assert (annotation.segment_id, annotation.start, annotation.end) == (
        sentence.segment_id,
        sentence.start,
        sentence.end,
    )
    assert annotation.quote == sentence.text
    page.goto(_triage_url(live_server, transcript))
    assert page.locator("tr", has_text="4.2 million").count() == 0  # annotated: done
    assert desk.errors == []


def test_a_span_that_is_not_on_the_page_is_said_not_opened(browser, live_server):
    _user("ann", Role.ANNOTATOR)
    transcript = make_transcript(TEXT, filename="triage.txt")
    segment = transcript.segments.get(ordinal=1)
    desk = Watched(browser, live_server, "ann")
    page = desk.page
    reading = reverse("admin:archive_transcript_change", args=[transcript.pk])
    page.goto(f"{live_server.url}{reading}?select={segment.pk}:5:99999")
    page.wait_for_selector("#ct-status:not([hidden])")
    assert "not on this page" in page.inner_text("#ct-status")
    assert page.locator("#ct-desk").is_hidden()
    assert desk.errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_dismiss_from_the_triage_page(browser, live_server, artifacts, scheme):
    _user("ann", Role.ANNOTATOR)
    transcript = make_transcript(TEXT, filename="triage.txt")
    desk = Watched(browser, live_server, "ann", color_scheme=scheme)
    page = desk.page
    page.goto(_triage_url(live_server, transcript))
    page.screenshot(path=str(artifacts / f"triage-{scheme}.png"), full_page=True)
    first = page.locator("table.ct-triage tbody tr").first
    text = first.locator(".ct-triage-text").inner_text()
    first.locator(".ct-triage-dismiss").click()
    page.wait_for_load_state()
    assert page.locator("table.ct-triage tbody tr", has_text=text).count() == 0
    dismissed = Sentence.objects.get(transcript=transcript, dismissed=True)
    assert dismissed.text == text.strip()
    assert desk.errors == []
