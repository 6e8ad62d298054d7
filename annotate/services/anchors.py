"""Annotations across transcript revisions: carried when a revision is imported, then
placed or retired by a person when they could not be carried. Each with its ledger event.

:func:`annotations_carry` runs inside the revision's import transaction (the receiver of
``archive.signals.transcript_imported``), so the revision and its carried annotations
commit together or not at all. It decides nothing itself: :mod:`annotate.anchoring`
does, from the texts alone, and never by similarity.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from annotate import anchoring, records, workflow
from annotate.actions import AnnotateAction
from annotate.fast import statements
from annotate.models import AnchorStatus, Annotation, Status
from annotate.services._rules import (
    CONTEXT_CHARS,
    _anchor,
    _check_version,
    _lock,
    _require_user,
    _span,
)
from annotate.workflow import Action
from archive import ledger
from archive.models import Segment, Transcript
from archive.revisions import latest_revision
from common.errors import InvalidInput, NotAllowed, WrongState
from common.roles import roles_of

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


# ---------------------------------------------------------------- a person's decisions


@ledger.atomic
def annotation_place(
    *,
    actor,
    annotation: Annotation,
    segment: Segment,
    start,
    end,
    expected_version: int,
    reason: str = "",
) -> Annotation:
    """Place an orphaned annotation on the latest revision of its transcript (a person's
    decision: nothing places an orphan by itself).

    On the same words (the quote byte for byte) it keeps its review status; on other
    words (the corrected figure) only a draft may be placed: a reviewed annotation is
    reopened first, so its review holds for the words it was made on.
    """
    _require_user(actor)
    if not workflow.may(Action.CREATE, roles_of(actor)):
        raise NotAllowed("only an annotator or editor may place annotations")
    annotation = _lock(annotation)
    _check_version(annotation, expected_version)
    if annotation.anchor_status != AnchorStatus.ORPHANED:
        raise WrongState(
            f"only an orphaned annotation is placed; this one is {annotation.anchor_status}"
        )
    latest = latest_revision(annotation.segment.transcript)
    if segment.transcript_id != latest.pk:
        raise InvalidInput(
            f"place it on the latest revision (transcript {latest.pk}, revision {latest.revision})",
            fields={"segment": ["not in the latest revision"]},
        )
    start, end = _span(segment, start, end)
    anchor = _anchor(segment, start, end, None)
    if anchor["quote"] != annotation.quote and annotation.status != Status.DRAFT:
        raise WrongState(
            f"it was {annotation.status} on the words {annotation.quote!r}; reopen it before "
            f"placing it on other words ({anchor['quote']!r})"
        )
    old = _place(annotation)
    annotation.segment = segment
    annotation.start, annotation.end = start, end
    annotation.quote, annotation.prefix, annotation.suffix = (
        anchor["quote"],
        anchor["prefix"],
        anchor["suffix"],
    )
    annotation.anchor_status = AnchorStatus.PLACED
    annotation.anchor_note = ""
    return _record(annotation, actor, AnnotateAction.ANNOTATION_PLACE, old, reason)


@ledger.atomic
def annotation_retire(
    *, actor, annotation: Annotation, expected_version: int, reason: str
) -> Annotation:
    """Retire an orphaned annotation: it stays on the revision it was made on, out of the
    re-anchoring queue, with the reason (required)."""
    _require_user(actor)
    if not workflow.may(Action.CREATE, roles_of(actor)):
        raise NotAllowed("only an annotator or editor may retire annotations")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("say why it is retired", fields={"reason": ["required"]})
    annotation = _lock(annotation)
    _check_version(annotation, expected_version)
    if annotation.anchor_status != AnchorStatus.ORPHANED:
        raise WrongState(
            f"only an orphaned annotation is retired; this one is {annotation.anchor_status}"
        )
    annotation.anchor_status = AnchorStatus.RETIRED
    annotation.anchor_note = reason[:500]
    return _record(annotation, actor, AnnotateAction.ANNOTATION_RETIRE, _place(annotation), reason)


def _record(annotation, actor, action, old, reason) -> Annotation:
    annotation.version += 1
    statements.update(annotation)
    state = records.annotation_state(annotation)
    state["anchor"] = {
        "outcome": annotation.anchor_status,
        "old": old,
        "new": _place(annotation),
        "reason": annotation.anchor_note,
    }
    ledger.append(actor=actor, action=action, obj=annotation, state=state, reason=reason)
    return annotation


# ---------------------------------------------------------------- suggestions


@dataclass(frozen=True)
class Candidate:
    segment: Segment
    start: int
    end: int
    score: float

    @property
    def text(self) -> str:
        return self.segment.text[self.start : self.end]


def anchor_candidates(annotation: Annotation, *, limit: int = 5) -> list[Candidate]:
    """Places on the latest revision where an orphan's words may have gone, best first,
    for a person to choose from (never applied by themselves): the segments sharing
    most of its words and surroundings, and in each the run of words most like the
    quote (difflib's ratio)."""
    latest = latest_revision(annotation.segment.transcript)
    if latest.pk == annotation.segment.transcript_id:
        return []
    wanted = set(_words(f"{annotation.prefix} {annotation.quote} {annotation.suffix}"))
    scored = []
    for segment in Segment.objects.filter(transcript=latest).only(
        "id", "text", "ordinal", "transcript_id"
    ):
        shared = len(wanted & set(_words(segment.text)))
        if shared:
            scored.append((shared, segment.ordinal, segment))
    scored.sort(key=lambda row: (-row[0], row[1]))
    found = [_best_run(annotation.quote, segment) for _, _, segment in scored[:CANDIDATE_SEGMENTS]]
    found = [candidate for candidate in found if candidate is not None]
    found.sort(key=lambda c: (-c.score, c.segment.ordinal, c.start))
    return found[:limit]


CANDIDATE_SEGMENTS = 20


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _best_run(quote: str, segment: Segment) -> Candidate | None:
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", segment.text)]
    size = max(1, len(quote.split()))
    best = None
    for width in {max(1, size - 1), size, size + 1}:
        for first in range(0, max(1, len(spans) - width + 1)):
            last = min(len(spans), first + width) - 1
            start, end = spans[first][0], spans[last][1]
            score = difflib.SequenceMatcher(None, quote, segment.text[start:end]).ratio()
            if best is None or score > best.score:
                best = Candidate(segment, start, end, round(score, 4))
    return best
