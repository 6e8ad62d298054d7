"""Every importer by name, format detection, and the one entry point that parses a document."""

from __future__ import annotations

from pathlib import PurePath
from types import ModuleType

from . import dialogue, jsonl, liveblog, srt, vtt
from .base import DocumentError, ParsedDocument, validate_segments

IMPORTERS: dict[str, ModuleType] = {
    module.NAME: module for module in (liveblog, srt, vtt, dialogue, jsonl)
}
FORMATS: tuple[str, ...] = tuple(IMPORTERS)

_BY_EXTENSION = {".srt": "srt", ".vtt": "vtt", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_SNIFF_ORDER = ("vtt", "srt", "jsonl", "liveblog", "dialogue")


def detect(text: str, filename: str = "") -> str:
    """Name the format of ``text``: by file extension first, then by sniffing the content."""
    by_extension = _BY_EXTENSION.get(PurePath(filename).suffix.lower())
    if by_extension:
        return by_extension
    for name in _SNIFF_ORDER:
        if IMPORTERS[name].sniff(text):
            return name
    raise DocumentError(f"could not detect the format; use --format ({', '.join(FORMATS)})")


def parse(text: str, format: str = "auto", filename: str = "") -> ParsedDocument:
    """Parse ``text`` with the named importer (or the detected one) and check its spans."""
    if format == "auto":
        format = detect(text, filename)
    elif format not in IMPORTERS:
        raise DocumentError(f"unknown format {format!r}; known formats: auto, {', '.join(FORMATS)}")
    document = IMPORTERS[format].parse(text)
    document.format = format
    validate_segments(text if document.text is None else document.text, document.segments)
    return document


def importer_label(format: str) -> str:
    """``name@version`` of an importer, as recorded on the sources it imported."""
    return f"{format}@{IMPORTERS[format].VERSION}"
