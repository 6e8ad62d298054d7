"""Ranking measures of the CheckThat! check-worthiness task, over transcripts.

Pure functions. A transcript's ranking sorts its sentences by score, highest first;
equal scores keep file order (a stable sort on the negated score), as the official
scorer does. The official measure is MAP over transcripts: per transcript,
AP = (1/R) · Σ P@i over the ranks i that hold a check-worthy sentence (R = how many it
has), then the mean over transcripts, not over pooled sentences. A transcript without
any check-worthy sentence has no AP and is left out of every mean (and counted).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


def ranking(scores: Sequence[float]) -> list[int]:
    """Indices of ``scores`` from highest to lowest; ties keep their order."""
    return sorted(range(len(scores)), key=lambda index: -scores[index])


def average_precision(scores: Sequence[float], labels: Sequence[int]) -> float:
    """AP of one transcript (0.0 when it has no positive)."""
    positives = sum(1 for label in labels if label)
    if not positives:
        return 0.0
    hits, total = 0, 0.0
    for rank, index in enumerate(ranking(scores), start=1):
        if labels[index]:
            hits += 1
            total += hits / rank
    return total / positives


def reciprocal_rank(scores: Sequence[float], labels: Sequence[int]) -> float:
    """1 / the rank of the first check-worthy sentence (0.0 when there is none)."""
    for rank, index in enumerate(ranking(scores), start=1):
        if labels[index]:
            return 1.0 / rank
    return 0.0


def precision_at(scores: Sequence[float], labels: Sequence[int], k: int) -> float:
    """Share of check-worthy sentences among the first ``k`` (divided by ``k`` always)."""
    top = ranking(scores)[:k]
    return sum(1 for index in top if labels[index]) / k


@dataclass
class Report:
    """Means over the transcripts that have a positive, and each one's figures."""

    map: float = 0.0
    rr: float = 0.0
    p_at_10: float = 0.0
    transcripts: int = 0
    without_positives: int = 0
    per_transcript: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "map": round(self.map, 4),
            "rr": round(self.rr, 4),
            "p_at_10": round(self.p_at_10, 4),
            "transcripts": self.transcripts,
            "without_positives": self.without_positives,
            "per_transcript": self.per_transcript,
        }


def evaluate(groups: Sequence[tuple[str, Sequence[float], Sequence[int]]]) -> Report:
    """MAP, mean RR and mean P@10 over ``(name, scores, labels)`` transcripts."""
    report = Report()
    figures = []
    for name, scores, labels in groups:
        if not any(labels):
            report.without_positives += 1
            continue
        ap = average_precision(scores, labels)
        rr = reciprocal_rank(scores, labels)
        p10 = precision_at(scores, labels, 10)
        figures.append((ap, rr, p10))
        report.per_transcript.append(
            {
                "name": name,
                "sentences": len(labels),
                "positives": sum(1 for label in labels if label),
                "ap": round(ap, 4),
                "rr": round(rr, 4),
                "p_at_10": round(p10, 4),
            }
        )
    report.transcripts = len(figures)
    if figures:
        report.map, report.rr, report.p_at_10 = (
            sum(column) / len(figures) for column in zip(*figures, strict=True)
        )
    return report
