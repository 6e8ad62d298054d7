"""Carrying annotations from one revision of a transcript to the next, exactly or not at all.

Pure: texts in, outcomes out (:mod:`annotate.services.anchors` reads and writes the rows).
Offsets are code points into a segment's text, as everywhere.

An annotation is carried in one of three ways:

* **unchanged**: its segment is paired with a new segment of identical text (same
  offsets). Segments are paired by a sequence diff of the two revisions' segment texts
  (runs of equal segments), and a segment whose text occurs exactly once in each
  revision is paired wherever it went (a paragraph moved).
* **moved**: its quote, with the least of its surroundings that makes it unique in the
  old revision (at least :data:`MIN_NEEDLE` characters in all), occurs exactly once in
  the new one. The surroundings run across segment edges (marked), so a short segment
  that occurs many times is told apart by its neighbours. Both sides are tried first,
  then each side alone (an edit close by on the other side). A place in a new segment
  that is another old segment word for word is never taken; one found away from where
  the diff put its segment needs :data:`FAR_CONTEXT` agreeing characters on both sides;
  one side alone that reaches into a neighbour counts only for a segment with no copy,
  next to that neighbour, which did not move.
* **orphaned**: anything else, with the reason. Nothing is ever placed by similarity:
  the queue of orphans is for a person (:func:`candidates` ranks places to suggest).

Invariant, for every carried annotation: ``quote == new_text[start:end]``, and the
surroundings that were compared agree with the new text.
"""

from __future__ import annotations

import bisect
import difflib
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

CONTEXT_MAX = 32  # the surroundings compared, at most (as the stored prefix and suffix)
# The least a searched string holds (quote and surroundings, or up to a segment's edges):
# a few words are found by chance in inserted text, two dozen characters are not.
MIN_NEEDLE = 24
FAR_CONTEXT = 16  # what a match outside the aligned segments must agree on, each side
EDGE = "\x00"  # a segment's edge in the joined texts; never in a segment's text


class Outcome(StrEnum):
    UNCHANGED = "unchanged"
    MOVED = "moved"
    ORPHANED = "orphaned"


@dataclass(frozen=True)
class Span:
    """An annotation's place: a segment (its index in the revision's order) and offsets."""

    key: str
    segment: int
    start: int
    end: int


@dataclass(frozen=True)
class Carried:
    key: str
    outcome: Outcome
    segment: int | None = None  # in the new revision; None when orphaned
    start: int | None = None
    end: int | None = None
    reason: str = ""


class _Joined:
    """A revision's segment texts joined by :data:`EDGE`, to search across all of them."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        self.starts: list[int] = []
        parts, at = [EDGE], 1
        for text in texts:
            self.starts.append(at)
            parts += [text, EDGE]
            at += len(text) + 1
        self.text = "".join(parts)
        self._places: dict[str, list[int]] = {}

    def where(self, position: int) -> tuple[int, int]:
        """The (segment, offset) of a position inside a segment's text."""
        segment = bisect.bisect_right(self.starts, position) - 1
        return segment, position - self.starts[segment]

    def places(self, quote: str) -> list[int]:
        """Every place ``quote`` starts (overlaps counted), found once per quote: the
        surroundings tried next are compared at these places only."""
        found = self._places.get(quote)
        if found is None:
            found, at = [], self.text.find(quote)
            while at >= 0:
                found.append(at)
                at = self.text.find(quote, at + 1)
            self._places[quote] = found
        return found

    def around(self, quote: str, before: str, after: str, limit: int = 2) -> list[int]:
        """The places of ``quote`` with ``before`` just before and ``after`` just after
        it (at most ``limit``): where ``before + quote + after`` occurs."""
        text, end = self.text, len(quote)
        found = []
        for at in self.places(quote):
            if text.startswith(before, at - len(before)) and text.startswith(after, at + end):
                if at >= len(before):
                    found.append(at)
                    if len(found) >= limit:
                        break
        return found


def pair_segments(
    old: list[str], new: list[str]
) -> tuple[dict[int, int], dict[int, range], set[int]]:
    """Old segment index -> new index for segments whose text is identical and occurs
    once in each revision (where it went, a paragraph moved or not), and for every other
    old segment the range of new segments a sequence diff aligned with it (maybe empty);
    and the paired segments the diff keeps in order (they did not move).

    A text that occurs more than once is never paired by its text: which copy survived
    cannot be told from the text, so its annotations go to the search (and, with
    identical surroundings, to a person).
    """
    old_count, new_count = Counter(old), Counter(new)
    where_new = {text: j for j, text in enumerate(new) if new_count[text] == 1}
    pairs = {
        i: where_new[text]
        for i, text in enumerate(old)
        if old_count[text] == 1 and text in where_new
    }
    aligned: dict[int, range] = {}
    steady: set[int] = set()  # paired, and where the diff keeps them: not moved
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        block = range(j1, j2) if tag != "equal" else None
        for i in range(i1, i2):
            if i not in pairs:
                aligned[i] = block if block is not None else range(j1 + i - i1, j1 + i - i1 + 1)
            elif tag == "equal":
                steady.add(i)
    return pairs, aligned, steady


def carry(old: list[str], new: list[str], spans: list[Span]) -> list[Carried]:
    """The outcome for each of ``spans`` (places in ``old``) in the revision ``new``."""
    pairs, aligned, steady = pair_segments(old, new)
    old_joined, new_joined = _Joined(old), _Joined(new)
    old_counts = Counter(old)
    return [
        _carry_one(
            span,
            old,
            (pairs, aligned, steady, set(pairs.values())),
            old_joined,
            new_joined,
            old_counts,
        )
        for span in spans
    ]


def _carry_one(span, old, pairing, old_joined, new_joined, old_counts) -> Carried:
    pairs, aligned, steady, claimed = pairing
    if span.segment in pairs:
        return Carried(span.key, Outcome.UNCHANGED, pairs[span.segment], span.start, span.end)
    quote = old[span.segment][span.start : span.end]
    # Its surroundings run across segment edges (marked): a short segment that occurs
    # many times ("Applause.") is told apart by its neighbours, as a person would.
    at = old_joined.starts[span.segment] + span.start
    left = old_joined.text[max(0, at - CONTEXT_MAX) : at]
    right = old_joined.text[at + len(quote) : at + len(quote) + CONTEXT_MAX]
    near = aligned.get(span.segment, range(0))
    tried = False
    # Both sides first; then one side alone, for an edit close by on the other side.
    for sides in ((True, True), (True, False), (False, True)):
        unique = _unique_needle(quote, left, right, sides, old_joined)
        if unique is None:
            continue
        tried = True
        found = new_joined.around(quote, *unique)
        if len(found) > 1:
            return _orphan(span, "it occurs more than once in the new revision")
        if not found:
            continue
        segment, offset = new_joined.where(found[0])
        if not _same_word_edges(quote, left, right, new_joined, found[0]):
            continue  # "Report" is not the start of "Reporters"
        if segment in claimed:
            continue  # that segment is another old segment, word for word: not these words
        if segment not in near and not _agrees_far(quote, left, right, new_joined, found[0]):
            continue
        if not _steady_neighbour(
            span.segment, segment, quote, unique, sides, pairing, old_counts[old[span.segment]] == 1
        ):
            continue
        return Carried(span.key, Outcome.MOVED, segment, offset, offset + len(quote))
    if not tried:
        return _orphan(
            span,
            f"it is not unique in the old revision even with {CONTEXT_MAX} characters around it",
        )
    return _orphan(span, "its words and surroundings are not in the new revision")


def _unique_needle(quote, left, right, sides, old_joined):
    """The shortest of the quote's surroundings (on ``sides``) that makes it unique in the
    old revision and at least :data:`MIN_NEEDLE` long (or all there is), as
    ``(before, after)``; None when none is unique."""
    use_left, use_right = sides
    for width in range(CONTEXT_MAX + 1):
        before = left[max(0, len(left) - width) :] if use_left else ""
        after = right[:width] if use_right else ""
        needle = before + quote + after
        if before.count(EDGE) + after.count(EDGE) > 1 + (use_left and use_right):
            return None  # past the next segment: the surroundings are not this segment's
        more = (use_left and len(before) < len(left)) or (use_right and len(after) < len(right))
        if (len(needle) < MIN_NEEDLE and more) or len(old_joined.around(quote, before, after)) > 1:
            continue  # too short, or not unique in the old revision: take more around it
        return before, after
    return None


def _steady_neighbour(old_segment, new_segment, quote, unique, sides, pairing, own_unique) -> bool:
    """Whether a match whose surroundings reach into a neighbouring segment may count.

    Each neighbour it reaches into must not have moved and must sit next to the match
    in the new revision (a moved neighbour may have landed next to a copy of the same
    words) -- except with both sides, for a segment without copies, when its own words
    on both sides (:data:`MIN_NEEDLE` of them) already tell it apart. One side alone counts only for a segment
    without copies, and its own part must say enough by itself: a last word before the
    same neighbour is what another segment that moved into the gap may end with too.
    """
    pairs, _, steady, _ = pairing
    before, after = unique
    use_left, use_right = sides
    reaching = []
    own = quote
    if use_left and EDGE in before[1:]:
        reaching.append((old_segment - 1, new_segment - 1))
        own = before[before.rindex(EDGE) + 1 :] + own
    if use_right and EDGE in after[:-1]:
        reaching.append((old_segment + 1, new_segment + 1))
        own += after[: after.index(EDGE)]
    if not reaching:
        return True  # it stays in its own segment (up to its edges)
    if use_left and use_right and own_unique and len(own) >= MIN_NEEDLE:
        return True
    if use_left != use_right and (not own_unique or len(own) < MIN_NEEDLE):
        return False
    if not own_unique and len(reaching) < 2:
        return False  # a copy is told apart by both its neighbours, or not at all
    return all(n in steady and pairs.get(n) == expected for n, expected in reaching)


def _same_word_edges(quote, left, right, new_joined, position) -> bool:
    """Whether the match begins and ends a word where the quote did: its words, not part
    of a longer word an edit wrote around them."""
    text = new_joined.text
    old_before, old_after = (left[-1:] or EDGE), (right[:1] or EDGE)
    new_before, new_after = text[position - 1], text[position + len(quote)]
    joins_before = quote[:1].isalnum() and old_before.isalnum()
    joins_after = quote[-1:].isalnum() and old_after.isalnum()
    return (joins_before or not (quote[:1].isalnum() and new_before.isalnum())) and (
        joins_after or not (quote[-1:].isalnum() and new_after.isalnum())
    )


def _agrees_far(quote, left, right, new_joined, position) -> bool:
    """Whether the quote found at ``position``, away from where its segment went, has
    :data:`FAR_CONTEXT` characters of its old surroundings on both sides there."""
    before = left[max(0, len(left) - FAR_CONTEXT) :]
    return new_joined.around(quote, before, right[:FAR_CONTEXT]) == [position]


def _orphan(span: Span, reason: str) -> Carried:
    return Carried(span.key, Outcome.ORPHANED, reason=reason)
