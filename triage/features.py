"""The stated features of a sentence, and the heuristic that scores before any training.

Pure functions over plain values. A transcript is a list of :class:`Item` in reading
order; some features read the whole transcript (how much of it the speaker says), so
features are always computed for a transcript at a time.

The heuristic (used while no model is trained, and whenever the active model cannot be
used) is a fixed weighted sum of the same features, squashed into (0, 1):

* up: a number (+1.2), a percentage (+0.8), an amount of money or a large quantity
  ("$", "dollars", "million", "billion"...) (+0.8), a year (+0.5), comparatives and
  superlatives ("more", "than", "highest", "record", "doubled"...) (+0.4 each, two at
  most), claim verbs ("voted", "cut", "raised", "increased", "created", "lost"...)
  (+0.5 each, two at most), capitalised names inside the sentence (+0.15 each, four
  at most);
* down: a question (-1.0), fewer than five words (-1.2), opinion, promise and stage
  markers ("I think", "we're going to", "thank you", "applause") (-0.6 each).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

FEATURES_VERSION = "features@1"


@dataclass(frozen=True, slots=True)
class Item:
    """One sentence as the features see it: its words and who said them."""

    text: str
    speaker: str = ""


_NUMBER = re.compile(r"\d")
_PERCENT = re.compile(r"\b(?:percent|per cent|percentage|percentage points?)\b|%", re.I)
_MONEY = re.compile(
    r"[$€£]|\b(?:dollars?|euros?|pounds?|cents?|million|billion|trillion|thousand|hundred)\b",
    re.I,
)
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_COMPARATIVE = re.compile(
    r"\b(?:more|less|fewer|most|least|than|highest|lowest|largest|biggest|smallest|"
    r"record|never|ever|only|first|best|worst|double|doubled|tripled|half|twice)\b",
    re.I,
)
_CLAIM_VERB = re.compile(
    r"\b(?:said|says|voted|votes?|increased?|decreased?|cut|cuts|raised?|grew|grow|fell|"
    r"lost|lose|created?|spent|spend|paid|pays?|tax(?:es)?|jobs?|killed|passed|signed|"
    r"supported|opposed|rose|dropped|went up|went down|banned|approved)\b",
    re.I,
)
_OPINION = re.compile(
    r"\b(?:I think|I believe|I feel|thank you|thanks|applause|laughter|crosstalk|"
    r"we will|we're going to|I will|I'm going to|going to)\b",
    re.I,
)
_WORD = re.compile(r"\w+")
# A capitalised word that does not open the sentence (or follow its end): a name.
_NAME = re.compile(r"(?<!^)(?<![.!?] )\b[A-Z][a-z]+")
# Labels that stand for no single person: stage directions and the audience.
NOT_A_PERSON = frozenset({"SYSTEM", "AUDIENCE", "AUDIENCE MEMBERS", "CROWD", "UNKNOWN"})

NAMES = (
    "number",
    "many_numbers",
    "percent",
    "money",
    "year",
    "comparatives",
    "claim_verbs",
    "opinion",
    "log_words",
    "short",
    "question",
    "names",
    "speaker_share",
    "main_speaker",
    "not_a_person",
)


def sentence_features(text: str) -> list[float]:
    """The features of one sentence's words (the first twelve of :data:`NAMES`)."""
    words = _WORD.findall(text)
    return [
        float(bool(_NUMBER.search(text))),
        float(len(_NUMBER.findall(text)) > 3),
        float(bool(_PERCENT.search(text))),
        float(bool(_MONEY.search(text))),
        float(bool(_YEAR.search(text))),
        float(len(_COMPARATIVE.findall(text))),
        float(len(_CLAIM_VERB.findall(text))),
        float(len(_OPINION.findall(text))),
        math.log1p(len(words)),
        float(len(words) < 5),
        float(text.rstrip().endswith("?")),
        float(len(_NAME.findall(text))),
    ]


def speaker_counts(items: list[Item]) -> Counter:
    """How many sentences each speaker says (labels compared without case or extra blanks)."""
    return Counter(speaker_key(item.speaker) for item in items)


def transcript_features(items: list[Item], counts: Counter | None = None) -> np.ndarray:
    """One row of :data:`NAMES` per item: the sentence's own features, then the speaker's
    share of the transcript's sentences, whether that is the largest share, and whether
    the label names no single person.

    ``items`` is a whole transcript, or a part of one with ``counts`` the whole
    transcript's :func:`speaker_counts` (a large transcript is scored a part at a time).
    """
    rows = np.zeros((len(items), len(NAMES)), dtype=np.float64)
    if not items:
        return rows
    counts = counts or speaker_counts(items)
    total = sum(counts.values())
    largest = max(counts.values())
    for index, item in enumerate(items):
        key = speaker_key(item.speaker)
        rows[index, :12] = sentence_features(item.text)
        rows[index, 12] = counts[key] / total
        rows[index, 13] = float(counts[key] == largest)
        rows[index, 14] = float(key in NOT_A_PERSON)
    return rows


def speaker_key(speaker: str) -> str:
    """A speaker label as compared: upper case, blanks collapsed."""
    return " ".join(speaker.split()).upper()


HEURISTIC = "heuristic@1"
_WEIGHTS = {
    "number": 1.2,
    "percent": 0.8,
    "money": 0.8,
    "year": 0.5,
    "question": -1.0,
    "short": -1.2,
}
_CAPPED = {"comparatives": (0.4, 2), "claim_verbs": (0.5, 2), "names": (0.15, 4)}
_BIAS = -2.0


def heuristic_scores(items: list[Item], counts: Counter | None = None) -> np.ndarray:
    """Check-worthiness in (0, 1) by the fixed rule in the module docstring."""
    rows = transcript_features(items, counts)
    column = {name: index for index, name in enumerate(NAMES)}
    logit = np.full(len(items), _BIAS)
    for name, weight in _WEIGHTS.items():
        logit += weight * rows[:, column[name]]
    for name, (weight, cap) in _CAPPED.items():
        logit += weight * np.minimum(rows[:, column[name]], cap)
    logit += -0.6 * rows[:, column["opinion"]]
    return 1.0 / (1.0 + np.exp(-logit))
