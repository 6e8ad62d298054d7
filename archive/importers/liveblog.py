"""Live-blog reports: ``HHMM: Location: Speaker, role`` headers, each followed by its paragraphs.

A header starts a block that runs until the next header. The lines before the
first header are a breadcrumb trail and the title (the last of them). "Exit mobile
version", left behind by the page's mobile switcher, is furniture wherever it sits
at the start or end of a line; it is dropped, and the rest of its line is parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .base import (
    DroppedSpan,
    ParsedDocument,
    ParsedSegment,
    find_date,
    line_spans,
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


@dataclass(frozen=True)
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
    lines, dropped = _scan(text)
    headers = [index for index, line in enumerate(lines) if line.clock]
    if not headers:
        raise no_segments(NAME)
    preamble = [line for line in lines[: headers[0]] if not line.blank]
    title = ""
    if preamble:
        title = text[preamble[-1].start : preamble[-1].end]
        dropped += [DroppedSpan(line.start, line.end, BREADCRUMB) for line in preamble[:-1]]
    segments: list[ParsedSegment] = []
    for index, next_index in zip(headers, [*headers[1:], len(lines)], strict=True):
        segments += _block(text, lines[index], lines[index + 1 : next_index])
    if not segments:
        raise no_segments(NAME)
    return ParsedDocument(
        title=title,
        segments=segments,
        dropped=sorted(dropped, key=lambda d: d.start),
        event_date=find_date(title),
    )


def _scan(text: str) -> tuple[list[_Line], list[DroppedSpan]]:
    """Split into lines, cutting furniture off their ends and recognising headers."""
    lines, dropped = [], []
    for line_start, line_end in line_spans(text):
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
        lines.append(_Line(start, end, clock, before, after))
    return lines, dropped


def _block(text: str, header: _Line, body: list[_Line]) -> list[ParsedSegment]:
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
    return [
        ParsedSegment(
            start,
            end,
            clock=header.clock,
            clock_normalised=normalise_clock(header.clock),
            location=location,
            speaker=speaker,
            speaker_role=role,
        )
        for start, end in _runs(body)
    ]


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
