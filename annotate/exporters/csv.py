"""CSV: one annotation a row, flat columns, readable by pandas with no options.

RFC 4180 CSV in UTF-8 with a header row, ``\\r\\n`` line ends, quoting only where
needed. Empty cells are empty strings (or missing numbers). Citations are joined
like this:

- ``citation_count``: how many citations the annotation has;
- ``citation_urls`` / ``citation_stances``: the citations' URLs and stances, one per
  line inside the cell (newline-separated, in the same order);
- ``citations``: all citation fields as a JSON array (the JSONL shape), so nothing
  is lost by flattening.

``reviewed_by`` lists reviewer usernames separated by ``;`` (usernames cannot
contain it). ``verdict_rating`` is the ClaimReview rating (1-5) or empty.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import IO, Any

from ..models import VERDICT_RATINGS
from .base import Counts, DataFile, SegmentRecord, canonical, reviewed_by
from .jsonl import CITATION_KEYS

# (column, Table Schema type, description)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("annotation_id", "string", "UUID of the annotation"),
    ("segment_id", "string", "UUID of the segment"),
    ("transcript_id", "string", "UUID of the transcript"),
    ("transcript_title", "string", ""),
    ("source_id", "string", "UUID of the source document"),
    ("source_sha256", "string", "SHA-256 of the source's exact bytes (file in sources/)"),
    ("source_origin_url", "string", ""),
    ("ordinal", "integer", "Position of the segment in its transcript, from 1"),
    ("clock", "string", "HH:MM when the written clock parses, else as written"),
    ("location", "string", ""),
    ("speaker", "string", ""),
    ("speaker_role", "string", ""),
    ("start", "integer", "Offset of the quote in the segment text"),
    ("end", "integer", "End offset (exclusive) of the quote in the segment text"),
    ("source_start", "integer", "Offset of the quote in the source text"),
    ("source_end", "integer", "End offset (exclusive) of the quote in the source text"),
    ("quote", "string", "Exactly segment text [start:end]"),
    ("claim_type", "string", "Claim type slug"),
    ("claim_text", "string", "The claim restated"),
    ("verdict", "string", ""),
    ("verdict_rating", "integer", "ClaimReview rating, 5 (true) to 1 (false); empty if unrated"),
    ("verdict_summary", "string", ""),
    ("status", "string", "draft, in-review, approved or rejected"),
    ("created_by", "string", "Username of the annotator"),
    ("reviewed_by", "string", "Reviewer usernames separated by ';'"),
    ("citation_count", "integer", ""),
    ("citation_urls", "string", "Citation URLs, one per line"),
    ("citation_stances", "string", "Citation stances, one per line, same order as the URLs"),
    ("citations", "string", "All citation fields as a JSON array"),
)
HEADER = [name for name, _, _ in COLUMNS]


def table_schema() -> dict[str, Any]:
    fields = []
    for name, kind, description in COLUMNS:
        field: dict[str, Any] = {"name": name, "type": kind}
        if description:
            field["description"] = description
        fields.append(field)
    return {"fields": fields, "primaryKey": ["annotation_id"], "missingValues": [""]}


def row(segment: SegmentRecord, annotation: dict[str, Any]) -> list[Any]:
    citations = annotation["citations"]
    rating = VERDICT_RATINGS.get(annotation["verdict"])
    return [
        annotation["id"],
        segment["id"],
        segment["transcript_id"],
        segment["transcript_title"],
        segment["source_id"],
        segment["source_sha256"],
        segment["source_origin_url"],
        segment["ordinal"],
        segment["clock_normalised"] or segment["clock"],
        segment["location"],
        segment["speaker"],
        segment["speaker_role"],
        annotation["start"],
        annotation["end"],
        segment["source_start"] + annotation["start"],
        segment["source_start"] + annotation["end"],
        annotation["quote"],
        annotation["claim_type"],
        annotation["claim_text"],
        annotation["verdict"],
        "" if rating is None else rating,
        annotation["verdict_summary"],
        annotation["status"],
        annotation["created_by"],
        ";".join(reviewed_by(annotation)),
        len(citations),
        "\n".join(c["url"] for c in citations),
        "\n".join(c["stance"] for c in citations),
        canonical([{key: c[key] for key in CITATION_KEYS} for c in citations]),
    ]


class CsvExporter:
    name = "csv"
    description = "CSV: one annotation a row, flat columns"
    annotation_unit = True
    default_approved_only = False
    rated_only = False
    needs_ledger = False

    def data_files(self, options: dict[str, Any]) -> list[DataFile]:
        return [
            DataFile(
                path="data/annotations.csv",
                name="annotations",
                format="csv",
                mediatype="text/csv",
                description="One annotation a row. Citations: citation_urls and "
                "citation_stances hold one value per line; citations holds them all "
                "as a JSON array.",
                schema=table_schema(),
            )
        ]

    def write(
        self,
        segments: Iterable[SegmentRecord],
        outs: dict[str, IO[bytes]],
        *,
        context: dict[str, Any],
    ) -> Counts:
        out = outs["annotations"]
        counts = Counts()
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(HEADER)
        for segment in segments:
            counts.segments += 1
            for annotation in segment["annotations"]:
                counts.add_annotation(annotation)
                writer.writerow(row(segment, annotation))
            if buffer.tell() > 1 << 16:
                out.write(buffer.getvalue().encode("utf-8"))
                buffer.seek(0)
                buffer.truncate()
        out.write(buffer.getvalue().encode("utf-8"))
        counts.records = counts.annotations
        return counts
