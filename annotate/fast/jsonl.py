"""JSONL on PostgreSQL: segments.jsonl and restore.jsonl written straight from the database.

The fast path of :class:`annotate.datasets.exporters.jsonl.JsonlExporter`: the same
bytes, read without building records. ``tests/export/test_jsonl_database.py`` is its
parity test (every line compared with the record path's).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import IO, Any

import psycopg
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.db.models import F

from annotate import records
from annotate.datasets.exporters.base import Counts
from annotate.datasets.exporters.package import DATA_CHANGED, ExportError
from annotate.datasets.reader import matching_annotations, read_snapshot, segments_in_scope
from annotate.models import Annotation, Citation, Review
from archive.models import Transcript

# ---------------------------------------------------------------- PostgreSQL: no records
#
# On PostgreSQL a segment-unit export builds no records. Five server-side cursors
# stream side by side and merge in one pass, as in :mod:`annotate.datasets.reader`:
# transcripts by id; segments in export order (transcript, ordinal); the matching
# annotations, their citations and their reviews in the annotations' export order.
#
# PostgreSQL renders every value as JSON text, in pieces around what the merge puts
# in between (a segment's annotations and its transcript's source and title; an
# annotation's citations and reviews), and the pieces arrive as bytes, never decoded:
# Python only joins bytes. ``to_json`` escapes a string as orjson does (the same
# short escapes, lower-case ``\u00XX`` for the other control characters, everything
# else as is) and :func:`_iso` writes a time as :func:`annotate.records.iso_datetime` does, so
# the lines are the bytes the record path writes; tests/export/test_jsonl_database.py
# compares the two.
#
# Nothing waits more than it must. The connections are in pipeline mode, so every
# cursor's next batch is computed while Python joins the batch before; each row's
# JSON is rendered after the sort, as it is fetched, not all before the first row;
# and an export in its own snapshot (every export_dataset) sorts the annotation
# streams on a second connection that shares the snapshot, so two server processes
# work at once.

FETCH_ROWS = 2000  # rows per round trip, on every cursor
_ANNOTATION_ORDER = ("segment__transcript_id", "segment__ordinal", "start", "end", "id")


class _Sql(str):
    """SQL text over the columns of a stream's sorted rows (``s.v_<name>``); a plain
    ``str`` given to :func:`_cat` is a constant instead: JSON punctuation, never data."""


def _column(name: str) -> _Sql:
    return _Sql(f"s.v_{name}")


def _text(name: str) -> _Sql:
    return _Sql(f"{_column(name)}::text")


def _json(name: str) -> _Sql:
    """The column as JSON text, escaped by PostgreSQL; SQL NULL stays NULL."""
    return _Sql(f"to_json({_column(name)})::text")


def _iso(name: str) -> _Sql:
    """:func:`annotate.records.iso_datetime` in SQL: UTC, microseconds only when not zero."""
    return _Sql(
        f"replace(to_char({_column(name)} AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"'), '.000000+', '+')"
    )


def _iso_date(name: str) -> _Sql:
    return _Sql(f"to_char({_column(name)}, 'YYYY-MM-DD')")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


def _cat(*parts: str) -> _Sql:
    """``concat(a, b, ...)`` of text, built once (``||`` would copy the line at each
    step); plain strings are constants. Every part must be NOT NULL: see :func:`_or_null`."""
    return _Sql(
        "concat(" + ", ".join(p if isinstance(p, _Sql) else _literal(p) for p in parts) + ")"
    )


def _or_null(expression: _Sql) -> _Sql:
    """The expression, or the JSON ``null`` when it is SQL NULL."""
    return _Sql(f"COALESCE({expression}, 'null')")


def _quoted_or_null(expression: _Sql) -> _Sql:
    return _or_null(_Sql(f"('\"' || {expression} || '\"')"))


def _stream_sql(queryset, order: tuple[str, ...], fields, select) -> tuple[str, tuple]:
    """SQL for the rows of ``queryset`` in ``order``, rendered by ``select``.

    The rows are sorted carrying only the plain values of ``fields`` (name: lookup);
    ``select`` renders them after the sort, so the JSON of each row is built as its
    batch is fetched, while Python writes the batch before, not all before the first.
    """
    values = {f"v_{name}": F(lookup) for name, lookup in fields.items()}
    keys = {f"k_{i}": F(lookup) for i, lookup in enumerate(order)}
    query = queryset.order_by(*order).values(**values, **keys).query
    sql, params = query.get_compiler(using=queryset.db).as_sql()
    by_keys = ", ".join(f"s.{key}" for key in keys)  # the inner sort's order: no second sort
    return f"SELECT {', '.join(select)} FROM ({sql}) AS s ORDER BY {by_keys}", params


def _segment_sql(queryset) -> tuple[str, tuple]:
    """Segment rows: id, transcript id, then the JSON text of the segment's own fields
    in segments.jsonl, before and after its ``source``, and in restore.jsonl."""
    names = ("id", "transcript_id", "clock", "clock_normalised", "location", "ordinal",
             "source_end", "source_start", "speaker", "speaker_role", "text")  # fmt: skip
    # "clock" is the normalised clock when there is one (SegmentRecord's rule).
    clock = _Sql(
        f"to_json(COALESCE(NULLIF({_column('clock_normalised')}, ''), {_column('clock')}))::text"
    )
    select = (
        _text("id"),
        _text("transcript_id"),
        _cat(
            ',"clock":', clock, ',"location":', _json("location"), ',"ordinal":',
            _text("ordinal"), ',"segment_id":"', _text("id"), '","source":',
        ),
        _cat(
            ',"source_end":', _text("source_end"), ',"source_start":', _text("source_start"),
            ',"speaker":', _json("speaker"), ',"speaker_role":', _json("speaker_role"),
            ',"text":', _json("text"), ',"transcript_id":"', _text("transcript_id"),
            '","transcript_revision":',
        ),
        _cat(
            ',"clock":', _json("clock"), ',"clock_normalised":', _json("clock_normalised"),
            ',"segment_id":"', _text("id"), '"}',
        ),
    )  # fmt: skip
    return _stream_sql(queryset, ("transcript_id", "ordinal"), {n: n for n in names}, select)


def _transcript_sql(queryset) -> tuple[str, tuple]:
    """Per transcript: id, source id, the ``source`` member, and the revision and title
    (closing the line), as JSON."""
    fields = {
        "id": "id",
        "source_id": "source_id",
        "title": "title",
        "origin_url": "source__origin_url",
        "retrieved_at": "source__retrieved_at",
        "sha256": "source__sha256",
        "revision": "revision",
    }
    select = (
        _text("id"),
        _text("source_id"),
        _cat(
            '{"id":"', _text("source_id"), '","origin_url":', _json("origin_url"),
            ',"retrieved_at":', _quoted_or_null(_iso("retrieved_at")), ',"sha256":',
            _json("sha256"), "}",
        ),
        _cat(_text("revision"), ',"transcript_title":', _json("title"), "}"),
    )  # fmt: skip
    return _stream_sql(queryset, ("id",), fields, select)


def _json_object(members: dict[str, _Sql | None]) -> list[_Sql]:
    """The JSON text of an object as ``canonical_bytes`` writes it (keys sorted, no
    spaces), in pieces: a member that is None is an array the merge fills, so there is
    one piece more than such members."""
    pieces: list[_Sql] = []
    parts: list[str] = ["{"]
    for i, key in enumerate(sorted(members)):
        parts.append(("," if i else "") + f'"{key}":')
        if members[key] is None:
            parts.append("[")
            pieces.append(_cat(*parts))
            parts = ["]"]
        else:
            parts.append(members[key])
    parts.append("}")
    pieces.append(_cat(*parts))
    return pieces


def _value(model, key: str, path: str, kind: str) -> _Sql:
    """The JSON text of one record column (annotate.records), as the record path writes it."""
    field = records.model_field(model, path)
    if kind in ("uuid", "datetime", "date"):
        text = {"uuid": _text, "datetime": _iso, "date": _iso_date}[kind](key)
        return _quoted_or_null(text) if field.null else _cat('"', text, '"')
    if kind == "user" or not isinstance(field, models.IntegerField | models.BooleanField):
        value = _json(key)  # text, escaped by PostgreSQL
    else:
        value = _text(key)  # a number, or true/false
    return _or_null(value) if field.null else value


def _record_columns(model, table, keys, user: str) -> tuple[dict[str, str], dict[str, _Sql]]:
    """For ``keys`` of ``table``: the lookups to read (users by their ``user`` field) and
    the JSON text of each value."""
    lookups, values = {}, {}
    for key, path, kind in table:
        if key in keys:
            lookups[key] = f"{path}__{user}" if kind == "user" else path
            values[key] = _value(model, key, path, kind)
    return lookups, values


def _annotation_sql(queryset, user: str) -> tuple[str, tuple]:
    """Annotation rows: segment id, id, then the JSON text of the annotation in
    segments.jsonl around its citations and reviewers, and in restore.jsonl around
    its citations and reviews (three pieces each)."""
    table = records.ANNOTATION_RECORD
    public_lookups, public = _record_columns(Annotation, table, records.ANNOTATION_PUBLIC, user)
    kept = ("id", *records.ANNOTATION_BOOKKEEPING)
    restore_lookups, restore = _record_columns(Annotation, table, kept, user)
    select = (
        _text("segment_id"),
        _text("id"),
        *_json_object({**public, "citations": None, "reviewed_by": None}),
        *_json_object({**restore, "citations": None, "reviews": None}),
    )
    fields = {"segment_id": "segment_id"} | public_lookups | restore_lookups
    return _stream_sql(queryset, _ANNOTATION_ORDER, fields, select)


def _citation_sql(queryset, user: str) -> tuple[str, tuple]:
    """Citation rows: annotation id, the citation in segments.jsonl, in restore.jsonl."""
    table = records.CITATION_RECORD
    public_lookups, public = _record_columns(Citation, table, records.CITATION_FIELDS, user)
    kept = records.CITATION_BOOKKEEPING
    restore_lookups, restore = _record_columns(Citation, table, kept, user)
    [public_json] = _json_object(public)
    [restore_json] = _json_object(restore)
    select = (_text("annotation_id"), public_json, restore_json)
    fields = {"annotation_id": "annotation_id"} | public_lookups | restore_lookups
    order = (*(f"annotation__{key}" for key in _ANNOTATION_ORDER), "added_at", "id")
    return _stream_sql(queryset, order, fields, select)


def _review_sql(queryset, user: str) -> tuple[str, tuple]:
    """Review rows: annotation id, the reviewer (JSON), the review in restore.jsonl."""
    table = records.REVIEW_RECORD
    lookups, values = _record_columns(Review, table, [key for key, _, _ in table], user)
    [review_json] = _json_object(values)
    select = (_text("annotation_id"), values["reviewer"], review_json)
    fields = {"annotation_id": "annotation_id"} | lookups
    order = (*(f"annotation__{key}" for key in _ANNOTATION_ORDER), "created_at", "id")
    return _stream_sql(queryset, order, fields, select)


def _bytes_loader():
    """psycopg's bytea loader for binary results: the raw bytes, loaded in C."""
    return psycopg.adapters.get_loader(
        psycopg.adapters.types["bytea"].oid, psycopg.pq.Format.BINARY
    )


class _Stream:
    """The rows of one statement from a server-side cursor, FETCH_ROWS rows a batch,
    text as bytes.

    The connection is in pipeline mode, so nothing here waits for the server until
    a batch is needed: the cursor is declared and its first FETCH sent as the stream
    is made, and each next FETCH is sent before the caller gets the batch before it.
    PostgreSQL (and the disk under it) computes a batch while Python writes the one
    before, and every stream's first batch is under way at once.
    """

    def __init__(self, raw, name: str, statement: tuple[str, tuple]):
        sql, params = statement
        self._raw, self._name = raw, name
        raw.execute(f"DECLARE {name} NO SCROLL CURSOR FOR {sql}", params)  # planned here
        self._cursor = raw.cursor(binary=True)
        self._cursor.adapters.register_loader("text", _bytes_loader())
        self._fetch()

    def _fetch(self) -> None:
        self._cursor.execute(f"FETCH FORWARD {FETCH_ROWS} FROM {self._name}")

    def __iter__(self) -> Iterator[list[tuple]]:
        while rows := self._cursor.fetchall():
            self._fetch()
            yield rows

    def close(self) -> None:
        self._cursor.close()
        # After a database error the transaction is lost anyway, cursors with it, and
        # the error that matters is already on its way.
        if self._raw.info.transaction_status != psycopg.pq.TransactionStatus.INERROR:
            with contextlib.suppress(psycopg.Error):
                self._raw.execute(f"CLOSE {self._name}")


def _snapshot_connection(snapshot: str | None):
    """A second connection reading ``snapshot`` (this export's own, see
    :func:`annotate.datasets.reader.shareable_snapshot`), or None without one.

    The annotation streams then sort and render on a second server process while
    the first streams the segments.
    """
    if snapshot is None:
        return None
    try:
        side = connection.get_new_connection(connection.get_connection_params())
    except psycopg.OperationalError:  # no connection to spare: one will do
        return None
    try:
        read_snapshot(side, snapshot)
    except BaseException:
        side.close()
        raise
    return side


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


def direct_writer(request, *, on_progress=None, snapshot: str | None = None):
    """The writer :func:`annotate.datasets.exporters.package.write_package` calls instead
    of the exporter's ``write`` when this export can be read straight from PostgreSQL,
    or None (another format, the annotation unit, SQLite, no transaction)."""
    if request.format != "jsonl" or not database_applies(request.options):
        return None

    def write(outs: dict[str, IO[bytes]]) -> tuple[Counts, set[str]]:
        return write_from_database(request, outs, on_progress=on_progress, snapshot=snapshot)

    return write


def write_from_database(
    request,
    outs: dict[str, IO[bytes]],
    *,
    on_progress: Callable[[int], None] | None = None,
    snapshot: str | None = None,
) -> tuple[Counts, set[str]]:
    """Write segments.jsonl and restore.jsonl for ``request`` straight from PostgreSQL.

    Returns the counts and the ids of the sources the segments come from. Reads the
    rows :func:`annotate.datasets.reader.iter_segment_records` reads (its scope and
    annotation filters, used as they are), in the same order, and writes the bytes
    :meth:`JsonlExporter.write` writes from those records. ``on_progress(n)`` is
    called after each batch of ``n`` segments. With ``snapshot`` (the id of the
    current transaction's shared snapshot) the annotation streams sort on a second
    connection.
    """
    user = get_user_model().USERNAME_FIELD
    matching = matching_annotations(request.filters)
    citations = Citation.objects.all()
    reviews = Review.objects.all()
    if matching.query.where:  # some annotations are left out: so are their citations
        citations = citations.filter(annotation__in=matching)
        reviews = reviews.filter(annotation__in=matching)
    transcripts = Transcript.objects.all()
    if request.filters.transcript:
        transcripts = transcripts.filter(pk__in=request.filters.transcript)
    connection.ensure_connection()
    raw = connection.connection
    side = _snapshot_connection(snapshot)
    # Sorted cursors are planned for all their rows (a join and one sort), not for
    # their first 10% (a nested loop in index order: three times the database CPU).
    fraction = raw.execute("SHOW cursor_tuple_fraction").fetchone()[0]
    connections = (raw,) if side is None else (raw, side)
    streams: dict[str, _Stream] = {}
    try:
        with contextlib.ExitStack() as pipelines:
            for each in connections:
                pipelines.enter_context(each.pipeline())
            try:
                streams["transcripts"] = _Stream(
                    raw, "jsonl_transcripts", _transcript_sql(transcripts)
                )
                streams["segments"] = _Stream(
                    raw, "jsonl_segments", _segment_sql(segments_in_scope(request))
                )
                for each in connections:
                    each.execute("SELECT set_config('cursor_tuple_fraction', '1', true)")
                # Nothing is written before every stream has its first rows: the
                # citations sort on the first connection while the annotations sort
                # on the second.
                streams["citations"] = _Stream(
                    raw, "jsonl_citations", _citation_sql(citations, user)
                )
                sorting = side or raw
                streams["annotations"] = _Stream(
                    sorting, "jsonl_annotations", _annotation_sql(matching, user)
                )
                streams["reviews"] = _Stream(sorting, "jsonl_reviews", _review_sql(reviews, user))
                for each in connections:
                    each.execute(
                        "SELECT set_config('cursor_tuple_fraction', %s, true)", (fraction,)
                    )
                return _merge(
                    *(streams[name] for name in ("transcripts", "segments", "annotations")),
                    streams["citations"],
                    streams["reviews"],
                    outs["segments"],
                    outs["restore"],
                    on_progress,
                )
            finally:
                for stream in streams.values():
                    stream.close()
    except psycopg.Error as error:  # a timeout, a cancel, a lost connection
        raise ExportError(f"the database stopped the export: {str(error).strip()}") from error
    finally:
        if side is not None:
            side.close()


def _merge(transcript_stream, segment_stream, annotation_stream, citation_stream, review_stream,
           out, restore, on_progress=None) -> tuple[Counts, set[str]]:  # fmt: skip
    """Join the streams into lines, one batch of segments at a time (all bytes)."""
    counts = Counts()
    sources: set[bytes] = set()
    transcripts = _rows(transcript_stream)
    annotations = _rows(annotation_stream)
    citations = _rows(citation_stream)
    reviews = _rows(review_stream)
    transcript = next(transcripts, None)
    annotation = next(annotations, None)
    citation = next(citations, None)
    review = next(reviews, None)
    current = source = title = None
    no_annotations = b'{"annotations":[]'
    for batch in segment_stream:
        lines: list[bytes] = []
        restores: list[bytes] = []
        for segment_id, transcript_id, head, tail, restore_tail in batch:
            if transcript_id != current:
                while transcript is not None and transcript[0] != transcript_id:
                    transcript = next(transcripts, None)
                if transcript is None:
                    raise ExportError(DATA_CHANGED)
                current, source_id, source, title = transcript
                sources.add(source_id)
            if annotation is None or annotation[0] != segment_id:
                lines.append(b"".join((no_annotations, head, source, tail, title)))
                restores.append(no_annotations + restore_tail)
                continue
            in_segment: list[bytes] = []
            in_restore: list[bytes] = []
            while annotation is not None and annotation[0] == segment_id:
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
                _, _, first, mid, end, restore_head, restore_mid, restore_end = annotation
                in_segment.append(
                    b"".join((first, b",".join(cited), mid, b",".join(reviewers), end))
                )
                in_restore.append(
                    b"".join(
                        (restore_head, b",".join(cited_restore), restore_mid,
                         b",".join(reviewed), restore_end)
                    )
                )  # fmt: skip
                counts.annotations += 1
                counts.citations += len(cited)
                counts.reviews += len(reviewed)
                annotation = next(annotations, None)
            opening = b'{"annotations":['
            lines.append(
                b"".join((opening, b",".join(in_segment), b"]", head, source, tail, title))
            )
            restores.append(b"".join((opening, b",".join(in_restore), b"]", restore_tail)))
        counts.segments += len(batch)
        out.write(b"\n".join(lines) + b"\n")
        restore.write(b"\n".join(restores) + b"\n")
        if on_progress:
            on_progress(len(batch))
    if annotation is not None or citation is not None or review is not None:
        # An annotation (or its citation or review) whose segment was not read:
        # refuse, as the record reader does, rather than drop it.
        raise ExportError(DATA_CHANGED)
    counts.records = counts.segments
    return counts, {source_id.decode() for source_id in sources}
