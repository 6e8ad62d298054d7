"""Writes to the archive. Importing is the only way evidence enters the system."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from . import ledger
from .importers import registry
from .importers.base import DocumentError, DroppedSpan, ParsedDocument, ParsedSegment
from .importers.decoding import decode
from .models import Segment, Source, Transcript

MEDIA_TYPES = {
    "srt": "application/x-subrip",
    "vtt": "text/vtt",
    "jsonl": "application/jsonl",
}
SEGMENT_BATCH = 5000


@dataclass
class ImportResult:
    source: Source
    transcript: Transcript
    created: bool
    segment_count: int
    dropped: list[DroppedSpan] = field(default_factory=list)


def source_import(
    *,
    data: bytes,
    actor=None,
    filename: str = "",
    format: str = "auto",
    encoding: str | None = None,
    origin_url: str = "",
    retrieved_at: datetime | None = None,
    reason: str = "",
    on_progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import one document: store its exact bytes, its transcript and its segments.

    Importing bytes that are already stored returns the existing source
    (``created=False``) and writes nothing. Everything else happens in one
    transaction, so a failure leaves nothing behind. Raises
    :class:`DocumentError` with a one-line message for documents that cannot be
    imported.
    """
    digest = hashlib.sha256(data).hexdigest()
    existing = _existing_import(digest)
    if existing:
        return existing
    text = decode(data, encoding=encoding, max_bytes=settings.CLAIMTRAIL_IMPORT_MAX_BYTES)
    document = registry.parse(text, format=format, filename=filename)
    stored_text = document.text if getattr(document, "text", None) is not None else text
    _check_spans(stored_text, document.segments)
    try:
        return _store(
            data=data,
            digest=digest,
            text=stored_text,
            document=document,
            actor=actor,
            filename=filename,
            encoding=encoding or "utf-8",
            origin_url=origin_url,
            retrieved_at=retrieved_at,
            reason=reason,
            on_progress=on_progress,
        )
    except IntegrityError:
        # Someone imported the same bytes while we parsed: theirs wins.
        existing = _existing_import(digest)
        if existing:
            return existing
        raise


def _existing_import(digest: str) -> ImportResult | None:
    source = Source.objects.filter(sha256=digest).defer("content", "text").first()
    if source is None:
        return None
    transcript = source.transcripts.order_by("created_at").first()
    return ImportResult(
        source=source,
        transcript=transcript,
        created=False,
        segment_count=transcript.segment_count if transcript else 0,
    )


def _check_spans(text: str, segments: list[ParsedSegment]) -> None:
    """Enforce the archive invariant before anything is stored."""
    if not segments:
        raise DocumentError("no segments found in this document")
    previous_end = 0
    for number, segment in enumerate(segments, start=1):
        if not (previous_end <= segment.start < segment.end <= len(text)):
            raise DocumentError(
                f"importer bug: segment {number} has an invalid span "
                f"[{segment.start}, {segment.end})"
            )
        previous_end = segment.end


@transaction.atomic
def _store(
    *,
    data: bytes,
    digest: str,
    text: str,
    document: ParsedDocument,
    actor,
    filename: str,
    encoding: str,
    origin_url: str,
    retrieved_at: datetime | None,
    reason: str,
    on_progress: Callable[[int], None] | None,
) -> ImportResult:
    importer = f"{document.format}@{getattr(registry.IMPORTERS[document.format], 'VERSION', '1')}"
    title = (document.title or Path(filename).stem or "Untitled transcript")[:500]
    source = Source(
        title=title,
        filename=Path(filename).name[:255],
        origin_url=origin_url,
        media_type=MEDIA_TYPES.get(document.format, "text/plain"),
        encoding=encoding,
        retrieved_at=retrieved_at,
        imported_by=actor if getattr(actor, "pk", None) else None,
        importer=importer,
        sha256=digest,
        size=len(data),
        content=data,
        text=text,
    )
    _insert_source(source)
    transcript = Transcript(
        source=source,
        title=title,
        event_date=document.event_date,
        format=document.format,
        segment_count=len(document.segments),
    )
    transcript.save(force_insert=True)
    _insert_segments(transcript, text, document.segments, on_progress)
    ledger.append(
        actor=actor,
        action="source.import",
        obj=source,
        state={
            "sha256": digest,
            "title": title,
            "filename": source.filename,
            "origin_url": origin_url,
            "importer": importer,
            "size": len(data),
            "transcript_id": str(transcript.pk),
            "segment_count": transcript.segment_count,
            "dropped": [
                {"start": d.start, "end": d.end, "reason": d.reason} for d in document.dropped
            ],
        },
        reason=reason,
    )
    return ImportResult(
        source=source,
        transcript=transcript,
        created=True,
        segment_count=transcript.segment_count,
        dropped=list(document.dropped),
    )


def _segment_rows(transcript: Transcript, text: str, segments: Iterable[ParsedSegment]):
    """Segment rows as tuples in ``_COPY_COLUMNS`` order (no model instance per row)."""
    transcript_id = transcript.pk
    for ordinal, parsed in enumerate(segments, start=1):
        yield (
            uuid.uuid4(),
            transcript_id,
            ordinal,
            parsed.clock[:32],
            parsed.clock_normalised,
            parsed.location[:200],
            parsed.speaker[:300],
            parsed.speaker_role[:500],
            text[parsed.start : parsed.end],
            parsed.start,
            parsed.end,
        )


_COPY_COLUMNS = (
    "id",
    "transcript_id",
    "ordinal",
    "clock",
    "clock_normalised",
    "location",
    "speaker",
    "speaker_role",
    "text",
    "source_start",
    "source_end",
)


def _insert_segments(transcript, text, segments, on_progress) -> None:
    rows = _segment_rows(transcript, text, segments)
    if connection.vendor == "postgresql":
        _copy_segments(rows, on_progress)
        return
    batch: list[Segment] = []
    for row in rows:
        batch.append(Segment(**dict(zip(_COPY_COLUMNS, row, strict=True))))
        if len(batch) >= SEGMENT_BATCH:
            Segment.objects.bulk_create(batch)
            if on_progress:
                on_progress(len(batch))
            batch = []
    if batch:
        Segment.objects.bulk_create(batch)
        if on_progress:
            on_progress(len(batch))


def _copy_segments(rows: Iterator[tuple], on_progress) -> None:
    """PostgreSQL: stream segments with COPY, the fastest bulk path it offers."""
    sql = f"COPY {Segment._meta.db_table} ({', '.join(_COPY_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor:
        with cursor.cursor.copy(sql) as copy:
            for count, row in enumerate(rows, start=1):
                copy.write_row(row)
                if on_progress and count % SEGMENT_BATCH == 0:
                    on_progress(SEGMENT_BATCH)


def _insert_source(source: Source) -> None:
    """Insert the source row; on PostgreSQL with a binary COPY.

    The ORM's INSERT binds parameters client-side: it builds one SQL literal of the
    whole document, its bytes hex-escaped, which costs many times the file's size in
    memory (and stays in ``connection.queries`` when DEBUG is on). A binary COPY
    sends the bytes and the text as they are.
    """
    if connection.vendor != "postgresql":
        source.save(force_insert=True)
        return
    fields = Source._meta.concrete_fields
    values = [field.pre_save(source, add=True) for field in fields]  # sets imported_at
    table = Source._meta.db_table
    columns = [field.column for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, atttypid FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [table],
        )
        type_of = dict(cursor.fetchall())
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
        with cursor.cursor.copy(sql) as copy:
            copy.set_types([type_of[column] for column in columns])
            copy.write_row(values)
    source._state.adding = False
    source._state.db = connection.alias
