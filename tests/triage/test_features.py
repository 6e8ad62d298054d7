"""The stated heuristic scores before any training: quantities up, questions and asides down."""

from __future__ import annotations

from collections import Counter

from triage.features import NAMES, Item, heuristic_scores, transcript_features


def test_a_quantified_claim_outranks_a_question_and_a_thank_you():
    items = [
        Item("Thank you very much.", "HOST"),
        Item("What would you do about it?", "HOST"),
        Item("We cut taxes by 4.2 percent, more than $4,300 per family, in 2017.", "MAYOR"),
        Item("I think we're going to do great things.", "MAYOR"),
    ]

    scores = heuristic_scores(items)

    assert scores.argmax() == 2
    assert all(0 < score < 1 for score in scores)
    assert scores[2] > scores[3] > 0


def test_speaker_share_reads_the_whole_transcript_even_for_a_part():
    items = [Item("One.", "A"), Item("Two.", "A"), Item("Three.", "B"), Item("Four.", "a ")]
    share = NAMES.index("speaker_share")

    whole = transcript_features(items)
    part = transcript_features(items[2:], counts=Counter(A=3, B=1))

    assert list(whole[:, share]) == [0.75, 0.75, 0.25, 0.75]  # "a " is "A"
    assert list(part[:, share]) == [0.25, 0.75]
