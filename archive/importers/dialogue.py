"""Dialogue transcripts: ``NAME: text`` turns, optionally stamped ``[hh:mm:ss]`` or ``[mm:ss]``.

Lines without a name continue the turn before them. A first line that is not a
turn is the title; any other text before the first turn becomes a segment with no
speaker, so nothing said is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .base import (
    ParsedDocument,
    ParsedSegment,
    find_date,
    line_spans,
    no_segments,
    normalise_clock,
    strip_span,
)
from .speakers import match_speaker_label

NAME = "dialogue"
VERSION = "1"
MAX_NAME_WORDS = 5
SNIFF_CHARS = 16_000

_STAMP = re.compile(r"\[((?:(\d{1,2}):)?(\d{1,3}):(\d{2}))\][ \t]*")


@dataclass
class _Turn:
    start: int
    end: int
    speaker: str = ""
    clock: str = ""
    clock_normalised: str = ""


def sniff(text: str) -> bool:
    """True when at least two early lines, and a third of all early lines, are speaker turns."""
    head = text[:SNIFF_CHARS]
    lines = [strip_span(head, start, end) for start, end in line_spans(head)]
    lines = [(start, end) for start, end in lines if start < end]
    turns = sum(1 for start, end in lines if _turn_opening(head, start, end))
    return turns >= 2 and turns * 3 >= len(lines)


def parse(text: str) -> ParsedDocument:
    """Parse a dialogue transcript into one segment per speaker turn."""
    title = ""
    turns: list[_Turn] = []
    for line_start, line_end in line_spans(text):
        start, end = strip_span(text, line_start, line_end)
        if start == end:
            continue
        opening = _turn_opening(text, start, end)
        if opening:
            turns.append(opening)
        elif turns:
            turns[-1].end = end
        elif not title:
            title = text[start:end]
        else:
            turns.append(_Turn(start, end))
    segments = []
    for turn in turns:
        start, end = strip_span(text, turn.start, turn.end)
        if start < end:
            segments.append(
                ParsedSegment(
                    start,
                    end,
                    clock=turn.clock,
                    clock_normalised=turn.clock_normalised,
                    speaker=turn.speaker,
                )
            )
    if not segments:
        raise no_segments(NAME)
    return ParsedDocument(title=title, segments=segments, event_date=find_date(title))


def _turn_opening(text: str, start: int, end: int) -> _Turn | None:
    """The turn a line opens (``[stamp] NAME: text``), or None for other lines."""
    stamp = _STAMP.match(text, start, end)
    label = match_speaker_label(text, stamp.end() if stamp else start, end, MAX_NAME_WORDS)
    if not label:
        return None
    speaker, speech_start = label
    clock = clock_normalised = ""
    if stamp:
        clock = stamp.group(1)
        hours, minutes = stamp.group(2), int(stamp.group(3))
        if hours is None:
            hours, minutes = divmod(minutes, 60)
        clock_normalised = normalise_clock(f"{int(hours)}:{minutes:02d}")
    return _Turn(speech_start, end, speaker, clock, clock_normalised)
