"""The segment order constraint: unique on both databases; on PostgreSQL its index
also carries the id, so exports read a segment's place from the index alone."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from archive.models import Segment

pytestmark = pytest.mark.django_db


def test_two_segments_cannot_share_a_place_in_their_transcript(transcript):
    first = transcript.segments.order_by("ordinal").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Segment.objects.create(
            transcript=transcript,
            ordinal=first.ordinal,
            text=first.text,
            source_start=first.source_start,
            source_end=first.source_end,
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="INCLUDE is PostgreSQL's")
def test_the_order_index_covers_the_id_and_answers_the_export_join_alone(transcript):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index"
            " WHERE indexrelid = 'archive_segment_ordinal_unique'::regclass"
        )
        assert cursor.fetchone()[0].endswith("(transcript_id, ordinal) INCLUDE (id)")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN SELECT id, transcript_id, ordinal FROM archive_segment")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using archive_segment_ordinal_unique" in plan
