"""Suggestions from a small hand-made library: the ranking, the API, the feedback on the
ledger, vectors kept with their content, and training the ranker."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from archive import ledger
from library.formats import FactCheckRecord
from library.models import FactCheck
from library.services import factcheck_import
from matching import services
from matching.index import Doc, LibraryIndex, Query
from matching.models import FactCheckVector, MatchFeedback, Ranker
from tests.factories import make_transcript

pytestmark = pytest.mark.django_db

LIBRARY = [
    FactCheckRecord(
        url="https://checks.example.org/roads",
        claim_reviewed="The town spent 4.2 million on road repairs in 2023.",
        claimant="Ada Example",
        claim_date=date(2024, 3, 1),
        headline="Road spending figure checks out",
        verdict="true",
        publisher_name="Example Checks",
    ),
    FactCheckRecord(
        url="https://checks.example.org/unemployment",
        claim_reviewed="Unemployment fell to 5 percent, the lowest level since 2009.",
        claimant="Ben Sample",
        headline="Jobless rate claim is mostly accurate",
        verdict="mostly-true",
        publisher_name="Example Checks",
    ),
    FactCheckRecord(
        url="https://checks.example.org/moon",
        claim_reviewed="The moon landing was filmed in a studio.",
        claimant="Internet posts",
        headline="No, the moon landing was not staged",
        verdict="false",
        publisher_name="Example Checks",
    ),
]


@pytest.fixture
def library(db):
    factcheck_import(actor=None, records=LIBRARY, origin="tests")
    services.embed_missing()
    services.forget_index()
    yield
    services.forget_index()


def test_a_paraphrase_ranks_above_unrelated_claims(library):
    found = services.suggest(Query(text="Road repairs cost the town 4.2 million last year."))
    assert found[0].factcheck.url == "https://checks.example.org/roads"
    assert found[0].score > found[-1].score
    assert [s.rank for s in found] == list(range(1, len(found) + 1))


def test_a_paraphrase_in_other_words_is_found_by_meaning(library):
    found = services.suggest(Query(text="The jobless rate is lower than it has been in years."))
    assert found[0].factcheck.url == "https://checks.example.org/unemployment"


def test_a_claim_repeated_by_another_speaker_is_found(library):
    transcript = make_transcript(
        "Debate\n\n0900: Town: Mr. Carl Other\n\n"
        "Unemployment fell to 5 percent, the lowest level since 2009.\n",
        filename="debate.txt",
    )
    segment = transcript.segments.get()
    found = services.suggest_for_segment(segment, limit=3)
    assert found[0].factcheck.url == "https://checks.example.org/unemployment"


def test_the_index_rows_have_the_context_features():
    index = LibraryIndex(
        [Doc("a", "Taxes rose by 3 percent", claimant="Jo Smith", claim_date=date(2020, 1, 2))],
        services.encoder.encode(["Taxes rose by 3 percent"]),
        services.encoder.encode([""]),
    )
    query = Query(text="taxes rose 3 percent", speaker="JO SMITH", day=date(2020, 1, 2))
    chosen, rows = index.features(query, services.encoder.encode([query.text, ""]))
    from matching.index import FEATURES

    row = dict(zip(FEATURES, rows[0], strict=True))
    assert list(chosen) == [0]
    assert row["same_claimant"] == 1 and row["same_day"] == 1 and row["any_number_shared"] == 1


def test_vectors_follow_the_content(django_capture_on_commit_callbacks, library):
    assert FactCheckVector.objects.count() == len(LIBRARY)
    record = LIBRARY[2]
    with django_capture_on_commit_callbacks(execute=True):
        factcheck_import(
            actor=None,
            records=[
                FactCheckRecord(
                    url=record.url,
                    claim_reviewed=record.claim_reviewed,
                    headline="Staged? No.",
                    verdict="false",
                )
            ],
            origin="tests",
        )
    # The import computed the changed one's vectors itself (matching.receivers).
    assert services.embed_missing() == 0
    fresh = FactCheck.objects.get(url=record.url)
    assert FactCheckVector.objects.get(factcheck=fresh).digest == fresh.digest


def test_the_api_suggests_for_words_and_for_a_segment(library, client, annotator):
    client.force_login(annotator)
    answer = client.post(
        "/api/v1/claim-matches/",
        {"text": "the lowest unemployment since 2009", "limit": 2},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    results = answer.json()["results"]
    assert len(results) == 2
    assert results[0]["factcheck"]["url"] == "https://checks.example.org/unemployment"
    assert 0 <= results[1]["score"] <= results[0]["score"] <= 1
    transcript = make_transcript()
    segment = transcript.segments.order_by("ordinal").first()
    by_segment = client.get(f"/api/v1/segments/{segment.pk}/matches/?limit=1")
    assert by_segment.status_code == 200 and len(by_segment.json()["results"]) == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"text": ""}, "text"),
        ({"text": "x", "limit": 0}, "limit"),
        ({"text": "x", "limit": "ten"}, "limit"),
        ({"text": "x", "segment": "00000000-0000-0000-0000-000000000000"}, "segment"),
        ({"text": 5}, "text"),
        ({"words": "x"}, "words"),
    ],
)
def test_bad_requests_are_a_400_naming_the_field(library, client, annotator, body, field):
    client.force_login(annotator)
    answer = client.post("/api/v1/claim-matches/", body, content_type="application/json")
    assert answer.status_code == 400
    assert field in answer.json()["error"]["fields"]


def test_a_missing_segment_is_a_404_and_strangers_are_turned_away(library, client, outsider):
    assert (
        client.get("/api/v1/segments/00000000-0000-0000-0000-000000000000/matches/").status_code
        == 401
    )
    client.force_login(outsider)
    assert (
        client.post(
            "/api/v1/claim-matches/", {"text": "x"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_feedback_is_kept_and_on_the_ledger(library, client, annotator):
    client.force_login(annotator)
    factcheck = FactCheck.objects.get(url="https://checks.example.org/moon")
    events = ledger.count()
    answer = client.post(
        "/api/v1/claim-matches/feedback/",
        {"factcheck": str(factcheck.pk), "outcome": "not-a-match", "text": "moon", "rank": 3},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    feedback = MatchFeedback.objects.get()
    assert (feedback.outcome, feedback.created_by, feedback.rank) == ("not-a-match", annotator, 3)
    assert ledger.count() == events + 1
    bad = client.post(
        "/api/v1/claim-matches/feedback/",
        {"factcheck": str(factcheck.pk), "outcome": "maybe", "text": "moon"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and MatchFeedback.objects.count() == 1


def test_train_matcher_learns_from_judgements_and_is_on_the_ledger(library, tmp_path):
    queries = tmp_path / "queries.tsv"
    lines = [
        ("d_0001", "Road repairs cost 4.2 million in 2023.", "https://checks.example.org/roads"),
        ("d_0002", "The town paid 4.2 million for roads.", "https://checks.example.org/roads"),
        ("d_0003", "Joblessness is at 5 percent.", "https://checks.example.org/unemployment"),
        (
            "d_0004",
            "Unemployment is the lowest since 2009.",
            "https://checks.example.org/unemployment",
        ),
        ("d_0005", "They faked the moon landing.", "https://checks.example.org/moon"),
        ("d_0006", "Nobody went to the moon.", "https://checks.example.org/moon"),
    ]
    queries.write_text("".join(f"{q}\t{t}\n" for q, t, _ in lines))
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text("".join(f"{q}\t0\t{u}\t1\n" for q, _, u in lines))
    events = ledger.count()
    call_command("train_matcher", "--queries", str(queries), "--qrels", str(qrels))
    ranker = Ranker.objects.get(active=True)
    assert 0 <= ranker.cv_map_at_5 <= 1 and ranker.trained_on["queries"] == 6
    assert ledger.count() == events + 1
    found = services.suggest(Query(text="They faked the moon landing."))
    assert found[0].factcheck.url == "https://checks.example.org/moon"


def test_train_matcher_refuses_unreadable_files_in_one_line(library, tmp_path):
    queries = tmp_path / "queries.tsv"
    queries.write_text("no tab here\n")
    with pytest.raises(CommandError, match="line 1"):
        call_command("train_matcher", "--queries", str(queries), "--qrels", str(queries))
