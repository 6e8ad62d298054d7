"""Creating and changing an annotation from its quote alone: the service finds the span."""

from __future__ import annotations

from annotate.models import Annotation
from archive import ledger
from tests.api.conftest import etag
from tests.factories import make_annotation


def _create(client, segment, **fields):
    body = {"segment": str(segment.pk), "claim_type": "quantity", **fields}
    return client.post("/api/v1/annotations/", body, format="json")


def test_a_quote_without_offsets_is_found_in_the_segment(as_annotator, segment):
    response = _create(as_annotator, segment, quote="three bridges")
    assert response.status_code == 201, response.content
    body = response.json()
    start = segment.text.index("three bridges")
    assert (body["start"], body["end"]) == (start, start + len("three bridges"))
    stored = Annotation.objects.get(pk=body["id"])
    assert segment.text[stored.start : stored.end] == stored.quote == "three bridges"


def test_an_ambiguous_quote_is_400_and_stores_nothing(as_annotator, segment):
    events = ledger.count()
    occurrences = segment.text.count("20")
    assert occurrences > 1
    response = _create(as_annotator, segment, quote="20")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert f"occurs {occurrences} times" in error["message"]
    assert "start and end" in error["message"]
    assert "quote" in error["fields"]
    assert not Annotation.objects.exists() and ledger.count() == events


def test_a_quote_not_in_the_segment_is_400_and_stores_nothing(as_annotator, segment):
    events = ledger.count()
    response = _create(as_annotator, segment, quote="four tunnels")
    assert response.status_code == 400
    error = response.json()["error"]
    assert "occurs 0 times" in error["message"] and "start and end" in error["message"]
    assert not Annotation.objects.exists() and ledger.count() == events


def test_neither_offsets_nor_a_quote_is_400(as_annotator, segment):
    response = _create(as_annotator, segment)
    assert response.status_code == 400
    assert "start" in response.json()["error"]["fields"]
    assert not Annotation.objects.exists()


def test_one_offset_without_the_other_is_400(as_annotator, segment):
    response = _create(as_annotator, segment, start=4, quote="three bridges")
    assert response.status_code == 400
    assert "end" in response.json()["error"]["fields"]
    assert not Annotation.objects.exists()


def test_a_new_quote_alone_moves_the_span_of_a_draft(as_annotator, annotator, segment):
    draft = make_annotation(annotator, segment, words="4.2 million")
    response = as_annotator.patch(
        f"/api/v1/annotations/{draft.pk}/", {"quote": "three bridges"}, format="json", **etag(1)
    )
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert segment.text[draft.start : draft.end] == draft.quote == "three bridges"


def test_an_ambiguous_new_quote_leaves_the_draft_unchanged(as_annotator, annotator, segment):
    draft = make_annotation(annotator, segment, words="4.2 million")
    response = as_annotator.patch(
        f"/api/v1/annotations/{draft.pk}/", {"quote": "20"}, format="json", **etag(1)
    )
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.quote == "4.2 million" and draft.version == 1


def test_an_unknown_claim_type_with_a_quote_is_reported_as_the_claim_type(as_annotator, segment):
    response = _create(as_annotator, segment, quote="three bridges", claim_type="no-such-type")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "claim_type" in fields and "start" not in fields
    assert not Annotation.objects.exists()
