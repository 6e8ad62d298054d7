"""Shared shapes for importers: pure functions from text to parsed segments.

An importer never touches the database. It receives the decoded text of one
document and returns a :class:`ParsedDocument` whose segments are *spans* of that
text: ``text[segment.start:segment.end]`` is the segment's text, exactly. Anything
the importer skips on purpose (page furniture, subtitle cue numbers and timings)
that a reader might miss is reported in ``dropped`` with its span and a reason.
An importer that has to build the text its spans refer to (jsonl) returns it in
``ParsedDocument.text``; everywhere else that field is None and the spans refer to
the input text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from common.errors import DocumentError  # noqa: F401  (the importers raise it from here)


@dataclass(frozen=True, slots=True)
class ParsedSegment:
    start: int
    end: int
    clock: str = ""
    clock_normalised: str = ""
    location: str = ""
    speaker: str = ""
    speaker_role: str = ""
    # Optional identity carried by formats that have one (jsonl re-import).
    external_id: str = ""


@dataclass(frozen=True, slots=True)
class DroppedSpan:
    start: int
    end: int
    reason: str


def summarise_dropped(dropped: Iterable[DroppedSpan]) -> str:
    """What an import left out, counted by reason: "nothing dropped", or "2 spans dropped:
    1 × page furniture: breadcrumb, 1 × ..." (reasons in the order first met)."""
    counts = Counter(span.reason for span in dropped)
    if not counts:
        return "nothing dropped"
    total = sum(counts.values())
    kinds = ", ".join(f"{count} × {reason}" for reason, count in counts.items())
    return f"{total} span{'' if total == 1 else 's'} dropped: {kinds}"


@dataclass
class ParsedDocument:
    title: str
    segments: list[ParsedSegment]
    dropped: list[DroppedSpan] = field(default_factory=list)
    event_date: date | None = None
    format: str = ""
    # The text the spans refer to, when the importer had to build it (jsonl);
    # None means the decoded input text itself.
    text: str | None = None


@dataclass(slots=True)
class DocumentStream:
    """A document whose segments are produced one at a time, for imports of any size.

    ``segments`` can be consumed once. ``dropped`` is complete (and sorted by
    start) only once ``segments`` is exhausted: furniture is found as the scan
    passes it. The other fields are known up front.
    """

    title: str
    segments: Iterator[ParsedSegment]
    dropped: list[DroppedSpan] = field(default_factory=list)
    event_date: date | None = None
    format: str = ""
    text: str | None = None

    @classmethod
    def of(cls, document: ParsedDocument) -> DocumentStream:
        """The stream of an already parsed document."""
        return cls(
            title=document.title,
            segments=iter(document.segments),
            dropped=document.dropped,
            event_date=document.event_date,
            format=document.format,
            text=document.text,
        )


BOM = "\ufeff"

_CLOCK_HHMM = re.compile(r"^(\d{1,2}):?(\d{2})(?::(\d{2}))?")


def normalise_clock(clock: str) -> str:
    """Return ``HH:MM`` for clocks such as ``1703``, ``17:03`` or ``01:02:03``; '' if not a time."""
    match = _CLOCK_HHMM.match(clock.strip())
    if not match:
        return ""
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        return ""
    return f"{hours:02d}:{minutes:02d}"


def _is_blank(char: str) -> bool:
    return char.isspace() or char == BOM


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` so it neither starts nor ends with whitespace (or a BOM)."""
    while start < end and _is_blank(text[start]):
        start += 1
    while end > start and _is_blank(text[end - 1]):
        end -= 1
    return start, end


_LINE_BREAK = re.compile(r"\r\n|\n|\r")


def line_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` of every line, its break (``\\n``, ``\\r\\n``, ``\\r``) excluded."""
    return list(iter_line_spans(text))


def iter_line_spans(text: str) -> Iterator[tuple[int, int]]:
    """:func:`line_spans`, one line at a time."""
    start = 0
    for match in _LINE_BREAK.finditer(text):
        yield start, match.start()
        start = match.end()
    yield start, len(text)


def no_segments(format_name: str) -> DocumentError:
    """The error every importer raises when a document yields nothing."""
    return DocumentError(f"no segments found in this document (format {format_name})")


def validate_segments(text: str, segments: Iterable[ParsedSegment]) -> None:
    """Raise :class:`DocumentError` unless all spans are stripped, non-empty, ordered, disjoint."""
    for _ in checked_segments(text, segments):
        pass


def checked_segments(text: str, segments: Iterable[ParsedSegment]) -> Iterator[ParsedSegment]:
    """Yield ``segments`` unchanged, raising :class:`DocumentError` at the first bad span.

    The check of :func:`validate_segments`, one segment at a time, so a stream can
    be checked as it passes on its way into the database.
    """
    previous_end = 0
    length = len(text)
    for number, segment in enumerate(segments, start=1):
        start, end = segment.start, segment.end
        if not (previous_end <= start < end <= length):
            raise DocumentError(
                f"importer bug: segment {number} has an invalid span [{start}, {end})"
            )
        if _is_blank(text[start]) or _is_blank(text[end - 1]):
            raise DocumentError(f"importer bug: segment {number} is not stripped of whitespace")
        previous_end = end
        yield segment


_MONTHS = (
    "january february march april may june july august september october november december"
).split()
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_DATE_PATTERNS = (
    re.compile(r"\b(?P<year>\d{4})-(?P<number>\d{2})-(?P<day>\d{2})\b"),
    re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)? {_MONTH},? (?P<year>\d{{4}})\b"),
    re.compile(rf"\b{_MONTH} (?P<day>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<year>\d{{4}})\b"),
)


def find_date(text: str) -> date | None:
    """A calendar date written out in ``text`` (``14 October 2025``, ``2025-10-14``), or None."""
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            parts = match.groupdict()
            if "number" in parts:
                month = int(parts["number"])
            else:
                names = [m for m in _MONTHS if m.startswith(parts["month"].lower())]
                if len(parts["month"]) < 3 or len(names) != 1:
                    continue
                month = _MONTHS.index(names[0]) + 1
            try:
                return date(int(parts["year"]), month, int(parts["day"]))
            except ValueError:
                continue
    return None
