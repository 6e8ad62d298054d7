"""The export service: validate a request, stream the records into a dataset package, record it.

``export_dataset`` runs one export now (the command, small admin/API exports, the
worker task); ``export_request`` records a request and either runs it inline or
queues it for the worker when it is larger than
``settings.CLAIMTRAIL_EXPORT_INLINE_MAX_SEGMENTS``.

Reading is chunked end to end: segments come from a database cursor
(``.iterator(chunk_size=...)``) and each chunk's annotations, citations, reviews
and ledger events are loaded with one query each, so the number of queries grows
with the number of chunks and memory does not grow with the export. Writing goes
to a temporary name next to the destination, renamed into place only when
complete (see :mod:`annotate.exporters.package`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from archive import ledger
from archive.models import Segment, Source, Transcript

from . import exporters
from .errors import InvalidInput, NotAllowed
from .exporters.base import SegmentRecord
from .exporters.package import ExportError, PackageResult, SourceFile, write_package
from .exporters.records import iso_date, iso_datetime
from .models import (
    VERDICT_RATINGS,
    Annotation,
    Citation,
    ClaimType,
    Export,
    ExportStatus,
    Review,
    Status,
    Verdict,
)
from .roles import Role, roles_of

CHUNK_SIZE = 2000
UNITS = ("segment", "annotation")

__all__ = [
    "ExportError",
    "ExportFilters",
    "export_dataset",
    "export_request",
    "export_run",
    "iter_segment_records",
    "parse_request",
]


# ---------------------------------------------------------------- the request


@dataclass(frozen=True)
class ExportFilters:
    """Which annotations (and so which segments) an export covers."""

    status: tuple[str, ...] = ()
    verdict: tuple[str, ...] = ()
    claim_type: tuple[str, ...] = ()
    transcript: tuple[str, ...] = ()
    date_from: date | None = None  # annotation last changed on or after (UTC date)
    date_to: date | None = None  # annotation last changed on or before (UTC date)
    approved_only: bool = False

    @property
    def filters_annotations(self) -> bool:
        return bool(
            self.status
            or self.verdict
            or self.claim_type
            or self.date_from
            or self.date_to
            or self.approved_only
        )

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["date_from"] = iso_date(self.date_from)
        values["date_to"] = iso_date(self.date_to)
        for key in ("status", "verdict", "claim_type", "transcript"):
            values[key] = list(values[key])
        return values


@dataclass(frozen=True)
class ExportRequest:
    format: str
    filters: ExportFilters
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def exporter(self):
        return exporters.get(self.format)

    @property
    def annotation_unit(self) -> bool:
        return self.exporter.annotation_unit or self.options.get("unit") == "annotation"


def _values(raw: Any) -> tuple[str, ...]:
    """A filter value as a tuple of strings: accepts None, "a", "a,b" or ["a", "b"]."""
    if raw in (None, "", [], ()):
        return ()
    items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
    return tuple(sorted({str(item).strip() for item in items if str(item).strip()}))


def _bool(raw: Any, name: str) -> bool | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise InvalidInput(
        f"{name} must be true or false, got {raw!r}", fields={name: ["not a boolean"]}
    )


def _date_value(raw: Any, name: str) -> date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise InvalidInput(
            f"{name} must be a date as YYYY-MM-DD, got {raw!r}", fields={name: ["not a date"]}
        ) from None


def _check_choices(values: tuple[str, ...], allowed, name: str) -> None:
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise InvalidInput(
            f"unknown {name} {', '.join(map(repr, unknown))}; use one of: {', '.join(allowed)}",
            fields={name: ["unknown value"]},
        )


def parse_request(
    format: str, filters: Mapping[str, Any] | None = None, options: Mapping[str, Any] | None = None
) -> ExportRequest:
    """Validate a request; raise InvalidInput with one clear message when it cannot run.

    ``filters`` keys: status, verdict, claim_type, transcript (lists or comma-separated),
    date_from, date_to (YYYY-MM-DD), approved_only (default true for claimreview).
    ``options``: unit ("segment" or "annotation", jsonl only), zip (bool).
    """
    try:
        exporter = exporters.get(format)
    except exporters.UnknownFormat as error:
        raise InvalidInput(str(error), fields={"format": ["unknown format"]}) from None
    raw = dict(filters or {})
    unknown = set(raw) - {f.name for f in ExportFilters.__dataclass_fields__.values()}
    if unknown:
        raise InvalidInput(f"unknown filter(s): {', '.join(sorted(unknown))}")
    status = _values(raw.get("status"))
    verdict = _values(raw.get("verdict"))
    claim_type = _values(raw.get("claim_type"))
    transcript = _values(raw.get("transcript"))
    _check_choices(status, Status.values, "status")
    _check_choices(verdict, Verdict.values, "verdict")
    if claim_type:
        known = set(ClaimType.objects.filter(slug__in=claim_type).values_list("slug", flat=True))
        missing = sorted(set(claim_type) - known)
        if missing:
            raise InvalidInput(
                f"unknown claim type(s): {', '.join(missing)}", fields={"claim_type": ["unknown"]}
            )
    transcript = _transcripts(transcript)
    date_from = _date_value(raw.get("date_from"), "date_from")
    date_to = _date_value(raw.get("date_to"), "date_to")
    if date_from and date_to and date_from > date_to:
        raise InvalidInput(
            f"the date range is empty: date_from {date_from} is after date_to {date_to}",
            fields={"date_from": ["after date_to"]},
        )
    explicit = _bool(raw.get("approved_only"), "approved_only")
    approved_only = exporter.default_approved_only if explicit is None else explicit
    if approved_only and status and set(status) != {Status.APPROVED}:
        others = ", ".join(s for s in status if s != Status.APPROVED)
        hint = (
            f" ({format} exports approved annotations only unless approved_only is false)"
            if explicit is None
            else ""
        )
        raise InvalidInput(
            f"contradictory filters: approved only, but status asks for {others}{hint}",
            fields={"status": ["contradicts approved_only"]},
        )
    if exporter.rated_only and verdict and not set(verdict) & {v.value for v in VERDICT_RATINGS}:
        raise InvalidInput(
            f"contradictory filters: {format} needs a rated verdict (true to false), "
            f"but verdict asks only for {', '.join(verdict)}",
            fields={"verdict": ["no rated verdict"]},
        )
    return ExportRequest(
        format=format,
        filters=ExportFilters(
            status=status,
            verdict=verdict,
            claim_type=claim_type,
            transcript=transcript,
            date_from=date_from,
            date_to=date_to,
            approved_only=approved_only,
        ),
        options=_options(format, options or {}),
    )


def _transcripts(values: tuple[str, ...]) -> tuple[str, ...]:
    ids = []
    for value in values:
        try:
            ids.append(str(uuid.UUID(value)))
        except ValueError:
            raise InvalidInput(
                f"transcript must be a transcript id (UUID), got {value!r}",
                fields={"transcript": ["not a UUID"]},
            ) from None
    found = {str(pk) for pk in Transcript.objects.filter(pk__in=ids).values_list("pk", flat=True)}
    missing = sorted(set(ids) - found)
    if missing:
        raise InvalidInput(
            f"no such transcript: {', '.join(missing)}", fields={"transcript": ["not found"]}
        )
    return tuple(sorted(ids))


def _options(format: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(raw) - {"unit", "zip"}
    if unknown:
        raise InvalidInput(f"unknown option(s): {', '.join(sorted(unknown))}")
    options: dict[str, Any] = {}
    unit = raw.get("unit") or "segment"
    if unit not in UNITS:
        raise InvalidInput(f"unit must be segment or annotation, got {unit!r}")
    if unit != "segment":
        if format != "jsonl":
            raise InvalidInput(f"unit applies to the jsonl format only, not {format}")
        options["unit"] = unit
    options["zip"] = bool(_bool(raw.get("zip"), "zip"))
    return options


# ---------------------------------------------------------------- reading, chunk by chunk


def matching_annotations(filters: ExportFilters, *, rated_only: bool = False) -> QuerySet:
    """The annotations an export covers (unordered, unshaped)."""
    queryset = Annotation.objects.all()
    if filters.approved_only:
        queryset = queryset.filter(status=Status.APPROVED)
    if filters.status:
        queryset = queryset.filter(status__in=filters.status)
    if filters.verdict:
        queryset = queryset.filter(verdict__in=filters.verdict)
    if rated_only:
        queryset = queryset.filter(verdict__in=[v.value for v in VERDICT_RATINGS])
    if filters.claim_type:
        queryset = queryset.filter(claim_type__slug__in=filters.claim_type)
    if filters.transcript:
        queryset = queryset.filter(segment__transcript_id__in=filters.transcript)
    if filters.date_from:
        queryset = queryset.filter(updated_at__date__gte=filters.date_from)
    if filters.date_to:
        queryset = queryset.filter(updated_at__date__lte=filters.date_to)
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


SEGMENT_FIELDS = (
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
    rows = segments_in_scope(request).values_list(*SEGMENT_FIELDS).iterator(chunk_size=chunk_size)
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
        raise ExportError("the data changed while it was being exported; run the export again")


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
            "ordinal": r[2],
            "clock": r[3],
            "clock_normalised": r[4],
            "location": r[5],
            "speaker": r[6],
            "speaker_role": r[7],
            "text": r[8],
            "source_start": r[9],
            "source_end": r[10],
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


def _annotation_stream(request, exporter, chunk_size) -> Iterator[dict[str, Any]]:
    user = _username_field()
    matching = matching_annotations(request.filters, rated_only=exporter.rated_only)
    rows = (
        matching.order_by(*_ANNOTATION_ORDER)
        .values_list(
            "id",
            "segment_id",
            "start",
            "end",
            "quote",
            "prefix",
            "suffix",
            "claim_type__slug",
            "claim_text",
            "verdict",
            "verdict_summary",
            "status",
            f"created_by__{user}",
            f"last_edited_by__{user}",
            f"assignee__{user}",
            "version",
            "review_round",
            "created_at",
            "updated_at",
        )
        .iterator(chunk_size=chunk_size)
    )
    by_annotation = tuple(f"annotation__{field}" for field in _ANNOTATION_ORDER)
    citations = _Peekable(
        {
            "annotation_id": str(r[1]),
            "citation": {
                "id": str(r[0]),
                "url": r[2],
                "title": r[3],
                "publisher": r[4],
                "published_on": iso_date(r[5]),
                "accessed_at": iso_datetime(r[6]),
                "archived_url": r[7],
                "excerpt": r[8],
                "stance": r[9],
                "added_by": r[10],
                "added_at": iso_datetime(r[11]),
            },
        }
        for r in Citation.objects.filter(annotation__in=matching)
        .order_by(*by_annotation, "added_at", "id")
        .values_list(
            "id",
            "annotation_id",
            "url",
            "title",
            "publisher",
            "published_on",
            "accessed_at",
            "archived_url",
            "excerpt",
            "stance",
            f"added_by__{user}",
            "added_at",
        )
        .iterator(chunk_size=chunk_size)
    )
    reviews = _Peekable(
        {
            "annotation_id": str(r[1]),
            "review": {
                "id": str(r[0]),
                "decision": r[2],
                "comment": r[3],
                "annotation_version": r[4],
                "review_round": r[5],
                "reviewer": r[6],
                "created_at": iso_datetime(r[7]),
            },
        }
        for r in Review.objects.filter(annotation__in=matching)
        .order_by(*by_annotation, "created_at", "id")
        .values_list(
            "id",
            "annotation_id",
            "decision",
            "comment",
            "annotation_version",
            "review_round",
            f"reviewer__{user}",
            "created_at",
        )
        .iterator(chunk_size=chunk_size)
    )
    for r in rows:
        annotation_id = str(r[0])
        yield {
            "id": annotation_id,
            "segment_id": str(r[1]),
            "start": r[2],
            "end": r[3],
            "quote": r[4],
            "prefix": r[5],
            "suffix": r[6],
            "claim_type": r[7],
            "claim_text": r[8],
            "verdict": r[9],
            "verdict_summary": r[10],
            "status": r[11],
            "created_by": r[12],
            "last_edited_by": r[13],
            "assignee": r[14],
            "version": r[15],
            "review_round": r[16],
            "created_at": iso_datetime(r[17]),
            "updated_at": iso_datetime(r[18]),
            "citations": [
                c["citation"] for c in citations.take_while("annotation_id", annotation_id)
            ],
            "reviews": [v["review"] for v in reviews.take_while("annotation_id", annotation_id)],
        }


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
    if action.startswith("annotation.") and "version" in state:
        event["version"] = state["version"]
        event["status"] = state.get("status", "")
    elif action == "citation.add":
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
            "content",
            "text",
        )
    }
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
            }
        )
    for source_id in batch:
        row = rows.pop(source_id)
        content = bytes(row.pop("content"))
        text = row.pop("text")
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
            text=None if _decodes_to(content, row["encoding"], text) else text,
            metadata=metadata,
        )


def _decodes_to(content: bytes, encoding: str, text: str) -> bool:
    try:
        return content.decode(encoding) == text
    except (LookupError, UnicodeDecodeError):
        return False


# ---------------------------------------------------------------- running an export


@contextmanager
def _snapshot():
    """On PostgreSQL, read the whole export from one REPEATABLE READ snapshot.

    The data and the ledger position in the manifest then describe the same
    instant, however long the export takes. Inside an outer transaction (tests)
    or on SQLite the reads run as they are.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _context(request: ExportRequest, base_url: str | None) -> dict[str, Any]:
    return {
        "base_url": (
            base_url or getattr(settings, "CLAIMTRAIL_BASE_URL", "") or "http://localhost:8000"
        ),
        "organisation": dict(settings.CLAIMTRAIL_ORGANISATION),
        "options": request.options,
        "title": f"Claimtrail {request.format} export",
    }


def segment_count(request: ExportRequest) -> int:
    """How many segments the export will read (for progress bars and inline vs worker)."""
    return segments_in_scope(request).count()


def export_dataset(
    *,
    actor,
    format: str,
    filters: Mapping[str, Any] | None = None,
    options: Mapping[str, Any] | None = None,
    out: str | Path,
    reason: str = "",
    base_url: str | None = None,
    chunk_size: int = CHUNK_SIZE,
    on_progress: Callable[[int], None] | None = None,
) -> Export:
    """Run one export now and write its package to ``out`` (a folder, or a zip file).

    Raises InvalidInput for a bad request (nothing is recorded) and ExportError
    when the package cannot be written (the Export is recorded as failed, and no
    file is left under ``out``).
    """
    request = parse_request(format, filters, options)
    if str(out).endswith(".zip"):
        request.options["zip"] = True
    export = Export.objects.create(
        status=ExportStatus.RUNNING,
        format=request.format,
        options=request.options,
        filters=request.filters.as_dict(),
        requested_by=actor if getattr(actor, "pk", None) else None,
        started_at=timezone.now(),
    )
    _run(
        export,
        request,
        Path(out),
        actor=actor,
        reason=reason,
        base_url=base_url,
        chunk_size=chunk_size,
        on_progress=on_progress,
    )
    return export


def _run(export, request, out, *, actor, reason, base_url, chunk_size, on_progress) -> None:
    try:
        with _snapshot():
            position = ledger.head()
            records = iter_segment_records(
                request, ledger_sequence=position[0], chunk_size=chunk_size, on_chunk=on_progress
            )
            result = write_package(
                exporter=request.exporter,
                records=records,
                out=out,
                as_zip=request.options.get("zip", False),
                context=_context(request, base_url),
                load_sources=load_sources,
                manifest={
                    "id": str(export.pk),
                    "format": request.format,
                    "options": request.options,
                    "filters": request.filters.as_dict(),
                    "ledger": {"sequence": position[0], "hash": position[1]},
                    "claim_types": list(
                        ClaimType.objects.order_by("slug").values(
                            "slug", "name", "description", "checkable"
                        )
                    ),
                },
            )
    except ExportError as error:
        _fail(export, str(error))
        raise
    _finish(export, result, position, actor=actor, reason=reason)


def _fail(export: Export, message: str) -> None:
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.FAILED, error=message, finished_at=timezone.now()
    )
    export.status, export.error = ExportStatus.FAILED, message


@transaction.atomic
def _finish(export: Export, result: PackageResult, position, *, actor, reason: str) -> None:
    export.status = ExportStatus.DONE
    export.path = str(result.path)
    export.size = result.size
    export.sha256 = result.sha256
    export.counts = result.counts.as_dict()
    export.ledger_sequence, export.ledger_hash = position
    export.finished_at = timezone.now()
    export.error = ""
    export.save()
    ledger.append(
        actor=actor,
        action="dataset.export",
        obj=export,
        state={
            "format": export.format,
            "options": export.options,
            "filters": export.filters,
            "counts": export.counts,
            "ledger_sequence": export.ledger_sequence,
            "ledger_hash": export.ledger_hash,
            "sha256": export.sha256,
            "size": export.size,
            "data": result.data_hashes,
        },
        reason=reason,
    )


# ---------------------------------------------------------------- requests from the admin and API


def _require_editor(actor) -> None:
    if (
        actor is None
        or not getattr(actor, "is_active", False)
        or Role.EDITOR not in roles_of(actor)
    ):
        raise NotAllowed("only an editor may export datasets")


def export_path(export: Export) -> Path:
    suffix = ".zip" if export.options.get("zip") else ""
    return Path(settings.CLAIMTRAIL_EXPORT_DIR) / f"{export.format}-{export.pk}{suffix}"


def export_request(
    *,
    actor,
    format: str,
    filters: Mapping[str, Any] | None = None,
    options: Mapping[str, Any] | None = None,
    reason: str = "",
    base_url: str | None = None,
) -> Export:
    """Record an export request by an editor; run it now if small, else queue it.

    Packages requested this way are zip files under ``CLAIMTRAIL_EXPORT_DIR``.
    Larger than ``CLAIMTRAIL_EXPORT_INLINE_MAX_SEGMENTS`` segments, the export is
    queued for the worker (``manage.py db_worker``) once the request commits.
    """
    _require_editor(actor)
    request = parse_request(format, filters, {**(options or {}), "zip": True})
    export = Export.objects.create(
        status=ExportStatus.QUEUED,
        format=request.format,
        options={**request.options, "base_url": base_url or ""},
        filters=request.filters.as_dict(),
        requested_by=actor,
    )
    if segment_count(request) > settings.CLAIMTRAIL_EXPORT_INLINE_MAX_SEGMENTS:
        from .tasks import run_export

        transaction.on_commit(lambda: run_export.enqueue(str(export.pk)))
        return export
    export_run(export.pk, reason=reason)
    export.refresh_from_db()
    return export


def export_run(export_id, *, reason: str = "") -> Export:
    """Run a recorded export (the worker task and inline requests call this).

    A failure is recorded on the Export (status failed, error) rather than raised,
    so the worker keeps going and the requester can read why.
    """
    export = Export.objects.select_related("requested_by").get(pk=export_id)
    if export.status not in (ExportStatus.QUEUED, ExportStatus.FAILED):
        return export
    options = dict(export.options)
    base_url = options.pop("base_url", "") or None
    try:
        request = parse_request(export.format, export.filters, options)
    except InvalidInput as error:
        _fail(export, error.message)
        return export
    export.status, export.started_at = ExportStatus.RUNNING, timezone.now()
    Export.objects.filter(pk=export.pk).update(status=export.status, started_at=export.started_at)
    out = export_path(export)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        _fail(export, f"cannot create the export folder {out.parent}: {error.strerror or error}")
        return export
    try:
        _run(
            export,
            request,
            out,
            actor=export.requested_by,
            reason=reason,
            base_url=base_url,
            chunk_size=CHUNK_SIZE,
            on_progress=None,
        )
    except ExportError:
        pass  # recorded on the export by _run
    return export


def summarise_counts(counts: Mapping[str, int]) -> str:
    """'12 segments, 3 annotations, ...' for messages."""
    return ", ".join(f"{value} {key}" for key, value in counts.items() if key != "records")
