"""Matching's services: suggestions for a sentence or span, the library's vectors, what
people say of a suggestion, and training the ranker.

The index (:class:`matching.index.LibraryIndex`) is built in each process from the
library's rows and stored vectors on first use, and rebuilt when the library changed
(checked at most every :data:`FRESHNESS_SECONDS`): a fact-check imported a moment ago is
suggested within that time. Fact-checks whose vectors are not computed yet are found by
their words only until :func:`embed_missing` has run: at once after a small import, in
the worker after a large one (:mod:`matching.receivers`), or by ``import_factchecks``
and ``embed_factchecks``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import Count, F, Max
from django.db.models.functions import Substr

from annotate import workflow
from annotate.workflow import Action
from archive import ledger
from archive.models import Segment
from common.errors import InvalidInput, NotAllowed
from common.roles import roles_of
from library.models import FactCheck
from matching import encoder
from matching.actions import MatchingAction
from matching.index import BODY_CHARS, Doc, LibraryIndex, Query
from matching.models import FactCheckVector, MatchFeedback, Outcome, Ranker
from matching.ranker import HEURISTIC, Weights

FRESHNESS_SECONDS = 10.0
MAX_LIMIT = 50
MAX_TEXT = 10_000
CONTEXT_SEGMENTS = 2  # neighbours on each side that a segment's matching reads
EMBED_BATCH = 256


@dataclass(frozen=True)
class Suggestion:
    factcheck: FactCheck
    score: float
    rank: int


# ---------------------------------------------------------------- the index, per process

_lock = threading.Lock()
_state: dict = {"index": None, "key": None, "checked": 0.0, "weights": None}


def _library_key() -> tuple:
    facts = FactCheck.objects.aggregate(n=Count("pk"), changed=Max("updated_at"))
    vectors = FactCheckVector.objects.count()
    ranker = Ranker.objects.filter(active=True).values_list("pk", flat=True).first()
    return (facts["n"], facts["changed"], vectors, ranker)


def _build() -> LibraryIndex:
    rows = list(
        FactCheck.objects.order_by("pk").values_list(
            "pk",
            "claim_reviewed",
            "headline",
            Substr("review_body", 1, BODY_CHARS),  # what the article index reads
            "claimant",
            "claim_date",
            "digest",
            "url",
        )
    )
    stored = {
        pk: (claim, headline, digest)
        for pk, claim, headline, digest in FactCheckVector.objects.filter(
            model=encoder.MODEL_NAME
        ).values_list("factcheck_id", "claim", "headline", "digest")
    }
    docs = []
    claims = np.zeros((len(rows), encoder.DIMENSIONS), np.float32)
    headlines = np.zeros_like(claims)
    for i, (pk, claim, headline, body, claimant, day, digest, url) in enumerate(rows):
        docs.append(Doc(str(pk), claim, headline, body, claimant, day, url))
        vectors = stored.get(pk)
        if vectors and vectors[2] == digest:  # vectors of older content are not used
            claims[i] = encoder.from_bytes(vectors[0])
            headlines[i] = encoder.from_bytes(vectors[1])
    return LibraryIndex(docs, claims, headlines)


def _active_weights() -> Weights:
    ranker = Ranker.objects.filter(active=True).order_by("-created_at").first()
    return Weights(ranker.weights, ranker.intercept) if ranker else HEURISTIC


def current_index() -> tuple[LibraryIndex, Weights]:
    """The index of the library as it is now (within :data:`FRESHNESS_SECONDS`), and the
    active ranker's weights."""
    with _lock:
        now = time.monotonic()
        if _state["index"] is None or now - _state["checked"] > FRESHNESS_SECONDS:
            key = _library_key()
            if key != _state["key"]:
                _state.update(index=_build(), key=key, weights=_active_weights())
            _state["checked"] = now
        return _state["index"], _state["weights"]


def forget_index() -> None:
    """Drop this process's index (tests, and after a bulk change in this process)."""
    with _lock:
        _state.update(index=None, key=None, checked=0.0, weights=None)


# ---------------------------------------------------------------- suggestions


def _limit(limit) -> int:
    try:
        value = int(limit)
    except (TypeError, ValueError):
        raise InvalidInput(
            "limit must be a whole number", fields={"limit": ["not a number"]}
        ) from None
    if not 1 <= value <= MAX_LIMIT:
        raise InvalidInput(f"limit must be 1 to {MAX_LIMIT}", fields={"limit": ["out of range"]})
    return value


def suggest(query: Query, *, limit: int = 10) -> list[Suggestion]:
    """The library's fact-checks ``query`` may repeat, best first, with scores in 0..1."""
    limit = _limit(limit)
    if not query.text.strip():
        raise InvalidInput("there are no words to match", fields={"text": ["empty"]})
    if len(query.text) > MAX_TEXT:
        raise InvalidInput(f"at most {MAX_TEXT:,} characters", fields={"text": ["too long"]})
    index, weights = current_index()
    if not len(index):
        return []
    vectors = encoder.encode([query.text])
    chosen, rows = index.features(query, vectors)
    scores = weights.scores(rows)
    order = np.argsort(-scores, kind="stable")[:limit]
    ids = [index.docs[chosen[i]].id for i in order]
    found = {str(pk): factcheck for pk, factcheck in FactCheck.objects.in_bulk(ids).items()}
    return [
        Suggestion(found[pk], float(scores[i]), rank)
        for rank, (pk, i) in enumerate(zip(ids, order, strict=True), start=1)
        if pk in found  # gone since the index was built
    ]


def segment_query(segment: Segment, *, text: str | None = None) -> Query:
    """A segment's (or a span's) query: its words, its neighbours, speaker and day."""
    neighbours = Segment.objects.filter(
        transcript_id=segment.transcript_id,
        ordinal__gte=segment.ordinal - CONTEXT_SEGMENTS,
        ordinal__lte=segment.ordinal + CONTEXT_SEGMENTS,
    ).exclude(pk=segment.pk)
    context = " ".join(neighbours.order_by("ordinal").values_list("text", flat=True))
    return Query(
        text=segment.text if text is None else text,
        context=context,
        speaker=segment.speaker,
        day=segment.transcript.event_date,
    )


def suggest_for_segment(segment: Segment, *, limit: int = 10) -> list[Suggestion]:
    return suggest(segment_query(segment), limit=limit)


# ---------------------------------------------------------------- vectors


def embed_missing(*, progress: Callable[[int], None] | None = None) -> int:
    """Compute the vectors of every fact-check that has none for its current content.
    Returns how many were computed; each batch commits on its own."""
    done = 0
    while True:
        batch = list(
            FactCheck.objects.exclude(
                pk__in=FactCheckVector.objects.filter(
                    model=encoder.MODEL_NAME, digest=F("factcheck__digest")
                ).values("factcheck_id")
            )
            .order_by("pk")
            .values_list("pk", "claim_reviewed", "headline", "digest")[:EMBED_BATCH]
        )
        if not batch:
            return done
        claims = encoder.encode([claim for _, claim, _, _ in batch])
        headlines = encoder.encode([headline for _, _, headline, _ in batch])
        with transaction.atomic():
            FactCheckVector.objects.filter(factcheck_id__in=[row[0] for row in batch]).delete()
            FactCheckVector.objects.bulk_create(
                FactCheckVector(
                    factcheck_id=pk,
                    model=encoder.MODEL_NAME,
                    digest=digest,
                    claim=encoder.to_bytes(claims[i]),
                    headline=encoder.to_bytes(headlines[i]),
                )
                for i, (pk, _, _, digest) in enumerate(batch)
            )
        done += len(batch)
        if progress:
            progress(len(batch))


# ---------------------------------------------------------------- what people say


@ledger.atomic
def record_feedback(
    *,
    actor,
    factcheck: FactCheck,
    outcome: str,
    text: str,
    segment: Segment | None = None,
    annotation=None,
    score: float | None = None,
    rank: int | None = None,
) -> MatchFeedback:
    """A person's word on a suggestion (used as a citation, or not a match), on the ledger."""
    if not workflow.may(Action.CREATE, roles_of(actor)) and not workflow.may(
        Action.REVIEW, roles_of(actor)
    ):
        raise NotAllowed("only team members may judge suggestions")
    if outcome not in Outcome.values:
        raise InvalidInput(
            f"outcome must be one of {', '.join(Outcome.values)}", fields={"outcome": ["invalid"]}
        )
    if not text.strip() or len(text) > MAX_TEXT:
        raise InvalidInput(
            "the words the suggestion was for are needed", fields={"text": ["required"]}
        )
    feedback = MatchFeedback.objects.create(
        factcheck=factcheck,
        segment=segment,
        annotation=annotation,
        text=text,
        outcome=outcome,
        score=score,
        rank=rank,
        created_by=actor,
    )
    ledger.append(
        actor=actor,
        action=MatchingAction.SUGGESTION_USED
        if outcome == Outcome.USED
        else MatchingAction.SUGGESTION_REFUSED,
        obj=feedback,
        state={
            "factcheck": str(factcheck.pk),
            "factcheck_url": factcheck.url,
            "segment": str(segment.pk) if segment else None,
            "annotation": str(annotation.pk) if annotation else None,
            "text": text,
            "outcome": outcome,
            "score": score,
            "rank": rank,
        },
    )
    return feedback


# ---------------------------------------------------------------- training


@ledger.atomic
def store_ranker(
    *, actor, weights: Weights, cv_map_at_5: float, c: float, trained_on: dict
) -> Ranker:
    """Make a trained ranker the active one, on the ledger."""
    Ranker.objects.filter(active=True).update(active=False)
    ranker = Ranker.objects.create(
        weights=weights.weights,
        intercept=weights.intercept,
        regularisation=c,
        cv_map_at_5=cv_map_at_5,
        trained_on=trained_on,
        created_by=actor,
    )
    ledger.append(
        actor=actor,
        action=MatchingAction.RANKER_TRAIN,
        obj=ranker,
        state={
            "weights": weights.weights,
            "intercept": weights.intercept,
            "regularisation": c,
            "cv_map_at_5": cv_map_at_5,
            "trained_on": trained_on,
        },
    )
    transaction.on_commit(forget_index)
    return ranker
