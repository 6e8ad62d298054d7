"""JSON Lines: one segment a line (the DESIGN.md shape), or one annotation a line.

``unit="segment"`` (default) writes ``data/segments.jsonl``, one line per segment::

    {"segment_id", "transcript_id", "transcript_title",
     "source": {"id", "sha256", "origin_url", "retrieved_at"},
     "source_start", "source_end", "ordinal", "clock", "location", "speaker",
     "speaker_role", "text",
     "annotations": [{"id", "start", "end", "quote", "claim_type", "claim_text",
                      "verdict", "verdict_summary", "status", "created_by",
                      "reviewed_by": [...], "citations": [{"url", "title", "publisher",
                      "published_on", "accessed_at", "archived_url", "excerpt",
                      "stance"}]}]}

``clock`` is the normalised ``HH:MM`` when the written clock parses, otherwise the
clock as written. Alongside it, ``data/restore.jsonl`` holds, on line N, what
``import_dataset`` needs beyond line N of ``segments.jsonl`` to restore the records
exactly (the clock as written, annotation bookkeeping, citation ids, reviews).

``unit="annotation"`` writes ``data/annotations.jsonl``: one annotation a line, with
the fields above plus its ``segment`` (every segment field except ``annotations``).

Keys are sorted and separators compact, so the same records give the same bytes.
On PostgreSQL the segment unit reads no records: :func:`write_from_database` writes
the same bytes straight from the database, several times faster (see below).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import orjson
import psycopg
from django.db import connection
from django.db.models import (
    Expression,
    Func,
    TextField,
)
from django.db.models.functions import Cast, Coalesce

from .base import AnnotationRecord, Counts, DataFile, SegmentRecord, canonical_bytes, reviewed_by
from .package import ExportError

UNITS = ("segment", "annotation")
WRITE_BATCH = 256  # lines joined per write: fewer, larger writes; memory stays bounded

CITATION_KEYS = (
    "url",
    "title",
    "publisher",
    "published_on",
    "accessed_at",
    "archived_url",
    "excerpt",
    "stance",
)


def segment_fields(segment: SegmentRecord) -> dict[str, Any]:
    """A segment's exported fields, without its annotations."""
    return {
        "segment_id": segment["id"],
        "transcript_id": segment["transcript_id"],
        "transcript_title": segment["transcript_title"],
        "source": {
            "id": segment["source_id"],
            "sha256": segment["source_sha256"],
            "origin_url": segment["source_origin_url"],
            "retrieved_at": segment["source_retrieved_at"],
        },
        "source_start": segment["source_start"],
        "source_end": segment["source_end"],
        "ordinal": segment["ordinal"],
        "clock": segment["clock_normalised"] or segment["clock"],
        "location": segment["location"],
        "speaker": segment["speaker"],
        "speaker_role": segment["speaker_role"],
        "text": segment["text"],
    }


def annotation_fields(annotation: AnnotationRecord) -> dict[str, Any]:
    return {
        "id": annotation["id"],
        "start": annotation["start"],
        "end": annotation["end"],
        "quote": annotation["quote"],
        "claim_type": annotation["claim_type"],
        "claim_text": annotation["claim_text"],
        "verdict": annotation["verdict"],
        "verdict_summary": annotation["verdict_summary"],
        "status": annotation["status"],
        "created_by": annotation["created_by"],
        "reviewed_by": reviewed_by(annotation),
        "citations": [{key: c[key] for key in CITATION_KEYS} for c in annotation["citations"]],
    }


def segment_line(segment: SegmentRecord) -> dict[str, Any]:
    line = segment_fields(segment)
    line["annotations"] = [annotation_fields(a) for a in segment["annotations"]]
    return line


def restore_line(segment: SegmentRecord) -> dict[str, Any]:
    """What restoring line N of segments.jsonl needs beyond it."""
    return {
        "segment_id": segment["id"],
        "clock": segment["clock"],
        "clock_normalised": segment["clock_normalised"],
        "annotations": [
            {
                "id": a["id"],
                "prefix": a["prefix"],
                "suffix": a["suffix"],
                "last_edited_by": a["last_edited_by"],
                "assignee": a["assignee"],
                "version": a["version"],
                "review_round": a["review_round"],
                "created_at": a["created_at"],
                "updated_at": a["updated_at"],
                "citations": [
                    {"id": c["id"], "added_by": c["added_by"], "added_at": c["added_at"]}
                    for c in a["citations"]
                ],
                "reviews": a["reviews"],
            }
            for a in segment["annotations"]
        ],
    }


def annotation_line(segment: SegmentRecord, annotation: AnnotationRecord) -> dict[str, Any]:
    line = annotation_fields(annotation)
    line["segment"] = segment_fields(segment)
    return line


class JsonlExporter:
    name = "jsonl"
    description = "JSON Lines: one segment a line with its annotations (or one annotation a line)"
    annotation_unit = False
    default_approved_only = False
    rated_only = False
    needs_ledger = False

    def data_files(self, options: dict[str, Any]) -> list[DataFile]:
        if options.get("unit", "segment") == "annotation":
            return [
                DataFile(
                    path="data/annotations.jsonl",
                    name="annotations",
                    format="jsonl",
                    mediatype="application/jsonl",
                    description="One annotation a line, with its segment.",
                )
            ]
        return [
            DataFile(
                path="data/segments.jsonl",
                name="segments",
                format="jsonl",
                mediatype="application/jsonl",
                description="One segment a line, with its annotations and their citations.",
            ),
            DataFile(
                path="data/restore.jsonl",
                name="restore",
                format="jsonl",
                mediatype="application/jsonl",
                description="Line N completes line N of segments.jsonl with what "
                "import_dataset needs to restore the records exactly: the clock as "
                "written, annotation bookkeeping, citation ids and reviews.",
            ),
        ]

    def write_from_database(
        self, outs: dict[str, IO[bytes]], *, context: dict[str, Any], manifest: dict[str, Any]
    ) -> tuple[Counts, set[str]] | None:
        """On PostgreSQL, write the export's segments straight from the database.

        The export is the one ``manifest`` describes (format, filters, options), read
        in the current transaction. Returns the counts and the source ids seen, or
        None when this export must go through :meth:`write` (SQLite, the annotation
        unit, no transaction).
        """
        options = context.get("options", {})
        if manifest.get("format") != self.name or "filters" not in manifest:
            return None
        if not database_applies(options):
            return None
        from annotate.exports import parse_request

        request = parse_request(self.name, manifest["filters"], manifest.get("options", options))
        return write_from_database(request, outs, on_progress=context.get("on_progress"))

    def is_annotation_unit(self, options: dict[str, Any]) -> bool:
        return options.get("unit", "segment") == "annotation"

    def write(
        self,
        segments: Iterable[SegmentRecord],
        outs: dict[str, IO[bytes]],
        *,
        context: dict[str, Any],
    ) -> Counts:
        counts = Counts()
        if context.get("options", {}).get("unit", "segment") == "annotation":
            out = outs["annotations"]
            for segment in segments:
                counts.segments += 1
                for annotation in segment["annotations"]:
                    counts.add_annotation(annotation)
                    out.write(canonical_bytes(annotation_line(segment, annotation)) + b"\n")
            counts.records = counts.annotations
            return counts
        out, restore = outs["segments"], outs["restore"]
        lines: list[bytes] = []
        restores: list[bytes] = []
        for segment in segments:
            counts.add_segment(segment)
            lines.append(canonical_bytes(segment_line(segment)))
            restores.append(canonical_bytes(restore_line(segment)))
            if len(lines) >= WRITE_BATCH:
                out.write(b"\n".join(lines) + b"\n")
                restore.write(b"\n".join(restores) + b"\n")
                lines, restores = [], []
        if lines:
            out.write(b"\n".join(lines) + b"\n")
            restore.write(b"\n".join(restores) + b"\n")
        counts.records = counts.segments
        return counts


# ---------------------------------------------------------------- PostgreSQL: no records
#
# On PostgreSQL a segment-unit export builds no records. Five server-side cursors
# stream side by side and merge in one pass, as in :mod:`annotate.export_reader`:
# transcripts by id; segments in export order (transcript, ordinal); the matching
# annotations, their citations and their reviews in the annotations' export order.
# Results are binary, so no value goes through text on the way.
#
# A segment's own fields are encoded by orjson, as in :meth:`JsonlExporter.write`,
# from one dict whose keys are already in sorted order; what it repeats from its
# transcript, and everything about annotations, arrives as JSON text that PostgreSQL
# rendered (as bytes, never decoded) and goes in as it is. ``to_json`` escapes a
# string as orjson does (the same short escapes, lower-case ``\u00XX`` for the other
# control characters, everything else as is) and ``_Iso`` writes a time as
# :func:`.records.iso_datetime` does, so the lines are the bytes the record path
# writes; tests/export/test_jsonl_database.py compares the two.

FETCH_ROWS = 2000  # rows per round trip, on every cursor
CHANGED = "the data changed while it was being exported; run the export again"
_ANNOTATION_ORDER = ("segment__transcript_id", "segment__ordinal", "start", "end", "id")


class _Literal(Expression):
    """An SQL string constant: the JSON punctuation around values (never data)."""

    output_field = TextField()

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def as_sql(self, compiler, connection):
        return "'" + self.text.replace("'", "''").replace("%", "%%") + "'", []


class _Cat(Func):
    """``(a || b || ...)`` of text; string arguments are constants."""

    arg_joiner = " || "
    template = "(%(expressions)s)"
    output_field = TextField()

    def __init__(self, *parts):
        super().__init__(*(_Literal(p) if isinstance(p, str) else p for p in parts))


class _Json(Func):
    """A value as JSON text, escaped by PostgreSQL; SQL NULL stays NULL."""

    template = "to_json(%(expressions)s)::text"
    output_field = TextField()


class _Iso(Func):
    """:func:`.records.iso_datetime` in SQL: UTC, microseconds only when not zero."""

    template = (
        "replace(to_char(%(expressions)s AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"'), '.000000+', '+')"
    )
    output_field = TextField()


class _IsoDate(Func):
    template = "to_char(%(expressions)s, 'YYYY-MM-DD')"
    output_field = TextField()


def _text(field: str) -> Cast:
    return Cast(field, TextField())


def _or_null(expression) -> Coalesce:
    """The expression, or the JSON ``null`` when it is SQL NULL."""
    return Coalesce(expression, _Literal("null"), output_field=TextField())


def _quoted_or_null(expression) -> Coalesce:
    return _or_null(_Cat('"', expression, '"'))


# Segment rows: plain values (UUIDs as text), in the order the line is written.
_SEGMENT_COLUMNS = (
    "clock_normalised",
    "clock",
    "location",
    "ordinal",
    "source_end",
    "source_start",
    "speaker",
    "speaker_role",
    "text",
)


def _segment_columns() -> tuple:
    return (_text("id"), _text("transcript_id"), *_SEGMENT_COLUMNS)


def _transcript_columns() -> tuple:
    """Per transcript: id, source id, title and the ``source`` member, as JSON."""
    return (
        _text("id"),
        _text("source_id"),
        "title",
        _Cat(
            '{"id":"', _text("source_id"), '","origin_url":', _Json("source__origin_url"),
            ',"retrieved_at":', _quoted_or_null(_Iso("source__retrieved_at")), ',"sha256":',
            _Json("source__sha256"), "}",
        ),
    )  # fmt: skip


def _annotation_columns(user: str) -> tuple:
    """Annotation rows: segment id, id, then the JSON text of the annotation in
    segments.jsonl around its citations and reviewers, and in restore.jsonl around
    its citations and reviews."""
    return (
        _text("segment_id"),
        _text("id"),
        _Cat(
            '],"claim_text":', _Json("claim_text"), ',"claim_type":', _Json("claim_type__slug"),
            ',"created_by":', _Json(f"created_by__{user}"), ',"end":', _text("end"),
            ',"id":"', _text("id"), '","quote":', _Json("quote"), ',"reviewed_by":[',
        ),
        _Cat(
            '],"start":', _text("start"), ',"status":', _Json("status"), ',"verdict":',
            _Json("verdict"), ',"verdict_summary":', _Json("verdict_summary"), "}",
        ),
        _Cat('{"assignee":', _or_null(_Json(f"assignee__{user}")), ',"citations":['),
        _Cat(
            '],"created_at":"', _Iso("created_at"), '","id":"', _text("id"),
            '","last_edited_by":', _Json(f"last_edited_by__{user}"), ',"prefix":',
            _Json("prefix"), ',"review_round":', _text("review_round"), ',"reviews":[',
        ),
        _Cat(
            '],"suffix":', _Json("suffix"), ',"updated_at":"', _Iso("updated_at"),
            '","version":', _text("version"), "}",
        ),
    )  # fmt: skip


def _citation_columns(user: str) -> tuple:
    """Citation rows: annotation id, the citation in segments.jsonl, in restore.jsonl."""
    return (
        _text("annotation_id"),
        _Cat(
            '{"accessed_at":', _quoted_or_null(_Iso("accessed_at")), ',"archived_url":',
            _Json("archived_url"), ',"excerpt":', _Json("excerpt"), ',"published_on":',
            _quoted_or_null(_IsoDate("published_on")), ',"publisher":', _Json("publisher"),
            ',"stance":', _Json("stance"), ',"title":', _Json("title"), ',"url":',
            _Json("url"), "}",
        ),
        _Cat(
            '{"added_at":"', _Iso("added_at"), '","added_by":', _Json(f"added_by__{user}"),
            ',"id":"', _text("id"), '"}',
        ),
    )  # fmt: skip


def _review_columns(user: str) -> tuple:
    """Review rows: annotation id, the reviewer (JSON), the review in restore.jsonl."""
    reviewer = _Json(f"reviewer__{user}")
    return (
        _text("annotation_id"),
        reviewer,
        _Cat(
            '{"annotation_version":', _text("annotation_version"), ',"comment":',
            _Json("comment"), ',"created_at":"', _Iso("created_at"), '","decision":',
            _Json("decision"), ',"id":"', _text("id"), '","review_round":',
            _text("review_round"), ',"reviewer":', reviewer, "}",
        ),
    )  # fmt: skip


def _bytes_loader():
    """psycopg's bytea loader for binary results: the raw bytes, loaded in C."""
    return psycopg.adapters.get_loader(
        psycopg.adapters.types["bytea"].oid, psycopg.pq.Format.BINARY
    )


def _batches(
    raw, name: str, queryset, columns: tuple, *, as_bytes: bool = True, sorted_whole: bool = False
) -> Iterator[list[tuple]]:
    """``queryset.values_list(*columns)`` from a server-side cursor of the psycopg
    connection ``raw``, FETCH_ROWS rows at a time, text as bytes unless ``as_bytes``
    is false; the cursor is closed with the generator.

    PostgreSQL plans a cursor to return its first 10% quickly. ``sorted_whole``
    plans it for all its rows instead: a join and one sort, not a nested loop in
    index order (three times the database's CPU for the annotation streams).
    """
    query = queryset.values_list(*columns).query
    sql, params = query.get_compiler(using=queryset.db).as_sql()

    def fetch():
        with raw.cursor(name=name, binary=True) as cursor:
            if as_bytes:
                cursor.adapters.register_loader("text", _bytes_loader())
            if sorted_whole:
                fraction = raw.execute("SHOW cursor_tuple_fraction").fetchone()[0]
                raw.execute("SELECT set_config('cursor_tuple_fraction', '1', true)")
                cursor.execute(sql, params)  # planned here
                raw.execute("SELECT set_config('cursor_tuple_fraction', %s, true)", (fraction,))
            else:
                cursor.execute(sql, params)
            while rows := cursor.fetchmany(FETCH_ROWS):
                yield rows

    return fetch()


def _rows(batches: Iterator[list[tuple]]) -> Iterator[tuple]:
    for batch in batches:
        yield from batch


def database_applies(options: dict[str, Any]) -> bool:
    """Whether :func:`write_from_database` can write this export (else use ``write``)."""
    return (
        connection.vendor == "postgresql"
        and connection.in_atomic_block  # server-side cursors live in a transaction
        and options.get("unit", "segment") == "segment"
    )


def write_from_database(
    request, outs: dict[str, IO[bytes]], *, on_progress: Callable[[int], None] | None = None
) -> tuple[Counts, set[str]]:
    """Write segments.jsonl and restore.jsonl for ``request`` straight from PostgreSQL.

    Returns the counts and the ids of the sources the segments come from. Reads the
    rows :func:`annotate.export_reader.iter_segment_records` reads (its scope and
    annotation filters, used as they are), in the same order, and writes the bytes
    :meth:`JsonlExporter.write` writes from those records. ``on_progress(n)`` is
    called after each batch of ``n`` segments.
    """
    from django.contrib.auth import get_user_model

    from annotate.export_reader import matching_annotations, segments_in_scope
    from annotate.models import Citation, Review
    from archive.models import Transcript

    user = get_user_model().USERNAME_FIELD
    matching = matching_annotations(request.filters)
    citations = Citation.objects.all()
    reviews = Review.objects.all()
    if matching.query.where:  # some annotations are left out: so are their citations
        citations = citations.filter(annotation__in=matching)
        reviews = reviews.filter(annotation__in=matching)
    transcripts = Transcript.objects.order_by("id")
    if request.filters.transcript:
        transcripts = transcripts.filter(pk__in=request.filters.transcript)
    by_annotation = tuple(f"annotation__{field}" for field in _ANNOTATION_ORDER)
    connection.ensure_connection()
    raw = connection.connection
    streams = [
        _batches(raw, "jsonl_transcripts", transcripts, _transcript_columns(), as_bytes=False),
        _batches(
            raw, "jsonl_segments", segments_in_scope(request), _segment_columns(), as_bytes=False
        ),
        _batches(
            raw,
            "jsonl_annotations",
            matching.order_by(*_ANNOTATION_ORDER),
            _annotation_columns(user),
            sorted_whole=True,
        ),
        _batches(
            raw,
            "jsonl_citations",
            citations.order_by(*by_annotation, "added_at", "id"),
            _citation_columns(user),
            sorted_whole=True,
        ),
        _batches(
            raw,
            "jsonl_reviews",
            reviews.order_by(*by_annotation, "created_at", "id"),
            _review_columns(user),
            sorted_whole=True,
        ),
    ]
    try:
        return _merge(*streams, outs["segments"], outs["restore"], on_progress)
    finally:
        for stream in streams:
            stream.close()


def _merge(transcript_stream, segment_stream, annotation_stream, citation_stream, review_stream,
           out, restore, on_progress=None) -> tuple[Counts, set[str]]:  # fmt: skip
    """Join the streams into lines, one batch of segments at a time."""
    counts = Counts()
    sources: set[str] = set()
    dumps = orjson.dumps
    no_annotations = orjson.Fragment(b"[]")
    transcripts = _rows(transcript_stream)
    annotations = _rows(annotation_stream)
    citations = _rows(citation_stream)
    reviews = _rows(review_stream)
    transcript = next(transcripts, None)
    annotation = next(annotations, None)
    annotation_segment = annotation[0].decode() if annotation is not None else None
    citation = next(citations, None)
    review = next(reviews, None)
    current = title = source = None
    for batch in segment_stream:
        lines: list[bytes] = []
        restores: list[bytes] = []
        for (segment_id, transcript_id, clock_normalised, clock, location, ordinal, source_end,
             source_start, speaker, speaker_role, text) in batch:  # fmt: skip
            if transcript_id != current:
                while transcript is not None and transcript[0] != transcript_id:
                    transcript = next(transcripts, None)
                if transcript is None:
                    raise ExportError(CHANGED)
                current, source_id, title, source_json = transcript
                source = orjson.Fragment(source_json)
                sources.add(source_id)
            if segment_id != annotation_segment:
                in_segment = in_restore = no_annotations
            else:
                in_segment_parts: list[bytes] = []
                in_restore_parts: list[bytes] = []
                while annotation is not None and annotation_segment == segment_id:
                    annotation_id = annotation[1]
                    cited: list[bytes] = []
                    cited_restore: list[bytes] = []
                    while citation is not None and citation[0] == annotation_id:
                        cited.append(citation[1])
                        cited_restore.append(citation[2])
                        citation = next(citations, None)
                    reviewers: list[bytes] = []
                    reviewed: list[bytes] = []
                    while review is not None and review[0] == annotation_id:
                        if review[1] not in reviewers:
                            reviewers.append(review[1])
                        reviewed.append(review[2])
                        review = next(reviews, None)
                    _, _, fields, end, restore_head, restore_mid, restore_end = annotation
                    in_segment_parts.append(
                        b"".join(
                            (b'{"citations":[', b",".join(cited), fields, b",".join(reviewers),
                             end)
                        )
                    )  # fmt: skip
                    in_restore_parts.append(
                        b"".join(
                            (restore_head, b",".join(cited_restore), restore_mid,
                             b",".join(reviewed), restore_end)
                        )
                    )  # fmt: skip
                    counts.annotations += 1
                    counts.citations += len(cited)
                    counts.reviews += len(reviewed)
                    annotation = next(annotations, None)
                    annotation_segment = annotation[0].decode() if annotation is not None else None
                in_segment = orjson.Fragment(b"[" + b",".join(in_segment_parts) + b"]")
                in_restore = orjson.Fragment(b"[" + b",".join(in_restore_parts) + b"]")
            # Keys in sorted order, as canonical_bytes writes them.
            lines.append(
                dumps(
                    {
                        "annotations": in_segment,
                        "clock": clock_normalised or clock,
                        "location": location,
                        "ordinal": ordinal,
                        "segment_id": segment_id,
                        "source": source,
                        "source_end": source_end,
                        "source_start": source_start,
                        "speaker": speaker,
                        "speaker_role": speaker_role,
                        "text": text,
                        "transcript_id": transcript_id,
                        "transcript_title": title,
                    }
                )
            )
            restores.append(
                dumps(
                    {
                        "annotations": in_restore,
                        "clock": clock,
                        "clock_normalised": clock_normalised,
                        "segment_id": segment_id,
                    }
                )
            )
        counts.segments += len(batch)
        out.write(b"\n".join(lines) + b"\n")
        restore.write(b"\n".join(restores) + b"\n")
        if on_progress:
            on_progress(len(batch))
    if annotation is not None or citation is not None or review is not None:
        # An annotation (or its citation or review) whose segment was not read:
        # refuse, as the record reader does, rather than drop it.
        raise ExportError(CHANGED)
    counts.records = counts.segments
    return counts, sources
