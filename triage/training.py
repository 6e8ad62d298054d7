"""Training data and cross-validation by transcript: pure functions, no database.

A training set is a list of :class:`LabelledTranscript` (sentences in order, one 0/1
label each), whether read from CheckThat! files (:func:`read_labelled`) or built from
the team's annotations (``triage.services``). Cross-validation always holds out whole
transcripts, so no fold is scored on a transcript it was trained on: leave one
transcript out by default, or ``folds`` groups of transcripts (scikit-learn's
GroupKFold) for large sets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import GroupKFold

from archive.importers import tsv
from archive.importers.base import DocumentError
from archive.importers.decoding import decode
from common.errors import InvalidInput
from triage.evaluation import Report, evaluate
from triage.features import Item
from triage.model import CheckworthinessModel


@dataclass
class LabelledTranscript:
    name: str
    items: list[Item]
    labels: list[int]
    sha256: str = ""
    # Provenance beyond the name (where the labels came from), kept with the model.
    origin: dict = field(default_factory=dict)

    @property
    def positives(self) -> int:
        return sum(self.labels)


def read_labelled(data: bytes, *, name: str) -> LabelledTranscript:
    """One CheckThat! 2019 file: ``line_number TAB speaker TAB text TAB label`` a line.

    Every non-blank line must be such a row with a label of 0 or 1: a labelled set with
    a line it cannot read is refused as a whole (:class:`~common.errors.InvalidInput`,
    naming the line), because a silently skipped label changes what the model learns.
    """
    try:
        text = decode(data)
    except DocumentError as error:
        raise InvalidInput(f"{name}: {error}") from None
    items: list[Item] = []
    labels: list[int] = []
    for number, row in enumerate(tsv.rows(text), start=1):
        fields = [text[start:end] for start, end in row.fields]
        if not tsv.is_row(text, row) or len(fields) < 4:
            raise InvalidInput(f"{name}: line {number} is not line TAB speaker TAB text TAB label")
        label = fields[3].strip()
        if label not in ("0", "1"):
            raise InvalidInput(f"{name}: line {number} has label {label!r}, not 0 or 1")
        items.append(Item(text=fields[2].strip(), speaker=fields[1].strip()))
        labels.append(int(label))
    if not items:
        raise InvalidInput(f"{name}: no labelled lines")
    return LabelledTranscript(
        name=name, items=items, labels=labels, sha256=hashlib.sha256(data).hexdigest()
    )


@dataclass
class CrossValidation:
    report: Report
    folds: int
    scheme: str

    def as_dict(self) -> dict:
        return {"scheme": self.scheme, "folds": self.folds, **self.report.as_dict()}


def cross_validate(
    transcripts: list[LabelledTranscript],
    *,
    folds: int | None = None,
    embeddings: bool = False,
    on_fold: Callable[[int, int], None] | None = None,
) -> CrossValidation:
    """Out-of-fold scores for every transcript, measured by :func:`triage.evaluation.evaluate`.

    ``folds=None`` leaves one transcript out at a time; otherwise GroupKFold with that
    many folds. A fold whose training part has no positive is scored by nothing better
    than file order (all zeros), which is what such a model would know.
    """
    count = len(transcripts)
    if count < 2:
        raise InvalidInput("cross-validation by transcript needs two transcripts or more")
    if folds is None:
        splits = [([j for j in range(count) if j != i], [i]) for i in range(count)]
        scheme = "leave-one-transcript-out"
    else:
        if not 2 <= folds <= count:
            raise InvalidInput(f"--folds must be from 2 to the {count} transcripts")
        groups = np.arange(count)
        splits = [
            (train.tolist(), test.tolist())
            for train, test in GroupKFold(n_splits=folds).split(groups, groups=groups)
        ]
        scheme = f"group-{folds}-fold"
    scores: list[np.ndarray | None] = [None] * count
    for number, (train, test) in enumerate(splits, start=1):
        held_in = [transcripts[i] for i in train]
        if any(t.positives for t in held_in) and any(len(t.labels) > t.positives for t in held_in):
            model = CheckworthinessModel.fit(
                [t.items for t in held_in], [t.labels for t in held_in], embeddings=embeddings
            )
            for index, found in zip(
                test, model.score_many([transcripts[i].items for i in test]), strict=True
            ):
                scores[index] = found
        else:
            for index in test:
                scores[index] = np.zeros(len(transcripts[index].items))
        if on_fold:
            on_fold(number, len(splits))
    report = evaluate(
        [(t.name, s.tolist(), t.labels) for t, s in zip(transcripts, scores, strict=True)]
    )
    return CrossValidation(report=report, folds=len(splits), scheme=scheme)


def fit(transcripts: list[LabelledTranscript], *, embeddings: bool = False) -> CheckworthinessModel:
    """The model trained on every transcript given."""
    return CheckworthinessModel.fit(
        [t.items for t in transcripts], [t.labels for t in transcripts], embeddings=embeddings
    )
