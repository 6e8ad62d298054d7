"""Reads of claim triage shared by the API, the admin and training.

Querysets come shaped: ``annotated`` (an annotation overlaps the sentence) is an
``EXISTS`` in the same statement, so a page of any size costs the same queries.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Exists, OuterRef, Q, QuerySet

from annotate.models import Annotation, Status
from archive.models import Transcript
from triage.features import Item
from triage.models import Sentence
from triage.training import LabelledTranscript

# The API's ?ordering= values and the keyset each one pages over (unique within a
# transcript, as the cursor needs).
ORDERINGS = {
    "-checkworthiness": ("-checkworthiness", "segment_ordinal", "ordinal"),
    "position": ("segment_ordinal", "ordinal"),
}
DEFAULT_ORDERING = "-checkworthiness"


def overlapping_annotations() -> QuerySet[Annotation]:
    """Annotations of the outer sentence's segment whose span meets the sentence's."""
    return Annotation.objects.filter(
        segment_id=OuterRef("segment_id"), start__lt=OuterRef("end"), end__gt=OuterRef("start")
    )


def transcript_sentences(transcript_id) -> QuerySet[Sentence]:
    """A transcript's sentences, each with ``annotated``."""
    return Sentence.objects.filter(transcript_id=transcript_id).annotate(
        annotated=Exists(overlapping_annotations())
    )


def triage_queue(transcript_id, *, include_done: bool = False) -> QuerySet[Sentence]:
    """The triage view of one transcript: highest score first, then reading order;
    without ``include_done``, only sentences nobody annotated or dismissed yet. Each has
    its segment loaded (for the speaker), not the segment's text."""
    queryset = transcript_sentences(transcript_id)
    if not include_done:
        queryset = queryset.filter(annotated=False, dismissed=False)
    return (
        queryset.select_related("segment")
        .defer("segment__text")
        .order_by(*ORDERINGS[DEFAULT_ORDERING])
    )


def recent_triage(*, transcripts: int = 10, limit: int = 50) -> QuerySet[Sentence]:
    """The most check-worthy open sentences of the ``transcripts`` newest transcripts,
    with their transcript and segment (but not the segment's text) loaded."""
    recent = Transcript.objects.order_by("-created_at", "-id").values("id")[:transcripts]
    return (
        Sentence.objects.filter(transcript_id__in=list(recent.values_list("id", flat=True)))
        .annotate(annotated=Exists(overlapping_annotations()))
        .filter(annotated=False, dismissed=False)
        .select_related("transcript", "segment")
        .defer("segment__text")
        .order_by("-checkworthiness", "transcript_id", "segment_ordinal", "ordinal")[:limit]
    )


def recent_transcripts(*, limit: int = 10) -> list[Transcript]:
    return list(Transcript.objects.order_by("-created_at", "-id")[:limit])


def annotation_training_set() -> tuple[list[LabelledTranscript], dict]:
    """The team's own work as training data, and what it counted.

    * positive: a sentence that an annotation overlaps, unless rejected, whose claim
      type is checkable (``opinion`` is not);
    * negative: a dismissed sentence and one annotated only as a not-checkable claim type
      (anywhere), and in a *fully reviewed* transcript (it has annotations and none is a
      draft or in review) every sentence that no annotation overlaps;
    * left out: sentences overlapped only by rejected annotations, and the unmarked
      sentences of transcripts still under review (nobody said they are not claims).

    One :class:`LabelledTranscript` per transcript with anything labelled, sentences in
    reading order.
    """
    annotations = Annotation.objects.values_list(
        "segment__transcript_id", "segment_id", "start", "end", "status", "claim_type__checkable"
    )
    by_segment: dict = defaultdict(list)
    open_transcripts, annotated_transcripts = set(), set()
    for transcript_id, segment_id, start, end, status, checkable in annotations:
        annotated_transcripts.add(transcript_id)
        if status in (Status.DRAFT, Status.IN_REVIEW):
            open_transcripts.add(transcript_id)
        by_segment[segment_id].append((start, end, status, checkable))
    reviewed = annotated_transcripts - open_transcripts
    candidates = Sentence.objects.filter(
        Q(transcript_id__in=annotated_transcripts) | Q(dismissed=True)
    ).order_by("transcript_id", "segment_ordinal", "ordinal")
    groups: dict = {}
    counts = {"positives": 0, "negatives": 0, "dismissed": 0, "left_out": 0}
    for sentence in candidates.values(
        "transcript_id", "segment_id", "start", "end", "text", "dismissed", "segment__speaker"
    ):
        label = _label(sentence, by_segment.get(sentence["segment_id"], ()), reviewed)
        if label is None:
            counts["left_out"] += 1
            continue
        counts["positives" if label else "negatives"] += 1
        counts["dismissed"] += int(sentence["dismissed"] and not label)
        group = groups.setdefault(
            sentence["transcript_id"],
            LabelledTranscript(
                name=f"transcript {sentence['transcript_id']}",
                items=[],
                labels=[],
                origin={"transcript_id": str(sentence["transcript_id"])},
            ),
        )
        group.items.append(Item(sentence["text"], sentence["segment__speaker"]))
        group.labels.append(label)
    counts["transcripts"] = len(groups)
    counts["fully_reviewed_transcripts"] = len(reviewed)
    return list(groups.values()), counts


def _label(sentence: dict, annotations, reviewed: set) -> int | None:
    """1, 0, or None (left out) for one sentence, by the rules of the function above."""
    meeting = [
        (status, checkable)
        for start, end, status, checkable in annotations
        if start < sentence["end"] and end > sentence["start"]
    ]
    if any(status != Status.REJECTED and checkable for status, checkable in meeting):
        return 1
    if sentence["dismissed"] or any(status != Status.REJECTED for status, _ in meeting):
        return 0  # dismissed, or marked as a claim of a type that cannot be checked
    if meeting:
        return None  # only rejected annotations: nobody's judgement stands
    return 0 if sentence["transcript_id"] in reviewed else None
