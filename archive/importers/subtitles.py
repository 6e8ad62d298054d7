"""What SubRip and WebVTT share: blocks of lines, cue timings and speakers in cue text."""

from __future__ import annotations

import re

from .base import ParsedSegment, line_spans, normalise_clock, strip_span
from .speakers import match_speaker_label

TIMESTAMP = r"(?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3}"
TIMING = re.compile(rf"[ \t]*({TIMESTAMP})[ \t]*-->[ \t]*{TIMESTAMP}")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)*[ \t]+([^>]*)>")
_VOICE_END = "</v>"

Block = list[tuple[int, int]]


def blocks(text: str) -> list[Block]:
    """Group the stripped spans of non-blank lines into runs separated by blank lines."""
    result: list[Block] = []
    current: Block = []
    for line_start, line_end in line_spans(text):
        start, end = strip_span(text, line_start, line_end)
        if start == end:
            if current:
                result.append(current)
            current = []
        else:
            current.append((start, end))
    if current:
        result.append(current)
    return result


def timing_index(text: str, block: Block) -> int | None:
    """Index of the timing line in the block's first two lines, or None."""
    for index, (start, end) in enumerate(block[:2]):
        if TIMING.match(text, start, end):
            return index
    return None


def cue_clock(text: str, start: int, end: int) -> tuple[str, str]:
    """The cue start time as written and as ``HH:MM``."""
    clock = TIMING.match(text, start, end).group(1)
    parts = re.split(r"[:,.]", clock)
    hours = int(parts[0]) if len(parts) == 4 else 0
    minutes = int(parts[-3])
    return clock, normalise_clock(f"{hours}:{minutes:02d}")


def cue_segments(
    text: str, start: int, end: int, clock: str, clock_normalised: str
) -> list[ParsedSegment]:
    """Segments of one cue's text: one per ``<v Name>`` voice, else one (``NAME:`` optional)."""
    pieces: list[tuple[int, int, str]] = []
    voices = list(_VOICE.finditer(text, start, end))
    if voices:
        pieces.append((start, voices[0].start(), ""))
        for voice, following in zip(voices, [*voices[1:], None], strict=True):
            piece_end = following.start() if following else end
            closing = text.find(_VOICE_END, voice.end(), piece_end)
            pieces.append(
                (voice.end(), piece_end if closing < 0 else closing, voice.group(1).strip())
            )
    else:
        label = match_speaker_label(text, start, end)
        pieces.append((label[1], end, label[0]) if label else (start, end, ""))
    segments = []
    for piece_start, piece_end, speaker in pieces:
        piece_start, piece_end = strip_span(text, piece_start, piece_end)
        if piece_start < piece_end:
            segments.append(
                ParsedSegment(
                    piece_start,
                    piece_end,
                    clock=clock,
                    clock_normalised=clock_normalised,
                    speaker=speaker,
                )
            )
    return segments
