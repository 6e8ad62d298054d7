"""JSON Lines: one segment a line (the DESIGN.md shape), or one annotation a line.

``unit="segment"`` (default) writes ``data/segments.jsonl``, one line per segment::

    {"segment_id", "transcript_id", "transcript_title", "transcript_revision",
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
On PostgreSQL the segment unit reads no records: :mod:`annotate.fast.jsonl` writes
the same bytes straight from the database, several times faster.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from annotate.datasets.exporters.base import (
    AnnotationRecord,
    Counts,
    DataFile,
    SegmentRecord,
    canonical_bytes,
    reviewed_by,
)
from annotate.records import (
    ANNOTATION_BOOKKEEPING,
    ANNOTATION_PUBLIC,
    CITATION_BOOKKEEPING,
    CITATION_FIELDS,
)

UNITS = ("segment", "annotation")
WRITE_BATCH = 256  # lines joined per write: fewer, larger writes; memory stays bounded


def segment_fields(segment: SegmentRecord) -> dict[str, Any]:
    """A segment's exported fields, without its annotations."""
    return {
        "segment_id": segment["id"],
        "transcript_id": segment["transcript_id"],
        "transcript_title": segment["transcript_title"],
        "transcript_revision": segment["transcript_revision"],
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
    """An annotation as segments.jsonl has it: its public keys, reviewers, citations."""
    fields = {key: annotation[key] for key in ANNOTATION_PUBLIC}
    fields["reviewed_by"] = reviewed_by(annotation)
    fields["citations"] = [
        {key: c[key] for key in CITATION_FIELDS} for c in annotation["citations"]
    ]
    return fields


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
        "annotations": [_annotation_bookkeeping(a) for a in segment["annotations"]],
    }


def _annotation_bookkeeping(annotation: AnnotationRecord) -> dict[str, Any]:
    """An annotation as restore.jsonl has it: what segments.jsonl leaves out."""
    line = {key: annotation[key] for key in ANNOTATION_BOOKKEEPING}
    line["id"] = annotation["id"]
    line["citations"] = [
        {key: c[key] for key in CITATION_BOOKKEEPING} for c in annotation["citations"]
    ]
    line["reviews"] = annotation["reviews"]
    return line


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
    needs_publisher = False

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
