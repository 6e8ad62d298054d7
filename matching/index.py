"""The search structures over the library, and the features of a query against each
candidate. Pure: no database here (:mod:`matching.services` loads the rows).

Two lexical indexes (BM25 by bm25s: one over each fact-check's claim and headline, one
over the first 3,000 characters of its article) and two embedding matrices (the claim's
and the headline's vectors, float16, 1 KB each) are held in memory. A query is scored in
two steps: a cheap fusion of BM25 and cosine picks :data:`CANDIDATES` candidates, then
each candidate gets the :data:`FEATURES` row the ranker (:mod:`matching.ranker`) weighs.

Exact search: every query reads every vector (float32 in memory, 4 MB per 1,000
fact-checks for both matrices); past a few hundred thousand, an approximate index
(usearch or faiss-cpu, HNSW over int8 vectors) would take the place of
:meth:`LibraryIndex.cosines`.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, replace
from datetime import date

import bm25s
import numpy as np

# bm25s logs each index build at DEBUG; a web process need not repeat that.
logging.getLogger("bm25s").setLevel(logging.WARNING)

CANDIDATES = 100
BODY_CHARS = 3_000
NUMBER = re.compile(r"\d[\d,.]*\d|\d")
# The features of (query, candidate), in the ranker's order.
FEATURES = (
    "bm25_claim",  # BM25 of the query over claim + headline, divided by the best score
    "cos_claim",  # cosine of the query's vector and the claim's
    "cos_headline",
    "bm25_context",  # the same for the neighbouring sentences
    "fusion",  # the first-step score
    "same_claimant",  # the claimant's surname is in the speaker's name
    "same_day",  # the claim was made on the day of the transcript
    "within_3_days",  # ... or within three days after it
    "log_days_apart",
    "no_claim_date",
    "bm25_article",  # BM25 over the fact-check's article
    "numbers_shared",  # share of the query's numbers that the claim or headline has
    "any_number_shared",
)


@dataclass(frozen=True)
class Doc:
    """What the index keeps of one fact-check."""

    id: str
    claim: str
    headline: str = ""
    body: str = ""
    claimant: str = ""
    claim_date: date | None = None
    url: str = ""


@dataclass(frozen=True)
class Query:
    """A sentence or span, with what the desk knows around it."""

    text: str
    context: str = ""  # the neighbouring sentences, joined
    speaker: str = ""
    day: date | None = None


def tokens(text: str) -> list[str]:
    """Lower-cased words without English stop words, as bm25s splits them."""
    return bm25s.tokenize([text], stopwords="en", return_ids=False, show_progress=False)[0]


def numbers_in(text: str) -> set[str]:
    return {n.replace(",", "") for n in NUMBER.findall(text)}


def surname(name: str) -> str:
    words = re.findall(r"[^\W\d_]+", name.lower())
    return words[-1] if words else ""


class _Lexical:
    """One BM25 index; an empty corpus or a query of stop words scores zero."""

    def __init__(self, texts: list[str]):
        self.size = len(texts)
        self.model = None
        if any(text.strip() for text in texts):
            self.model = bm25s.BM25()
            corpus = bm25s.tokenize(texts, stopwords="en", show_progress=False)
            self.model.index(corpus, show_progress=False)

    def scores(self, words: list[str]) -> np.ndarray:
        """BM25 of every document, divided by the best (0 when nothing matches)."""
        if self.model is None or not words:
            return np.zeros(self.size, dtype=np.float32)
        known = [w for w in words if w in self.model.vocab_dict]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        raw = np.asarray(self.model.get_scores(known), dtype=np.float32)
        best = float(raw.max()) if raw.size else 0.0
        return raw / best if best > 0 else raw


class LibraryIndex:
    """The library, searchable. Built once per library version and then read-only, so
    threads may share it."""

    def __init__(self, docs: list[Doc], claim_vectors: np.ndarray, headline_vectors: np.ndarray):
        self.claims = _Lexical([f"{d.claim} {d.headline}" for d in docs])
        self.articles = _Lexical([d.body[:BODY_CHARS] for d in docs])
        # The articles are read by their index only: keeping their text would be the
        # larger part of a big library's memory.
        self.docs = [replace(d, body="") if d.body else d for d in docs]
        # float32 in memory (2 KB a vector): numpy converts float16 slowly, and every
        # query reads every vector. Stored as float16 (matching.encoder.to_bytes).
        self.claim_vectors = np.ascontiguousarray(claim_vectors, dtype=np.float32)
        self.headline_vectors = np.ascontiguousarray(headline_vectors, dtype=np.float32)
        self.surnames = [surname(d.claimant) for d in docs]
        self.days = np.array(
            [d.claim_date.toordinal() if d.claim_date else -1 for d in docs], dtype=np.int64
        )
        self.numbers = [numbers_in(f"{d.claim} {d.headline}") for d in docs]

    def __len__(self) -> int:
        return len(self.docs)

    def cosines(self, matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
        return matrix @ np.asarray(vector, dtype=np.float32)

    def features(self, query: Query, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The candidates (indexes into ``docs``) and their :data:`FEATURES` rows.

        ``vectors`` holds the query's embedding (1 x 512); the context is read by its
        words only (embedding it too doubled the time of a query for no gain in MAP@5).
        """
        if not self.docs:
            return np.zeros(0, dtype=np.int64), np.zeros((0, len(FEATURES)), dtype=np.float32)
        bm25_claim = self.claims.scores(tokens(query.text))
        cos_claim = self.cosines(self.claim_vectors, vectors[0])
        cos_headline = self.cosines(self.headline_vectors, vectors[0])
        fusion = 0.5 * bm25_claim + 0.25 * cos_claim + 0.25 * cos_headline
        count = min(CANDIDATES, len(self.docs))
        chosen = np.argpartition(-fusion, count - 1)[:count]
        chosen = chosen[np.argsort(-fusion[chosen], kind="stable")]
        context_words = tokens(query.context) if query.context else []
        bm25_context = self.claims.scores(context_words)[chosen]
        bm25_article = self.articles.scores(tokens(query.text))[chosen]
        speaker = query.speaker.lower()
        query_numbers = numbers_in(query.text)
        day = query.day.toordinal() if query.day else None
        rows = np.zeros((count, len(FEATURES)), dtype=np.float32)
        for row, j in enumerate(chosen):
            claimed = self.days[j]
            apart = None if claimed < 0 or day is None else int(claimed - day)
            shared = len(query_numbers & self.numbers[j])
            rows[row] = (
                bm25_claim[j],
                cos_claim[j],
                cos_headline[j],
                bm25_context[row],
                fusion[j],
                1.0 if self.surnames[j] and self.surnames[j] in speaker else 0.0,
                1.0 if apart == 0 else 0.0,
                1.0 if apart is not None and 0 <= apart <= 3 else 0.0,
                math.log1p(abs(apart)) if apart is not None else 10.0,
                1.0 if apart is None else 0.0,
                bm25_article[row],
                shared / len(query_numbers) if query_numbers else 0.0,
                1.0 if shared else 0.0,
            )
        return chosen, rows
