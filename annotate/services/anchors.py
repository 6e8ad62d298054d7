"""Annotations across transcript revisions: carried when a revision is imported, then
placed or retired by a person when they could not be carried. Each with its ledger event.

:func:`annotations_carry` runs inside the revision's import transaction (the receiver of
``archive.signals.transcript_imported``), so the revision and its carried annotations
commit together or not at all. It decides nothing itself: :mod:`annotate.anchoring`
does, from the texts alone, and never by similarity.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from annotate import anchoring, records
from annotate.actions import AnnotateAction
from annotate.fast import statements
from annotate.models import AnchorStatus, Annotation
from annotate.services._rules import CONTEXT_CHARS
from archive import ledger
from archive.models import Segment, Transcript

CARRY_BATCH = 2_000  # annotations per ledger write (one INSERT each)
# An orphan's anchor stays as it was; the others' statuses say how they were carried.
_STATUS_OF = {
    anchoring.Outcome.UNCHANGED: AnchorStatus.UNCHANGED,
    anchoring.Outcome.MOVED: AnchorStatus.MOVED,
    anchoring.Outcome.ORPHANED: AnchorStatus.ORPHANED,
}
# Annotations already waiting for a person, or retired, are not carried again.
_NOT_CARRIED = (AnchorStatus.ORPHANED, AnchorStatus.RETIRED)


@dataclass
class CarryResult:
    counts: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        total = sum(self.counts.values())
        parts = ", ".join(f"{self.counts[o.value]} {o.value}" for o in anchoring.Outcome)
        return f"annotations carried from the previous revision: {total} ({parts})"


def annotations_carry(
    *, previous: Transcript, transcript: Transcript, actor, reason: str = ""
) -> CarryResult:
    """Carry every annotation of ``previous`` to its next revision ``transcript``.

    Unchanged and moved annotations move to the new segments with their status,
    verdict, citations and reviews (the quote is the same words, byte for byte);
    orphans stay on ``previous``, flagged for the re-anchoring queue. One
    ``annotation.carry`` event each, with the old and new place.
    """
    old_segments = list(
        Segment.objects.filter(transcript=previous).order_by("ordinal").values_list("pk", "text")
    )
    new_segments = list(
        Segment.objects.filter(transcript=transcript).order_by("ordinal").values_list("pk", "text")
    )
    index_of = {pk: i for i, (pk, _) in enumerate(old_segments)}
    annotations = list(
        Annotation.objects.select_for_update(of=("self",))
        .filter(segment__transcript=previous)
        .exclude(anchor_status__in=_NOT_CARRIED)
        .select_related("claim_type", "created_by", "last_edited_by", "assignee")
        .order_by("pk")
    )
    result = CarryResult()
    if not annotations:
        return result
    spans = [anchoring.Span(str(a.pk), index_of[a.segment_id], a.start, a.end) for a in annotations]
    outcomes = anchoring.carry(
        [text for _, text in old_segments], [text for _, text in new_segments], spans
    )
    for first in range(0, len(annotations), CARRY_BATCH):
        _apply(
            annotations[first : first + CARRY_BATCH],
            outcomes[first : first + CARRY_BATCH],
            new_segments,
            actor,
            reason,
            previous,
            transcript,
        )
    result.counts.update(outcome.outcome.value for outcome in outcomes)
    return result


def _place(annotation: Annotation) -> dict:
    return {"segment": str(annotation.segment_id), "start": annotation.start, "end": annotation.end}


@ledger.atomic
def _apply(annotations, outcomes, new_segments, actor, reason, previous, transcript) -> None:
    now = timezone.now()
    places = []
    for annotation, outcome in zip(annotations, outcomes, strict=True):
        places.append(_place(annotation))
        if outcome.outcome is anchoring.Outcome.ORPHANED:
            annotation.anchor_note = outcome.reason[:500]
        else:
            segment_id, text = new_segments[outcome.segment]
            quote = text[outcome.start : outcome.end]
            assert quote == annotation.quote, "a carried quote is the same words"  # noqa: S101
            annotation.segment_id = segment_id
            annotation.start, annotation.end = outcome.start, outcome.end
            annotation.prefix = text[max(0, outcome.start - CONTEXT_CHARS) : outcome.start]
            annotation.suffix = text[outcome.end : outcome.end + CONTEXT_CHARS]
            annotation.anchor_note = ""
        annotation.anchor_status = _STATUS_OF[outcome.outcome]
        annotation.version += 1
        annotation.updated_at = now
    statements.update_many(
        annotations,
        (
            "segment",
            "start",
            "end",
            "prefix",
            "suffix",
            "anchor_status",
            "anchor_note",
            "version",
            "updated_at",
        ),
    )
    for annotation, outcome, old in zip(annotations, outcomes, places, strict=True):
        carried = outcome.outcome is not anchoring.Outcome.ORPHANED
        state = records.annotation_state(annotation)
        state["anchor"] = {
            "outcome": outcome.outcome.value,
            "from_transcript": str(previous.pk),
            "to_transcript": str(transcript.pk),
            "old": old,
            "new": _place(annotation) if carried else None,
            "reason": outcome.reason,
        }
        ledger.append(
            actor=actor,
            action=AnnotateAction.ANNOTATION_CARRY,
            obj=annotation,
            state=state,
            reason=reason or f"revision {transcript.revision} of transcript {previous.pk}",
        )
