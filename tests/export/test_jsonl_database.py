"""JSONL on PostgreSQL: lines rendered from the database are the bytes the record path writes."""

from __future__ import annotations

import io
import json
import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from annotate.datasets.exporters.jsonl import JsonlExporter
from annotate.datasets.exporters.package import ExportError
from annotate.datasets.reader import iter_segment_records, shareable_snapshot
from annotate.datasets.service import export_dataset, parse_request
from annotate.fast import jsonl
from annotate.fast.jsonl import database_applies, write_from_database
from annotate.models import Annotation, Citation, Export, Review
from archive.models import Segment, Source
from tests.dbroles import db_id, tamper
from tests.factories import make_annotation

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database path is PostgreSQL's"
)

AWKWARD = (
    'quote " backslash \\ tab \t newline \n controls \x01\x08\x0b\x0c\x1f\x7f é ü 中文 \u2028 😀'
)


def both_paths(request) -> tuple[tuple[bytes, bytes, dict, set], tuple[bytes, bytes, dict, set]]:
    """(segments.jsonl, restore.jsonl, counts, source ids) from the records and the database."""
    outs = {"segments": io.BytesIO(), "restore": io.BytesIO()}
    records = list(iter_segment_records(request))
    counts = JsonlExporter().write(records, outs, context={"options": request.options})
    from_records = (
        outs["segments"].getvalue(),
        outs["restore"].getvalue(),
        counts.as_dict(),
        {r["source_id"] for r in records},
    )
    outs = {"segments": io.BytesIO(), "restore": io.BytesIO()}
    counts, sources = write_from_database(request, outs)
    from_database = (
        outs["segments"].getvalue(),
        outs["restore"].getvalue(),
        counts.as_dict(),
        sources,
    )
    return from_records, from_database


@postgresql_only
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"status": "approved"},
        {"verdict": "false,mostly-true"},
        {"claim_type": "quantity"},
        {"approved_only": True, "date_from": "2000-01-01"},
        {"date_to": "2000-01-01"},  # no annotation matches: no segment either
    ],
)
def test_database_lines_are_the_record_lines(dataset, filters):
    from_records, from_database = both_paths(parse_request("jsonl", filters))
    assert from_database == from_records
    if filters.get("date_to"):
        assert from_records[2]["segments"] == 0
    else:
        assert from_records[2]["annotations"] > 0


@postgresql_only
def test_database_lines_are_the_record_lines_for_one_transcript(dataset):
    second = dataset["transcripts"][1]
    request = parse_request("jsonl", {"transcript": str(second.pk)})
    from_records, from_database = both_paths(request)
    assert from_database == from_records
    assert from_records[3] == {str(second.source_id)}


@postgresql_only
def test_awkward_text_and_times_are_written_as_the_records_write_them(dataset, annotator2):
    """Escapes (quotes, backslashes, control characters), non-ASCII text, null and
    whole-second times, an assignee, and a reviewer who reviewed twice."""
    approved = dataset["approved"]
    segment = approved.segment
    # Evidence no import would produce: written as the tables' owner (tests/dbroles.py).
    tamper(
        "archive_segment",
        "UPDATE archive_segment SET location = %s, speaker = %s, speaker_role = '',"
        " clock = 'n/a', clock_normalised = '' WHERE id = %s",
        [AWKWARD, AWKWARD, db_id(segment.pk)],
    )
    tamper(
        "archive_source",
        "UPDATE archive_source SET origin_url = %s, retrieved_at = %s WHERE id = %s",
        [
            f"https://example.org/{AWKWARD}",
            datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
            db_id(segment.transcript.source_id),
        ],
    )
    Annotation.objects.filter(pk=approved.pk).update(
        claim_text=AWKWARD,
        verdict_summary=AWKWARD,
        prefix='\\"\x00'[:2],
        assignee=annotator2,
        created_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        updated_at=datetime(2025, 1, 2, 3, 4, 5, 1, tzinfo=UTC),
    )
    Citation.objects.filter(annotation=approved).update(
        title=AWKWARD, excerpt=AWKWARD, publisher="Ünï", published_on=None, accessed_at=None
    )
    first = Review.objects.filter(annotation=approved).first()
    Review.objects.create(
        annotation=approved,
        reviewer=first.reviewer,
        decision="request-changes",
        comment=AWKWARD,
        annotation_version=approved.version,
        review_round=approved.review_round,
        created_at=datetime(2030, 1, 1, tzinfo=UTC),
    )
    second = make_annotation(annotator2, segment, words=segment.text[:4], verdict="mixed")
    Annotation.objects.filter(pk=second.pk).update(start=approved.start, end=approved.end)

    from_records, from_database = both_paths(parse_request("jsonl"))
    assert from_database == from_records
    assert AWKWARD.encode() not in from_records[0]  # escaped, so the check means something
    assert b'"reviewed_by":["rev"]' in from_records[0]  # the same reviewer, once
    assert b'"retrieved_at":"2024-05-06T07:08:09+00:00"' in from_records[0]
    assert b'"updated_at":"2025-01-02T03:04:05.000001+00:00"' in from_records[1]


@postgresql_only
def test_export_on_postgresql_writes_from_the_database(dataset, tmp_path, monkeypatch):
    expected = both_paths(parse_request("jsonl"))[0]

    def no_records(*args, **kwargs):
        raise AssertionError("the records were read")

    monkeypatch.setattr(JsonlExporter, "write", no_records)
    export = export_dataset(actor=None, format="jsonl", out=tmp_path / "out")
    assert (tmp_path / "out" / "data" / "segments.jsonl").read_bytes() == expected[0]
    assert (tmp_path / "out" / "data" / "restore.jsonl").read_bytes() == expected[1]
    assert export.counts == expected[2]
    sources = sorted(p.stem for p in (tmp_path / "out" / "sources").iterdir())
    assert sources == sorted(
        Source.objects.filter(pk__in=expected[3]).values_list("sha256", flat=True)
    )


@postgresql_only
def test_the_database_path_reports_progress(dataset, tmp_path, monkeypatch):
    monkeypatch.setattr(jsonl, "FETCH_ROWS", 1)  # one progress call per segment
    reported: list[int] = []
    export = export_dataset(
        actor=None, format="jsonl", out=tmp_path / "out", on_progress=reported.append
    )
    assert sum(reported) == export.counts["segments"] == Segment.objects.count()
    assert len(reported) == export.counts["segments"]


@postgresql_only
def test_database_path_reads_in_batches(dataset, monkeypatch):
    monkeypatch.setattr(jsonl, "FETCH_ROWS", 1)
    from_records, from_database = both_paths(parse_request("jsonl"))
    assert from_database == from_records


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_export_in_its_own_snapshot_sorts_on_a_second_connection_that_shares_it(
    reseeded, dataset, annotator2, tmp_path, monkeypatch
):
    """export_dataset reads in its own REPEATABLE READ transaction, so the annotation
    streams run on a second connection; that connection reads the same snapshot, so
    an annotation committed meanwhile is in neither, and the bytes are the records'."""
    with transaction.atomic():
        expected = both_paths(parse_request("jsonl"))[0]
    segment = dataset["approved"].segment
    opened = []
    real = jsonl._snapshot_connection

    def commit_an_annotation_then_open(snapshot):
        side = real(snapshot)
        opened.append(side)
        # Committed by another connection after the export's snapshot was taken.
        writer = threading.Thread(
            target=lambda: (make_annotation(annotator2, segment), connection.close())
        )
        writer.start()
        writer.join()
        return side

    monkeypatch.setattr(jsonl, "_snapshot_connection", commit_an_annotation_then_open)
    export = export_dataset(actor=None, format="jsonl", out=tmp_path / "out")
    assert opened and opened[0] is not None
    assert opened[0].closed
    assert Annotation.objects.count() == expected[2]["annotations"] + 1
    assert (tmp_path / "out" / "data" / "segments.jsonl").read_bytes() == expected[0]
    assert (tmp_path / "out" / "data" / "restore.jsonl").read_bytes() == expected[1]
    assert export.counts == expected[2]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_database_error_mid_export_fails_it_cleanly(reseeded, dataset, tmp_path, monkeypatch):
    """A statement the server refuses while rows stream (here a division by zero in
    the citations, as a timeout or a cancel would) fails the export with a message,
    leaves no file, and the second connection is closed."""
    real_citations, real_connection = jsonl._citation_sql, jsonl._snapshot_connection
    opened = []

    def failing_citations(queryset, user):
        sql, params = real_citations(queryset, user)
        # Every citation's id is 36 characters long: one more column, 1 / 0 per row.
        return sql.replace("SELECT ", "SELECT 1 / (length(s.v_id::text) - 36), ", 1), params

    def remember(snapshot):
        opened.append(real_connection(snapshot))
        return opened[-1]

    monkeypatch.setattr(jsonl, "_citation_sql", failing_citations)
    monkeypatch.setattr(jsonl, "_snapshot_connection", remember)
    with pytest.raises(ExportError, match="the database stopped the export: division by zero"):
        export_dataset(actor=None, format="jsonl", out=tmp_path / "out")
    assert list(tmp_path.iterdir()) == []
    assert opened[0].closed
    failed = Export.objects.get()
    assert failed.status == "failed" and "division by zero" in failed.error


@postgresql_only
def test_an_export_inside_a_wider_transaction_reads_on_its_connection_alone(dataset):
    """Inside a transaction that has written (here, the test's), a second connection
    could not see the rows: the streams stay on the one connection."""
    assert jsonl._snapshot_connection(shareable_snapshot()) is None


def test_annotation_unit_and_sqlite_go_through_the_records():
    assert not database_applies({"unit": "annotation"})
    assert database_applies({}) == (
        connection.vendor == "postgresql" and connection.in_atomic_block
    )


def test_manifest_is_indented_as_json_dumps_indents_it(dataset, tmp_path):
    export_dataset(actor=None, format="jsonl", out=tmp_path / "out")
    text = (tmp_path / "out" / "datapackage.json").read_text()
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
