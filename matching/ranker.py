"""The ranker: a linear model over :data:`matching.index.FEATURES`, and how it is trained.

Before any training the ranker is the stated heuristic :data:`HEURISTIC`: half BM25 over
claim and headline, a quarter each the cosine with the claim and with the headline, a
little for the same claimant and the same day. Training (``manage.py train_matcher``)
fits a logistic regression on judged pairs (TREC qrels: the query's candidates that
are relevant against those that are not), choosing its regularisation by cross-validation
over queries, and stores the weights with its cross-validated MAP@5.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from matching.index import FEATURES

HEURISTIC_WEIGHTS = {
    "bm25_claim": 0.5,
    "cos_claim": 0.25,
    "cos_headline": 0.25,
    "same_claimant": 0.1,
    "same_day": 0.1,
}


@dataclass(frozen=True)
class Weights:
    """One weight per feature (missing ones are 0) and an intercept."""

    weights: dict[str, float] = field(default_factory=dict)
    intercept: float = 0.0

    def vector(self) -> np.ndarray:
        return np.array([self.weights.get(name, 0.0) for name in FEATURES], dtype=np.float32)

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Each row's score in 0..1 (the logistic of the linear score)."""
        if rows.size == 0:
            return np.zeros(0, dtype=np.float32)
        logits = rows @ self.vector() + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))


HEURISTIC = Weights(HEURISTIC_WEIGHTS, 0.0)


def average_precision_at(ranked: list[str], relevant: set[str], k: int = 5) -> float:
    """AP cut at rank ``k``, divided by all the relevant items (CheckThat! 2021's MAP@k)."""
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for rank, item in enumerate(ranked[:k], start=1):
        if item in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant)


@dataclass
class Judged:
    """One judged query: its candidates' ids and feature rows, and the relevant ids."""

    candidates: list[str]
    rows: np.ndarray
    relevant: set[str]


def map_at(weights: Weights, judged: list[Judged], k: int = 5) -> float:
    """Mean AP@k of ``weights`` over ``judged``; equal scores keep candidate order."""
    if not judged:
        return 0.0
    total = 0.0
    for query in judged:
        order = np.argsort(-weights.scores(query.rows), kind="stable")
        total += average_precision_at([query.candidates[i] for i in order], query.relevant, k)
    return total / len(judged)


def _fit(judged: list[Judged], c: float) -> Weights:
    from sklearn.linear_model import LogisticRegression

    rows = np.vstack([q.rows for q in judged])
    labels = np.concatenate(
        [[1 if cid in q.relevant else 0 for cid in q.candidates] for q in judged]
    )
    if labels.min() == labels.max():
        raise ValueError("the judged queries need both relevant and other candidates")
    model = LogisticRegression(C=c, max_iter=5_000).fit(rows, labels)
    return Weights(
        dict(zip(FEATURES, map(float, model.coef_[0]), strict=True)), float(model.intercept_[0])
    )


def train(
    judged: list[Judged], *, grid=(0.1, 1.0, 10.0), folds: int = 5, seed: int = 0
) -> tuple[Weights, float, float]:
    """Weights fitted on every judged query, with the regularisation ``C`` that gave the
    best MAP@5 in ``folds``-fold cross-validation over queries; returns (weights, that
    cross-validated MAP@5, C)."""
    usable = [q for q in judged if q.candidates]
    if len(usable) < folds:
        raise ValueError(f"at least {folds} judged queries with candidates are needed")
    order = np.random.default_rng(seed).permutation(len(usable))
    parts = [order[i::folds] for i in range(folds)]
    best = (-1.0, grid[0])
    for c in grid:
        fold_scores = []
        for held in parts:
            held_set = set(held.tolist())
            fitted = _fit([q for i, q in enumerate(usable) if i not in held_set], c)
            fold_scores.append(map_at(fitted, [usable[i] for i in held]))
        best = max(best, (float(np.mean(fold_scores)), c))
    score, c = best
    return _fit(usable, c), score, c
