"""Generated transcripts, annotations and revisions with their ground truth, for
``bench/revisions.py`` and the property tests of :mod:`annotate.anchoring`.

Every character of a generated revision carries a tag: where it came from in the first
revision (segment, offset), or None for a character the edit wrote. An annotation's
quoted words survived exactly when its tags appear, in order and adjacent, in one new
segment: that place is the truth a carried annotation must land on (anywhere else is a
mis-anchor), and any annotation whose tags did not survive must not be carried.

The edits are the ways live reports change: typo corrections (inside and outside
quotes), sentences inserted, blocks appended, blocks removed, paragraphs moved, and
whitespace and punctuation normalised.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

Tagged = list[tuple[str, tuple[int, int] | None]]

WORDS = (
    "the town council said budget roads bridges repair million percent jobs unemployment "
    "lowest since audit report minister claimed spending rose fell year last quarter "
    "schools hospitals taxes deficit growth inflation rate figures official data shows "
    "billion new plan families workers rent prices energy debate senator governor mayor"
).split()
# Inserted text draws on other words by default: a mis-anchor then means the algorithm
# chose a wrong place, not that an edit happened to write the same words.
INSERTED = (
    "meanwhile outside protesters gathered waving placards while reporters waited "
    "correspondent adds update follows shortly livestream resumes after technical break"
).split()
STOCK = ("Applause.", "Thank you.", "(inaudible)")


@dataclass(frozen=True)
class Annotation:
    key: str
    segment: int
    start: int
    end: int


def sentence(rng: random.Random, words=WORDS) -> str:
    chosen = [rng.choice(words) for _ in range(rng.randint(5, 16))]
    if rng.random() < 0.3:
        chosen.insert(rng.randrange(len(chosen)), f"{rng.randint(1, 99)}.{rng.randint(0, 9)}")
    text = " ".join(chosen)
    if rng.random() < 0.15:
        text = f"“{text}”"
    return text[0].upper() + text[1:] + "."


def segment_text(rng: random.Random, *, words=WORDS) -> str:
    # Stock phrases are the transcript's own; text an edit writes never repeats them
    # (else a removed "Thank you." and an appended one could not be told apart by anyone).
    if rng.random() < 0.04 and words is WORDS:
        return rng.choice(STOCK)
    text = " ".join(sentence(rng, words) for _ in range(rng.randint(1, 6)))
    if rng.random() < 0.1:
        text = text.replace(" ", "  ", 1)  # a double space, for normalising
    return text


def transcript(rng: random.Random, segments: int) -> list[str]:
    return [segment_text(rng) for _ in range(segments)]


def annotations(rng: random.Random, texts: list[str], count: int) -> list[Annotation]:
    """``count`` spans of one to six whole words."""
    found = []
    for n in range(count):
        i = rng.randrange(len(texts))
        words = [(w.start(), w.end()) for w in _word_spans(texts[i])]
        if not words:
            continue
        first = rng.randrange(len(words))
        last = min(len(words) - 1, first + rng.randint(0, 5))
        found.append(Annotation(f"a{n}", i, words[first][0], words[last][1]))
    return found


def _word_spans(text: str):
    return re.finditer(r"\S+", text)


def tagged(texts: list[str]) -> list[Tagged]:
    return [[(ch, (i, k)) for k, ch in enumerate(text)] for i, text in enumerate(texts)]


def revise(rng: random.Random, texts: list[str], share: float, *, words=INSERTED) -> list[Tagged]:
    """A revision of ``texts`` with about ``share`` of its segments edited."""
    doc = tagged(texts)
    edits = max(1, round(share * len(texts)))
    for _ in range(edits):
        kind = rng.choices(
            ("typo", "insert", "append", "remove", "move", "normalise"),
            weights=(35, 20, 10, 10, 10, 15),
        )[0]
        EDITS[kind](rng, doc, words)
    return [segment for segment in doc if segment] or [[(ch, None) for ch in "Nothing left."]]


def _typo(rng, doc, words):
    segment = rng.choice(doc)
    # Only letters as they came: a second typo on the same letter could write it back,
    # an edit that leaves the text as it was.
    letters = [k for k, (ch, tag) in enumerate(segment) if ch.isalpha() and tag is not None]
    if letters:
        k = rng.choice(letters)
        ch = segment[k][0]
        segment[k] = ("x" if ch != "x" else "y", None)


def _insert(rng, doc, words):
    segment = rng.choice(doc)
    ends = [k + 1 for k, (ch, _) in enumerate(segment) if ch == "."] or [len(segment)]
    at = rng.choice(ends)
    new = " " + sentence(rng, words)
    segment[at:at] = [(ch, None) for ch in new]


def _append(rng, doc, words):
    doc.append([(ch, None) for ch in segment_text(rng, words=words)])


def _remove(rng, doc, words):
    if len(doc) > 1:
        doc.pop(rng.randrange(len(doc)))


def _move(rng, doc, words):
    if len(doc) > 1:
        before = texts_of(doc)
        at = rng.randrange(len(doc))
        segment = doc.pop(at)
        doc.insert(rng.randrange(len(doc) + 1), segment)
        if texts_of(doc) == before:
            # A copy moved next to its twin leaves the text as it was: no edit, and no
            # way for anyone to say which copy is which. Put it back.
            doc.insert(at, doc.pop(doc.index(segment)))


def _normalise(rng, doc, words):
    segment = rng.choice(doc)
    out: Tagged = []
    for ch, tag in segment:
        if ch == " " and out and out[-1][0] == " ":
            continue  # double spaces collapse
        if ch in "“”":
            out.append(('"', None))
        else:
            out.append((ch, tag))
    segment[:] = out


EDITS = {
    "typo": _typo,
    "insert": _insert,
    "append": _append,
    "remove": _remove,
    "move": _move,
    "normalise": _normalise,
}


def texts_of(doc: list[Tagged]) -> list[str]:
    return ["".join(ch for ch, _ in segment) for segment in doc]


def truths(doc: list[Tagged], found: list[Annotation]) -> dict[str, tuple[int, int] | None]:
    """Where each annotation's words are in the revision (segment, start), or None when
    they did not survive unchanged."""
    where = {
        tag: (j, k) for j, segment in enumerate(doc) for k, (_, tag) in enumerate(segment) if tag
    }
    out: dict[str, tuple[int, int] | None] = {}
    for annotation in found:
        first = where.get((annotation.segment, annotation.start))
        out[annotation.key] = None
        if first is None:
            continue
        j, k = first
        length = annotation.end - annotation.start
        tags = [tag for _, tag in doc[j][k : k + length]]
        if tags == [(annotation.segment, annotation.start + n) for n in range(length)]:
            out[annotation.key] = (j, k)
    return out
