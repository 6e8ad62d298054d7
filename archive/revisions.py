"""Revisions of a transcript: the chain, and what changed between two revisions.

Pure reads of evidence; the annotations that travel across revisions are annotate's
(:mod:`annotate.anchoring`).
"""

from __future__ import annotations

import difflib

from archive.models import Segment, Transcript

MAX_CHAIN = 1_000  # revisions walked at most (a chain is written one import at a time)


def revision_chain(transcript: Transcript) -> list[Transcript]:
    """Every revision of ``transcript``'s report, first to latest."""
    first = transcript
    for _ in range(MAX_CHAIN):
        if first.revision_of_id is None:
            break
        first = Transcript.objects.get(pk=first.revision_of_id)
    return _later(first)


def latest_revision(transcript: Transcript) -> Transcript:
    """The newest revision in ``transcript``'s chain (itself when it has none)."""
    return _later(transcript)[-1]


def _later(transcript: Transcript) -> list[Transcript]:
    """``transcript`` and the revisions after it, in order."""
    chain = [transcript]
    for _ in range(MAX_CHAIN):
        later = Transcript.objects.filter(revision_of=chain[-1]).first()
        if later is None:
            break
        chain.append(later)
    return chain


def segment_changes(old: Transcript, new: Transcript) -> dict:
    """The segment-by-segment difference from ``old`` to ``new`` (difflib's opcodes over
    the segments' texts): each run with the ordinals on both sides, and the texts of
    what changed."""
    old_rows = list(
        Segment.objects.filter(transcript=old).order_by("ordinal").values_list("ordinal", "text")
    )
    new_rows = list(
        Segment.objects.filter(transcript=new).order_by("ordinal").values_list("ordinal", "text")
    )
    matcher = difflib.SequenceMatcher(
        None, [text for _, text in old_rows], [text for _, text in new_rows], autojunk=False
    )
    changes, counts = [], {"equal": 0, "replace": 0, "insert": 0, "delete": 0}
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        change = {
            "op": op,
            "old": [ordinal for ordinal, _ in old_rows[i1:i2]],
            "new": [ordinal for ordinal, _ in new_rows[j1:j2]],
        }
        if op != "equal":
            change["old_text"] = [text for _, text in old_rows[i1:i2]]
            change["new_text"] = [text for _, text in new_rows[j1:j2]]
        counts[op] += max(i2 - i1, j2 - j1)
        changes.append(change)
    return {"old": old.pk, "new": new.pk, "counts": counts, "changes": changes}
