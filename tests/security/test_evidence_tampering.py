"""Evidence is checked, not trusted: rows changed behind the app's back are found and named.

Each test edits the database as someone holding the owner's credentials would (the
triggers off), then expects verify_ledger to name what changed and an export to refuse.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from annotate import services
from annotate.datasets.exporters.package import ExportError
from annotate.datasets.service import export_dataset
from annotate.models import Review
from archive import evidence
from archive.models import Segment
from tests.dbroles import db_id, owner_sql, tamper
from tests.export.conftest import approve
from tests.factories import make_annotation

pytestmark = pytest.mark.django_db


def _problems() -> list[str]:
    return [str(p) for p in evidence.verify()]


def _verify_ledger_err(capsys) -> str:
    with pytest.raises(CommandError, match="evidence does not match"):
        call_command("verify_ledger")
    return capsys.readouterr().err


def test_fresh_evidence_verifies(transcript, annotator, reviewer):
    make_annotation(annotator, transcript.segments.first())
    assert _problems() == []
    call_command("verify_ledger")


def test_an_edited_segment_text_is_named_and_blocks_the_export(transcript, tmp_path, capsys):
    segment = transcript.segments.order_by("ordinal")[2]
    tamper(
        "archive_segment",
        "UPDATE archive_segment SET text = replace(text, 'a', '4') WHERE id = %s",
        [db_id(segment.pk)],
    )
    assert f"segment {segment.pk}" in _verify_ledger_err(capsys)
    with pytest.raises(ExportError, match=f"segment {segment.pk}"):
        export_dataset(actor=None, format="jsonl", out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_shifted_offset_is_named(transcript, capsys):
    segment = transcript.segments.order_by("ordinal")[1]
    tamper(
        "archive_segment",
        "UPDATE archive_segment SET source_start = source_start + 1 WHERE id = %s",
        [db_id(segment.pk)],
    )
    err = _verify_ledger_err(capsys)
    assert f"segment {segment.pk}" in err and "not the source's text" in err


def test_an_edited_speaker_changes_the_segments_digest(transcript, capsys):
    tamper("archive_segment", "UPDATE archive_segment SET speaker = 'Someone else'")
    assert "differ from what was imported" in _verify_ledger_err(capsys)


def test_new_bytes_with_a_matching_sha256_column_are_caught(transcript, capsys):
    import hashlib

    forged = b"Nothing was said."
    tamper(
        "archive_source",
        "UPDATE archive_source SET content = %s, text = %s, sha256 = %s",
        [forged, forged.decode(), hashlib.sha256(forged).hexdigest()],
    )
    err = _verify_ledger_err(capsys)
    assert "do not match the SHA-256 recorded when it was imported" in err
    assert "decoded text was changed" in err


def test_an_approved_verdict_flipped_in_sql_is_caught(transcript, annotator, reviewer, capsys):
    annotation = approve(
        make_annotation(annotator, transcript.segments.first()), annotator, reviewer
    )
    tamper("annotate_annotation", "UPDATE annotate_annotation SET verdict = 'false'")
    err = _verify_ledger_err(capsys)
    assert f"annotation {annotation.pk}" in err and "verdict" in err


def test_a_review_rewritten_in_sql_is_caught(transcript, annotator, reviewer, reviewer2, capsys):
    annotation = make_annotation(annotator, transcript.segments.first(), verdict="false")
    annotation = services.annotation_submit(
        actor=annotator, annotation=annotation, expected_version=annotation.version
    )
    services.annotation_approve(
        actor=reviewer, annotation=annotation, expected_version=annotation.version
    )
    review = Review.objects.get()
    assert _problems() == []
    # The second approval a false verdict needs, forged as reviewer2's.
    tamper("annotate_review", "UPDATE annotate_review SET reviewer_id = %s", [reviewer2.pk])
    err = _verify_ledger_err(capsys)
    assert f"review {review.pk}" in err


@pytest.mark.postgres
def test_postgres_refuses_evidence_changes_even_to_the_owner(transcript):
    if connection.vendor != "postgresql":
        pytest.skip("the evidence triggers exist on PostgreSQL only")
    for table in ("archive_source", "archive_transcript", "archive_segment"):
        for sql in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
            with pytest.raises(Exception, match="evidence is kept as received"):
                from django.db import transaction

                with transaction.atomic():
                    owner_sql(sql)
    assert Segment.objects.filter(transcript=transcript).count() == transcript.segment_count
