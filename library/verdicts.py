"""From a rating as a fact-checker published it to Claimtrail's verdict scale, where it maps.

Pure functions. :func:`verdict_for` tries the rating's name first (the words a reader
sees: "Pants on Fire!", "Mostly False", "Mixture"), then its number when the scale is
given (``ratingValue`` with both ``bestRating`` and ``worstRating``). A rating that maps
to neither is left without a verdict (``""``): guessing would put words in a
fact-checker's mouth.

The names are compared normalised (:func:`normalise`): lower case, accents kept,
punctuation and the separators ``- _ /`` turned into single spaces. A long rating such
as ``"False. The photo is from 2015."`` is tried whole, then by its first clause
(up to the first ``.``, ``:``, ``;``, ``,``, ``(`` or dash), never by a word found
inside it ("not false" is not "false").

How the scale was chosen:

* PolitiFact's Truth-O-Meter maps one to one, with ``half-true`` as ``mixed`` and
  ``pants-fire`` (the most false rating) as ``false``; ``barely-true`` is its former
  name for ``mostly-false``. The Flip-O-Meter (``full-flop``, ``half-flip``,
  ``no-flip``) rates consistency, not truth: no verdict.
* Snopes' ``mixture``, AFP's and others' ``partly false`` / ``partly true`` /
  ``missing context`` mean "some of it holds": ``mixed``.
* ``misleading`` (and ``exaggerated``, ``distorts the facts``) says the claim leaves a
  false impression although parts of it are accurate: ``mostly-false``.
* ``unproven``, ``unverified``, ``unsupported``, ``no evidence`` and the like say the
  evidence does not settle it: ``unverifiable``. ``satire``, ``opinion``: no verdict
  (``not-checkable`` is the team's judgement of a claim, not a publisher's rating).

Numbers: the value's place between worst and best, ``f = (value - worst) / (best -
worst)``, is put on the five rated steps (``false`` 1 … ``true`` 5, as
``annotate.models.VERDICT_RATINGS``) by ``round(1 + 4 f)``, halves rounded up. That is
an approximation for scales of other lengths (on a six-step scale the second step
lands on ``mostly-false``), and used only when the name does not map.
"""

from __future__ import annotations

import math
import re

from annotate.models import VERDICT_RATINGS, Verdict

# Normalised rating name -> verdict.
NAMES: dict[str, Verdict] = {}


def _names(verdict: Verdict, *names: str) -> None:
    for name in names:
        NAMES[normalise_name(name)] = verdict


def normalise_name(name: str) -> str:
    """``name`` as the table compares it: lower case, words separated by single spaces."""
    text = name.casefold().replace("’", "'")
    text = re.sub(r"[\s\-_/.!?,:;\"“”«»()\[\]]+", " ", text)
    return text.strip()


_names(
    Verdict.TRUE,
    "true",
    "correct",
    "accurate",
    "correct attribution",
    "verdadero",
    "verdadeiro",
    "vrai",
    "wahr",
    "richtig",
    "vero",
    "geppetto checkmark",
)
_names(
    Verdict.MOSTLY_TRUE,
    "mostly true",
    "mostly correct",
    "mostly accurate",
    "largely true",
    "largely accurate",
    "one pinocchio",
    "casi verdadero",
    "plutôt vrai",
    "überwiegend richtig",
)
_names(
    Verdict.MIXED,
    "half true",
    "half-true",
    "mixed",
    "mixture",
    "mixed evidence",
    "partly true",
    "partially true",
    "partly false",
    "partially false",
    "partly correct",
    "half correct",
    "missing context",
    "needs context",
    "lacks context",
    "cherry picks",
    "two pinocchios",
    "medio verdadero",
    "verdad a medias",
    "parcialmente falso",
    "parcialmente verdadero",
    "parcialmente verdadeiro",
    "en partie faux",
    "partiellement faux",
    "teilweise falsch",
    "teilweise richtig",
)
_names(
    Verdict.MOSTLY_FALSE,
    "mostly false",
    "mostly-false",
    "barely true",
    "barely-true",
    "largely false",
    "mostly inaccurate",
    "misleading",
    "exaggerated",
    "exaggeration",
    "distorts the facts",
    "three pinocchios",
    "engañoso",
    "enganoso",
    "enganador",
    "trompeur",
    "irreführend",
    "fuorviante",
    "casi falso",
    "plutôt faux",
    "überwiegend falsch",
)
_names(
    Verdict.FALSE,
    "false",
    "pants on fire",
    "pants fire",
    "pants-fire",
    "incorrect",
    "inaccurate",
    "wrong",
    "fake",
    "fabricated",
    "altered",
    "scam",
    "hoax",
    "baseless",
    "four pinocchios",
    "falso",
    "faux",
    "falsch",
    "fake news",
)
_names(
    Verdict.UNVERIFIABLE,
    "unproven",
    "unverified",
    "unverifiable",
    "unsupported",
    "unsubstantiated",
    "no evidence",
    "insufficient evidence",
    "not enough evidence",
    "research in progress",
    "sin evidencia",
    "no verificable",
    "invérifiable",
    "unbelegt",
)

# A long rating is also tried by its first clause.
_CLAUSE_END = re.compile(r"[.:;,(—–]| - ")


def verdict_for(
    name: str = "",
    value: float | None = None,
    best: float | None = None,
    worst: float | None = None,
) -> str:
    """The verdict a published rating maps to, or ``""`` when it does not map."""
    by_name = verdict_for_name(name)
    if by_name:
        return by_name
    return verdict_for_number(value, best, worst)


def verdict_for_name(name: str) -> str:
    """The verdict a rating's name maps to (whole, then its first clause), or ``""``."""
    if not name:
        return ""
    found = NAMES.get(normalise_name(name))
    if found is None:
        clause = _CLAUSE_END.split(name.strip(), maxsplit=1)[0]
        found = NAMES.get(normalise_name(clause))
    return found.value if found is not None else ""


def verdict_for_number(value: float | None, best: float | None, worst: float | None) -> str:
    """The verdict of ``value`` on the scale from ``worst`` to ``best``, or ``""``.

    Only with all three finite and ``value`` on the scale (either way round: a scale
    may run from 5 for the worst to 1 for the best).
    """
    if value is None or best is None or worst is None:
        return ""
    if not all(math.isfinite(number) for number in (value, best, worst)) or best == worst:
        return ""
    share = (value - worst) / (best - worst)
    if not 0 <= share <= 1:
        return ""  # off the scale: often -1 for "not rated"
    step = math.floor(1 + 4 * share + 0.5)
    for verdict, rating in VERDICT_RATINGS.items():
        if rating == step:
            return verdict.value
    return ""  # pragma: no cover - every step from 1 to 5 has a verdict
