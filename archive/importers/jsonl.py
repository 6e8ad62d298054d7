"""Claimtrail's own export (JSONL, one segment a line), read back as a transcript.

The segments' texts, joined by blank lines, become the document text that the
spans refer to (``ParsedDocument.text``): JSON escapes mean the file's own text
cannot hold them exactly.
"""

from __future__ import annotations

import json
import re

from common import jsondepth

from .base import (
    DocumentError,
    ParsedDocument,
    ParsedSegment,
    line_spans,
    no_segments,
    normalise_clock,
    strip_span,
)

NAME = "jsonl"
VERSION = "1"
SEPARATOR = "\n\n"
TEXT_FIELDS = (
    "clock",
    "location",
    "speaker",
    "speaker_role",
    "segment_id",
    "transcript_id",
    "transcript_title",
)
# JSON escapes can spell what no stored text may hold: unpaired surrogates (not
# encodable as UTF-8) and NUL (refused by PostgreSQL's text type).
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


def sniff(text: str) -> bool:
    """True when the first non-blank line is a JSON object with a ``text`` field."""
    for start, end in line_spans(text[:1_000_000]):
        start, end = strip_span(text, start, end)
        if start < end:
            try:
                record = jsondepth.loads(text[start:end])
            except ValueError:
                return False
            return isinstance(record, dict) and "text" in record
    return False


def parse(text: str) -> ParsedDocument:
    """Parse exported JSONL: one segment per line, in ``ordinal`` order when every line has one."""
    records = _records(text)
    if not records:
        raise no_segments(NAME)
    _require_one_transcript(records)
    if all(isinstance(record.get("ordinal"), int) for _, record in records):
        records.sort(key=lambda numbered: numbered[1]["ordinal"])
    parts: list[str] = []
    segments: list[ParsedSegment] = []
    offset = 0
    for number, record in records:
        start, end = strip_span(record["text"], 0, len(record["text"]))
        if start == end:
            raise DocumentError(f"line {number}: segment text is empty")
        segments.append(
            ParsedSegment(
                offset + start,
                offset + end,
                clock=record["clock"],
                clock_normalised=normalise_clock(record["clock"]),
                location=record["location"],
                speaker=record["speaker"],
                speaker_role=record["speaker_role"],
                external_id=record["segment_id"],
            )
        )
        parts.append(record["text"])
        offset += len(record["text"]) + len(SEPARATOR)
    first = min(records, key=lambda numbered: numbered[0])[1]
    return ParsedDocument(
        title=first["transcript_title"], segments=segments, text=SEPARATOR.join(parts)
    )


def _records(text: str) -> list[tuple[int, dict]]:
    """Every non-blank line as ``(line number, record)``, with its fields checked."""
    records = []
    for number, (start, end) in enumerate(line_spans(text), start=1):
        start, end = strip_span(text, start, end)
        if start == end:
            continue
        try:
            record = jsondepth.loads(text[start:end])
        except json.JSONDecodeError as error:
            raise DocumentError(
                f"line {number}: not valid JSON ({error.msg} at column {error.colno})"
            ) from None
        except jsondepth.TooDeep as error:
            raise DocumentError(f"line {number}: {error}") from None
        records.append((number, _checked(number, record)))
    return records


def _checked(number: int, record: object) -> dict:
    if not isinstance(record, dict):
        raise DocumentError(f"line {number}: expected a JSON object, found {type(record).__name__}")
    if not isinstance(record.get("text"), str):
        raise DocumentError(f'line {number}: "text" must be a string')
    checked = dict(record)
    for field in TEXT_FIELDS:
        value = record.get(field)
        if value is not None and not isinstance(value, str):
            raise DocumentError(f'line {number}: "{field}" must be a string')
        checked[field] = value or ""
    for field in ("text", *TEXT_FIELDS):
        if found := _NOT_TEXT.search(checked[field]):
            raise DocumentError(
                f'line {number}: "{field}" holds \\u{ord(found.group()):04x}, '
                "which is not a character that can be stored"
            )
    return checked


def _require_one_transcript(records: list[tuple[int, dict]]) -> None:
    first_id = ""
    for number, record in records:
        transcript_id = record["transcript_id"]
        if transcript_id and first_id and transcript_id != first_id:
            raise DocumentError(
                f"line {number}: a second transcript ({transcript_id}); import one transcript "
                "per file, or a whole export package with import_dataset"
            )
        first_id = first_id or transcript_id
