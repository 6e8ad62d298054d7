"""Writes to the archive. Importing is the only way evidence enters the system."""

from __future__ import annotations

import codecs
import dataclasses
import hashlib
import struct
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from psycopg import pq
from psycopg.adapt import PyFormat, Transformer

from archive.actions import ArchiveAction
from common.errors import NotAllowed
from common.roles import SOURCE_IMPORTERS, roles_of

from . import evidence, ledger, signals
from .importers import registry
from .importers.base import DocumentError, DocumentStream, DroppedSpan, ParsedSegment
from .importers.decoding import check_size, decode
from .models import Segment, Source, Transcript

MEDIA_TYPES = {
    "srt": "application/x-subrip",
    "vtt": "text/vtt",
    "jsonl": "application/jsonl",
    "tsv": "text/tab-separated-values",
}
SEGMENT_BATCH = 5000
ORIGIN_URL_MAX_LENGTH = Source._meta.get_field("origin_url").max_length
_web_url = URLValidator(schemes=["http", "https"])


class InvalidOrigin(DocumentError):
    """The origin URL given for a document is not an http(s) address with a host."""

    field = "origin_url"


class RevisionRefused(DocumentError):
    """The document cannot be the next revision it would be (an unknown transcript, one
    that already has a next revision, an origin URL shared by two transcripts)."""

    field = "revision_of"


@dataclass
class ImportResult:
    source: Source
    transcript: Transcript
    created: bool
    segment_count: int
    dropped: list[DroppedSpan] = field(default_factory=list)
    # The transcript this one is the next revision of, if any.
    revision_of: Transcript | None = None
    # What the apps that read new transcripts did with it, one line each (the receivers
    # of archive.signals.transcript_imported that return a line: annotations carried
    # to a revision, sentences scored).
    derived: list[str] = field(default_factory=list)


def may_import_sources(user) -> bool:
    """Whether ``user`` may import documents: an active user holding a role in
    :data:`common.roles.SOURCE_IMPORTERS` (the admin asks this to show its upload form)."""
    return bool(roles_of(user) & SOURCE_IMPORTERS)


def check_import_size(size: int) -> None:
    """Raise :class:`~common.errors.DocumentTooLarge` for a document of ``size`` bytes over
    ``CLAIMTRAIL_IMPORT_MAX_BYTES``. The import services check every document with it; a
    caller that knows the size before reading the bytes (a file's ``stat``) may ask first."""
    check_size(size, max_bytes=settings.CLAIMTRAIL_IMPORT_MAX_BYTES)


def source_upload(
    *,
    actor,
    upload: File,
    filename: str = "",
    format: str = "auto",
    encoding: str | None = None,
    origin_url: str = "",
    retrieved_at: datetime | None = None,
    reason: str = "",
    revision_of: str | None = None,
) -> ImportResult:
    """Import an uploaded file on behalf of ``actor``, a person (the admin's form, the API).

    Refuses, in this order and before the file is read: an actor who may not import
    (:class:`~common.errors.NotAllowed`), then a file over the size limit
    (:class:`~common.errors.DocumentTooLarge`). Everything else is
    :func:`source_import`'s, which records ``actor`` as the importer.
    """
    if not may_import_sources(actor):
        names = " or ".join(sorted(role.value.lower() for role in SOURCE_IMPORTERS))
        raise NotAllowed(f"only an {names} may import sources")
    check_import_size(upload.size)
    return source_import(
        data=upload.read(),
        actor=actor,
        filename=filename,
        format=format,
        encoding=encoding,
        origin_url=origin_url,
        retrieved_at=retrieved_at,
        reason=reason,
        revision_of=revision_of,
    )


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
    event_date: date | None = None,
    revision_of: str | None = None,
) -> ImportResult:
    """Import one document: store its exact bytes, its transcript and its segments.

    Revisions: a document whose ``origin_url`` is that of an earlier source (and whose
    bytes differ) is the next revision of that source's latest transcript; so is one
    imported with ``revision_of`` (a transcript id; it must be the latest of its chain).
    Its transcript is linked (``revision_of``, ``revision`` = the previous + 1) and the
    earlier ones stay as they were. The apps above carry their work to it inside this
    transaction (``transcript_imported``), so a failure leaves the previous revision
    as it was. Refused with :class:`RevisionRefused`: an unknown ``revision_of``, one
    that already has a next revision, an origin URL whose sources hold two transcripts
    that are not revisions of one another.

    ``event_date`` is the day of the event when the caller knows it; it takes the place
    of a date the importer read from the document (a TSV transcript carries none).

    For trusted callers (commands, the demo, fixtures), which checked who acts: ``actor``
    is recorded as given, and ``None`` is the system. A person's upload goes through
    :func:`source_upload`, which checks that they may import.

    Importing bytes that are already stored returns the existing source
    (``created=False``) and writes nothing. Everything else happens in one
    transaction, so a failure leaves nothing behind. Raises
    :class:`DocumentError` with a one-line message for documents that cannot be
    imported: first :class:`~common.errors.DocumentTooLarge` for bytes over the size
    limit (stored or not), then :class:`InvalidOrigin` for an ``origin_url`` that is
    not an http or https address with a host.
    """
    check_import_size(len(data))
    _check_origin_url(origin_url)
    digest = hashlib.sha256(data).hexdigest()
    existing = _existing_import(digest)
    if existing:
        return existing
    previous = _previous_revision(origin_url, revision_of)
    text = decode(data, encoding=encoding, max_bytes=settings.CLAIMTRAIL_IMPORT_MAX_BYTES)
    # Segments stream from the parser through the span checks into the database; a
    # document without any is refused here, before anything is stored.
    document = registry.stream(text, format=format, filename=filename)
    if event_date is not None:
        document = dataclasses.replace(document, event_date=event_date)
    stored_text = text if document.text is None else document.text
    try:
        return _store(
            data=data,
            digest=digest,
            text=stored_text,
            text_is_data=document.text is None and _is_utf8(encoding),
            document=document,
            actor=actor,
            filename=filename,
            encoding=encoding or "utf-8",
            origin_url=origin_url,
            retrieved_at=retrieved_at,
            reason=reason,
            on_progress=on_progress,
            previous=previous,
        )
    except IntegrityError:
        # Someone imported the same bytes while we parsed: theirs wins.
        existing = _existing_import(digest)
        if existing:
            return existing
        if previous is not None and Transcript.objects.filter(revision_of=previous).exists():
            raise RevisionRefused(
                f"another revision of transcript {previous.pk} was imported meanwhile; "
                "import this one as a revision of that one"
            ) from None
        raise


def _previous_revision(origin_url: str, revision_of: str | None) -> Transcript | None:
    """The transcript a new document would be the next revision of, or None."""
    if revision_of:
        try:
            previous = Transcript.objects.filter(pk=uuid.UUID(str(revision_of))).first()
        except ValueError:
            previous = None
        if previous is None:
            raise RevisionRefused(f"there is no transcript {revision_of!s:.80} to revise")
        later = Transcript.objects.filter(revision_of=previous).first()
        if later is not None:
            raise RevisionRefused(
                f"transcript {previous.pk} already has a next revision, {later.pk} "
                f"(revision {later.revision}); a new revision continues the latest"
            )
        return previous
    if not origin_url:
        return None
    latest = list(
        Transcript.objects.filter(source__origin_url=origin_url, revisions__isnull=True)
        .order_by("created_at")
        .values_list("pk", flat=True)[:10]
    )
    if len(latest) > 1:
        raise RevisionRefused(
            f"the origin URL is that of {len(latest)} transcripts that are not revisions of "
            f"one another ({', '.join(map(str, latest))}); name the one this revises "
            "(revision_of)"
        )
    return Transcript.objects.get(pk=latest[0]) if latest else None


def _check_origin_url(url: str) -> None:
    """Refuse an origin that is not a web address: exports publish it as a link, so a
    ``javascript:`` or ``data:`` URL would run in the browser of whoever follows it."""
    if not url:
        return
    try:
        if len(url) > ORIGIN_URL_MAX_LENGTH:
            raise ValidationError("too long")
        _web_url(url)
    except ValidationError:
        shown = url if len(url) <= 100 else url[:99] + "…"
        raise InvalidOrigin(
            f"origin URL must be an http or https address with a host, at most "
            f"{ORIGIN_URL_MAX_LENGTH} characters; got {shown!r}"
        ) from None


def _is_utf8(encoding: str | None) -> bool:
    """True when decoding with ``encoding`` is plain UTF-8 (no BOM stripping), as by default."""
    return encoding is None or codecs.lookup(encoding).name == "utf-8"


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


@transaction.atomic
def _store(
    *,
    data: bytes,
    digest: str,
    text: str,
    text_is_data: bool,
    document: DocumentStream,
    actor,
    filename: str,
    encoding: str,
    origin_url: str,
    retrieved_at: datetime | None,
    reason: str,
    on_progress: Callable[[int], None] | None,
    previous: Transcript | None = None,
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
    _insert_source(source, text_is_data=text_is_data)
    transcript = Transcript(
        source=source,
        title=title,
        event_date=document.event_date,
        format=document.format,
        revision_of=previous,
        revision=previous.revision + 1 if previous else 1,
    )
    # The segments go first, as they stream, so the transcript row is written once
    # with its final count (foreign keys are checked at commit). A bad span raises
    # DocumentError from the stream and the transaction rolls back.
    segments_digest = evidence.SegmentDigest()
    rows = segments_digest.wrap(_segment_rows(transcript.pk, text, document.segments))
    transcript.segment_count = _insert_segments(rows, on_progress)
    transcript.save(force_insert=True)
    ledger.append(
        actor=actor,
        action=ArchiveAction.SOURCE_IMPORT,
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
            # What archive.evidence.verify compares the stored rows with.
            "text_sha256": evidence.text_digest(text),
            "segments_sha256": segments_digest.hexdigest(),
            "event_date": transcript.event_date.isoformat() if transcript.event_date else None,
            "format": transcript.format,
            "revision_of": str(previous.pk) if previous else None,
            "revision": transcript.revision,
            "dropped": [
                {"start": d.start, "end": d.end, "reason": d.reason} for d in document.dropped
            ],
        },
        reason=reason,
    )
    replies = signals.transcript_imported.send(
        sender=Transcript, transcript=transcript, actor=actor, reason=reason
    )
    return ImportResult(
        source=source,
        transcript=transcript,
        created=True,
        segment_count=transcript.segment_count,
        dropped=list(document.dropped),
        revision_of=previous,
        derived=[reply for _, reply in replies if isinstance(reply, str)],
    )


def _segment_rows(transcript_id: uuid.UUID, text: str, segments: Iterable[ParsedSegment]):
    """Segment rows as tuples in ``_COPY_COLUMNS`` order (no model instance per row)."""
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


# The import digests the rows in this order too.
_COPY_COLUMNS = evidence.SEGMENT_FIELDS


def _insert_segments(rows: Iterator[tuple], on_progress) -> int:
    """Write the segment rows (from :func:`_segment_rows`) as they come; return how many."""
    if connection.vendor == "postgresql":
        return _copy_segments(rows, on_progress)
    count = 0
    batch: list[Segment] = []
    for row in rows:
        batch.append(Segment(**dict(zip(_COPY_COLUMNS, row, strict=True))))
        if len(batch) >= SEGMENT_BATCH:
            count += _bulk_insert(batch, on_progress)
            batch = []
    if batch:
        count += _bulk_insert(batch, on_progress)
    return count


def _bulk_insert(batch: list[Segment], on_progress) -> int:
    Segment.objects.bulk_create(batch)
    if on_progress:
        on_progress(len(batch))
    return len(batch)


def _copy_segments(rows: Iterator[tuple], on_progress) -> int:
    """PostgreSQL: stream segments with COPY, the fastest bulk path it offers."""
    sql = f"COPY {Segment._meta.db_table} ({', '.join(_COPY_COLUMNS)}) FROM STDIN"
    count = 0
    # psycopg's own cursor is used below, so its errors are turned into Django's here.
    with connection.wrap_database_errors, connection.cursor() as cursor:
        with cursor.cursor.copy(sql) as copy:
            for count, row in enumerate(rows, start=1):
                copy.write_row(row)
                if on_progress and count % SEGMENT_BATCH == 0:
                    on_progress(SEGMENT_BATCH)
    if on_progress and count % SEGMENT_BATCH:
        on_progress(count % SEGMENT_BATCH)
    return count


def _insert_source(source: Source, *, text_is_data: bool) -> None:
    """Insert the source row; on PostgreSQL with a binary COPY that streams the document.

    The ORM's INSERT binds parameters client-side: it builds one SQL literal of the
    whole document, its bytes hex-escaped, which costs many times the file's size in
    memory. Here the small columns are dumped by psycopg and the two large ones,
    ``content`` and ``text``, are written in slices of the objects we already hold.
    A ``text`` value in binary COPY is its UTF-8 bytes, so when the stored text is
    exactly the UTF-8 decoding of the content (``text_is_data``) the content's bytes
    are sent for it again: no encoded copy of the text is ever built. PostgreSQL
    still checks that they are valid UTF-8.
    """
    if connection.vendor != "postgresql":
        source.save(force_insert=True)
        return
    large = ("content", "text")
    fields = [f for f in Source._meta.concrete_fields if f.name not in large]
    values = [f.pre_save(source, add=True) for f in fields]  # sets imported_at
    table = Source._meta.db_table
    columns = [f.column for f in fields] + [Source._meta.get_field(name).column for name in large]
    # psycopg's own cursor is used below, so its errors (the unique violation of a
    # concurrent import of the same bytes) are turned into Django's here.
    with connection.wrap_database_errors, connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, atttypid FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [table],
        )
        type_of = dict(cursor.fetchall())
        transformer = Transformer(cursor.cursor)
        transformer.set_dumper_types([type_of[f.column] for f in fields], pq.Format.BINARY)
        dumped = transformer.dump_sequence(values, [PyFormat.BINARY] * len(values))
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
        with cursor.cursor.copy(sql) as copy:
            # The binary COPY format, written by hand: signature, flags, header
            # extension length; one tuple (field count, then length + bytes per
            # field, -1 for NULL); the trailer.
            head = bytearray(b"PGCOPY\n\xff\r\n\x00" + struct.pack("!iih", 0, 0, len(columns)))
            for value in dumped:
                if value is None:
                    head += struct.pack("!i", -1)
                else:
                    head += struct.pack("!i", len(value))
                    head += value
            copy.write(head)
            content = memoryview(source.content)
            _copy_field(copy, len(content), [content])
            if text_is_data:
                _copy_field(copy, len(content), [content])
            else:
                size = sum(len(piece) for piece in _utf8_slices(source.text))
                _copy_field(copy, size, _utf8_slices(source.text))
            copy.write(struct.pack("!h", -1))
    source._state.adding = False
    source._state.db = connection.alias


COPY_SLICE = 1 << 20


def _copy_field(copy, size: int, parts: Iterable[bytes | memoryview]) -> None:
    """One binary COPY field: its length, then its bytes a slice at a time."""
    copy.write(struct.pack("!i", size))
    for part in parts:
        view = memoryview(part)
        for offset in range(0, len(view), COPY_SLICE):
            copy.write(view[offset : offset + COPY_SLICE])


def _utf8_slices(text: str) -> Iterator[bytes]:
    """``text`` encoded as UTF-8 a piece at a time (encoded twice: to measure, to send)."""
    for start in range(0, len(text), COPY_SLICE):
        yield text[start : start + COPY_SLICE].encode("utf-8")
