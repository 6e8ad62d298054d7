"""GET /api/v1/transcripts/{id}/sentences/ and POST .../sentences/{id}/dismiss/."""

from __future__ import annotations

import io
import uuid

import pytest

from archive import ledger
from tests.admin.conftest import liveblog
from tests.factories import make_annotation, make_transcript
from triage.actions import TriageAction
from triage.models import Sentence

pytestmark = pytest.mark.django_db


def _url(transcript_id) -> str:
    return f"/api/v1/transcripts/{transcript_id}/sentences/"


def _dismiss_url(sentence) -> str:
    return f"{_url(sentence.transcript_id)}{sentence.pk}/dismiss/"


def _walk(client, url) -> list[dict]:
    rows = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        url = response.json()["next"]
    return rows


def test_sentences_come_most_check_worthy_first_with_their_spans(as_reviewer, transcript):
    response = as_reviewer.get(_url(transcript.pk))

    assert response.status_code == 200
    rows = response.json()["results"]
    stored = Sentence.objects.filter(transcript=transcript)
    assert len(rows) == stored.count()
    scores = [row["checkworthiness"] for row in rows]
    assert scores == sorted(scores, reverse=True)
    segments = {str(s.pk): s for s in transcript.segments.all()}
    for row in rows:
        segment = segments[row["segment"]]
        assert segment.text[row["start"] : row["end"]] == row["text"]
        assert row["ordinal"] == segment.ordinal
        assert row["annotated"] is False and row["dismissed"] is False
    assert set(rows[0]) == {
        "id",
        "segment",
        "ordinal",
        "sentence",
        "start",
        "end",
        "text",
        "checkworthiness",
        "scored_by",
        "annotated",
        "dismissed",
    }


def test_annotated_is_true_where_an_annotation_overlaps(as_annotator, annotator, transcript):
    segment = transcript.segments.order_by("ordinal").first()
    make_annotation(annotator, segment, words="three bridges")

    rows = as_annotator.get(_url(transcript.pk)).json()["results"]

    annotated = {row["text"] for row in rows if row["annotated"]}
    assert annotated == {"According to the 2024 audit, three bridges need repair before 2027."}
    only_open = as_annotator.get(_url(transcript.pk) + "?annotated=false").json()["results"]
    assert len(only_open) == len(rows) - 1


def test_cursor_pages_walk_every_sentence_once_in_either_ordering(as_reviewer, db):
    transcript = make_transcript(liveblog(30), filename="thirty.txt")
    expected = Sentence.objects.filter(transcript=transcript).count()

    ranked = _walk(as_reviewer, _url(transcript.pk) + "?page_size=7")
    reading = _walk(as_reviewer, _url(transcript.pk) + "?ordering=position&page_size=7")

    assert len(ranked) == len({row["id"] for row in ranked}) == expected
    keys = [(-row["checkworthiness"], row["ordinal"], row["sentence"]) for row in ranked]
    assert keys == sorted(keys)
    assert [(r["ordinal"], r["sentence"]) for r in reading] == sorted(
        (r["ordinal"], r["sentence"]) for r in ranked
    )


def test_previous_link_goes_back_to_the_same_rows(as_reviewer, db):
    transcript = make_transcript(liveblog(12), filename="twelve.txt")
    first = as_reviewer.get(_url(transcript.pk) + "?page_size=5").json()
    second = as_reviewer.get(first["next"]).json()

    back = as_reviewer.get(second["previous"]).json()

    assert [r["id"] for r in back["results"]] == [r["id"] for r in first["results"]]


@pytest.mark.parametrize(
    "query",
    [
        "?ordering=checkworthiness",
        "?annotated=yes",
        "?dismissed=1",
        "?page_size=0",
        "?cursor=garbage",
        "?cursor=WyJuIixbIm5hbiIsIjEiLCIxIl1d",  # ["n",["nan","1","1"]]
    ],
)
def test_bad_parameters_are_a_400_in_the_error_shape(as_reviewer, transcript, query):
    response = as_reviewer.get(_url(transcript.pk) + query)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_unknown_transcripts_are_a_json_404(as_reviewer):
    assert as_reviewer.get(_url(uuid.uuid4())).status_code == 404
    response = as_reviewer.get("/api/v1/transcripts/not-a-uuid/sentences/")
    assert response.status_code == 404 and "error" in response.json()


def test_one_or_fifty_segments_cost_the_same_queries(as_reviewer, db, django_assert_num_queries):
    small = make_transcript(liveblog(1), filename="one.txt")
    large = make_transcript(liveblog(50), filename="fifty.txt")
    as_reviewer.get(_url(small.pk))  # the token's first use is not what is measured

    with django_assert_num_queries(4) as one:
        assert as_reviewer.get(_url(small.pk)).status_code == 200
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(as_reviewer.get(_url(large.pk)).json()["results"]) == 50


# ---------------------------------------------------------------- dismiss


def test_an_annotator_dismisses_and_the_ledger_says_so(as_annotator, annotator, transcript):
    sentence = Sentence.objects.filter(transcript=transcript).first()

    response = as_annotator.post(_dismiss_url(sentence), {"reason": "a greeting"}, format="json")

    assert response.status_code == 200
    assert response.json()["dismissed"] is True and response.json()["id"] == str(sentence.pk)
    event = ledger.LedgerEvent.objects.get(action=TriageAction.SENTENCE_DISMISS)
    assert (event.actor, event.object_id, event.reason) == (
        annotator,
        str(sentence.pk),
        "a greeting",
    )


def test_dismiss_without_a_body_is_fine(as_editor, transcript):
    sentence = Sentence.objects.filter(transcript=transcript).first()

    assert as_editor.post(_dismiss_url(sentence)).status_code == 200


@pytest.mark.parametrize(
    ("client", "status"),
    [("as_reviewer", 403), ("as_outsider", 403), ("anon", 401)],
)
def test_who_may_not_dismiss(request, transcript, client, status):
    sentence = Sentence.objects.filter(transcript=transcript).first()

    response = request.getfixturevalue(client).post(_dismiss_url(sentence))

    assert response.status_code == status
    assert "error" in response.json()
    assert not Sentence.objects.get(pk=sentence.pk).dismissed
    assert not ledger.LedgerEvent.objects.filter(action=TriageAction.SENTENCE_DISMISS).exists()


def test_outsiders_and_strangers_do_not_read_sentences(as_outsider, anon, transcript):
    assert as_outsider.get(_url(transcript.pk)).status_code == 403
    assert anon.get(_url(transcript.pk)).status_code == 401


def test_dismiss_refuses_bad_bodies_and_other_transcripts_sentences(as_annotator, transcript):
    sentence = Sentence.objects.filter(transcript=transcript).first()
    other = make_transcript(liveblog(2), filename="other.txt")

    unknown = as_annotator.post(_dismiss_url(sentence), {"why": "x"}, format="json")
    wrong_type = as_annotator.post(_dismiss_url(sentence), {"reason": 3}, format="json")
    elsewhere = as_annotator.post(f"{_url(other.pk)}{sentence.pk}/dismiss/")

    assert (unknown.status_code, wrong_type.status_code, elsewhere.status_code) == (400, 400, 404)
    assert not Sentence.objects.get(pk=sentence.pk).dismissed


def test_the_schema_documents_both_operations(client, db):
    import yaml

    paths = yaml.safe_load(client.get("/api/schema/").content)["paths"]

    listing = paths["/api/v1/transcripts/{transcript_id}/sentences/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"ordering", "cursor", "page_size"}
    dismiss = paths["/api/v1/transcripts/{transcript_id}/sentences/{id}/dismiss/"]["post"]
    assert {"200", "400", "401", "403", "404"} <= set(dismiss["responses"])


def test_an_upload_is_scored_before_its_answer(as_editor):
    upload = io.BytesIO(b"1\tHOST\tWelcome.\n2\tMAYOR\tWe cut taxes by 4.2 percent in 2023.\n")
    upload.name = "hearing.tsv"

    response = as_editor.post("/api/v1/sources/", {"file": upload}, format="multipart")

    assert response.status_code == 201, response.content
    transcript_id = response.json()["transcript"]["id"]
    assert Sentence.objects.filter(transcript_id=transcript_id).count() == 2  # before any read
    rows = as_editor.get(_url(transcript_id)).json()["results"]
    assert [row["text"] for row in rows] == ["We cut taxes by 4.2 percent in 2023.", "Welcome."]
