"""Sentence splitting: a segment's text as spans, each span one sentence.

Pure functions over text (no database). Every span satisfies the invariant the rest of
triage relies on, as annotations do: ``text[start:end]`` is the sentence, exactly,
with no surrounding whitespace; spans are non-empty, in order and never overlap, and
together they cover every non-blank character of the text.

How: a blank line always ends a sentence (it ends a paragraph); inside a paragraph
pysbd (the rule-based Golden Rules segmenter: "Mr.", "U.S.", "4.2", "$4,300" and
quotations are not ends) decides, with the paragraph's single line breaks read as
spaces, because transcripts and subtitles wrap lines in mid-sentence. pysbd returns
strings; they are laid back onto the text by counting non-blank characters, which
pysbd (with ``clean=False``) never changes, so a span can never drift. Should it ever
change one, the paragraph is kept as one sentence rather than guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

SPLITTER = "pysbd-0.3.4+paragraphs@1"

_PARAGRAPH_BREAK = re.compile(r"(?:\r\n|\r|\n)[^\S\r\n]*(?:\r\n|\r|\n)\s*")
_BLANK = re.compile(r"\s+")
# A paragraph holding none of these before its last non-blank character is one sentence
# whatever pysbd says: the common case of one-sentence segments (CheckThat! lines,
# subtitle cues) costs no segmenter call.
_END_MARKS = re.compile(r"[.!?…)\]。！？]")


@dataclass(frozen=True, slots=True)
class SentenceSpan:
    start: int
    end: int
    text: str


@cache
def _segmenter():
    import pysbd  # imported on first use: it compiles many patterns

    return pysbd.Segmenter(language="en", clean=False)


def split(text: str) -> list[SentenceSpan]:
    """The sentences of ``text`` as spans of it (see the module docstring for the rules)."""
    spans: list[SentenceSpan] = []
    for start, end in _paragraphs(text):
        for s, e in _sentences(text, start, end):
            spans.append(SentenceSpan(s, e, text[s:e]))
    return spans


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Stripped, non-empty ``(start, end)`` spans between blank lines."""
    found = []
    position = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        found.append((position, match.start()))
        position = match.end()
    found.append((position, len(text)))
    return [span for span in (_strip(text, *span) for span in found) if span[0] < span[1]]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentence spans of the stripped paragraph ``text[start:end]``."""
    if not _END_MARKS.search(text, start, end - 1):
        return [(start, end)]
    paragraph = text[start:end]
    # Same length, so positions still line up; only the segmenter sees the spaces.
    flat = paragraph.replace("\r", " ").replace("\n", " ")
    pieces = _segmenter().segment(flat)
    squeezed = [_BLANK.sub("", piece) for piece in pieces]
    if "".join(squeezed) != _BLANK.sub("", paragraph):
        return [(start, end)]  # the segmenter changed a character: do not guess
    # Positions of the paragraph's non-blank characters, so the k-th non-blank
    # character of the pieces is found at once.
    visible = [i for i, char in enumerate(paragraph) if not char.isspace()]
    spans = []
    seen = 0
    for piece in squeezed:
        if not piece:
            continue
        first, last = visible[seen], visible[seen + len(piece) - 1]
        spans.append((start + first, start + last + 1))
        seen += len(piece)
    return spans
