"""The benchmark data generator writes rows that keep the archive's and annotations' invariants."""

from __future__ import annotations

import pytest

from annotate.models import Annotation, Citation, Review
from archive import ledger
from archive.models import Segment, Source, Transcript
from bench import datagen
from common.roles import Role, roles_of
from tests.dbroles import owner_sql

pytestmark = pytest.mark.django_db


def test_generate_writes_the_requested_counts():
    summary = datagen.generate(450, 120, seed=3)

    assert (summary["segments"], summary["annotations"]) == (450, 120)
    assert Segment.objects.count() == 450
    assert Transcript.objects.count() == 3  # 200 + 200 + 50
    assert Annotation.objects.count() == 120
    assert Citation.objects.count() == summary["citations"]
    assert Review.objects.count() == summary["reviews"]


def test_segments_are_exact_spans_of_their_source():
    datagen.generate(300, 0, seed=1)

    for source in Source.objects.all():
        segments = Segment.objects.filter(transcript__source=source)
        assert segments.exists()
        for segment in segments:
            assert segment.text == source.text[segment.source_start : segment.source_end]
            assert segment.text == segment.text.strip()


def test_annotations_quote_their_segment_with_derived_context():
    datagen.generate(200, 150, seed=2)

    for annotation in Annotation.objects.select_related("segment"):
        text, start, end = annotation.segment.text, annotation.start, annotation.end
        assert 0 <= start < end <= len(text)
        assert annotation.quote == text[start:end]
        assert annotation.prefix == text[max(0, start - 32) : start]
        assert annotation.suffix == text[end : end + 32]


def test_workflow_state_is_consistent():
    datagen.generate(200, 300, seed=4)

    statuses = set(Annotation.objects.values_list("status", flat=True))
    assert statuses == {"draft", "in-review", "approved", "rejected"}
    assert not Annotation.objects.exclude(status="draft").filter(verdict="").exists()
    for annotation in Annotation.objects.filter(status="approved").prefetch_related("reviews"):
        approvals = {r.reviewer_id for r in annotation.reviews.all() if r.decision == "approve"}
        needed = 2 if annotation.verdict in ("false", "mostly-false") else 1
        assert len(approvals) == needed
        assert annotation.created_by_id not in approvals


def test_sources_are_unique_across_runs_and_check_invariants_passes():
    datagen.generate(60, 10, seed=1)
    datagen.generate(60, 10, seed=1)

    assert Source.objects.values("sha256").distinct().count() == 2
    assert datagen.check_invariants() == []


def test_check_invariants_reports_a_broken_quote():
    datagen.generate(50, 5, seed=1)
    annotation = Annotation.objects.first()
    Annotation.objects.filter(pk=annotation.pk).update(quote="not the text")

    problems = datagen.check_invariants()

    assert problems == [f"annotation {annotation.pk}: quote is not the segment span"]


def test_users_get_their_roles_and_the_ledger_gets_one_verifiable_summary_event():
    summary = datagen.generate(20, 5, seed=1)

    users = datagen.bench_users()
    assert all(Role.ANNOTATOR in roles_of(u) for u in users["Annotator"])
    assert all(Role.REVIEWER in roles_of(u) for u in users["Reviewer"])
    assert all(Role.EDITOR in roles_of(u) for u in users["Editor"])
    events = list(ledger.history(object_type="bench.run", object_id=summary["run"]))
    assert [e.action for e in events] == [datagen.BENCH_ACTION]
    assert list(ledger.verify()) == []


def test_reset_empties_the_bench_tables():
    datagen.generate(20, 5, seed=1)

    datagen.reset(as_owner=owner_sql)  # the suite's app role may not TRUNCATE

    assert not Segment.objects.exists()
    assert not Annotation.objects.exists()
    assert ledger.count() == 0


def test_liveblog_writer_blocks_are_spans_of_the_document():
    text, blocks = datagen.LiveblogWriter(7).document("A title", 40)

    assert len(blocks) == 40
    assert text.splitlines()[2] == "A title"
    for block in blocks:
        body = text[block.start : block.end]
        assert body and body == body.strip()
        before = text[: block.start].rstrip("\n")
        header = before[before.rfind("\n") + 1 :]
        assert header.startswith(f"{block.clock}: {block.location}: ")


def test_liveblog_importer_parses_generated_documents_into_the_generated_blocks():
    from archive.importers import registry

    text, blocks = datagen.LiveblogWriter(5, sentences=(1, 2)).document("Bench title", 120)

    document = registry.parse(text, format="auto", filename="bench.txt")

    assert document.format == "liveblog"
    assert document.title == "Bench title"
    parsed = [
        (s.start, s.end, s.clock, s.location, s.speaker, s.speaker_role) for s in document.segments
    ]
    assert parsed == [
        (b.start, b.end, b.clock, b.location, b.speaker, b.speaker_role) for b in blocks
    ]
