"""The annotation add/change form: everything goes through the services."""

from __future__ import annotations

from django.urls import reverse

from annotate.models import Annotation, Citation, Status
from archive.ledger import LedgerEvent
from tests.admin.conftest import change_url
from tests.factories import make_annotation

ADD = "admin:annotate_annotation_add"


def _add_data(segment, **overrides):
    data = {
        "segment": str(segment.pk),
        "start": "",
        "end": "",
        "quote": "",
        "claim_type": "",
        "claim_text": "Roads spending was 4.2 million.",
        "verdict": "mostly-true",
        "verdict_summary": "Budget documents agree.",
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
        "citations-0-url": "",
        "citations-0-stance": "supports",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def _quantity():
    from annotate.models import ClaimType

    return str(ClaimType.objects.get(slug="quantity").pk)


def _citation(prefix="citations-0-", **values):
    base = {
        "url": "https://example.org/budget",
        "title": "Budget 2023",
        "publisher": "Riverton council",
        "published_on": "2024-01-15",
        "accessed_at_0": "2026-11-01",
        "accessed_at_1": "10:00:00",
        "archived_url": "https://web.archive.org/web/2024/https://example.org/budget",
        "excerpt": "Roads: 4.2m",
        "stance": "supports",
    }
    base.update(values)
    return {prefix + key: value for key, value in base.items()}


def test_add_form_is_prefilled_from_the_selection(login, annotator, segment):
    start = segment.text.index("4.2 million")
    url = reverse(ADD) + f"?segment={segment.pk}&start={start}&end={start + 11}&quote=4.2+million"
    html = login(annotator).get(url).content.decode()
    assert f'name="start" value="{start}"' in html
    assert f'name="end" value="{start + 11}"' in html
    assert "4.2 million</textarea>" in html
    assert 'class="ct-hl ct-draft"' in html  # the chosen span is shown in context


def test_add_without_a_segment_explains_where_annotations_start(login, annotator):
    response = login(annotator).get(reverse(ADD))
    assert response.status_code == 200
    html = response.content.decode()
    assert "An annotation starts from a transcript's text" in html
    assert f'href="{reverse("admin:archive_transcript_changelist")}"' in html


def test_add_with_a_malformed_or_unknown_segment_says_so_at_once(login, annotator):
    import uuid

    client = login(annotator)
    for segment_id in ("not-a-uuid", str(uuid.uuid4())):
        response = client.get(reverse(ADD) + f"?segment={segment_id}")
        assert response.status_code == 404
        html = response.content.decode()
        assert "This segment does not exist" in html and 'name="claim_text"' not in html
        assert f'href="{reverse("admin:archive_transcript_changelist")}"' in html


def test_the_add_explanation_is_not_offered_to_those_who_cannot_add(login, reviewer):
    assert login(reviewer).get(reverse(ADD)).status_code == 403
    assert login(reviewer).get(reverse(ADD) + "?segment=not-a-uuid").status_code == 403


def test_saving_creates_a_draft_with_its_citation_through_the_services(login, annotator, segment):
    start = segment.text.index("4.2 million")
    data = _add_data(
        segment, start=str(start), end=str(start + 11), quote="4.2 million", claim_type=_quantity()
    )
    data.update(_citation())
    response = login(annotator).post(reverse(ADD), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    annotation = Annotation.objects.get()
    assert (annotation.start, annotation.end, annotation.quote) == (
        start,
        start + 11,
        "4.2 million",
    )
    assert annotation.status == Status.DRAFT and annotation.created_by == annotator
    citation = Citation.objects.get()
    assert citation.publisher == "Riverton council" and citation.added_by == annotator
    assert annotation.version == 2  # created, then the citation raised it
    actions = list(LedgerEvent.objects.order_by("sequence").values_list("action", flat=True))
    assert actions[-2:] == ["annotation.create", "citation.add"]


def test_typed_words_without_offsets_are_found_in_the_segment(login, annotator, segment):
    data = _add_data(segment, quote="up 12 per cent", claim_type=_quantity())
    assert login(annotator).post(reverse(ADD), data).status_code == 302
    annotation = Annotation.objects.get()
    assert segment.text[annotation.start : annotation.end] == "up 12 per cent"


def test_typed_words_are_found_by_the_service_rule_and_must_occur_once(login, annotator, segment):
    client = login(annotator)
    times = segment.text.count("20")
    for quote, count in (("20", times), ("four tunnels", 0)):
        response = client.post(
            reverse(ADD), _add_data(segment, quote=quote, claim_type=_quantity())
        )
        assert response.status_code == 200
        assert f"the quote occurs {count} times in the segment text, not once" in (
            response.content.decode()
        )
    assert not Annotation.objects.exists()


def test_a_span_outside_the_text_is_refused_with_a_message(login, annotator, segment):
    data = _add_data(segment, start="5", end=str(len(segment.text) + 10), claim_type=_quantity())
    response = login(annotator).post(reverse(ADD), data)
    assert response.status_code == 200
    assert "The span must satisfy" in response.content.decode()
    assert not Annotation.objects.exists()


def test_a_quote_that_does_not_match_the_offsets_is_refused(login, annotator, segment):
    data = _add_data(segment, start="0", end="8", quote="not this", claim_type=_quantity())
    response = login(annotator).post(reverse(ADD), data)
    assert "not these words" in response.content.decode()
    assert not Annotation.objects.exists()


def test_a_mismatched_quote_message_cuts_the_text_between_words(login, annotator, segment):
    data = _add_data(
        segment, start="0", end=str(len(segment.text)), quote="not this", claim_type=_quantity()
    )
    html = login(annotator).post(reverse(ADD), data).content.decode()
    shown = html.split("is “")[1].split("”, not these words")[0]
    kept = shown[:-1].rstrip(" ,.;:")
    assert shown.endswith("…") and segment.text.startswith(kept)
    assert segment.text[len(kept)] in " ,.;:\n"


def test_the_added_message_quotes_the_annotation_once(login, annotator, segment):
    data = _add_data(segment, quote="4.2 million", claim_type=_quantity())
    html = login(annotator).post(reverse(ADD), data, follow=True).content.decode()
    annotation = Annotation.objects.get()
    assert f'The annotation “<a href="{change_url(annotation)}">4.2 million</a>” was added' in html


def test_a_non_http_citation_url_is_refused_and_nothing_is_stored(login, annotator, segment):
    data = _add_data(segment, quote="4.2 million", claim_type=_quantity())
    data.update(_citation(url="ftp://example.org/budget"))
    response = login(annotator).post(reverse(ADD), data)
    assert response.status_code == 200
    assert not Annotation.objects.exists() and not Citation.objects.exists()


def test_save_and_submit_sends_it_to_review(login, annotator, segment):
    data = _add_data(segment, quote="4.2 million", claim_type=_quantity(), _submit="1")
    data.pop("_save")
    response = login(annotator).post(reverse(ADD), data)
    assert response.status_code == 302
    assert Annotation.objects.get().status == Status.IN_REVIEW


def _verdict_error(html):
    return html.split('id="id_verdict_error"')[1].split("</ul>")[0]


def test_submit_without_a_verdict_saves_nothing_and_marks_the_verdict(login, annotator, segment):
    data = _add_data(segment, quote="4.2 million", claim_type=_quantity(), verdict="", _submit="1")
    data.pop("_save")
    response = login(annotator).post(reverse(ADD), data)
    assert response.status_code == 200  # the same form, as filled in
    assert "propose a verdict before submitting" in _verdict_error(response.content.decode())
    assert not Annotation.objects.exists()
    assert not LedgerEvent.objects.filter(action="annotation.create").exists()


def test_submit_of_a_draft_without_a_verdict_saves_none_of_its_changes(login, annotator, segment):
    annotation = make_annotation(annotator, segment, words="4.2 million", verdict="")
    data = _change_data(annotation, claim_text="Changed claim.", _submit="1")
    data.pop("_save")
    response = login(annotator).post(change_url(annotation), data)
    assert response.status_code == 200
    assert "propose a verdict before submitting" in _verdict_error(response.content.decode())
    annotation.refresh_from_db()
    assert annotation.claim_text == "A restated claim." and annotation.version == 1


def _change_data(annotation, **overrides):
    data = {
        "start": str(annotation.start),
        "end": str(annotation.end),
        "quote": annotation.quote,
        "claim_type": str(annotation.claim_type_id),
        "claim_text": annotation.claim_text,
        "verdict": annotation.verdict,
        "verdict_summary": annotation.verdict_summary,
        "expected_version": str(annotation.version),
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def test_editing_a_draft_calls_the_update_service(login, annotator, segment):
    annotation = make_annotation(annotator, segment, words="4.2 million")
    data = _change_data(annotation, claim_text="Changed claim.")
    assert login(annotator).post(change_url(annotation), data).status_code == 302
    annotation.refresh_from_db()
    assert annotation.claim_text == "Changed claim." and annotation.version == 2
    event = LedgerEvent.objects.order_by("-sequence").first()
    assert event.action == "annotation.update"
    assert event.changes["claim_text"] == ["A restated claim.", "Changed claim."]


def test_new_offsets_move_the_span_and_rederive_the_quote(login, annotator, segment):
    annotation = make_annotation(annotator, segment, words="4.2 million")
    start = segment.text.index("roads")
    data = _change_data(annotation, start=str(start), end=str(start + 5))
    assert login(annotator).post(change_url(annotation), data).status_code == 302
    annotation.refresh_from_db()
    assert annotation.quote == "roads"


def test_a_stale_form_is_refused_with_a_clear_message(login, annotator, segment):
    annotation = make_annotation(annotator, segment, words="4.2 million")
    stale = _change_data(annotation, claim_text="My edit.")
    from annotate import services

    services.annotation_update(
        actor=annotator, annotation=annotation, expected_version=1, claim_text="Their edit."
    )
    response = login(annotator).post(change_url(annotation), stale)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not saved: this annotation was changed by ann" in html
    assert "your form was based on version 1" in html
    annotation.refresh_from_db()
    assert annotation.claim_text == "Their edit."


def test_a_stale_form_names_who_made_the_current_version_and_when(
    login, annotator, editor, segment
):
    from annotate import services

    annotation = make_annotation(annotator, segment, words="4.2 million")
    annotation = services.annotation_update(
        actor=annotator, annotation=annotation, expected_version=1, claim_text="Version two."
    )
    stale = _change_data(annotation, claim_text="My edit.")  # the form, at version 2
    services.citation_add(
        actor=editor, annotation=annotation, expected_version=2, url="https://example.org/c"
    )  # version 3, by the editor
    latest = LedgerEvent.objects.order_by("-sequence").first()
    html = login(annotator).post(change_url(annotation), stale).content.decode()
    when = latest.recorded_at.strftime("%Y-%m-%d %H:%M:%S")
    assert f"this annotation was changed by ed at {when} UTC while you were editing" in html
    assert "it is now version 3; your form was based on version 2" in html


def test_citations_are_added_changed_and_removed_through_services(login, annotator, segment):
    annotation = make_annotation(
        annotator, segment, words="4.2 million", citations=[{"url": "https://example.org/a"}]
    )
    citation = annotation.citations.get()
    client = login(annotator)
    data = _change_data(annotation)
    data.update({"citations-TOTAL_FORMS": "2", "citations-INITIAL_FORMS": "1"})
    data.update(_citation("citations-0-", url="https://example.org/a", title="Now titled"))
    data["citations-0-id"] = str(citation.pk)
    data["citations-0-annotation"] = str(annotation.pk)
    data.update(_citation("citations-1-", url="https://example.org/b"))
    assert client.post(change_url(annotation), data).status_code == 302
    assert sorted(Citation.objects.values_list("url", "title")) == [
        ("https://example.org/a", "Now titled"),
        ("https://example.org/b", "Budget 2023"),
    ]
    annotation.refresh_from_db()
    data = _change_data(annotation)
    data.update({"citations-TOTAL_FORMS": "2", "citations-INITIAL_FORMS": "2"})
    for index, kept in enumerate(annotation.citations.order_by("added_at", "id")):
        data.update(_citation(f"citations-{index}-", url=kept.url, title=kept.title))
        data[f"citations-{index}-id"] = str(kept.pk)
        data[f"citations-{index}-annotation"] = str(annotation.pk)
    data["citations-1-DELETE"] = "on"
    assert client.post(change_url(annotation), data).status_code == 302
    assert list(Citation.objects.values_list("url", flat=True)) == ["https://example.org/a"]
    actions = list(LedgerEvent.objects.order_by("sequence").values_list("action", flat=True))
    assert actions[-4:] == [
        "citation.update",
        "citation.add",
        "annotation.update",
        "citation.remove",
    ] or (actions[-3:] == ["citation.update", "citation.add", "citation.remove"])


def test_someone_elses_draft_is_read_only_for_another_annotator(
    login, annotator, annotator2, segment
):
    annotation = make_annotation(annotator, segment, words="4.2 million")
    client = login(annotator2)
    html = client.get(change_url(annotation)).content.decode()
    assert 'name="claim_text"' not in html
    response = client.post(change_url(annotation), _change_data(annotation, claim_text="Hijack"))
    assert response.status_code == 403
    annotation.refresh_from_db()
    assert annotation.claim_text == "A restated claim."


def test_an_annotation_in_review_cannot_be_edited(login, annotator, segment):
    from annotate import services

    annotation = make_annotation(annotator, segment, words="4.2 million")
    services.annotation_submit(actor=annotator, annotation=annotation, expected_version=1)
    client = login(annotator)
    assert "Only drafts can be edited" in client.get(change_url(annotation)).content.decode()
    assert client.post(change_url(annotation), _change_data(annotation)).status_code == 403


def test_reviewers_cannot_add_annotations(login, reviewer, segment):
    assert login(reviewer).get(reverse(ADD) + f"?segment={segment.pk}").status_code == 403


def test_the_segment_text_is_never_an_editable_field(login, annotator, editor, segment):
    annotation = make_annotation(annotator, segment, words="4.2 million")
    html = login(editor).get(change_url(annotation)).content.decode()
    assert 'name="text"' not in html and 'name="segment"' not in html
    segment_page = reverse("admin:archive_segment_change", args=[segment.pk])
    response = login(editor).post(segment_page, {"text": "rewritten"})
    assert response.status_code == 403
    segment.refresh_from_db()
    assert "rewritten" not in segment.text


def test_citation_html_is_escaped_on_the_annotation_page(login, annotator, reviewer, segment):
    annotation = make_annotation(
        annotator,
        segment,
        words="4.2 million",
        citations=[{"url": "https://example.org/x", "title": "<script>alert(1)</script>"}],
    )
    html = login(reviewer).get(change_url(annotation)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_deleting_a_draft_goes_through_the_service(login, annotator, segment):
    annotation = make_annotation(annotator, segment, words="4.2 million")
    url = reverse("admin:annotate_annotation_delete", args=[annotation.pk])
    assert login(annotator).post(url, {"post": "yes"}).status_code == 302
    assert not Annotation.objects.exists()
    assert LedgerEvent.objects.order_by("-sequence").first().action == "annotation.delete"


def test_a_reviewed_draft_cannot_be_deleted_and_the_page_says_why(
    login, annotator, reviewer, segment
):
    from annotate import services

    annotation = make_annotation(annotator, segment, words="4.2 million")
    services.annotation_submit(actor=annotator, annotation=annotation, expected_version=1)
    services.annotation_request_changes(
        actor=reviewer, annotation=annotation, expected_version=2, comment="Source?"
    )
    url = reverse("admin:annotate_annotation_delete", args=[annotation.pk])
    response = login(annotator).post(url, {"post": "yes"}, follow=True)
    html = response.content.decode()
    # Reviews protect it: the admin names them instead of deleting anything.
    assert "Cannot delete annotation" in html and "Request changes on v2" in html
    assert Annotation.objects.filter(pk=annotation.pk).exists()
