"""A JSON body taken as a document to import: its bytes, bounded, not parsed here.

The import reads the document with :mod:`library.formats`, which reports malformed
JSON by line and column and bounds one document's size; the API's usual parser would
turn the same body into a generic 400 and allow a much smaller size.
"""

from __future__ import annotations

from dataclasses import dataclass

from rest_framework.parsers import BaseParser

from library.formats import too_large
from library.services import max_document_bytes


@dataclass(frozen=True)
class RawDocument:
    content: bytes


class RawJSONDocumentParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None) -> RawDocument:
        limit = max_document_bytes()
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise too_large(limit)  # before a byte is read
        content = stream.read(limit + 1) if stream is not None else b""
        if len(content) > limit:
            raise too_large(limit)
        return RawDocument(content)


class RawJSONLDDocumentParser(RawJSONDocumentParser):
    media_type = "application/ld+json"
