"""Tab-separated transcripts: ``line_number TAB speaker TAB text``, one segment per line.

The layout of the CheckThat! debate transcripts and of many transcription tools'
exports. Columns after the third are ignored (the CheckThat! 2019 training files carry
a label there); the line number orders nothing (the file's order is kept) and is not
stored. Each segment is the text field of one line, stripped of surrounding blanks,
and its speaker is the second field as written (stripped).

Lines that are not rows are skipped, never merged into a neighbour, and reported in
``dropped`` by reason: a header (a first line whose first field is not a whole
number), a row whose text field is empty, and any other line that does not have an
integer first field and at least three fields. So nothing is guessed: what a row says
is a segment, everything else is counted where the reader can see it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .base import (
    BOM,
    DroppedSpan,
    ParsedDocument,
    ParsedSegment,
    line_spans,
    no_segments,
    strip_span,
)

NAME = "tsv"
VERSION = "1"
SNIFF_CHARS = 16_000
MIN_FIELDS = 3

HEADER = "header line"
EMPTY_TEXT = "tsv row without text"
NOT_A_ROW = "line that is not line_number TAB speaker TAB text"

_LINE_NUMBER = re.compile(r"[ ]*\d+[ ]*$")


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the file split on tabs: each field as a ``(start, end)`` span of the text."""

    line_start: int
    line_end: int
    fields: tuple[tuple[int, int], ...]


def rows(text: str) -> Iterator[Row]:
    """Every non-blank line of ``text`` with its tab-separated field spans, in file order.

    A BOM at the very start belongs to no field. Shared with readers of the same layout
    that need the further columns (the triage trainer reads the CheckThat! label).
    """
    for line_start, line_end in line_spans(text):
        start = line_start + 1 if line_start == 0 and text.startswith(BOM) else line_start
        if strip_span(text, start, line_end)[0] == line_end:
            continue  # a blank line is nothing, not a dropped row
        fields = []
        field_start = start
        while True:
            tab = text.find("\t", field_start, line_end)
            if tab < 0:
                fields.append((field_start, line_end))
                break
            fields.append((field_start, tab))
            field_start = tab + 1
        yield Row(line_start, line_end, tuple(fields))


def is_row(text: str, row: Row) -> bool:
    """True when ``row`` has at least three fields and a whole number as its first."""
    if len(row.fields) < MIN_FIELDS:
        return False
    start, end = row.fields[0]
    return _LINE_NUMBER.match(text, start, end) is not None


def sniff(text: str) -> bool:
    """True when at least two early lines, and more than half of them, are rows."""
    head = text[:SNIFF_CHARS]
    lines = list(rows(head))
    if len(head) < len(text) and lines:
        lines.pop()  # the last line may be cut in the middle
    valid = sum(1 for row in lines if is_row(head, row))
    return valid >= 2 and valid * 2 > len(lines)


def parse(text: str) -> ParsedDocument:
    """Parse a tab-separated transcript into one segment per row with text."""
    segments: list[ParsedSegment] = []
    dropped: list[DroppedSpan] = []
    for number, row in enumerate(rows(text)):
        line = strip_span(text, row.line_start, row.line_end)
        if not is_row(text, row):
            dropped.append(DroppedSpan(*line, HEADER if number == 0 else NOT_A_ROW))
            continue
        start, end = strip_span(text, *row.fields[2])
        if start == end:
            dropped.append(DroppedSpan(*line, EMPTY_TEXT))
            continue
        speaker_start, speaker_end = strip_span(text, *row.fields[1])
        segments.append(ParsedSegment(start, end, speaker=text[speaker_start:speaker_end]))
    if not segments:
        raise no_segments(NAME)
    return ParsedDocument(title="", segments=segments, dropped=dropped)
