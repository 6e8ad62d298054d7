"""The admin's revisions page: the chain with its anchor counts, and two revisions side
by side with what changed marked; the re-anchoring queue in the annotation list."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_revisions_page_shows_the_chain_and_the_changes(client, reviewer, revised):
    client.force_login(reviewer)
    url = reverse("admin:annotate_transcript_revisions", args=[revised["second"].pk])
    html = client.get(url).content.decode()
    assert "revision 1" in html and "revision 2" in html
    assert "1 orphaned" in html
    assert "<del>per cent</del>" in html or "<del>per </del>" in html or "<del>per" in html
    assert "<ins>percent</ins>" in html
    assert "One more thing." in html
    assert " style=" not in html and "<script>" not in html


def test_the_reading_page_links_its_revisions(client, reviewer, revised):
    client.force_login(reviewer)
    page = reverse("admin:archive_transcript_change", args=[revised["transcript"].pk])
    assert reverse("admin:annotate_transcript_revisions", args=[revised["transcript"].pk]) in (
        client.get(page).content.decode()
    )


def test_the_first_revision_alone_says_so(client, reviewer, first):
    client.force_login(reviewer)
    url = reverse("admin:annotate_transcript_revisions", args=[first["transcript"].pk])
    assert "only revision" in client.get(url).content.decode()


def test_an_unknown_transcript_redirects_as_the_admin_does(client, reviewer, db):
    client.force_login(reviewer)
    url = reverse(
        "admin:annotate_transcript_revisions", args=["0" * 8 + "-0000-0000-0000-" + "0" * 12]
    )
    assert client.get(url).status_code == 302


def test_the_annotation_list_filters_the_orphans(client, reviewer, revised):
    client.force_login(reviewer)
    url = reverse("admin:annotate_annotation_changelist") + "?anchor_status__exact=orphaned"
    html = client.get(url).content.decode()
    assert "12 per cent" in html
    assert "4.2 million" not in html
