"""Reading an export from the database: records streamed chunk by chunk, sources in batches.

The export's segments come from one database cursor and its annotations,
citations and reviews from three more, all sorted by the same key, so they merge
in one pass (see :func:`iter_segment_records`); memory holds one chunk, never the
export. Source documents are read in bounded batches: after the data files, or, in
an export's own snapshot, alongside them on a connection that shares the snapshot.
Everything here reads; :mod:`annotate.datasets.service` runs the export and records it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import psycopg.sql
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, OuterRef, QuerySet, TextField
from django.db.models.functions import Cast

from annotate import selectors
from annotate.actions import ANNOTATION_EVENTS, AnnotateAction
from annotate.datasets.exporters.base import SegmentRecord
from annotate.datasets.exporters.package import DATA_CHANGED, EarlySources, ExportError, SourceFile
from annotate.models import VERDICT_RATINGS, Annotation, Citation, Review, Status
from annotate.records import (
    ANNOTATION_RECORD,
    CITATION_RECORD,
    REVIEW_RECORD,
    WRITERS,
    iso_date,
    iso_datetime,
)
from archive import actions, ledger
from archive.evidence import SEGMENT_FIELDS
from archive.models import Segment, Source, Transcript

if TYPE_CHECKING:
    from annotate.datasets.service import ExportFilters, ExportRequest

CHUNK_SIZE = 2000


def matching_annotations(filters: ExportFilters, *, rated_only: bool = False) -> QuerySet:
    """The annotations an export covers (unordered, unshaped): the API's and the admin's
    filters, through the one selector."""
    queryset = selectors.annotation_filter(
        Annotation.objects.all(),
        status=filters.status,
        verdict=filters.verdict,
        claim_type=filters.claim_type,
        transcript=filters.transcript,
        updated_from=filters.date_from,
        updated_to=filters.date_to,
    )
    # Each call ANDs its conditions with those before.
    if filters.approved_only:
        queryset = selectors.annotation_filter(queryset, status=[Status.APPROVED])
    if rated_only:
        queryset = selectors.annotation_filter(queryset, verdict=[v.value for v in VERDICT_RATINGS])
    return queryset


def segments_in_scope(request: ExportRequest) -> QuerySet:
    """Segments of the export, in export order (transcript id, ordinal).

    Without annotation filters a segment-unit export covers every segment of the
    selected transcripts (all transcripts by default), annotated or not; with them,
    or for one-record-per-annotation formats, only segments with a matching
    annotation.
    """
    filters = request.filters
    queryset = Segment.objects.all()
    if filters.transcript:
        queryset = queryset.filter(transcript_id__in=filters.transcript)
    if request.annotation_unit or filters.filters_annotations or request.exporter.rated_only:
        annotations = matching_annotations(filters, rated_only=request.exporter.rated_only)
        queryset = queryset.filter(Exists(annotations.filter(segment_id=OuterRef("pk"))))
    return queryset.order_by("transcript_id", "ordinal")


# A segment row is SEGMENT_FIELDS (the columns the evidence digest covers, in its
# order: id, transcript id, then the segment's own); a segment record keeps its own
# columns under their names.
_SEGMENT_OWN = SEGMENT_FIELDS[2:]


def _uuid_text(field: str):
    """A UUID column as the text ``str(uuid)`` gives: cast by PostgreSQL, saving the
    per-row UUID object; elsewhere the column as is (converted with ``str`` later)."""
    if connection.vendor == "postgresql":
        return Cast(field, output_field=TextField())
    return field


def _username_field() -> str:
    return get_user_model().USERNAME_FIELD


def iter_segment_records(
    request: ExportRequest,
    *,
    ledger_sequence: int | None = None,
    chunk_size: int = CHUNK_SIZE,
    on_chunk: Callable[[int], None] | None = None,
) -> Iterator[SegmentRecord]:
    """Yield the export's segment records in export order, reading as it goes.

    Four database cursors stream side by side, each fetching ``chunk_size`` rows at
    a time: segments, and the matching annotations, citations and reviews, all
    sorted by the same key (transcript, ordinal, annotation span and id), so they
    merge like a zip with nothing held beyond the current chunk. Each chunk reads
    its transcripts' and sources' fields with one query (and, for PROV, its ledger
    events with two). ``ledger_sequence`` bounds
    those events, so they match the position the manifest reports; ``on_chunk(n)``
    is called after each chunk of segments.
    """
    exporter = request.exporter
    rows = (
        segments_in_scope(request)
        .values_list(_uuid_text("id"), *SEGMENT_FIELDS[1:])
        .iterator(chunk_size=chunk_size)
    )
    annotations = _Peekable(_annotation_stream(request, exporter, chunk_size))
    sources_seen: set[str] = set()
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= chunk_size:
            yield from _chunk_records(exporter, chunk, annotations, sources_seen, ledger_sequence)
            if on_chunk:
                on_chunk(len(chunk))
            chunk = []
    if chunk:
        yield from _chunk_records(exporter, chunk, annotations, sources_seen, ledger_sequence)
        if on_chunk:
            on_chunk(len(chunk))
    if not annotations.exhausted:
        # Only possible when the data changed under an export without a snapshot
        # (SQLite): an annotation whose segment was not read. Refuse, don't drop it.
        raise ExportError(DATA_CHANGED)


class _Peekable:
    """An iterator whose next item can be looked at without taking it."""

    _EMPTY = object()

    def __init__(self, iterator):
        self.iterator = iterator
        self.head = next(iterator, self._EMPTY)

    @property
    def exhausted(self) -> bool:
        return self.head is self._EMPTY

    def take_while(self, key: str, value) -> list:
        taken = []
        while self.head is not self._EMPTY and self.head[key] == value:
            taken.append(self.head)
            self.head = next(self.iterator, self._EMPTY)
        return taken


def _transcript_context(transcript_ids) -> dict[Any, dict[str, Any]]:
    """What each segment repeats from its transcript and source, read once per chunk."""
    rows = Transcript.objects.filter(pk__in=transcript_ids).values_list(
        "id",
        "title",
        "event_date",
        "source_id",
        "source__sha256",
        "source__origin_url",
        "source__retrieved_at",
        "source__title",
        "revision",
        "revision_of__source_id",
    )
    return {
        r[0]: {
            "transcript_id": str(r[0]),
            "transcript_title": r[1],
            "transcript_event_date": iso_date(r[2]),
            "source_id": str(r[3]),
            "source_sha256": r[4],
            "source_origin_url": r[5],
            "source_retrieved_at": iso_datetime(r[6]),
            "source_title": r[7],
            "transcript_revision": r[8],
            # The source this one's transcript revises (PROV: a revision of it).
            "source_revision_of": str(r[9]) if r[9] else None,
        }
        for r in rows
    }


def _chunk_records(
    exporter, rows, annotations, sources_seen, ledger_sequence
) -> list[SegmentRecord]:
    context = _transcript_context({r[1] for r in rows})
    segments = []
    chunk_annotations = []
    for r in rows:
        segment_id = str(r[0])
        found = annotations.take_while("segment_id", segment_id)
        chunk_annotations.extend(found)
        segment = {
            "id": segment_id,
            **context[r[1]],
            **dict(zip(_SEGMENT_OWN, r[2:], strict=True)),
            "annotations": found,
        }
        segments.append(segment)
    if exporter.needs_ledger:
        _attach_events(chunk_annotations, ledger_sequence)
        _attach_source_events(segments, sources_seen, ledger_sequence)
    return segments


# Annotations, citations and reviews are all sorted by their annotation's place in
# the export, so the three streams and the segments merge in one pass.
_ANNOTATION_ORDER = ("segment__transcript_id", "segment__ordinal", "start", "end", "id")


def _record_columns(table, user: str) -> list:
    """The ``values_list`` columns of a record table (see :mod:`annotate.records`)."""
    columns = []
    for _, path, kind in table:
        if kind == "uuid":
            columns.append(_uuid_text(path))
        elif kind == "user":
            columns.append(f"{path}__{user}")
        else:
            columns.append(path)
    return columns


def _record_maker(table) -> Callable[[tuple], dict[str, Any]]:
    """Build records from rows of :func:`_record_columns` (usernames are read as text)."""
    keys = tuple(key for key, _, _ in table)
    convert = tuple((key, WRITERS[kind]) for key, _, kind in table if kind in WRITERS)

    def make(row: tuple) -> dict[str, Any]:
        record = dict(zip(keys, row, strict=True))
        for key, write in convert:
            record[key] = write(record[key])
        return record

    return make


def _children(model, table, matching, order, user, chunk_size) -> _Peekable:
    """A child table's records (citations or reviews) in their annotations' export order,
    each paired with its annotation's id."""
    make = _record_maker(table)
    by_annotation = tuple(f"annotation__{field}" for field in _ANNOTATION_ORDER)
    rows = (
        model.objects.filter(annotation__in=matching)
        .order_by(*by_annotation, *order)
        .values_list(_uuid_text("annotation_id"), *_record_columns(table, user))
        .iterator(chunk_size=chunk_size)
    )
    return _Peekable({"annotation_id": str(r[0]), "record": make(r[1:])} for r in rows)


def _annotation_stream(request, exporter, chunk_size) -> Iterator[dict[str, Any]]:
    user = _username_field()
    matching = matching_annotations(request.filters, rated_only=exporter.rated_only)
    make = _record_maker(ANNOTATION_RECORD)
    rows = (
        matching.order_by(*_ANNOTATION_ORDER)
        .values_list(*_record_columns(ANNOTATION_RECORD, user))
        .iterator(chunk_size=chunk_size)
    )
    citations = _children(Citation, CITATION_RECORD, matching, ("added_at", "id"), user, chunk_size)
    reviews = _children(Review, REVIEW_RECORD, matching, ("created_at", "id"), user, chunk_size)
    for row in rows:
        annotation = make(row)
        annotation_id = annotation["id"]
        annotation["citations"] = [
            c["record"] for c in citations.take_while("annotation_id", annotation_id)
        ]
        annotation["reviews"] = [
            r["record"] for r in reviews.take_while("annotation_id", annotation_id)
        ]
        yield annotation


_EVENT_FIELDS = (
    "sequence",
    "recorded_at",
    "actor_label",
    "action",
    "object_id",
    "scope",
    "state",
    "hash",
)


def _event(row) -> dict[str, Any]:
    sequence, recorded_at, actor, action, object_id, scope, state, digest = row
    event = {
        "sequence": sequence,
        "recorded_at": iso_datetime(recorded_at),
        "actor": actor,
        "action": action,
        "object_id": object_id,
        "hash": digest,
    }
    state = state or {}
    action = actions.canonical(action)
    if action in ANNOTATION_EVENTS and "version" in state:
        event["version"] = state["version"]
        event["status"] = state.get("status", "")
    elif action == AnnotateAction.CITATION_ADD:
        event["url"] = state.get("url", "")
        event["stance"] = state.get("stance", "")
    return event


def _events(queryset, ledger_sequence):
    if ledger_sequence is not None:
        queryset = queryset.filter(sequence__lte=ledger_sequence)
    return queryset.order_by("sequence").values_list(*_EVENT_FIELDS)


def _attach_events(annotations, ledger_sequence) -> None:
    if not annotations:
        return
    by_scope = {f"annotate.annotation:{a['id']}": a for a in annotations}
    for annotation in annotations:
        annotation["events"] = []
    rows = _events(ledger.LedgerEvent.objects.filter(scope__in=list(by_scope)), ledger_sequence)
    for row in rows:
        by_scope[row[5]]["events"].append(_event(row))


def _attach_source_events(segments, sources_seen, ledger_sequence) -> None:
    first_of: dict[str, SegmentRecord] = {}
    for segment in segments:
        if segment["source_id"] not in sources_seen:
            sources_seen.add(segment["source_id"])
            first_of[segment["source_id"]] = segment
            segment["source_events"] = []
    if not first_of:
        return
    rows = _events(
        ledger.LedgerEvent.objects.filter(
            object_type="archive.source", object_id__in=list(first_of)
        ),
        ledger_sequence,
    )
    for row in rows:
        first_of[row[4]]["source_events"].append(_event(row))


def shareable_snapshot() -> str | None:
    """The id of this transaction's snapshot, for other connections to read, or None.

    Only a PostgreSQL REPEATABLE READ transaction that has written nothing (an
    export's own, see :func:`annotate.datasets.service.export_dataset`) shares: another
    connection could not see rows this one has not committed.
    """
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('transaction_isolation'),"
            " pg_current_xact_id_if_assigned() IS NULL"
        )
        if cursor.fetchone() != ("repeatable read", True):
            return None
        cursor.execute("SELECT pg_export_snapshot()")
        return cursor.fetchone()[0]


def read_snapshot(raw, snapshot: str) -> None:
    """Begin a read-only transaction on the psycopg connection ``raw`` that reads ``snapshot``."""
    raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
    raw.execute(psycopg.sql.SQL("SET TRANSACTION SNAPSHOT {}").format(snapshot))


def sources_in_scope(request: ExportRequest) -> list[str]:
    """The ids of the sources the export's segments come from, sorted."""
    in_scope = segments_in_scope(request).filter(transcript_id=OuterRef("pk"))
    transcripts = Transcript.objects.filter(Exists(in_scope))
    return sorted({str(pk) for pk in transcripts.values_list("source_id", flat=True)})


def load_sources_in_snapshot(snapshot: str, source_ids: list[str]) -> Iterator[SourceFile]:
    """:func:`load_sources` on the calling thread's own connection, in ``snapshot``
    (from :func:`shareable_snapshot`); the connection is closed when done."""
    try:
        try:
            connection.ensure_connection()
        except DatabaseError as error:
            raise EarlySources.Unavailable(str(error)) from error
        with transaction.atomic():
            read_snapshot(connection.connection, snapshot)
            yield from load_sources(source_ids)
    finally:
        connection.close()


SOURCE_BATCH_BYTES = 4 * 1024 * 1024
SOURCE_BATCH_COUNT = 200


def load_sources(source_ids: list[str]) -> Iterator[SourceFile]:
    """The exported sources with their exact bytes, in the order given.

    Read in batches of at most ``SOURCE_BATCH_COUNT`` sources and about
    ``SOURCE_BATCH_BYTES`` of content (a source larger than that is read alone),
    so memory stays bounded however many sources there are.
    """
    for batch in _source_batches(source_ids):
        yield from _source_files(batch)


def _source_batches(source_ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(source_ids), 1000):
        ids = source_ids[start : start + 1000]
        sizes = {
            str(pk): size
            for pk, size in Source.objects.filter(pk__in=ids).values_list("pk", "size")
        }
        batch: list[str] = []
        total = 0
        for source_id in ids:
            size = sizes.get(source_id)
            if size is None:
                continue
            if batch and (total + size > SOURCE_BATCH_BYTES or len(batch) >= SOURCE_BATCH_COUNT):
                yield batch
                batch, total = [], 0
            batch.append(source_id)
            total += size
        if batch:
            yield batch


def _source_files(batch: list[str]) -> Iterator[SourceFile]:
    user = _username_field()
    rows = {
        str(row["id"]): row
        for row in Source.objects.filter(pk__in=batch).values(
            "id",
            "title",
            "filename",
            "origin_url",
            "media_type",
            "encoding",
            "retrieved_at",
            "imported_at",
            f"imported_by__{user}",
            "importer",
            "sha256",
            "size",
        )
    }
    contents = _source_contents(batch)
    transcripts: dict[str, list[dict[str, Any]]] = {source_id: [] for source_id in batch}
    for t in Transcript.objects.filter(source_id__in=batch).order_by("created_at", "id"):
        transcripts[str(t.source_id)].append(
            {
                "id": str(t.pk),
                "title": t.title,
                "event_date": iso_date(t.event_date),
                "format": t.format,
                "segment_count": t.segment_count,
                "created_at": iso_datetime(t.created_at),
                "revision": t.revision,
                "revision_of": str(t.revision_of_id) if t.revision_of_id else None,
            }
        )
    for source_id in batch:
        row = rows.pop(source_id)
        content, text = contents.pop(source_id)
        metadata = {
            "id": source_id,
            "title": row["title"],
            "filename": row["filename"],
            "origin_url": row["origin_url"],
            "media_type": row["media_type"],
            "encoding": row["encoding"],
            "retrieved_at": iso_datetime(row["retrieved_at"]),
            "imported_at": iso_datetime(row["imported_at"]),
            "imported_by": row[f"imported_by__{user}"],
            "importer": row["importer"],
            "sha256": row["sha256"],
            "size": row["size"],
            "transcripts": transcripts[source_id],
        }
        yield SourceFile(
            id=source_id,
            sha256=row["sha256"],
            content=content,
            media_type=row["media_type"],
            encoding=row["encoding"],
            filename=row["filename"],
            text=text,
            metadata=metadata,
        )


def _source_contents(batch: list[str]) -> dict[str, tuple[bytes, str | None]]:
    """Each source's exact bytes, and its stored text only where decoding them does not give it.

    On PostgreSQL the bytes come in binary (not as hex) and the text is compared by an
    MD5 computed by the database, so the common case, text == bytes decoded, does not
    send every document twice.
    """
    if connection.vendor != "postgresql":
        rows = Source.objects.filter(pk__in=batch).values_list("pk", "content", "encoding", "text")
        return {
            str(pk): (bytes(content), None if _decodes_to(bytes(content), encoding, text) else text)
            for pk, content, encoding, text in rows
        }
    connection.ensure_connection()
    contents: dict[str, tuple[bytes, str | None]] = {}
    differing: list[str] = []
    with connection.connection.cursor(binary=True) as cursor:
        cursor.execute(
            "SELECT id::text, content, encoding, md5(text) FROM archive_source"
            " WHERE id = ANY(%s::uuid[])",
            [batch],
        )
        for source_id, content, encoding, text_md5 in cursor:
            content = bytes(content)
            contents[source_id] = (content, None)
            if _decoded_md5(content, encoding) != text_md5:
                differing.append(source_id)
        if differing:
            cursor.execute(
                "SELECT id::text, text FROM archive_source WHERE id = ANY(%s::uuid[])",
                [differing],
            )
            for source_id, text in cursor:
                contents[source_id] = (contents[source_id][0], text)
    return contents


def _decoded_md5(content: bytes, encoding: str) -> str | None:
    try:
        return hashlib.md5(
            content.decode(encoding).encode("utf-8"), usedforsecurity=False
        ).hexdigest()
    except (LookupError, UnicodeDecodeError):
        return None


def _decodes_to(content: bytes, encoding: str, text: str) -> bool:
    try:
        return content.decode(encoding) == text
    except (LookupError, UnicodeDecodeError):
        return False
