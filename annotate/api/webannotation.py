"""W3C Web Annotation JSON-LD for the API: one annotation, and pages of the collection.

The representation of one annotation belongs to the exporter
(:mod:`annotate.datasets.exporters.webannotation`), so the API and the ``webannotation``
export agree. This module adds only the HTTP paging of the W3C Web Annotation
Protocol: the first request answers an ``AnnotationCollection`` embedding its first
``AnnotationPage``; following ``next`` answers further ``AnnotationPage`` documents.
"""

from __future__ import annotations

from typing import Any

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
LDP_PROFILE = f'application/ld+json; profile="{ANNO_CONTEXT}"'


def _exporter():
    # Imported when first needed: the exporters package is heavier than the API's startup.
    from annotate.datasets.exporters import webannotation

    return webannotation


def annotation(annotation_obj, *, base_url: str) -> dict[str, Any]:
    """One annotation as a Web Annotation document (with ``@context``)."""
    return _exporter().annotation_to_webannotation(annotation_obj, base_url=base_url)


def first_page(rows, *, base_url: str, collection_url: str, total: int, next_url) -> dict:
    """The collection, with the first page of ``rows`` embedded."""
    return _exporter().collection(
        rows,
        base_url=base_url,
        collection_id=collection_url,
        total=total,
        next_url=next_url,
    )


def page(rows, *, base_url: str, page_url: str, collection_url: str, next_url, prev_url) -> dict:
    """A later ``AnnotationPage`` of ``rows``, part of the collection at ``collection_url``."""
    exporter = _exporter()
    document: dict[str, Any] = {
        "@context": exporter.CONTEXT,
        "id": page_url,
        "type": "AnnotationPage",
        "partOf": collection_url,
        "items": [
            exporter.annotation_to_webannotation(row, base_url=base_url, with_context=False)
            for row in rows
        ],
    }
    if next_url:
        document["next"] = next_url
    if prev_url:
        document["prev"] = prev_url
    return document
