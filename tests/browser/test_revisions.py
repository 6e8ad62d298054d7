"""The revisions page in the browser, both themes: the chain, the counts, the two
revisions side by side; no console or CSP errors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.services import source_import
from common.roles import Role
from tests.browser.test_annotating_flow import _user
from tests.browser.test_desk import Watched
from tests.factories import LIVEBLOG, make_annotation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

URL = "https://news.example.org/live/budget"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_revisions_side_by_side(browser, live_server, artifacts, scheme):
    annotator = _user("ann", Role.ANNOTATOR)
    first = source_import(data=LIVEBLOG.encode(), filename="budget.txt", origin_url=URL).transcript
    segment = first.segments.get(ordinal=1)
    make_annotation(annotator, segment, words="12 per cent")
    make_annotation(annotator, segment, words="4.2 million")
    revised = LIVEBLOG.replace("12 per cent", "12 percent").replace(
        "Exit mobile version", "0945: Riverton: Ms. Ada Example\n\nOne more thing.\n\nExit"
    )
    second = source_import(data=revised.encode(), filename="budget.txt", origin_url=URL).transcript
    desk = Watched(browser, live_server, "ann", color_scheme=scheme)
    page = desk.page
    page.goto(live_server.url + reverse("admin:archive_transcript_change", args=[second.pk]))
    page.get_by_role("link", name="Revisions").click()
    page.wait_for_selector("table.ct-diff")
    page.screenshot(path=str(artifacts / f"revisions-{scheme}.png"), full_page=True)
    assert page.locator("table.ct-diff ins", has_text="percent").count() == 1
    assert page.locator("table.ct-diff del", has_text="per cent").count() == 1
    assert "1 orphaned" in page.inner_text("table.ct-revisions")
    page.get_by_role("link", name="Annotations that need re-anchoring").click()
    assert "12 per cent" in page.inner_text("#result_list")
    assert desk.errors == []
