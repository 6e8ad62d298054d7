"""The admin's triage pages: per transcript and across recent ones, with annotate and dismiss."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from archive import ledger
from tests.factories import make_annotation
from triage.actions import TriageAction
from triage.models import Sentence

pytestmark = pytest.mark.django_db

ROADS = "The town spent 4.2 million on roads in 2023, up 12 per cent on 2022."


def _page(transcript, **query) -> str:
    url = reverse("admin:triage_sentence_transcript", args=[transcript.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _order(html: str) -> list[str]:
    return re.findall(r'<td class="ct-triage-text">([^<]+)', html)


def test_the_transcript_triage_page_lists_open_sentences_highest_first(
    client, annotator, transcript
):
    client.force_login(annotator)
    segment = transcript.segments.order_by("ordinal").first()
    make_annotation(annotator, segment, words="three bridges")

    html = client.get(_page(transcript)).content.decode()

    expected = [
        s.text
        for s in Sentence.objects.filter(transcript=transcript).order_by("-checkworthiness")
        if "three bridges" not in s.text
    ]
    assert [text.strip() for text in _order(html)] == expected
    assert "three bridges" not in html  # annotated: not in the open queue
    assert "three bridges" in client.get(_page(transcript, all=1)).content.decode()


def test_annotate_opens_the_reading_page_at_the_segment_with_the_span(
    client, annotator, transcript
):
    client.force_login(annotator)
    sentence = Sentence.objects.get(transcript=transcript, text=ROADS)

    html = client.get(_page(transcript)).content.decode()

    reading = reverse("admin:archive_transcript_change", args=[transcript.pk])
    link = (
        f"{reading}?select={sentence.segment_id}:{sentence.start}:{sentence.end}"
        f"#segment-{sentence.segment_ordinal}"
    )
    assert f'href="{link}"' in html
    assert client.get(link.split("#")[0]).status_code == 200


def test_no_inline_scripts_or_styles(client, annotator, transcript):
    client.force_login(annotator)

    for url in (_page(transcript), reverse("admin:triage_sentence_changelist")):
        html = client.get(url).content.decode()
        assert " style=" not in html and "<style" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_dismiss_button_posts_to_the_service_and_comes_back(client, annotator, transcript):
    client.force_login(annotator)
    sentence = Sentence.objects.get(transcript=transcript, text=ROADS)
    page = _page(transcript)
    assert (
        reverse("admin:triage_sentence_dismiss", args=[sentence.pk])
        in client.get(page).content.decode()
    )

    response = client.post(
        reverse("admin:triage_sentence_dismiss", args=[sentence.pk]), {"next": page}
    )

    assert response.status_code == 302 and response["Location"] == page
    assert Sentence.objects.get(pk=sentence.pk).dismissed
    assert ledger.LedgerEvent.objects.filter(
        action=TriageAction.SENTENCE_DISMISS, actor=annotator
    ).exists()
    assert ROADS not in client.get(page).content.decode()


def test_a_reviewer_reads_but_has_no_dismiss_button_and_is_refused(client, reviewer, transcript):
    client.force_login(reviewer)
    sentence = Sentence.objects.filter(transcript=transcript).first()
    dismiss = reverse("admin:triage_sentence_dismiss", args=[sentence.pk])

    html = client.get(_page(transcript)).content.decode()
    response = client.post(dismiss, {"next": "https://elsewhere.example/"}, follow=True)

    assert dismiss not in html and "annotate</a>" in html
    assert not Sentence.objects.get(pk=sentence.pk).dismissed
    assert response.redirect_chain[-1][0] == _page(transcript)  # never an outside address
    assert "Not dismissed: only an annotator or editor may dismiss" in response.content.decode()


def test_the_recent_page_ranks_across_transcripts(client, annotator, transcript):
    client.force_login(annotator)

    response = client.get(reverse("admin:triage_sentence_changelist"))

    html = response.content.decode()
    assert response.status_code == 200
    assert ROADS in html
    assert reverse("admin:triage_sentence_transcript", args=[transcript.pk]) in html


def test_outsiders_see_no_triage(client, outsider, transcript):
    outsider.is_staff = True
    outsider.save()
    client.force_login(outsider)

    assert client.get(_page(transcript)).status_code == 403
    assert client.get(reverse("admin:triage_sentence_changelist")).status_code == 403


def test_the_trained_models_page_renders(client, editor):
    client.force_login(editor)

    assert client.get(reverse("admin:triage_triagemodel_changelist")).status_code == 200
