"""Properties of carrying annotations across revisions (annotate.anchoring), over
generated transcripts and the edits live reports go through (bench/revision_edits.py
keeps, for every character, where it came from: the ground truth)."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate import anchoring
from bench import revision_edits as gen

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _case(seed: int, segments: int, count: int, share: float, words=gen.INSERTED):
    rng = random.Random(seed)
    old = gen.transcript(rng, segments)
    found = gen.annotations(rng, old, count)
    doc = gen.revise(rng, old, share, words=words)
    new = gen.texts_of(doc)
    spans = [anchoring.Span(a.key, a.segment, a.start, a.end) for a in found]
    return old, new, doc, found, anchoring.carry(old, new, spans)


@SETTINGS
@given(
    seed=st.integers(0, 2**32),
    segments=st.integers(1, 40),
    share=st.sampled_from([0.05, 0.2, 0.5, 1.0]),
    same_words=st.booleans(),
)
def test_a_carried_quote_is_its_new_span_and_its_surroundings_agree(
    seed, segments, share, same_words
):
    """Even when edits write the very words of the transcript (``same_words``)."""
    words = gen.WORDS if same_words else gen.INSERTED
    old, new, doc, found, outcomes = _case(seed, segments, 30, share, words)
    for annotation, outcome in zip(found, outcomes, strict=True):
        quote = old[annotation.segment][annotation.start : annotation.end]
        if outcome.outcome is anchoring.Outcome.ORPHANED:
            assert outcome.segment is None and outcome.reason
            continue
        assert new[outcome.segment][outcome.start : outcome.end] == quote
        # Where the characters around it were not edited, they are the old ones.
        segment = doc[outcome.segment]
        for step in (-1, 1):
            k = outcome.start - 1 if step < 0 else outcome.end
            while 0 <= k < len(segment) and segment[k][1] is not None:
                source_segment, offset = segment[k][1]
                assert old[source_segment][offset] == segment[k][0]
                k += step


@SETTINGS
@given(
    seed=st.integers(0, 2**32), segments=st.integers(1, 40), share=st.sampled_from([0.05, 0.2, 1.0])
)
def test_no_annotation_is_ever_carried_to_a_place_its_words_did_not_go(seed, segments, share):
    """Ground truth: with inserted text of other words, a carried annotation is exactly
    where its characters went; one whose characters did not survive is never carried."""
    old, new, doc, found, outcomes = _case(seed, segments, 30, share)
    truth = gen.truths(doc, found)
    for annotation, outcome in zip(found, outcomes, strict=True):
        if outcome.outcome is not anchoring.Outcome.ORPHANED:
            assert truth[annotation.key] == (outcome.segment, outcome.start), annotation


def test_an_identical_transcript_carries_everything_unchanged():
    rng = random.Random(3)
    old = gen.transcript(rng, 50)
    found = gen.annotations(rng, old, 200)
    spans = [anchoring.Span(a.key, a.segment, a.start, a.end) for a in found]
    outcomes = anchoring.carry(old, list(old), spans)
    unique = {text for text in old if old.count(text) == 1}
    for annotation, outcome in zip(found, outcomes, strict=True):
        if old[annotation.segment] in unique:
            assert outcome.outcome is anchoring.Outcome.UNCHANGED
        assert (
            outcome.outcome is not anchoring.Outcome.ORPHANED
            or old.count(old[annotation.segment]) > 1
        )


def test_repeated_words_without_a_unique_context_are_orphaned():
    old = ["Applause.", "Applause."]
    new = ["Applause."]
    outcomes = anchoring.carry(
        old, new, [anchoring.Span("a", 0, 0, 9), anchoring.Span("b", 1, 0, 9)]
    )
    assert [o.outcome for o in outcomes] == [anchoring.Outcome.ORPHANED] * 2


def test_a_corrected_quote_is_orphaned_a_corrected_neighbour_is_not():
    old = ["The town spent 4.2 million on roads in 2023, up 12 per cent on 2022."]
    new = ["The town spent 4.3 million on roads in 2023, up 12 percent on 2022."]
    text = old[0]
    million = anchoring.Span("m", 0, text.index("4.2 million"), text.index("4.2 million") + 11)
    roads = anchoring.Span("r", 0, text.index("on roads"), text.index("on roads") + 8)
    m, r = anchoring.carry(old, new, [million, roads])
    assert m.outcome is anchoring.Outcome.ORPHANED
    assert r.outcome is anchoring.Outcome.MOVED
    assert new[0][r.start : r.end] == "on roads"


@pytest.mark.parametrize("seed", [7, 8])
def test_the_generated_revisions_that_once_mis_anchored_do_not(seed):
    """Two shapes a 50%-edited 2,000-segment revision produced: of two identical segments
    side by side, the one that moved was taken for the one that stayed (both had the same
    right neighbour); and a segment's last word was taken for the same word ending
    another segment that moved into its place. Both by one side's context alone."""
    rng = random.Random(seed * 1000 + 50)
    old = gen.transcript(rng, 2000)
    found = gen.annotations(rng, old, 10000)
    doc = gen.revise(rng, old, 0.5)
    spans = [anchoring.Span(a.key, a.segment, a.start, a.end) for a in found]
    outcomes = anchoring.carry(old, gen.texts_of(doc), spans)
    truth = gen.truths(doc, found)
    wrong = [
        o.key
        for o in outcomes
        if o.outcome is not anchoring.Outcome.ORPHANED and truth[o.key] != (o.segment, o.start)
    ]
    assert wrong == []
