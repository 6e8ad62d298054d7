"""SubRip subtitles (``.srt``): numbered cues, each a timing line followed by its text."""

from __future__ import annotations

import re
from dataclasses import replace

from .base import DroppedSpan, ParsedDocument, ParsedSegment, no_segments
from .subtitles import TIMING, Block, blocks, cue_clock, cue_segments, timing_index

NAME = "srt"
VERSION = "1"
OUTSIDE_CUE = "text outside any subtitle cue"

_CUE_NUMBER = re.compile(r"\d+$")


def sniff(text: str) -> bool:
    """True when an early block looks like a SubRip cue: a number line, then a timing line."""
    for block in blocks(text[:4096])[:3]:
        if len(block) >= 2 and _is_number(text, block[0]) and _is_timing(text, block[1]):
            return True
    return False


def parse(text: str) -> ParsedDocument:
    """Parse SubRip text: one segment per cue (per voice when a cue names several)."""
    segments: list[ParsedSegment] = []
    dropped: list[DroppedSpan] = []
    previous_was_cue = False
    for block in _cue_blocks(text):
        timing = timing_index(text, block)
        if timing is None:
            if len(block) == 1 and _is_number(text, block[0]):
                continue
            if previous_was_cue:
                segments[-1] = replace(segments[-1], end=block[-1][1])
            else:
                dropped.append(DroppedSpan(block[0][0], block[-1][1], OUTSIDE_CUE))
            continue
        cue_lines = block[timing + 1 :]
        found = []
        if cue_lines:
            clock, normalised = cue_clock(text, *block[timing])
            found = cue_segments(text, cue_lines[0][0], cue_lines[-1][1], clock, normalised)
        segments += found
        previous_was_cue = bool(found)
    if not segments:
        raise no_segments(NAME)
    return ParsedDocument(title="", segments=segments, dropped=dropped)


def _cue_blocks(text: str) -> list[Block]:
    """Blank-line blocks, cut again where a cue starts without a blank line before it."""
    result: list[Block] = []
    for block in blocks(text):
        cuts = {0}
        for index, span in enumerate(block):
            if _is_timing(text, span):
                numbered = index > 0 and _is_number(text, block[index - 1])
                cuts.add(index - 1 if numbered else index)
        ordered = sorted(cuts)
        result += [block[a:b] for a, b in zip(ordered, [*ordered[1:], len(block)], strict=True)]
    return result


def _is_timing(text: str, span: tuple[int, int]) -> bool:
    return TIMING.match(text, *span) is not None


def _is_number(text: str, span: tuple[int, int]) -> bool:
    return _CUE_NUMBER.match(text, *span) is not None
