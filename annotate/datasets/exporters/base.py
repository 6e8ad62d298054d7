"""Shared pieces of the exporters: the record shapes they consume and canonical JSON.

Exporters are pure: they take an iterable of *segment records* (plain dicts built by
:mod:`annotate.datasets.service` from the database, one chunk at a time) and write bytes to
a binary file object. They never query. A segment record looks like::

    {"id", "transcript_id", "transcript_title", "transcript_event_date",
     "transcript_revision", "source_id", "source_sha256", "source_origin_url",
     "source_retrieved_at", "source_title", "source_revision_of", "ordinal", "clock", "clock_normalised", "location", "speaker",
     "speaker_role", "text", "source_start", "source_end",
     "annotations": [annotation record, ...]}

and an annotation record::

    {"id", "segment_id", "start", "end", "quote", "prefix", "suffix", "claim_type",
     "claim_text", "verdict", "verdict_summary", "status", "created_by",
     "last_edited_by", "assignee", "version", "review_round", "created_at",
     "updated_at", "citations": [...], "reviews": [...]}

with citations ``{"id", "url", "title", "publisher", "published_on", "accessed_at",
"archived_url", "excerpt", "stance", "added_by", "added_at"}`` and reviews ``{"id",
"decision", "comment", "annotation_version", "review_round", "reviewer",
"created_at"}``. Every value is already JSON-ready: UUIDs and times are strings
(times in UTC, ISO 8601), missing values are ``None`` or ``""`` as stored.

Annotations are ordered by (start, end, id), citations by (added_at, id), reviews
by (created_at, id); segments by (transcript id, ordinal). With the same database
state the records, and so the bytes every exporter writes, are the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

import orjson

SegmentRecord = dict[str, Any]
AnnotationRecord = dict[str, Any]


def canonical(value: Any) -> str:
    """JSON with sorted keys and no insignificant whitespace: same value, same text."""
    return canonical_bytes(value).decode("utf-8")


def canonical_bytes(value: Any) -> bytes:
    """:func:`canonical` as UTF-8 bytes, encoded by orjson (the export's hot path).

    For the values exporters write (str, int, bool, None, lists, dicts with ASCII
    keys) this is byte for byte what ``json.dumps(value, sort_keys=True,
    ensure_ascii=False, separators=(",", ":"))`` gives, several times faster.
    """
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def pretty(value: Any) -> str:
    """Stable, readable JSON (sorted keys, two-space indent) for single documents.

    Encoded by orjson; the same text as ``json.dumps(value, sort_keys=True,
    ensure_ascii=False, indent=2)`` (property-tested), which runs in pure Python.
    """
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).decode()


def reviewed_by(annotation: AnnotationRecord) -> list[str]:
    """Reviewers who decided on the annotation, each once, in the order they first did."""
    seen: dict[str, None] = {}
    for review in annotation["reviews"]:
        seen.setdefault(review["reviewer"], None)
    return list(seen)


def iter_annotations(
    segments: Iterable[SegmentRecord],
) -> Iterator[tuple[SegmentRecord, AnnotationRecord]]:
    """(segment, annotation) pairs in export order."""
    for segment in segments:
        for annotation in segment["annotations"]:
            yield segment, annotation


@dataclass
class Counts:
    """What an exporter wrote; lands in the manifest."""

    segments: int = 0
    annotations: int = 0
    citations: int = 0
    reviews: int = 0
    records: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return {
            "segments": self.segments,
            "annotations": self.annotations,
            "citations": self.citations,
            "reviews": self.reviews,
            "records": self.records,
            **self.extra,
        }

    def add_segment(self, segment: SegmentRecord) -> None:
        self.segments += 1
        for annotation in segment["annotations"]:
            self.add_annotation(annotation)

    def add_annotation(self, annotation: AnnotationRecord) -> None:
        self.annotations += 1
        self.citations += len(annotation["citations"])
        self.reviews += len(annotation["reviews"])


@dataclass(frozen=True)
class DataFile:
    """One data file of a package as an exporter declares it."""

    path: str  # inside the package, e.g. "data/segments.jsonl"
    name: str  # Frictionless resource name
    format: str  # "jsonl", "csv", "json", "jsonld"
    mediatype: str
    description: str = ""
    schema: dict | None = None  # Table Schema, for CSV


class Exporter(Protocol):
    """One export format. ``write`` streams records to its files and returns its counts.

    ``annotation_unit``: one record per annotation, so segments without a matching
    annotation are not read at all. ``rated_only``: only annotations whose verdict
    has a rating. ``needs_ledger``: records carry their ledger events (``events`` on
    annotations, ``source_events`` on segments). ``needs_publisher``: the format is
    published under a newsroom's name, so the context carries ``publisher`` (``name``,
    ``url``, ``logo``) and ``public_base_url``, and the export is refused until they are
    configured.

    Exporters never query: what they write comes from the records. A format may have
    a fast path in :mod:`annotate.fast` that writes the same bytes straight from the
    database (JSONL on PostgreSQL); its parity test compares the two.
    """

    name: str
    description: str
    annotation_unit: bool
    default_approved_only: bool
    rated_only: bool
    needs_ledger: bool
    needs_publisher: bool

    def data_files(self, options: dict[str, Any]) -> list[DataFile]: ...

    def write(
        self,
        segments: Iterable[SegmentRecord],
        outs: dict[str, IO[bytes]],
        *,
        context: dict[str, Any],
    ) -> Counts:
        """Write the records to ``outs`` (one binary file per declared DataFile name)."""
