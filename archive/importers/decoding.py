"""From uploaded bytes to text, with one clear line for every way that can fail."""

from __future__ import annotations

import codecs
import unicodedata

from .base import DocumentError

DEFAULT_MAX_BYTES = 20 * 1000 * 1000
BINARY_SAMPLE = 64 * 1024
MAX_CONTROL_SHARE = 0.3
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\x1b")


def decode(data: bytes, encoding: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Decode a document exactly (no BOM stripping, line endings kept), or raise DocumentError.

    ``encoding`` defaults to UTF-8; any other name Python knows may be given.
    """
    if not data:
        raise DocumentError("file is empty")
    if len(data) > max_bytes:
        raise DocumentError(
            f"file is {_megabytes(len(data))} MB, over the {_megabytes(max_bytes)} MB limit"
        )
    codec = _codec(encoding)
    if encoding is None and b"\x00" in data[:BINARY_SAMPLE]:
        raise DocumentError("looks like a binary file, not text")
    try:
        text = data.decode(codec.name)
    except UnicodeDecodeError as error:
        raise DocumentError(_decode_failure(encoding, error.start)) from None
    if _looks_binary(text[:BINARY_SAMPLE]):
        raise DocumentError("looks like a binary file, not text")
    return text


def _codec(encoding: str | None) -> codecs.CodecInfo:
    try:
        return codecs.lookup(encoding or "utf-8")
    except LookupError:
        raise DocumentError(f"unknown encoding {encoding!r}") from None


def _decode_failure(encoding: str | None, offset: int) -> str:
    if encoding is None:
        return (
            f"not valid UTF-8 at byte offset {offset}; "
            "pass --encoding to read it as another encoding"
        )
    return f"not valid {encoding} at byte offset {offset}"


def _looks_binary(sample: str) -> bool:
    if "\x00" in sample:
        return True
    controls = sum(
        1 for char in sample if char not in _TEXT_CONTROLS and unicodedata.category(char) == "Cc"
    )
    return controls > MAX_CONTROL_SHARE * len(sample)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f}".removesuffix(".0")
