"""WebVTT subtitles (``.vtt``): a ``WEBVTT`` header, then cues, notes and style blocks."""

from __future__ import annotations

import re

from .base import BOM, DroppedSpan, ParsedDocument, ParsedSegment, no_segments
from .subtitles import Block, blocks, cue_clock, cue_segments, timing_index

NAME = "vtt"
VERSION = "1"
NOTE = "WebVTT NOTE block"
OUTSIDE_CUE = "text outside any subtitle cue"

_SIGNATURE = re.compile(rf"{BOM}?WEBVTT(?=[ \t\r\n]|\Z)")
_NOTE = re.compile(r"NOTE(?:[ \t]|$)")
_SILENT_BLOCKS = re.compile(r"(?:STYLE|REGION)[ \t]*$")


def sniff(text: str) -> bool:
    """True when the text opens with the ``WEBVTT`` signature."""
    return _SIGNATURE.match(text) is not None


def parse(text: str) -> ParsedDocument:
    """Parse WebVTT text: one segment per cue (per ``<v>`` voice when a cue names several)."""
    segments: list[ParsedSegment] = []
    dropped: list[DroppedSpan] = []
    all_blocks = blocks(text)
    has_header = bool(all_blocks) and sniff(_line(text, all_blocks[0][0]))
    for block in all_blocks[1:] if has_header else all_blocks:
        first = _line(text, block[0])
        timing = timing_index(text, block)
        if timing is not None:
            cue_lines = block[timing + 1 :]
            if cue_lines:
                clock, normalised = cue_clock(text, *block[timing])
                segments += cue_segments(text, cue_lines[0][0], cue_lines[-1][1], clock, normalised)
        elif _NOTE.match(first):
            dropped.append(_block_span(block, NOTE))
        elif not _SILENT_BLOCKS.match(first):
            dropped.append(_block_span(block, OUTSIDE_CUE))
    if not segments:
        raise no_segments(NAME)
    title = _title(_line(text, all_blocks[0][0])) if has_header else ""
    return ParsedDocument(title=title, segments=segments, dropped=dropped)


def _title(signature_line: str) -> str:
    """The text after ``WEBVTT`` on the signature line, if any (``WEBVTT - Council hearing``)."""
    return signature_line[len("WEBVTT") :].strip(" \t-–—:")


def _block_span(block: Block, reason: str) -> DroppedSpan:
    return DroppedSpan(block[0][0], block[-1][1], reason)


def _line(text: str, span: tuple[int, int]) -> str:
    return text[span[0] : span[1]]
