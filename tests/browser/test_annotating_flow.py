"""An annotator selects words with the mouse, saves with a citation and submits; a
reviewer approves; the History page shows both; a stale edit is refused.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from annotate import services
from annotate.models import Annotation, Status
from common.roles import Role
from tests.factories import UserFactory, make_annotation, make_transcript

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"
# An emoji before the words: one code point in Python, two UTF-16 units in JavaScript.
TEXT = """Sample hearing on the town budget

0900: Riverton: Ms. Ada Example, treasurer of Riverton

🎉 Good news: the town spent 4.2 million on roads in 2023, up 12 per cent on 2022.

0915: Riverton: Mr. Ben Sample

Unemployment fell to 5 per cent last year <script>alert('x')</script>, the lowest since 2009.
"""


def _user(name, role):
    user = UserFactory(username=name)
    user.groups.add(Group.objects.get(name=role.value))
    return user


def _login(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"unexpected dialog: {dialog.message}"))
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


def _select_with_mouse(page, segment_id, words):
    """Drag the mouse across ``words`` in the segment's text, like a person would."""
    box = page.evaluate(
        """([segmentId, words]) => {
            const el = document.querySelector(`.ct-text[data-segment="${segmentId}"]`);
            const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(words);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(node, at); range.setEnd(node, at + words.length);
                const rects = range.getClientRects();
                const first = rects[0], last = rects[rects.length - 1];
                return {x1: first.left + 1, y1: first.top + first.height / 2,
                        x2: last.right - 1, y2: last.top + last.height / 2};
            }
            return null;
        }""",
        [str(segment_id), words],
    )
    assert box, f"{words!r} not found on the page"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=8)
    page.mouse.up()


def test_annotate_review_history_and_stale_edit(browser, live_server, artifacts):
    annotator = _user("ann", Role.ANNOTATOR)
    _user("rev", Role.REVIEWER)
    transcript = make_transcript(TEXT, filename="browser.txt")
    segment = transcript.segments.get(ordinal=1)
    reading = f"{live_server.url}/admin/archive/transcript/{transcript.pk}/change/"

    # --- the annotator selects words with the mouse and gets a prefilled form
    page = _login(browser, live_server, "ann")
    page.goto(reading)
    assert "<script>alert" in page.inner_text(".ct-reading")  # shown as text, never run
    _select_with_mouse(page, segment.pk, "4.2 million")
    page.wait_for_selector("#ct-desk:not([hidden])")
    page.click("#ct-desk .ct-desk-full")  # the panel's way to the full form
    page.wait_for_selector("#annotation_form")
    start = segment.text.index("4.2 million")
    assert page.input_value("#id_start") == str(start)  # code points, despite the emoji
    assert page.input_value("#id_end") == str(start + len("4.2 million"))
    assert page.input_value("#id_quote") == "4.2 million"

    page.select_option("#id_claim_type", label="Quantity")
    page.fill("#id_claim_text", "The town spent 4.2 million on roads in 2023.")
    page.select_option("#id_verdict", value="mostly-true")
    page.fill("#id_verdict_summary", "The budget says 4.17 million.")
    page.fill("#id_citations-0-url", "https://example.org/budget-2023")
    page.fill("#id_citations-0-title", "Riverton budget 2023")
    page.fill("#id_citations-0-publisher", "Riverton council")
    page.select_option("#id_citations-0-stance", value="supports")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    annotation = Annotation.objects.get()
    assert (annotation.quote, annotation.status) == ("4.2 million", Status.DRAFT)
    assert annotation.citations.get().publisher == "Riverton council"

    page.click("button.ct-step-submit")
    page.wait_for_selector(".messagelist .success")
    annotation.refresh_from_db()
    assert annotation.status == Status.IN_REVIEW

    page.goto(reading)
    page.wait_for_selector("mark.ct-hl.ct-in-review")
    page.screenshot(path=str(artifacts / "reading-page-highlights.png"), full_page=True)
    page.click("mark.ct-hl.ct-in-review")  # clicking a highlight opens it in the panel
    page.wait_for_selector("#ct-desk:not([hidden]).ct-desk-readonly")  # in review: read only
    page.click("#ct-desk .ct-desk-full")
    page.wait_for_selector("#annotation_form")
    assert str(annotation.pk) in page.url

    # --- the reviewer approves from the queue
    reviewer_page = _login(browser, live_server, "rev")
    reviewer_page.goto(f"{live_server.url}/admin/annotate/annotation/?queue=review")
    reviewer_page.screenshot(path=str(artifacts / "review-queue.png"), full_page=True)
    reviewer_page.click("#result_list tbody tr th a")
    reviewer_page.wait_for_selector("#ct-workflow")
    reviewer_page.screenshot(path=str(artifacts / "review-page.png"), full_page=True)
    reviewer_page.fill("#ct-comment", "Matches the budget.")
    reviewer_page.click("button.ct-step-approve")
    reviewer_page.wait_for_selector(".messagelist .success")
    annotation.refresh_from_db()
    assert annotation.status == Status.APPROVED

    # --- the History page shows both steps
    reviewer_page.click("a.historylink")
    reviewer_page.wait_for_selector("#change-history")
    actions = reviewer_page.eval_on_selector_all(
        "tr.ct-event", "rows => rows.map(r => r.dataset.action)"
    )
    assert "annotation.submit" in actions and "annotation.approve" in actions
    assert "Intact" in reviewer_page.inner_text("#chain-check")
    reviewer_page.screenshot(path=str(artifacts / "history.png"), full_page=True)

    # --- a stale edit is refused, not saved over someone else's change
    draft = make_annotation(annotator, segment, words="up 12 per cent", verdict="true")
    page.goto(f"{live_server.url}/admin/annotate/annotation/{draft.pk}/change/")
    page.fill("#id_claim_text", "My edit, based on version 1.")
    services.annotation_update(
        actor=annotator, annotation=draft, expected_version=1, claim_text="Their edit."
    )
    page.click("input[name=_save]")
    page.wait_for_selector(".errornote")
    assert "Not saved: this annotation was changed by ann" in page.inner_text("#content-main")
    page.screenshot(path=str(artifacts / "stale-edit-refused.png"), full_page=True)
    draft.refresh_from_db()
    assert draft.claim_text == "Their edit."


def test_every_admin_page_renders_for_a_screenshot(browser, live_server, artifacts):
    """Screenshots of the pages this UI adds or changes, for a person to look at."""
    annotator = _user("ann", Role.ANNOTATOR)
    _user("rev", Role.REVIEWER)
    _user("ed", Role.EDITOR)
    transcript = make_transcript(TEXT, filename="browser.txt")
    segment = transcript.segments.get(ordinal=1)
    first = make_annotation(annotator, segment, words="4.2 million", verdict="false")
    services.annotation_submit(actor=annotator, annotation=first, expected_version=1)
    make_annotation(annotator, segment, words="up 12 per cent", verdict="true")
    page = _login(browser, live_server, "ed")
    start = segment.text.index("on roads")
    shots = {
        "index": "/admin/",
        "dashboard": "/admin/annotate/annotation/dashboard/",
        "changelist": "/admin/annotate/annotation/",
        "changelist-search": "/admin/annotate/annotation/?q=roads",
        "add-form": f"/admin/annotate/annotation/add/?segment={segment.pk}&start={start}"
        f"&end={start + 8}&quote=on+roads",
        "transcripts": "/admin/archive/transcript/",
        "source-history": f"/admin/archive/source/{transcript.source_id}/history/",
        "ledger": "/admin/archive/ledgerevent/",
    }
    for name, path in shots.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, name
        assert "Server Error" not in page.content()
        page.screenshot(path=str(artifacts / f"page-{name}.png"), full_page=True)


def test_without_javascript_typed_words_still_make_an_annotation(browser, live_server, artifacts):
    _user("ann", Role.ANNOTATOR)
    transcript = make_transcript(TEXT, filename="browser.txt")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "ann")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/archive/transcript/{transcript.pk}/change/")
    page.click("#segment-2 .ct-annotate-link")
    page.fill("#id_quote", "5 per cent last year")
    page.select_option("#id_claim_type", label="Quantity")
    page.select_option("#id_verdict", value="true")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    annotation = Annotation.objects.get()
    segment = transcript.segments.get(ordinal=2)
    assert segment.text[annotation.start : annotation.end] == "5 per cent last year"
    page.screenshot(path=str(artifacts / "no-javascript-list.png"), full_page=True)
    context.close()
