"""History pages from the ledger, the dashboard, taxonomy and user management."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from annotate import services
from annotate.models import ClaimType
from archive import ledger
from archive.ledger import LedgerEvent
from tests.admin.conftest import change_url
from tests.factories import make_annotation


@pytest.fixture(autouse=True)
def _fresh_verify_cache():
    cache.clear()
    yield
    cache.clear()


def _history(model, obj):
    return reverse(f"admin:{model}_history", args=[obj.pk])


def test_annotation_history_shows_who_what_when_and_why(login, annotator, reviewer, segment):
    annotation = make_annotation(
        annotator, segment, words="4.2 million", citations=[{"url": "https://example.org/a"}]
    )
    annotation = services.annotation_update(
        actor=annotator, annotation=annotation, expected_version=1, claim_text="Better claim."
    )
    services.annotation_submit(actor=annotator, annotation=annotation, expected_version=2)
    services.annotation_request_changes(
        actor=reviewer, annotation=annotation, expected_version=3, comment="Cite <b>the</b> audit."
    )
    html = login(reviewer).get(_history("annotate_annotation", annotation)).content.decode()
    for action in (
        "annotation.create",
        "citation.add",
        "annotation.update",
        "annotation.submit",
        "annotation.request-changes",
    ):
        assert f"<code>{action}</code>" in html
    assert "<del>A restated claim.</del> → <ins>Better claim.</ins>" in html
    assert "Cite &lt;b&gt;the&lt;/b&gt; audit." in html
    assert ">rev<" in html and ">ann<" in html
    assert "Intact: no seal yet" in html
    ledger.seal()
    html = login(reviewer).get(_history("annotate_annotation", annotation)).content.decode()
    assert "Intact: the whole sealed ledger" in html


def test_transcript_and_source_history_show_the_import(login, editor, transcript):
    client = login(editor)
    for url in (
        _history("archive_transcript", transcript),
        _history("archive_source", transcript.source),
    ):
        html = client.get(url).content.decode()
        assert "<code>source.import</code>" in html
        assert "Ledger chain check" in html


@pytest.mark.skipif(
    connection.vendor == "postgresql", reason="PostgreSQL refuses UPDATE on the ledger"
)
def test_a_tampered_event_is_reported_on_the_history_page(login, editor, annotator, segment):
    annotation = make_annotation(annotator, segment, words="4.2 million")
    event = LedgerEvent.objects.get(action="annotation.create")
    LedgerEvent.objects.filter(pk=event.pk).update(reason="rewritten later")
    html = login(editor).get(_history("annotate_annotation", annotation)).content.decode()
    assert "content does not match its hash (edited)" in html
    assert "BROKEN" in html


def test_history_is_refused_to_outsiders(login, outsider, annotator, segment):
    annotation = make_annotation(annotator, segment, words="4.2 million")
    assert login(outsider).get(_history("annotate_annotation", annotation)).status_code == 403


def test_annotation_page_links_to_its_history(login, annotator, segment):
    annotation = make_annotation(annotator, segment, words="4.2 million")
    html = login(annotator).get(change_url(annotation)).content.decode()
    assert _history("annotate_annotation", annotation) in html


def test_dashboard_shows_bars_per_transcript_and_reviewer_queues(
    login, annotator, reviewer, editor, transcript, segment
):
    make_annotation(annotator, segment, words="4.2 million", verdict="true")
    submitted = make_annotation(annotator, segment, words="three bridges", verdict="false")
    services.annotation_submit(actor=annotator, annotation=submitted, expected_version=1)
    html = login(editor).get(reverse("admin:annotate_dashboard")).content.decode()
    assert transcript.title in html
    assert 'class="ct-bar-status-draft" data-percent="50.00"' in html
    assert 'class="ct-bar-verdict-false" data-percent="50.00"' in html
    assert "<td>rev</td><td>1</td>" in html
    assert "<td>ed</td><td>1</td>" in html


def test_dashboard_is_refused_to_outsiders(login, outsider):
    assert login(outsider).get(reverse("admin:annotate_dashboard")).status_code == 403


def test_index_links_to_the_queues(login, reviewer):
    html = login(reviewer).get(reverse("admin:index")).content.decode()
    assert "?queue=review" in html and reverse("admin:annotate_dashboard") in html


def test_editor_manages_the_taxonomy_with_ledger_events(login, editor):
    client = login(editor)
    response = client.post(
        reverse("admin:annotate_claimtype_add"),
        {"name": "Comparison", "slug": "comparison", "description": "", "checkable": "on"},
    )
    assert response.status_code == 302
    created = ClaimType.objects.get(slug="comparison")
    assert LedgerEvent.objects.filter(action="claimtype.create", object_id=str(created.pk)).exists()
    client.post(
        reverse("admin:annotate_claimtype_change", args=[created.pk]),
        {"name": "Comparison", "slug": "comparison", "description": "X vs Y"},
    )
    event = LedgerEvent.objects.get(action="claimtype.update")
    assert event.changes == {"description": ["", "X vs Y"], "checkable": [True, False]}


def test_annotators_cannot_change_the_taxonomy(login, annotator):
    response = login(annotator).post(
        reverse("admin:annotate_claimtype_add"), {"name": "X", "slug": "x"}
    )
    assert response.status_code == 403


def test_editor_manages_users_but_cannot_grant_superuser(login, editor, annotator):
    client = login(editor)
    html = client.get(reverse("admin:auth_user_change", args=[annotator.pk])).content.decode()
    assert 'name="groups"' in html
    assert 'name="is_superuser"' not in html


def test_editor_cannot_change_a_superuser(login, editor, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", "b@example.org", "pw-x-123456")
    url = reverse("admin:auth_user_change", args=[boss.pk])
    assert login(editor).post(url, {"username": "mine"}).status_code == 403


def test_sources_are_read_only_even_for_editors(login, editor, transcript):
    url = reverse("admin:archive_source_change", args=[transcript.source.pk])
    client = login(editor)
    assert client.get(url).status_code == 200
    assert client.post(url, {"title": "changed"}).status_code == 403
    assert client.get(reverse("admin:archive_segment_changelist")).status_code == 200
    assert client.get(reverse("admin:archive_ledgerevent_changelist")).status_code == 200


def test_editor_imports_a_source_through_the_import_service(login, editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from archive.models import Source
    from tests.factories import LIVEBLOG

    upload = SimpleUploadedFile("hearing.txt", LIVEBLOG.encode("utf-8"))
    response = login(editor).post(
        reverse("admin:archive_source_add"), {"file": upload, "format": "auto"}
    )
    assert response.status_code == 302
    source = Source.objects.get()
    assert source.imported_by == editor
    assert LedgerEvent.objects.filter(action="source.import", object_id=str(source.pk)).exists()


def test_an_unparseable_upload_is_refused_with_a_message(login, editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from archive.models import Source

    upload = SimpleUploadedFile("x.bin", b"\\xff\\xfe\\x00garbage")
    response = login(editor).post(
        reverse("admin:archive_source_add"), {"file": upload, "format": "srt"}
    )
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert not Source.objects.exists()


def test_annotators_cannot_import_sources(login, annotator):
    assert login(annotator).get(reverse("admin:archive_source_add")).status_code == 403


def test_an_annotator_posting_an_upload_is_refused_and_nothing_is_stored(login, annotator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from archive.models import Source
    from tests.factories import LIVEBLOG

    upload = SimpleUploadedFile("hearing.txt", LIVEBLOG.encode("utf-8"))
    response = login(annotator).post(
        reverse("admin:archive_source_add"), {"file": upload, "format": "auto"}
    )
    assert response.status_code == 403
    assert not Source.objects.exists()


def test_an_oversized_upload_shows_the_import_service_message(login, editor, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from archive.models import Source
    from tests.factories import LIVEBLOG

    settings.CLAIMTRAIL_IMPORT_MAX_BYTES = 100
    upload = SimpleUploadedFile("hearing.txt", LIVEBLOG.encode("utf-8"))
    response = login(editor).post(
        reverse("admin:archive_source_add"), {"file": upload, "format": "auto"}
    )
    assert response.status_code == 200
    assert "over the import limit of 100 bytes" in response.content.decode()
    assert not Source.objects.exists()


def test_ledger_search_by_object_id(login, editor, annotator, segment):
    annotation = make_annotation(annotator, segment, words="4.2 million")
    url = reverse("admin:archive_ledgerevent_changelist") + f"?q={annotation.pk}"
    response = login(editor).get(url)
    assert [e.action for e in response.context["cl"].result_list] == ["annotation.create"]


def test_the_cached_chain_check_is_dropped_when_the_ledger_is_not_the_same(annotator, segment):
    from archive.admin import _VERIFY_CACHE_KEY, check_whole_chain

    make_annotation(annotator, segment, words="4.2 million")
    ledger.seal()
    cache.set(_VERIFY_CACHE_KEY, {"seal": 1, "hash": "f" * 64, "problems": ("stale",)})
    result = check_whole_chain()
    assert result.ok and "whole sealed ledger" in result.scope


IRANIAN = "Two Individuals Charged for Acting as Agents of the Iranian Government"
LONG_CLAIM = " ".join(f"Claim word {n} of a long restatement." for n in range(20))


def test_history_lists_each_field_by_its_label_with_the_whole_short_value(
    login, annotator, segment
):
    annotation = make_annotation(
        annotator,
        segment,
        words="4.2 million",
        citations=[{"url": "https://example.org/a", "title": IRANIAN}],
    )
    html = login(annotator).get(_history("annotate_annotation", annotation)).content.decode()
    assert f"<strong>Title</strong>: {IRANIAN}</li>" in html
    assert "<strong>URL</strong>: https://example.org/a</li>" in html
    assert "url=https" not in html and "stance=" not in html  # no key=value dump


def test_history_names_related_objects_and_shortens_bare_ids(login, annotator, segment):
    annotation = make_annotation(
        annotator, segment, words="4.2 million", citations=[{"url": "https://example.org/a"}]
    )
    citation = annotation.citations.get()
    html = login(annotator).get(_history("annotate_annotation", annotation)).content.decode()
    body = html.split('id="change-history"')[1]
    assert str(segment.pk) not in body  # the segment has no name in the state: shortened
    assert f"<strong>Segment</strong>: {str(segment.pk)[:8]}…</li>" in body
    assert str(citation.pk)[:8] not in body  # the citation is named by what it carries
    assert "citation: https://example.org/a" in body


def test_history_cuts_long_values_with_an_ellipsis_and_keeps_them_whole_on_demand(
    login, annotator, segment
):
    annotation = make_annotation(annotator, segment, words="4.2 million")
    services.annotation_update(
        actor=annotator, annotation=annotation, expected_version=1, claim_text=LONG_CLAIM
    )
    html = login(annotator).get(_history("annotate_annotation", annotation)).content.decode()
    assert "<strong>Claim text</strong>: <del>A restated claim.</del> → <details" in html
    shown = html.split("<summary><ins>")[1].split("</ins></summary>")[0]
    assert shown.endswith("…") and LONG_CLAIM.startswith(shown[:-1].rstrip())
    assert LONG_CLAIM[len(shown[:-1].rstrip())] == " "  # cut between words
    assert f">{LONG_CLAIM}</ins></details>" in html  # the whole value, on demand
    assert " style=" not in html.split('id="change-history"')[1]  # the CSP allows no inline style


def test_transcript_history_names_fields_and_leaves_out_its_own_id(login, editor, transcript):
    html = login(editor).get(_history("archive_transcript", transcript)).content.decode()
    body = html.split('id="change-history"')[1]
    assert f"<strong>Filename</strong>: {transcript.source.filename}</li>" in body
    assert "<strong>Segment count</strong>: " in body
    assert str(transcript.pk) not in body and "transcript_id" not in body
    source_page = login(editor).get(_history("archive_source", transcript.source))
    assert f"<strong>Transcript</strong>: {str(transcript.pk)[:8]}…</li>" in (
        source_page.content.decode()
    )
