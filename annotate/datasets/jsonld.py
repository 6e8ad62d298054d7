"""JSON-LD contexts shipped with Claimtrail, and an offline document loader for pyld.

The exports and the API write JSON-LD that points at two public contexts:

- ``http://www.w3.org/ns/anno.jsonld``: the W3C Web Annotation context, shipped
  verbatim in ``annotate/datasets/contexts/anno.jsonld``.
- ``https://schema.org``: the schema.org context. The published one defines every
  schema.org term (hundreds of kilobytes); ``annotate/datasets/contexts/schema.org.jsonld``
  is a *trimmed* copy holding the terms ClaimReview exports use, with the same
  IRIs and type coercions as the published context, plus ``@vocab`` so any other
  schema.org term still expands to the same IRI.

Claimtrail's own terms (status, stance, ...) live in :data:`CLAIMTRAIL_VOCAB` and
are declared inline in each document, so they need no remote context at all.

:func:`document_loader` answers pyld from these files and refuses every other URL,
so expanding our documents never touches the network.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

CONTEXT_DIR = Path(__file__).resolve().parent / "contexts"

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
SCHEMA_CONTEXT = "https://schema.org"
CLAIMTRAIL_VOCAB = "urn:claimtrail:vocab:"

# Every spelling of a context URL we ship -> the file holding it.
_CONTEXT_FILES = {
    "http://www.w3.org/ns/anno.jsonld": "anno.jsonld",
    "https://www.w3.org/ns/anno.jsonld": "anno.jsonld",
    "http://www.w3.org/ns/anno": "anno.jsonld",
    "https://www.w3.org/ns/anno": "anno.jsonld",
    "https://schema.org": "schema.org.jsonld",
    "https://schema.org/": "schema.org.jsonld",
    "http://schema.org": "schema.org.jsonld",
    "http://schema.org/": "schema.org.jsonld",
    "https://schema.org/docs/jsonldcontext.jsonld": "schema.org.jsonld",
    "https://schema.org/docs/jsonldcontext.json": "schema.org.jsonld",
}


class ContextNotShipped(LookupError):
    """pyld asked for a context Claimtrail does not ship (and will not fetch)."""


@cache
def _load(filename: str) -> dict[str, Any]:
    return json.loads((CONTEXT_DIR / filename).read_text(encoding="utf-8"))


def context(url: str) -> dict[str, Any]:
    """The shipped context document for ``url`` (a fresh copy: callers may change it)."""
    filename = _CONTEXT_FILES.get(url)
    if filename is None:
        raise ContextNotShipped(f"no shipped JSON-LD context for {url!r}")
    return copy.deepcopy(_load(filename))


def claimtrail_context(**terms: str) -> dict[str, Any]:
    """An inline context mapping Claimtrail's own terms into :data:`CLAIMTRAIL_VOCAB`."""
    return {"ct": CLAIMTRAIL_VOCAB, **terms}


def document_loader(url: str, options: dict | None = None) -> dict[str, Any]:
    """A pyld document loader that serves the shipped contexts and nothing else.

    Use it as ``jsonld.expand(doc, {"documentLoader": document_loader})``. Any URL
    that is not shipped raises :class:`ContextNotShipped` (pyld wraps it in its
    own error), so a test or tool using this loader never reaches the network.
    """
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": context(url),
        "contentType": "application/ld+json",
    }


def expand(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Expand ``document`` with pyld, offline. Needs the ``pyld`` package."""
    from pyld import jsonld

    return jsonld.expand(document, {"documentLoader": document_loader})
