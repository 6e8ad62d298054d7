"""triage's ledger actions, registered with :mod:`archive.actions`."""

from __future__ import annotations

from enum import StrEnum

from archive import actions


class TriageAction(StrEnum):
    # A check-worthiness model was trained and became the active one.
    MODEL_TRAIN = "triage.train"
    # Every transcript's sentences were scored again by the active model.
    SCORES_RECOMPUTE = "triage.rescore"
    # A person said a sentence is not worth checking (a negative for training).
    SENTENCE_DISMISS = "sentence.dismiss"


actions.register(TriageAction)
