"""The annotating desk on the reading page: a claim in one selection and a few keys,
through the REST API, with no page load; keyboard-only spans; overlaps; stale saves;
what reviewers see; readable highlights in both themes; no console errors.
"""

from __future__ import annotations

import pytest

from annotate import services
from annotate.models import Annotation, ClaimType, Status
from common.roles import Role
from tests.browser.test_annotating_flow import PASSWORD, TEXT, _select_with_mouse, _user
from tests.factories import make_annotation, make_transcript

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Watched:
    """A logged-in page that records its page loads and console errors."""

    def __init__(self, browser, live_server, username, **options):
        self.context = browser.new_context(viewport={"width": 1400, "height": 900}, **options)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.loads: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        self.page.goto(f"{live_server.url}/admin/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("input[type=submit]")
        self.page.wait_for_url(f"{live_server.url}/admin/")

    def _console(self, message):
        if message.type == "error":
            self.errors.append(message.text)

    def open_reading(self, live_server, transcript):
        self.page.goto(f"{live_server.url}/admin/archive/transcript/{transcript.pk}/change/")
        self.page.wait_for_selector(".ct-text[data-segment]")
        self.page.on("load", lambda: self.loads.append(self.page.url))


def _key_of(slug: str) -> str:
    """The number key of a claim type: its place in the taxonomy's order."""
    slugs = list(ClaimType.objects.order_by("name").values_list("slug", flat=True))
    return str(slugs.index(slug) + 1)


def _panel_open(page):
    page.wait_for_selector("#ct-desk:not([hidden])")


def _panel_closed(page):
    page.wait_for_selector("#ct-desk", state="hidden")


def test_a_claim_with_a_citation_from_one_selection_and_keys(browser, live_server, artifacts):
    _user("ann", Role.ANNOTATOR)
    transcript = make_transcript(TEXT, filename="desk.txt")
    segment = transcript.segments.get(ordinal=1)
    desk = Watched(browser, live_server, "ann")
    desk.open_reading(live_server, transcript)
    page = desk.page

    _select_with_mouse(page, segment.pk, "4.2 million")
    _panel_open(page)
    # Focus is on the first decision, the claim type, never on offsets.
    assert page.evaluate("document.activeElement.closest('[data-field]').dataset.field") == (
        "claim_type"
    )
    page.keyboard.press(_key_of("quantity"))
    page.keyboard.press("Tab")  # past the claim types, into the claim
    page.locator("textarea[name=claim_text]").focus()
    page.keyboard.type("The town spent 4.2 million on roads in 2023.")
    page.keyboard.press("Alt+Shift+2")  # a verdict without leaving the text field
    page.click(".ct-add-citation")
    page.keyboard.type("https://www.example.org/budget-2023")
    # The publisher is offered from the URL and stays editable.
    assert page.input_value(".ct-citation [name=publisher]") == "example.org"
    page.fill(".ct-citation [name=publisher]", "Riverton council")
    page.fill(".ct-citation [name=title]", "Riverton budget 2023")
    page.select_option(".ct-citation [name=stance]", value="supports")
    page.locator("textarea[name=note]").fill("Checked against the published budget.")
    page.screenshot(path=str(artifacts / "desk-panel.png"))
    page.keyboard.press("Control+Shift+Enter")
    _panel_closed(page)

    annotation = Annotation.objects.get()
    start = segment.text.index("4.2 million")
    assert (annotation.start, annotation.end) == (start, start + len("4.2 million"))
    assert annotation.quote == "4.2 million"
    assert annotation.claim_type.slug == "quantity"
    assert annotation.verdict == "mostly-true"
    assert annotation.status == Status.IN_REVIEW
    assert annotation.note == "Checked against the published budget."
    citation = annotation.citations.get()
    assert (citation.url, citation.publisher, citation.stance) == (
        "https://www.example.org/budget-2023",
        "Riverton council",
        "supports",
    )
    # The highlight is there at once, without a page load.
    page.wait_for_selector(f'mark.ct-hl.ct-in-review[data-annotation="{annotation.pk}"]')
    assert "Submitted for review" in page.inner_text("#ct-status")
    assert desk.loads == []
    assert desk.errors == []


def test_keyboard_only_span_and_save(browser, live_server):
    """j to the segment, Shift+→ to pick three words, Enter, a digit, Ctrl+Enter."""
    _user("ann", Role.ANNOTATOR)
    transcript = make_transcript(TEXT, filename="desk.txt")
    segment = transcript.segments.get(ordinal=1)  # starts with an emoji: 2 UTF-16 units
    desk = Watched(browser, live_server, "ann")
    desk.open_reading(live_server, transcript)
    page = desk.page
    page.locator("body").focus()
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.dataset.segmentId") == str(segment.pk)
    for _ in range(3):  # the first press picks a word, each next one adds one
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("ArrowRight")  # move the three words along by one
    page.keyboard.press("Enter")
    _panel_open(page)
    words = segment.text.split()
    expected = " ".join(words[1:4])
    assert page.inner_text(".ct-desk-quote") == f"“{expected}”"
    page.keyboard.press(_key_of("event"))
    page.keyboard.press("Control+Enter")
    _panel_closed(page)
    annotation = Annotation.objects.get()
    assert annotation.quote == expected
    assert segment.text[annotation.start : annotation.end] == expected  # code points
    assert annotation.claim_type.slug == "event"
    assert annotation.status == Status.DRAFT
    # Focus is back on the segment: the next span can start at once.
    assert page.evaluate("document.activeElement.dataset.segmentId") == str(segment.pk)
    page.keyboard.press("n")
    assert page.evaluate("document.activeElement.dataset.annotation") == str(annotation.pk)
    page.keyboard.press("Enter")
    _panel_open(page)
    assert page.inner_text("#ct-desk-title") == "Edit annotation"
    page.keyboard.press("Escape")
    _panel_closed(page)
    page.keyboard.press("?")
    assert page.evaluate("document.getElementById('ct-keys').open")
    assert desk.loads == [] and desk.errors == []


def test_overlapping_highlights_offer_a_choice(browser, live_server):
    annotator = _user("ann", Role.ANNOTATOR)
    transcript = make_transcript(TEXT, filename="desk.txt")
    segment = transcript.segments.get(ordinal=1)
    wide = make_annotation(annotator, segment, words="spent 4.2 million on roads", verdict="")
    narrow = make_annotation(annotator, segment, words="4.2 million", verdict="")
    desk = Watched(browser, live_server, "ann")
    desk.open_reading(live_server, transcript)
    page = desk.page
    overlap = page.locator("mark.ct-overlap").first
    assert set(overlap.get_attribute("data-annotations").split()) == {str(wide.pk), str(narrow.pk)}
    overlap.click()
    page.wait_for_selector("#ct-picker:not([hidden])")
    assert page.locator("#ct-picker button").count() == 2
    page.click(f'#ct-picker button[data-annotation="{wide.pk}"]')
    _panel_open(page)
    assert page.inner_text(".ct-desk-quote") == "“spent 4.2 million on roads”"
    # A run only one annotation covers opens it directly.
    page.keyboard.press("Escape")
    page.locator(f'mark[data-annotations="{wide.pk}"]').first.click()
    _panel_open(page)
    assert page.locator("#ct-picker").is_hidden()
    assert desk.errors == []


def test_a_stale_save_says_who_changed_it_and_keeps_the_typing(browser, live_server):
    annotator = _user("ann", Role.ANNOTATOR)
    _user("ed", Role.EDITOR)
    transcript = make_transcript(TEXT, filename="desk.txt")
    segment = transcript.segments.get(ordinal=1)
    draft = make_annotation(annotator, segment, words="4.2 million", verdict="")
    mine = Watched(browser, live_server, "ann")
    mine.open_reading(live_server, transcript)
    theirs = Watched(browser, live_server, "ed")
    theirs.open_reading(live_server, transcript)

    mine.page.locator(f'mark[data-annotation="{draft.pk}"]').click()
    _panel_open(mine.page)
    mine.page.fill("textarea[name=claim_text]", "My claim, typed at version 1.")

    theirs.page.locator(f'mark[data-annotation="{draft.pk}"]').click()
    _panel_open(theirs.page)
    theirs.page.fill("textarea[name=verdict_summary]", "The editor's summary.")
    theirs.page.keyboard.press("Control+Enter")
    _panel_closed(theirs.page)

    mine.page.keyboard.press("Control+Enter")
    mine.page.wait_for_selector(".ct-desk-alert:not([hidden])")
    alert = mine.page.inner_text(".ct-desk-alert")
    assert "ed changed this annotation" in alert and "now version 2" in alert
    before = draft.claim_text
    draft.refresh_from_db()
    assert (draft.claim_text, draft.version) == (before, 2)  # nothing of mine was saved
    mine.page.click(".ct-desk-alert button")
    mine.page.wait_for_selector(".ct-desk-alert:has-text('Loaded version 2')")
    assert mine.page.input_value("textarea[name=claim_text]") == "My claim, typed at version 1."
    assert mine.page.input_value("textarea[name=verdict_summary]") == "The editor's summary."
    mine.page.keyboard.press("Control+Enter")
    _panel_closed(mine.page)
    draft.refresh_from_db()
    assert (draft.claim_text, draft.verdict_summary, draft.version) == (
        "My claim, typed at version 1.",
        "The editor's summary.",
        3,
    )
    assert mine.errors == [] or all("412" in error for error in mine.errors)


def test_submit_without_a_verdict_keeps_the_draft_open_with_the_error(browser, live_server):
    _user("ann", Role.ANNOTATOR)
    transcript = make_transcript(TEXT, filename="desk.txt")
    segment = transcript.segments.get(ordinal=1)
    desk = Watched(browser, live_server, "ann")
    desk.open_reading(live_server, transcript)
    page = desk.page
    _select_with_mouse(page, segment.pk, "on roads")
    _panel_open(page)
    page.keyboard.press(_key_of("event"))
    page.keyboard.press("Control+Shift+Enter")
    page.wait_for_selector('[data-error-for="verdict"]:not([hidden])')
    annotation = Annotation.objects.get()
    assert annotation.status == Status.DRAFT  # saved, not submitted, and the panel says so
    assert page.inner_text("#ct-desk-title") == "Edit annotation"
    page.keyboard.press("Shift+1")
    page.keyboard.press("Control+Shift+Enter")
    _panel_closed(page)
    annotation.refresh_from_db()
    assert (annotation.status, annotation.verdict) == (Status.IN_REVIEW, "true")
    assert Annotation.objects.count() == 1  # the second save changed the same draft


def test_a_reviewer_reads_and_is_told_what_they_can_do(browser, live_server):
    annotator = _user("ann", Role.ANNOTATOR)
    _user("rev", Role.REVIEWER)
    transcript = make_transcript(TEXT, filename="desk.txt")
    segment = transcript.segments.get(ordinal=1)
    annotation = make_annotation(annotator, segment, words="4.2 million", verdict="true")
    services.annotation_submit(actor=annotator, annotation=annotation, expected_version=1)
    desk = Watched(browser, live_server, "rev")
    desk.open_reading(live_server, transcript)
    page = desk.page
    help_text = page.inner_text("#ct-role-help")
    assert "Select words" not in help_text and "review queue" in help_text
    _select_with_mouse(page, segment.pk, "on roads")
    page.wait_for_timeout(200)
    assert page.locator("#ct-desk").is_hidden()  # nothing to create for a reviewer
    page.locator(f'mark[data-annotation="{annotation.pk}"]').click()
    page.wait_for_selector("#ct-desk.ct-desk-readonly:not([hidden])")
    assert page.locator(".ct-desk-actions").is_hidden()
    assert desk.errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_highlighted_text_is_readable_in_both_themes(browser, live_server, artifacts, scheme):
    """WCAG contrast of every highlight's text against its background: at least 4.5:1."""
    annotator = _user("ann", Role.ANNOTATOR)
    transcript = make_transcript(TEXT, filename="desk.txt")
    segment = transcript.segments.get(ordinal=1)
    for words, verdict in (("4.2 million", "true"), ("on roads", "")):
        make_annotation(annotator, segment, words=words, verdict=verdict)
    submitted = Annotation.objects.get(quote="4.2 million")
    services.annotation_submit(actor=annotator, annotation=submitted, expected_version=1)
    desk = Watched(browser, live_server, "ann", color_scheme=scheme)
    desk.open_reading(live_server, transcript)
    ratios = desk.page.evaluate(
        """() => {
        const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
        const lum = ([r, g, b]) => {
            const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
        };
        return Array.from(document.querySelectorAll('.ct-hl, .ct-chip')).map((el) => {
            const style = getComputedStyle(el);
            const a = lum(rgb(style.color)), b = lum(rgb(style.backgroundColor));
            return [el.className, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
        });
    }"""
    )
    desk.page.screenshot(path=str(artifacts / f"desk-reading-{scheme}.png"))
    assert len(ratios) >= 6
    low = [(name, round(ratio, 2)) for name, ratio in ratios if ratio < 4.5]
    assert low == [], f"{scheme}: too little contrast: {low}"


def test_suggestions_from_the_library_become_a_citation_or_are_refused(browser, live_server):
    from library.formats import FactCheckRecord
    from library.services import factcheck_import
    from matching import services as matching
    from matching.models import MatchFeedback

    _user("ann", Role.ANNOTATOR)
    factcheck_import(
        actor=None,
        origin="tests",
        records=[
            FactCheckRecord(
                url="https://checks.example.org/roads",
                claim_reviewed="The town spent 4.2 million on roads in 2023.",
                headline="Road spending figure checks out",
                publisher_name="Example Checks",
                rating_name="True",
                verdict="true",
            ),
            FactCheckRecord(
                url="https://checks.example.org/moon",
                claim_reviewed="The moon landing was staged.",
                headline="No, it was not",
                publisher_name="Example Checks",
                verdict="false",
            ),
        ],
    )
    matching.embed_missing()
    matching.forget_index()
    transcript = make_transcript(TEXT, filename="desk.txt")
    segment = transcript.segments.get(ordinal=1)
    desk = Watched(browser, live_server, "ann")
    desk.open_reading(live_server, transcript)
    page = desk.page
    _select_with_mouse(page, segment.pk, "the town spent 4.2 million on roads in 2023")
    _panel_open(page)
    page.wait_for_selector(".ct-suggestions:not([hidden]) .ct-suggestion")
    first = page.locator(".ct-suggestion").first
    assert "4.2 million on roads" in first.inner_text()
    page.locator(".ct-suggestion").nth(1).locator(".ct-suggestion-refuse").click()
    page.locator(".ct-suggestion").nth(1).wait_for(state="detached")
    first.locator(".ct-suggestion-use").click()
    assert page.input_value(".ct-citation [name=url]") == "https://checks.example.org/roads"
    assert page.input_value(".ct-citation [name=stance]") == "supports"
    assert (
        page.get_attribute('.ct-choices[data-field="verdict"] [data-value="true"]', "aria-pressed")
        == "true"
    )
    page.keyboard.press(_key_of("quantity"))
    page.keyboard.press("Control+Enter")
    _panel_closed(page)
    annotation = Annotation.objects.get()
    assert annotation.citations.get().url == "https://checks.example.org/roads"
    assert annotation.verdict == "true"
    outcomes = sorted(MatchFeedback.objects.values_list("outcome", flat=True))
    assert outcomes == ["not-a-match", "used"]
    matching.forget_index()
    assert desk.errors == []
