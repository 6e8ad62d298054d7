"""The CheckThat! ranking measures: AP, RR and P@10 per transcript, means over transcripts."""

from __future__ import annotations

import pytest

from triage.evaluation import average_precision, evaluate, precision_at, ranking, reciprocal_rank


def test_average_precision_by_hand():
    # Ranked: 0.9 (pos), 0.8, 0.7 (pos), 0.1 -> (1/1 + 2/3) / 2
    scores, labels = [0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0]

    assert average_precision(scores, labels) == pytest.approx((1 + 2 / 3) / 2)
    assert reciprocal_rank(scores, labels) == 1.0


def test_equal_scores_keep_file_order():
    scores = [0.5, 0.5, 0.5]

    assert ranking(scores) == [0, 1, 2]
    assert average_precision(scores, [0, 0, 1]) == pytest.approx(1 / 3)
    assert reciprocal_rank(scores, [0, 1, 0]) == 0.5


def test_precision_at_ten_divides_by_ten_even_for_short_transcripts():
    assert precision_at([0.9, 0.1], [1, 1], 10) == 0.2


def test_map_is_the_mean_over_transcripts_not_over_sentences():
    report = evaluate(
        [
            ("a", [0.9, 0.1], [1, 0]),  # AP 1
            ("b", [0.9, 0.8, 0.7, 0.6], [0, 0, 0, 1]),  # AP 1/4
            ("c", [0.3, 0.2], [0, 0]),  # no positive: left out
        ]
    )

    assert report.map == pytest.approx((1 + 0.25) / 2)
    assert report.rr == pytest.approx((1 + 0.25) / 2)
    assert report.p_at_10 == pytest.approx((0.1 + 0.1) / 2)
    assert (report.transcripts, report.without_positives) == (2, 1)
    assert [row["name"] for row in report.per_transcript] == ["a", "b"]
