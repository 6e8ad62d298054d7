"""Matching's ledger actions, registered with :mod:`archive.actions`."""

from __future__ import annotations

from enum import StrEnum

from archive import actions


class MatchingAction(StrEnum):
    # A person used a suggested fact-check (as a citation) or said it is not a match.
    SUGGESTION_USED = "match.use"
    SUGGESTION_REFUSED = "match.refuse"
    # A ranker was trained and made the active one.
    RANKER_TRAIN = "ranker.train"


actions.register(MatchingAction)
