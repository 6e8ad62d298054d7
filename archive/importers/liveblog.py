"""Live-blog reports: ``HHMM: Location: Speaker, role`` headers, each followed by its paragraphs.

A header starts a block that runs until the next header. The lines before the
first header are a breadcrumb trail and the title (the last of them). "Exit mobile
version", left behind by the page's mobile switcher, is furniture wherever it sits
at the start or end of a line; it is dropped, and the rest of its line is parsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from sys import intern

from .base import (
    DocumentStream,
    DroppedSpan,
    ParsedDocument,
    ParsedSegment,
    find_date,
    iter_line_spans,
    no_segments,
    normalise_clock,
    strip_span,
)

NAME = "liveblog"
VERSION = "1"
FURNITURE = "Exit mobile version"
BREADCRUMB = "page furniture: breadcrumb"
MOBILE_LINK = "page furniture: Exit mobile version"
MAX_LOCATION_LENGTH = 40
MAX_SPEAKER_WORDS = 12

_HEADER = re.compile(r"(\d{4}):[ \t]+(?=\S)")
_SNIFF_HEADER = re.compile(
    rf"(?:^|(?<=\r))[ \t\ufeff]*(?:{FURNITURE})?(\d{{4}}):[ \t]+\S", re.MULTILINE
)
_ABBREVIATIONS = frozenset(
    "Mr. Mrs. Ms. Dr. Prof. St. Jr. Sr. Rev. Gen. Col. Sen. Rep. Gov. Hon. Mt. Ph.D.".split()
)
_INITIALS = re.compile(r"(?:[A-Z]\.)+")


@dataclass(frozen=True, slots=True)
class _Line:
    """A line's content with furniture and surrounding whitespace removed."""

    start: int
    end: int
    clock: str = ""
    furniture_before: bool = False
    furniture_after: bool = False

    @property
    def blank(self) -> bool:
        return self.start == self.end


def sniff(text: str) -> bool:
    """True when some line starts with a ``HHMM:`` header holding a valid time of day."""
    return any(normalise_clock(m.group(1)) for m in _SNIFF_HEADER.finditer(text))


def parse(text: str) -> ParsedDocument:
    """Parse a live-blog report into one segment per timed block."""
    document = stream(text)
    segments = list(document.segments)
    if not segments:
        raise no_segments(NAME)
    return ParsedDocument(
        title=document.title,
        segments=segments,
        dropped=document.dropped,
        event_date=document.event_date,
    )


def stream(text: str) -> DocumentStream:
    """:func:`parse`, producing segments one block at a time.

    The title (and so the date) is read before the first segment; only the lines of
    the block being parsed are held, so memory does not grow with the document.
    Raises :class:`DocumentError` at once when there is no header at all.
    """
    dropped: list[DroppedSpan] = []
    lines = _scan(text, dropped)
    preamble: list[_Line] = []
    for line in lines:
        if line.clock:
            first_header = line
            break
        if not line.blank:
            preamble.append(line)
    else:
        raise no_segments(NAME)
    title = ""
    if preamble:
        title = text[preamble[-1].start : preamble[-1].end]
        dropped += [DroppedSpan(line.start, line.end, BREADCRUMB) for line in preamble[:-1]]
    return DocumentStream(
        title=title,
        segments=_segments(text, first_header, lines, dropped),
        dropped=dropped,
        event_date=find_date(title),
    )


def _segments(
    text: str, header: _Line, lines: Iterator[_Line], dropped: list[DroppedSpan]
) -> Iterator[ParsedSegment]:
    """Segments block by block: a block ends where the next header starts."""
    body: list[_Line] = []
    for line in lines:
        if line.clock:
            yield from _block(text, header, body)
            header, body = line, []
        else:
            body.append(line)
    yield from _block(text, header, body)
    dropped.sort(key=lambda d: d.start)


def _scan(text: str, dropped: list[DroppedSpan]) -> Iterator[_Line]:
    """Lines one at a time, furniture cut off their ends (and added to ``dropped``), headers recognised."""
    for line_start, line_end in iter_line_spans(text):
        start, end = strip_span(text, line_start, line_end)
        before = text.startswith(FURNITURE, start, end)
        if before:
            dropped.append(DroppedSpan(start, start + len(FURNITURE), MOBILE_LINK))
            start, end = strip_span(text, start + len(FURNITURE), end)
        after = end - start >= len(FURNITURE) and text.endswith(FURNITURE, start, end)
        if after:
            dropped.append(DroppedSpan(end - len(FURNITURE), end, MOBILE_LINK))
            start, end = strip_span(text, start, end - len(FURNITURE))
        header = _HEADER.match(text, start, end)
        clock = header.group(1) if header and normalise_clock(header.group(1)) else ""
        yield _Line(start, end, clock, before, after)


def _block(text: str, header: _Line, body: list[_Line]) -> Iterator[ParsedSegment]:
    """Segments of one timed block: its body (speaker blocks) or its header text (narration)."""
    rest_start, rest_end = strip_span(text, header.start + len(header.clock) + 1, header.end)
    location, rest_start = _location(text, rest_start, rest_end)
    rest = text[rest_start:rest_end]
    speaker = role = ""
    has_body = any(not line.blank for line in body)
    if has_body and _names_a_speaker(rest):
        speaker, _, role = (part.strip() for part in rest.partition(","))
    else:
        body = [_Line(rest_start, rest_end, furniture_after=header.furniture_after), *body]
    # Interned: a parsed document's segments share one copy of each repeated header
    # string instead of holding their own (interned strings still die with their
    # last reference, so a stream does not accumulate them).
    clock = intern(header.clock)
    clock_normalised = intern(normalise_clock(header.clock))
    location, speaker, role = intern(location), intern(speaker), intern(role)
    for start, end in _runs(body):
        yield ParsedSegment(
            start,
            end,
            clock=clock,
            clock_normalised=clock_normalised,
            location=location,
            speaker=speaker,
            speaker_role=role,
        )


def _runs(lines: list[_Line]) -> list[tuple[int, int]]:
    """Spans from the first to the last non-blank line, cut wherever furniture was dropped."""
    runs: list[tuple[int, int]] = []
    open_run = False
    for line in lines:
        if line.furniture_before:
            open_run = False
        if not line.blank:
            if open_run:
                runs[-1] = (runs[-1][0], line.end)
            else:
                runs.append((line.start, line.end))
            open_run = True
        if line.furniture_after:
            open_run = False
    return runs


def _location(text: str, start: int, end: int) -> tuple[str, int]:
    """A short place name before a colon, and where the rest of the header starts."""
    colon = text.find(":", start, end)
    if colon < 0:
        return "", start
    candidate = text[start:colon].strip()
    words = candidate.split()
    if not words or len(candidate) > MAX_LOCATION_LENGTH or any(map(_ends_sentence, words)):
        return "", start
    return candidate, strip_span(text, colon + 1, end)[0]


def _names_a_speaker(header_rest: str) -> bool:
    """True for ``Name[, role]``; false for a sentence of narration."""
    name = header_rest.partition(",")[0].split()
    if not name or len(name) > MAX_SPEAKER_WORDS or any(map(_ends_sentence, name[:-1])):
        return False
    return "," in header_rest or not _ends_sentence(name[-1])


def _ends_sentence(word: str) -> bool:
    if not word.endswith((".", "!", "?", "…")):
        return False
    return word not in _ABBREVIATIONS and not _INITIALS.fullmatch(word)
