"""Revisions through the API: the anchor on every annotation, a transcript's revisions and
diff, an upload as the next revision, and the re-anchoring queue (place, retire,
candidates), with 4xx JSON for bad input."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotate.models import AnchorStatus, Annotation
from archive import ledger
from archive.models import Segment, Transcript
from tests.revisions.conftest import REVISED, URL

pytestmark = pytest.mark.django_db


def _get(client, url):
    response = client.get(url)
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response


def test_annotations_say_their_anchor_and_revision(as_reviewer, revised):
    body = _get(as_reviewer, "/api/v1/annotations/?anchor_status=orphaned").json()
    assert [a["id"] for a in body["results"]] == [str(revised["typo"].pk)]
    (typo,) = body["results"]
    assert (typo["anchor_status"], typo["revision"], typo["transcript"]) == (
        "orphaned",
        1,
        str(revised["transcript"].pk),
    )
    assert typo["anchor_note"]
    roads = _get(as_reviewer, f"/api/v1/annotations/{revised['roads'].pk}/").json()
    assert (roads["anchor_status"], roads["revision"]) == ("moved", 2)
    every = _get(as_reviewer, "/api/v1/annotations/").json()["results"]
    assert {a["anchor_status"] for a in every} == {"moved", "unchanged", "orphaned"}


def test_revisions_lists_the_chain_with_anchor_counts(as_reviewer, revised):
    for transcript in (revised["transcript"], revised["second"]):
        body = _get(as_reviewer, f"/api/v1/transcripts/{transcript.pk}/revisions/").json()
        assert [r["revision"] for r in body["results"]] == [1, 2]
        first, second = body["results"]
        assert second["revision_of"] == first["id"] == str(revised["transcript"].pk)
        assert first["annotations"] == {"orphaned": 1}
        assert sum(second["annotations"].values()) == 3


def test_diff_against_the_previous_revision(as_reviewer, revised):
    body = _get(as_reviewer, f"/api/v1/transcripts/{revised['second'].pk}/diff/").json()
    assert body["old"] == str(revised["transcript"].pk)
    ops = [change["op"] for change in body["changes"]]
    assert "equal" not in ops or body["counts"]["equal"] >= 1
    changed = [c for c in body["changes"] if c["op"] != "equal"]
    assert any("12 percent" in text for c in changed for text in c.get("new_text", []))


@pytest.mark.parametrize(
    "query, field",
    [
        ("", "against"),
        ("?against=nope", "against"),
        (f"?against={'0' * 8}-0000-0000-0000-{'0' * 12}", "against"),
    ],
)
def test_diff_refuses_bad_input_with_json(as_reviewer, first, query, field):
    response = _get(as_reviewer, f"/api/v1/transcripts/{first['transcript'].pk}/diff/{query}")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_an_upload_at_the_same_url_is_the_next_revision(as_editor, first):
    upload = SimpleUploadedFile("budget.txt", REVISED.encode(), content_type="text/plain")
    response = as_editor.post(
        "/api/v1/sources/", {"file": upload, "origin_url": URL}, format="multipart"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["revision_of"] == str(first["transcript"].pk)
    assert body["transcript"]["revision"] == 2
    assert any(line.startswith("annotations carried") for line in body["derived"])


def test_an_upload_naming_an_unknown_revision_is_a_400(as_editor, first):
    upload = SimpleUploadedFile("budget.txt", REVISED.encode(), content_type="text/plain")
    response = as_editor.post(
        "/api/v1/sources/",
        {"file": upload, "revision_of": "00000000-0000-0000-0000-000000000001"},
        format="multipart",
    )
    assert response.status_code == 400
    assert "no transcript" in response.json()["error"]["message"]
    assert Transcript.objects.count() == 1


def _post(client, annotation, action, body, version=None):
    version = version or Annotation.objects.get(pk=annotation.pk).version
    return client.post(
        f"/api/v1/annotations/{annotation.pk}/{action}/",
        body,
        format="json",
        HTTP_IF_MATCH=f'"{version}"',
    )


def test_an_orphan_is_placed_on_the_latest_revision_by_a_person(as_annotator, revised):
    typo = revised["typo"]
    candidates = _get(as_annotator, f"/api/v1/annotations/{typo.pk}/anchor-candidates/").json()
    best = candidates["results"][0]
    assert best["text"] == "12 percent"
    response = _post(
        as_annotator,
        typo,
        "place",
        {
            "segment": best["segment"],
            "start": best["start"],
            "end": best["end"],
            "reason": "corrected",
        },
    )
    assert response.status_code == 200, response.content
    placed = Annotation.objects.get(pk=typo.pk)
    assert placed.anchor_status == AnchorStatus.PLACED
    assert placed.quote == "12 percent" == placed.segment.text[placed.start : placed.end]
    assert placed.segment.transcript == revised["second"]
    event = ledger.history(object_type="annotate.annotation", object_id=str(typo.pk)).last()
    assert event.action == "annotation.place" and event.state["anchor"]["old"]["segment"] == str(
        typo.segment_id
    )
    # Placed once: it is no longer in the queue.
    again = _post(as_annotator, typo, "place", {"segment": best["segment"], "start": 0, "end": 3})
    assert again.status_code == 409


def test_placing_on_an_old_revision_or_outside_the_text_is_refused(as_annotator, revised):
    typo = revised["typo"]
    old_segment = Segment.objects.filter(transcript=revised["transcript"]).first()
    response = _post(
        as_annotator, typo, "place", {"segment": str(old_segment.pk), "start": 0, "end": 3}
    )
    assert response.status_code == 400 and "latest revision" in response.json()["error"]["message"]
    new_segment = Segment.objects.filter(transcript=revised["second"]).first()
    response = _post(
        as_annotator, typo, "place", {"segment": str(new_segment.pk), "start": 0, "end": 10**6}
    )
    assert response.status_code == 400
    response = _post(as_annotator, typo, "place", {"segment": "nope", "start": 0, "end": 3})
    assert response.status_code == 400
    assert Annotation.objects.get(pk=typo.pk).anchor_status == AnchorStatus.ORPHANED


def test_a_reviewed_orphan_is_not_placed_on_other_words(as_annotator, annotator, reviewer, first):
    from annotate import services
    from archive.services import source_import

    typo = first["typo"]
    submitted = services.annotation_submit(
        actor=annotator, annotation=typo, expected_version=typo.version
    )
    services.annotation_approve(
        actor=reviewer, annotation=submitted, expected_version=submitted.version
    )
    second = source_import(data=REVISED.encode(), filename="budget.txt", origin_url=URL).transcript
    segment = Segment.objects.get(transcript=second, text__contains="12 percent")
    start = segment.text.index("12 percent")
    response = _post(
        as_annotator, typo, "place", {"segment": str(segment.pk), "start": start, "end": start + 10}
    )
    assert response.status_code == 409
    assert "reopen it" in response.json()["error"]["message"]


def test_an_orphan_is_retired_with_a_reason(as_annotator, as_reviewer, revised):
    typo = revised["typo"]
    assert _post(as_annotator, typo, "retire", {"reason": ""}).status_code == 400
    assert _post(as_reviewer, typo, "retire", {"reason": "gone"}).status_code == 403
    response = _post(as_annotator, typo, "retire", {"reason": "the figure was withdrawn"})
    assert response.status_code == 200, response.content
    retired = Annotation.objects.get(pk=typo.pk)
    assert (retired.anchor_status, retired.anchor_note) == (
        AnchorStatus.RETIRED,
        "the figure was withdrawn",
    )
    assert _post(as_annotator, typo, "retire", {"reason": "again"}).status_code == 409


def test_a_stale_version_is_refused(as_annotator, revised):
    typo = revised["typo"]
    response = _post(as_annotator, typo, "retire", {"reason": "x"}, version=1)
    assert response.status_code in (409, 412)
