"""Every importer by name, format detection, and the one entry point that parses a document."""

from __future__ import annotations

from itertools import chain
from pathlib import PurePath
from types import ModuleType

from . import dialogue, jsonl, liveblog, srt, tsv, vtt
from .base import (
    DocumentError,
    DocumentStream,
    ParsedDocument,
    checked_segments,
    no_segments,
    validate_segments,
)

IMPORTERS: dict[str, ModuleType] = {
    module.NAME: module for module in (liveblog, srt, vtt, dialogue, jsonl, tsv)
}
FORMATS: tuple[str, ...] = tuple(IMPORTERS)

_BY_EXTENSION = {
    ".srt": "srt",
    ".vtt": "vtt",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".tsv": "tsv",
}
# tsv before the prose formats: its rows (an integer, a tab, a speaker, a tab) match neither
# of theirs, and a prose document has no such rows, so its sniff steals nothing.
_SNIFF_ORDER = ("vtt", "srt", "jsonl", "tsv", "liveblog", "dialogue")


def detect(text: str, filename: str = "") -> str:
    """Name the format of ``text``: by file extension first, then by sniffing the content."""
    by_extension = _BY_EXTENSION.get(PurePath(filename).suffix.lower())
    if by_extension:
        return by_extension
    for name in _SNIFF_ORDER:
        if IMPORTERS[name].sniff(text):
            return name
    problem = "could not detect the format"
    raise DocumentError(
        f"{problem}; name it ({', '.join(FORMATS)})",
        problem=problem,
        needs="format",
        choices=FORMATS,
    )


def parse(text: str, format: str = "auto", filename: str = "") -> ParsedDocument:
    """Parse ``text`` with the named importer (or the detected one) and check its spans."""
    format = _resolve(text, format, filename)
    document = IMPORTERS[format].parse(text)
    document.format = format
    validate_segments(text if document.text is None else document.text, document.segments)
    return document


def stream(text: str, format: str = "auto", filename: str = "") -> DocumentStream:
    """:func:`parse` for imports of any size: the segments come one at a time.

    Importers with a ``stream`` function (liveblog) produce segments as they scan;
    the others parse whole and their list is streamed. Either way every span is
    checked as it passes (a bad one raises :class:`DocumentError` from the
    iterator), and a document without segments is refused here, before the caller
    stores anything.
    """
    format = _resolve(text, format, filename)
    importer = IMPORTERS[format]
    if hasattr(importer, "stream"):
        document = importer.stream(text)
    else:
        document = DocumentStream.of(importer.parse(text))
    document.format = format
    segments = checked_segments(text if document.text is None else document.text, document.segments)
    first = next(segments, None)
    if first is None:
        raise no_segments(format)
    document.segments = chain((first,), segments)
    return document


def _resolve(text: str, format: str, filename: str) -> str:
    if format == "auto":
        return detect(text, filename)
    if format not in IMPORTERS:
        raise DocumentError(f"unknown format {format!r}; known formats: auto, {', '.join(FORMATS)}")
    return format


def importer_label(format: str) -> str:
    """``name@version`` of an importer, as recorded on the sources it imported."""
    return f"{format}@{IMPORTERS[format].VERSION}"
