"""From uploaded bytes to text, with one clear line for every way that can fail."""

from __future__ import annotations

import codecs
import unicodedata

from common.errors import DocumentTooLarge

from .base import DocumentError

DEFAULT_MAX_BYTES = 20 * 1000 * 1000
BINARY_SAMPLE = 64 * 1024
MAX_CONTROL_SHARE = 0.3
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\x1b")
# Source.encoding keeps the name as given, in at most this many characters.
MAX_ENCODING_NAME = 40


class EncodingError(DocumentError):
    """The encoding named for a document is unknown or cannot turn its bytes into text."""

    field = "encoding"


def decode(data: bytes, encoding: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Decode a document exactly (no BOM stripping, line endings kept), or raise DocumentError.

    ``encoding`` defaults to UTF-8; any other text encoding Python knows may be given.
    A name that is unknown, too long or not a text encoding raises :class:`EncodingError`.
    """
    if not data:
        raise DocumentError("file is empty")
    check_size(len(data), max_bytes=max_bytes)
    codec = _codec(encoding)
    if encoding is None and b"\x00" in data[:BINARY_SAMPLE]:
        raise DocumentError("looks like a binary file, not text")
    try:
        text = data.decode(codec.name)
    except UnicodeDecodeError as error:
        raise _decode_failure(encoding, error.start) from None
    except (UnicodeError, LookupError, TypeError) as error:
        # A codec that fails without an offset (``undefined``), or one registered by a
        # third party that is not a text encoding after all.
        raise EncodingError(f"cannot be read as {encoding!r}: {error}") from None
    if _looks_binary(text[:BINARY_SAMPLE]):
        raise DocumentError("looks like a binary file, not text")
    # Only the sample is checked above; no stored text may hold a NUL anywhere
    # (PostgreSQL's text type refuses it).
    nul = text.find("\x00")
    if nul >= 0:
        raise DocumentError(f"contains a NUL character at offset {nul}, which text cannot hold")
    return text


def check_size(size: int, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Raise DocumentTooLarge, naming both sizes, when a document of ``size`` bytes is over
    the import limit."""
    if size > max_bytes:
        shown, limit = _size(size), _size(max_bytes)
        if shown == limit:  # 1,001 bytes over 1,000 would read "1 kB, over ... 1 kB"
            shown, limit = f"{size:,} bytes", f"{max_bytes:,} bytes"
        raise DocumentTooLarge(f"file is {shown}, over the import limit of {limit}")


def _codec(encoding: str | None) -> codecs.CodecInfo:
    if encoding is not None and len(encoding) > MAX_ENCODING_NAME:
        raise EncodingError(
            f"the encoding name is longer than {MAX_ENCODING_NAME} characters: "
            f"{encoding[:MAX_ENCODING_NAME]!r}..."
        )
    try:
        codec = codecs.lookup(encoding or "utf-8")
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        raise EncodingError(f"unknown encoding {encoding!r}") from None
    try:
        # The registry also holds bytes-to-bytes transforms (rot13, base64, zlib...);
        # str.encode refuses those, as bytes.decode would, with LookupError.
        "".encode(codec.name)
    except LookupError:
        raise EncodingError(
            f"{encoding!r} is not a text encoding; name one that reads bytes as text, "
            "such as utf-8, cp1252 or latin-1"
        ) from None
    except UnicodeError:
        pass  # a text codec that cannot encode even nothing (undefined); decoding says why
    return codec


def _decode_failure(encoding: str | None, offset: int) -> DocumentError:
    if encoding is None:
        problem = f"not valid UTF-8 at byte offset {offset}"
        return DocumentError(
            f"{problem}; name the encoding it was saved in (such as cp1252 or latin-1)",
            problem=problem,
            needs="encoding",
        )
    return DocumentError(f"not valid {encoding} at byte offset {offset}")


def _looks_binary(sample: str) -> bool:
    if "\x00" in sample:
        return True
    controls = sum(
        1 for char in sample if char not in _TEXT_CONTROLS and unicodedata.category(char) == "Cc"
    )
    return controls > MAX_CONTROL_SHARE * len(sample)


def _size(size: int) -> str:
    """``size`` bytes for people, in decimal units: 371 bytes, 2.5 kB, 20 MB."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} byte" + ("" if size == 1 else "s")
