"""Real concurrent writers on PostgreSQL: no lost update, every accepted write on the ledger once."""

import pytest
from django.db import connection

from annotate import services
from annotate.models import Annotation
from archive import ledger
from common.errors import Conflict
from tests.concurrently import race
from tests.factories import make_annotation

WRITERS = 16


@pytest.fixture(autouse=True)
def _seeded(reseeded):
    """The flush after each transactional test empties the data migrations' rows."""


pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (SQLite serialises all writers)")


def test_racing_on_one_annotation_accepts_one_and_reports_the_rest(annotator, segment):
    annotation = make_annotation(annotator, segment)

    def write(index):
        return services.annotation_update(
            actor=annotator,
            annotation=annotation,
            expected_version=1,
            claim_text=f"writer {index}",
        )

    results = race(write, WRITERS, timeout=60)
    accepted = [r for r in results if isinstance(r, Annotation)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(accepted) == 1 and len(conflicts) == WRITERS - 1
    annotation.refresh_from_db()
    assert annotation.claim_text == accepted[0].claim_text and annotation.version == 2
    updates = ledger.history(annotation).filter(action="annotation.update")
    assert [e.state["claim_text"] for e in updates] == [annotation.claim_text]
    assert list(ledger.verify()) == []


def test_retrying_writers_lose_no_update(annotator, segment):
    annotation = make_annotation(annotator, segment)
    conflicts = []

    def append_word(index):
        while True:
            current = Annotation.objects.get(pk=annotation.pk)
            try:
                return services.annotation_update(
                    actor=annotator,
                    annotation=current,
                    expected_version=current.version,
                    claim_text=f"{current.claim_text} w{index}",
                )
            except Conflict as conflict:
                conflicts.append(conflict)

    results = race(append_word, WRITERS, timeout=60)
    assert all(isinstance(r, Annotation) for r in results), results
    annotation.refresh_from_db()
    assert sorted(annotation.claim_text.split()[3:]) == sorted(f"w{i}" for i in range(WRITERS))
    assert annotation.version == 1 + WRITERS
    assert ledger.history(annotation).filter(action="annotation.update").count() == WRITERS
    assert all(c.changed_by == "ann" for c in conflicts)
    assert list(ledger.verify()) == []


def test_writers_on_different_annotations_all_succeed(annotator, transcript):
    segments = list(transcript.segments.all())
    annotations = [make_annotation(annotator, segments[i % len(segments)]) for i in range(WRITERS)]

    def write(index):
        target = annotations[index]
        updated = services.annotation_update(
            actor=annotator, annotation=target, expected_version=1, claim_text=f"own {index}"
        )
        return services.annotation_submit(
            actor=annotator, annotation=updated, expected_version=updated.version
        )

    results = race(write, WRITERS, timeout=60)
    assert all(isinstance(r, Annotation) for r in results), results
    sequences = list(ledger.LedgerEvent.objects.values_list("sequence", flat=True))
    assert len(set(sequences)) == len(sequences)
    assert ledger.seal().events == len(sequences)
    assert ledger.LedgerEvent.objects.filter(action="annotation.submit").count() == WRITERS
    assert list(ledger.verify()) == []
