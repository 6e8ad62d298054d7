"""Writes of claim triage: sentences and their scores, dismissals, training.

Every function here is the one door for its change. Sentences are derived from the
archive (split by :mod:`triage.sentences`, scored by the active model or, before any
training, by the stated heuristic of :mod:`triage.features`); a person's dismissal and
every training and rescoring are ledger events. Scoring a newly imported transcript is
not a separate event: its sentences follow from the import's own event (the archived
text), the splitter and the model each sentence names in ``scored_by``.
"""

from __future__ import annotations

import hashlib
import logging
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from annotate.workflow import ROLES_FOR, Action
from archive import ledger
from archive.models import Segment, Transcript
from common.errors import InvalidInput, NotAllowed
from common.roles import roles_of
from triage import selectors, training
from triage.actions import TriageAction
from triage.features import HEURISTIC, Item, heuristic_scores, speaker_key
from triage.model import CheckworthinessModel, ModelFormatError
from triage.models import Sentence, TriageModel
from triage.sentences import SPLITTER, split

logger = logging.getLogger(__name__)

# Who may dismiss a sentence: those who decide what gets annotated.
DISMISS_ROLES = ROLES_FOR[Action.CREATE]
# The worker's task, by name, not imported: triage.tasks is the shell that calls this module.
RESCORE_TASK = "triage.tasks.rescore_all"
SEGMENT_CHUNK = 2000
INSERT_BATCH = 5000


# ---------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Scorer:
    """The active model (``row`` is its TriageModel), or the heuristic (``row`` None)."""

    row: TriageModel | None
    model: CheckworthinessModel | None

    @property
    def label(self) -> str:
        return HEURISTIC if self.row is None else f"model {self.row.pk}"

    def score(self, items: list[Item], counts: Counter | None = None) -> np.ndarray:
        """Check-worthiness of ``items`` (a transcript, or part of one with its counts)."""
        if self.model is None:
            return heuristic_scores(items, counts)
        return self.model.score(items, counts)


_loaded: dict[str, CheckworthinessModel] = {}


def active_scorer() -> Scorer:
    """The scorer new sentences get: the active model, else the heuristic.

    A model's bytes are read once per process (keyed by id and sha256). A stored model
    this code cannot read is logged and the heuristic scores instead, so an import
    never fails for want of a model.
    """
    row = TriageModel.objects.filter(active=True).defer("data").first()
    if row is None:
        return Scorer(None, None)
    return scorer_for(row)


def scorer_for(row: TriageModel) -> Scorer:
    """The scorer of one stored model (the heuristic when its bytes cannot be read)."""
    key = f"{row.pk}:{row.sha256}"
    model = _loaded.get(key)
    if model is None:
        data = bytes(TriageModel.objects.values_list("data", flat=True).get(pk=row.pk))
        try:
            if hashlib.sha256(data).hexdigest() != row.sha256:
                raise ModelFormatError("its bytes do not match their sha256")
            model = CheckworthinessModel.from_bytes(data)
        except ModelFormatError as error:
            logger.error("triage model %s cannot be used (%s); the heuristic scores", row.pk, error)
            return Scorer(None, None)
        _loaded.clear()  # one model in memory: the active one
        _loaded[key] = model
    return Scorer(row, model)


# ---------------------------------------------------------------- sentences


def _segments(transcript_id) -> Iterator[tuple]:
    return (
        Segment.objects.filter(transcript_id=transcript_id)
        .order_by("ordinal")
        .values_list("id", "ordinal", "text", "speaker")
        .iterator(chunk_size=SEGMENT_CHUNK)
    )


def _previous_splits(transcript: Transcript) -> dict[str, list[tuple[int, int]]]:
    """For a revision, the sentence spans of the previous revision's segments by their
    text: splitting is a function of the text alone, and most segments of a revision are
    the same, so their spans are taken rather than computed again."""
    if not getattr(transcript, "revision_of_id", None):
        return {}
    known: dict[str, list] = {}
    rows = (
        Sentence.objects.filter(transcript_id=transcript.revision_of_id)
        .order_by("segment_ordinal", "ordinal")
        .values_list("segment__text", "start", "end", "segment_id")
        .iterator(chunk_size=SEGMENT_CHUNK)
    )
    current = None
    for text, start, end, segment_id in rows:
        if segment_id != current:
            current = segment_id
            fresh = text not in known
            if fresh:
                known[text] = []
        if fresh:
            known[text].append(_Bounds(start, end))
    return known


@dataclass(frozen=True, slots=True)
class _Bounds:
    start: int
    end: int


def transcript_sentences_create(*, transcript: Transcript, scorer: Scorer | None = None) -> int:
    """Split a transcript's segments into sentences and store them scored; how many.

    Does nothing (0) when the transcript already has sentences, so it is safe to call
    again (after a restore, or for transcripts imported before triage existed). Runs
    inside the caller's transaction when there is one (the import's). Memory stays
    bounded for any size: a first pass keeps only the spans and the speakers' counts,
    a second scores and writes a chunk of segments at a time.
    """
    if Sentence.objects.filter(transcript_id=transcript.pk).exists():
        return 0
    scorer = scorer or active_scorer()
    bounds = array("L")  # start, end of every sentence, in reading order
    per_segment = array("L")
    counts: Counter = Counter()
    known = _previous_splits(transcript)
    for _id, _ordinal, text, speaker in _segments(transcript.pk):
        spans = known.get(text) or split(text)
        per_segment.append(len(spans))
        counts[speaker_key(speaker)] += len(spans)
        for span in spans:
            bounds.extend((span.start, span.end))
    written = 0
    sentence = 0
    batch: list[Sentence] = []
    chunk: list[tuple] = []

    def flush_chunk():
        nonlocal sentence
        rows = []
        for (segment_id, ordinal, text, speaker), count in chunk:
            for number in range(1, count + 1):
                start, end = bounds[2 * sentence], bounds[2 * sentence + 1]
                rows.append((segment_id, ordinal, number, start, end, text[start:end], speaker))
                sentence += 1
        scores = scorer.score([Item(row[5], row[6]) for row in rows], counts)
        for row, score in zip(rows, scores, strict=True):
            batch.append(
                Sentence(
                    segment_id=row[0],
                    transcript_id=transcript.pk,
                    segment_ordinal=row[1],
                    ordinal=row[2],
                    start=row[3],
                    end=row[4],
                    text=row[5],
                    checkworthiness=_clamped(score),
                    scored_by=scorer.row,
                )
            )
        chunk.clear()

    with transaction.atomic():
        for index, row in enumerate(_segments(transcript.pk)):
            chunk.append((row, per_segment[index]))
            if len(chunk) >= SEGMENT_CHUNK:
                flush_chunk()
            if len(batch) >= INSERT_BATCH:
                written += _insert(batch)
        if chunk:
            flush_chunk()
        written += _insert(batch)
    return written


def _insert(batch: list[Sentence]) -> int:
    # Two callers filling the same transcript at once (two first reads of a restored
    # transcript): the unique (segment, ordinal) keeps one set, the other adds nothing.
    Sentence.objects.bulk_create(batch, batch_size=INSERT_BATCH, ignore_conflicts=True)
    count = len(batch)
    batch.clear()
    return count


def _clamped(score) -> float:
    # The database refuses a score outside [0, 1]; a probability can round to either end.
    return min(1.0, max(0.0, float(score)))


def transcript_sentences_ensure(transcript: Transcript) -> None:
    """Make sure ``transcript`` has its sentences (restored or older transcripts may not):
    the triage views call it, so they never show a transcript unscored."""
    transcript_sentences_create(transcript=transcript)


# ---------------------------------------------------------------- dismissals


def may_dismiss(user) -> bool:
    """Whether ``user`` may dismiss sentences (annotators and editors)."""
    return bool(roles_of(user) & DISMISS_ROLES)


@ledger.atomic
def sentence_dismiss(*, actor, sentence: Sentence, reason: str = "") -> Sentence:
    """Record that ``actor`` finds ``sentence`` not worth checking (a training negative).

    Refused (:class:`~common.errors.NotAllowed`) unless the actor may dismiss. A
    sentence already dismissed is returned as it is, with no second event.
    """
    if not may_dismiss(actor):
        names = " or ".join(sorted(role.value.lower() for role in DISMISS_ROLES))
        raise NotAllowed(f"only an {names} may dismiss a sentence")
    locked = Sentence.objects.select_for_update().filter(pk=sentence.pk).first()
    if locked is None:
        raise InvalidInput("no such sentence")
    if locked.dismissed:
        return locked
    locked.dismissed = True
    locked.dismissed_by = actor
    locked.dismissed_at = timezone.now()
    locked.save(update_fields=["dismissed", "dismissed_by", "dismissed_at"])
    ledger.append(
        actor=actor,
        action=TriageAction.SENTENCE_DISMISS,
        obj=locked,
        state={
            "segment_id": str(locked.segment_id),
            "transcript_id": str(locked.transcript_id),
            "start": locked.start,
            "end": locked.end,
            "text": locked.text,
            "checkworthiness": locked.checkworthiness,
            "scored_by": str(locked.scored_by_id) if locked.scored_by_id else HEURISTIC,
        },
        reason=reason,
    )
    return locked


# ---------------------------------------------------------------- training


@dataclass
class TrainingResult:
    model: TriageModel
    cross_validation: training.CrossValidation | None
    transcripts: int
    sentences: int
    positives: int
    rescored: RescoreResult | None = None
    sources: dict = field(default_factory=dict)


def triage_train(
    *,
    actor,
    labelled: list[training.LabelledTranscript] = (),
    from_annotations: bool = False,
    cross_validate: bool = False,
    folds: int | None = None,
    embeddings: bool = False,
    rescore: str = "now",
    reason: str = "",
    on_fold: Callable[[int, int], None] | None = None,
) -> TrainingResult:
    """Train a model on labelled transcripts and/or the team's annotations, and make it
    the active one; then score every transcript again with it.

    ``rescore`` is ``"now"`` (here, before returning: the command's synchronous path),
    ``"queue"`` (a worker task, once the model is committed) or ``"no"``. Fitting and
    cross-validation happen before the one transaction that stores the model, retires
    the previous active one and writes the ``triage.train`` event.
    """
    sets = list(labelled)
    annotation_counts = None
    if from_annotations:
        built, annotation_counts = selectors.annotation_training_set()
        sets += built
    if not sets:
        raise InvalidInput("nothing to train on: give labelled files or use the annotations")
    sentences = sum(len(t.labels) for t in sets)
    positives = sum(t.positives for t in sets)
    if not positives or positives == sentences:
        raise InvalidInput(
            f"training needs check-worthy and other sentences; got {positives} of {sentences}"
        )
    evaluation = None
    if cross_validate:
        evaluation = training.cross_validate(
            sets, folds=folds, embeddings=embeddings, on_fold=on_fold
        )
    model = training.fit(sets, embeddings=embeddings)
    data = model.to_bytes()
    trained_on = {
        "splitter": SPLITTER,
        "files": [
            {
                "name": t.name,
                "sha256": t.sha256,
                "sentences": len(t.labels),
                "positives": t.positives,
            }
            for t in labelled
        ],
        "annotations": annotation_counts,
    }
    row = _store_model(
        actor=actor,
        data=data,
        model=model,
        trained_on=trained_on,
        sentences=sentences,
        positives=positives,
        evaluation=evaluation,
        reason=reason,
    )
    result = TrainingResult(
        model=row,
        cross_validation=evaluation,
        transcripts=len(sets),
        sentences=sentences,
        positives=positives,
        sources=trained_on,
    )
    if rescore == "now":
        result.rescored = sentences_rescore(actor=actor, model=row, reason="a new model")
    elif rescore == "queue":
        rescore_all = import_string(RESCORE_TASK)
        transaction.on_commit(lambda: rescore_all.enqueue(str(row.pk)))
    return result


@ledger.atomic
def _store_model(
    *, actor, data, model, trained_on, sentences, positives, evaluation, reason
) -> TriageModel:
    TriageModel.objects.filter(active=True).update(active=False)
    row = TriageModel.objects.create(
        created_by=actor if getattr(actor, "pk", None) else None,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        size=model.size,
        embeddings=model.embeddings,
        trained_on=trained_on,
        sentence_count=sentences,
        positive_count=positives,
        cross_validation=evaluation.as_dict() if evaluation else None,
        cv_map=evaluation.report.map if evaluation else None,
        active=True,
        reason=reason,
    )
    ledger.append(
        actor=actor,
        action=TriageAction.MODEL_TRAIN,
        obj=row,
        state={
            "sha256": row.sha256,
            "size": row.size,
            "embeddings": row.embeddings,
            "trained_on": trained_on,
            "sentences": sentences,
            "positives": positives,
            "cross_validation": (
                {k: v for k, v in evaluation.as_dict().items() if k != "per_transcript"}
                if evaluation
                else None
            ),
        },
        reason=reason,
    )
    return row


@dataclass
class RescoreResult:
    transcripts: int = 0
    sentences: int = 0
    created: int = 0
    stopped: bool = False


def sentences_rescore(
    *, actor=None, model: TriageModel | None = None, reason: str = ""
) -> RescoreResult:
    """Score every transcript's sentences again with ``model`` (default: the active one,
    or the heuristic when there is none); transcripts without sentences get them.

    One transaction per transcript, so readers see a transcript scored by one model or
    the other, never half and half; it stops (``stopped``) as soon as ``model`` is no
    longer the active one, since a newer model's own rescoring takes over. One
    ``triage.rescore`` event at the end says what was scored by what.
    """
    scorer = scorer_for(model) if model is not None else active_scorer()
    result = RescoreResult()
    for transcript in Transcript.objects.order_by("created_at", "id").only("id"):
        if model is not None and not TriageModel.objects.filter(pk=model.pk, active=True).exists():
            result.stopped = True
            break
        with transaction.atomic():
            created = transcript_sentences_create(transcript=transcript, scorer=scorer)
            result.created += created
            result.sentences += created or _rescore_transcript(transcript, scorer)
        result.transcripts += 1
    with transaction.atomic():
        ledger.append(
            actor=actor,
            action=TriageAction.SCORES_RECOMPUTE,
            object_type="triage.triagemodel",
            object_id=str(scorer.row.pk) if scorer.row else HEURISTIC,
            state={
                "scorer": scorer.label,
                "transcripts": result.transcripts,
                "sentences": result.sentences,
                "created": result.created,
                "stopped": result.stopped,
            },
            reason=reason,
        )
    return result


def _rescore_transcript(transcript: Transcript, scorer: Scorer) -> int:
    rows = list(
        Sentence.objects.filter(transcript_id=transcript.pk)
        .order_by("segment_ordinal", "ordinal")
        .values_list("id", "text", "segment__speaker")
    )
    if not rows:
        return 0
    scores = scorer.score([Item(text, speaker) for _id, text, speaker in rows])
    updated = [
        Sentence(id=pk, checkworthiness=_clamped(score), scored_by=scorer.row)
        for (pk, _text, _speaker), score in zip(rows, scores, strict=True)
    ]
    Sentence.objects.bulk_update(updated, ["checkworthiness", "scored_by"], batch_size=1000)
    return len(updated)
