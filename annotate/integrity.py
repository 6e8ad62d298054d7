"""Annotations and reviews checked against the ledger, and exports refused on bad evidence.

Every change to an annotation goes through a service that records the annotation's
whole state on the ledger, and every review is a ledger event by its reviewer. So an
annotation whose row differs from its latest recorded state (a verdict flipped in
SQL), or a review with no event of that reviewer making that decision, was written
behind the application's back. :func:`check_annotations` and :func:`check_reviews`
are registered with ``archive.evidence`` and run by ``verify_ledger``.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from annotate import records, workflow
from annotate.actions import AnnotateAction
from annotate.datasets.exporters.package import ExportError
from annotate.models import Annotation, Review
from archive import evidence, ledger

ANNOTATION = "annotate.annotation"
REVIEW_ACTIONS = {
    AnnotateAction.of_transition(action).value: action.value for action in workflow.REVIEW_ACTIONS
}


def check_annotations(*, chunk_size: int = 2000) -> Iterator[evidence.EvidenceProblem]:
    """Each annotation's row against the state its latest ledger event recorded."""
    annotations = (
        Annotation.objects.select_related("claim_type", "created_by", "last_edited_by", "assignee")
        .order_by("id")
        .iterator(chunk_size)
    )
    latest = _latest_states(ANNOTATION, chunk_size)
    pending = next(latest, None)
    for annotation in annotations:
        key = str(annotation.pk)
        recorded = None
        while pending is not None and pending[0] <= key:
            if pending[0] == key:
                recorded = pending[1]
            pending = next(latest, None)
        where = f"annotation {key}"
        if recorded is None:
            yield evidence.EvidenceProblem(
                where, "has no event on the ledger: written behind its back"
            )
            continue
        stored = records.annotation_state(annotation)
        differs = sorted(k for k in stored.keys() & recorded.keys() if stored[k] != recorded[k])
        if differs:
            yield evidence.EvidenceProblem(
                where,
                f"{', '.join(differs)} differ(s) from its latest ledger event: changed behind its back",
            )


def _latest_states(object_type: str, chunk_size: int) -> Iterator[tuple[str, dict]]:
    """(object id, state of its newest event), in object id order."""
    rows = (
        ledger.LedgerEvent.objects.filter(object_type=object_type)
        .order_by("object_id", "sequence")
        .values_list("object_id", "state")
        .iterator(chunk_size)
    )
    current = None
    for object_id, state in rows:
        if current is not None and current[0] != object_id:
            yield current
        current = (object_id, state)
    if current is not None:
        yield current


def check_reviews(*, chunk_size: int = 2000) -> Iterator[evidence.EvidenceProblem]:
    """Each review against its reviewer's ledger event deciding it (same round, same version).

    Reviews restored from a dataset package came with their annotation's recorded
    state, not with events of their own; they are skipped.
    """
    events = ledger.LedgerEvent.objects.filter(
        object_type=ANNOTATION, action__in=[*REVIEW_ACTIONS, AnnotateAction.ANNOTATION_RESTORE]
    ).values_list("object_id", "action", "actor_id", "state")
    decided, restored = set(), set()
    for object_id, action, actor_id, state in events.iterator(chunk_size):
        if action == AnnotateAction.ANNOTATION_RESTORE:
            restored.add(object_id)
            continue
        decided.add(
            (
                object_id,
                REVIEW_ACTIONS[action],
                actor_id,
                state.get("version", 0) - 1,
                state.get("review_round"),
            )
        )
    reviews = Review.objects.order_by("annotation_id", "created_at").values_list(
        "id", "annotation_id", "decision", "reviewer_id", "annotation_version", "review_round"
    )
    for review_id, annotation_id, decision, reviewer_id, version, review_round in reviews.iterator(
        chunk_size
    ):
        annotation = str(annotation_id)
        if annotation in restored:
            continue
        if (annotation, decision, reviewer_id, version, review_round) not in decided:
            yield evidence.EvidenceProblem(
                f"review {review_id} of annotation {annotation}",
                f"no ledger event of reviewer #{reviewer_id} deciding {decision} on version"
                f" {version} (round {review_round}): written or changed behind the ledger's back",
            )


def refuse_tampered_evidence(source_ids, *, shown: int = 3) -> None:
    """Raise :class:`ExportError` naming what is wrong if the sources an export is about to
    write, their transcripts or segments, differ from what was imported."""
    problems = list(islice(evidence.verify(sources=source_ids), shown))
    if problems:
        raise ExportError(
            "the evidence does not match what was imported, so no package was written: "
            + "; ".join(map(str, problems))
            + " (run `manage.py verify_ledger` for every problem)"
        )
