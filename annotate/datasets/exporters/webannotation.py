"""W3C Web Annotation JSON-LD: one annotation, a collection, and the streaming exporter.

One representation serves both the API (``application/ld+json``) and the
``webannotation`` export. An annotation becomes::

    {"@context": ["http://www.w3.org/ns/anno.jsonld", {claimtrail terms}],
     "id": "<base>/api/v1/annotations/<uuid>/", "type": "Annotation",
     "motivation": "assessing" | "classifying",
     "created", "modified", "creator": {"type": "Person", "nickname": ...},
     "body": [claim type (classifying), claim text (describing), verdict (assessing),
              verdict summary (commenting), one SpecificResource per citation (linking)],
     "target": {"type": "SpecificResource", "source": "<base>/api/v1/sources/<uuid>/",
                "scope": "<base>/api/v1/segments/<uuid>/",
                "selector": [TextQuoteSelector, TextPositionSelector]},
     "status", "version", "reviewedBy"}

A citation body points at the cited page (``source``), quotes its excerpt with a
``TextQuoteSelector``, and, when an archived copy exists, carries a ``TimeState``
whose ``cached`` is that copy and ``sourceDate`` the time it was accessed: the
Web Annotation way to say "this page, as it was then". Claimtrail's own terms
(``status``, ``stance``, ``publisher``...) are declared in an inline context under
:data:`annotate.datasets.jsonld.CLAIMTRAIL_VOCAB`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from annotate.datasets.exporters.base import (
    AnnotationRecord,
    Counts,
    DataFile,
    SegmentRecord,
    pretty,
    reviewed_by,
)
from annotate.datasets.exporters.records import annotation_record, segment_context
from annotate.datasets.jsonld import ANNO_CONTEXT, claimtrail_context
from annotate.models import VERDICT_RATINGS

CLAIMTRAIL_TERMS = claimtrail_context(
    status="ct:status",
    version={"@id": "ct:version", "@type": "http://www.w3.org/2001/XMLSchema#integer"},
    reviewedBy={"@id": "ct:reviewedBy", "@container": "@list"},
    rating={"@id": "ct:rating", "@type": "http://www.w3.org/2001/XMLSchema#integer"},
    stance={"@id": "ct:stance", "@type": "@vocab"},
    supports="ct:supports",
    refutes="ct:refutes",
    context="ct:context",
    publisher="ct:publisher",
    publishedOn={"@id": "ct:publishedOn", "@type": "http://www.w3.org/2001/XMLSchema#date"},
)
CONTEXT = [ANNO_CONTEXT, CLAIMTRAIL_TERMS]
GENERATOR_NAME = "Claimtrail"


def _base(base_url: str) -> str:
    return base_url.rstrip("/")


def annotation_iri(annotation_id: str, *, base_url: str) -> str:
    return f"{_base(base_url)}/api/v1/annotations/{annotation_id}/"


def segment_iri(segment_id: str, *, base_url: str) -> str:
    return f"{_base(base_url)}/api/v1/segments/{segment_id}/"


def source_iri(source_id: str, *, base_url: str) -> str:
    return f"{_base(base_url)}/api/v1/sources/{source_id}/"


def _citation_body(citation: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "SpecificResource",
        "purpose": "linking",
        "source": citation["url"],
        "stance": citation["stance"],
    }
    if citation["title"]:
        body["label"] = citation["title"]
    if citation["publisher"]:
        body["publisher"] = citation["publisher"]
    if citation["published_on"]:
        body["publishedOn"] = citation["published_on"]
    if citation["excerpt"]:
        body["selector"] = {"type": "TextQuoteSelector", "exact": citation["excerpt"]}
    if citation["archived_url"] or citation["accessed_at"]:
        state: dict[str, Any] = {"type": "TimeState"}
        if citation["archived_url"]:
            state["cached"] = citation["archived_url"]
        if citation["accessed_at"]:
            state["sourceDate"] = citation["accessed_at"]
        body["state"] = state
    return body


def _bodies(annotation: AnnotationRecord) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "classifying", "value": annotation["claim_type"]}
    ]
    if annotation["claim_text"]:
        bodies.append(
            {"type": "TextualBody", "purpose": "describing", "value": annotation["claim_text"]}
        )
    if annotation["verdict"]:
        verdict: dict[str, Any] = {
            "type": "TextualBody",
            "purpose": "assessing",
            "value": annotation["verdict"],
        }
        rating = VERDICT_RATINGS.get(annotation["verdict"])
        if rating is not None:
            verdict["rating"] = rating
        bodies.append(verdict)
    if annotation["verdict_summary"]:
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "value": annotation["verdict_summary"],
            }
        )
    bodies.extend(_citation_body(citation) for citation in annotation["citations"])
    return bodies


def webannotation(
    annotation: AnnotationRecord,
    segment: SegmentRecord,
    *,
    base_url: str,
    with_context: bool = True,
) -> dict[str, Any]:
    """The Web Annotation for one annotation record and its segment (a pure function).

    ``segment`` needs ``id``, ``source_id`` and ``source_start``: the target is the
    source document (the segment is its scope), so positions count from its start. Leave out ``@context`` with
    ``with_context=False`` when the annotation is embedded in a collection that
    carries it.
    """
    document: dict[str, Any] = {}
    if with_context:
        document["@context"] = CONTEXT
    document.update(
        {
            "id": annotation_iri(annotation["id"], base_url=base_url),
            "type": "Annotation",
            "motivation": "assessing" if annotation["verdict"] else "classifying",
            "created": annotation["created_at"],
            "modified": annotation["updated_at"],
            "creator": {"type": "Person", "nickname": annotation["created_by"]},
            "body": _bodies(annotation),
            "target": {
                "type": "SpecificResource",
                "source": source_iri(segment["source_id"], base_url=base_url),
                "scope": segment_iri(segment["id"], base_url=base_url),
                "selector": [
                    {
                        "type": "TextQuoteSelector",
                        "exact": annotation["quote"],
                        "prefix": annotation["prefix"],
                        "suffix": annotation["suffix"],
                    },
                    {
                        # Offsets into the source document's text, in code points.
                        "type": "TextPositionSelector",
                        "start": segment["source_start"] + annotation["start"],
                        "end": segment["source_start"] + annotation["end"],
                    },
                ],
            },
            "status": annotation["status"],
            "version": annotation["version"],
            "reviewedBy": reviewed_by(annotation),
        }
    )
    return document


def annotation_to_webannotation(annotation, *, base_url: str, with_context: bool = True) -> dict:
    """The Web Annotation for an :class:`~annotate.models.Annotation` instance.

    Does not query when the instance comes from ``selectors.annotation_list()``
    (segment, transcript, claim type and users joined; citations with ``added_by``
    and reviews with ``reviewer`` prefetched).
    """
    return webannotation(
        annotation_record(annotation),
        segment_context(annotation.segment),
        base_url=base_url,
        with_context=with_context,
    )


def collection(
    annotations: Iterable[Any],
    *,
    base_url: str,
    collection_id: str | None = None,
    label: str = "Claimtrail annotations",
    total: int | None = None,
    next_url: str | None = None,
    prev_url: str | None = None,
) -> dict[str, Any]:
    """An ``AnnotationCollection`` whose first page embeds ``annotations``.

    ``annotations`` may be model instances (as from ``selectors.annotation_list()``)
    or ``(annotation record, segment record)`` pairs. ``total`` defaults to the
    number of items given; pass the full count when the page is one of many, with
    ``next_url``/``prev_url`` for the neighbouring pages.
    """
    items = [
        webannotation(item[0], item[1], base_url=base_url, with_context=False)
        if isinstance(item, tuple)
        else annotation_to_webannotation(item, base_url=base_url, with_context=False)
        for item in annotations
    ]
    collection_iri = collection_id or f"{_base(base_url)}/api/v1/annotations/"
    page: dict[str, Any] = {"type": "AnnotationPage", "partOf": collection_iri, "items": items}
    if next_url:
        page["next"] = next_url
    if prev_url:
        page["prev"] = prev_url
    return {
        "@context": CONTEXT,
        "id": collection_iri,
        "type": "AnnotationCollection",
        "label": label,
        "total": len(items) if total is None else total,
        "first": page,
    }


class WebAnnotationExporter:
    """The whole export as one ``AnnotationCollection`` document, written as it streams.

    The collection is pretty-printed with sorted keys inside each annotation; the
    items are written one by one, so memory does not grow with the export, and
    ``total`` comes after the items (JSON objects are unordered).
    """

    name = "webannotation"
    description = "W3C Web Annotation AnnotationCollection (JSON-LD)"
    annotation_unit = True
    default_approved_only = False
    rated_only = False
    needs_ledger = False
    needs_publisher = False

    def data_files(self, options: dict[str, Any]) -> list[DataFile]:
        return [
            DataFile(
                path="data/annotations.jsonld",
                name="annotations",
                format="jsonld",
                mediatype='application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"',
                description="The exported annotations as a W3C Web Annotation "
                "AnnotationCollection with one embedded AnnotationPage.",
            )
        ]

    def write(
        self,
        segments: Iterable[SegmentRecord],
        outs: dict[str, IO[bytes]],
        *,
        context: dict[str, Any],
    ) -> Counts:
        out = outs["annotations"]
        base_url = context["base_url"]
        counts = Counts()
        head = {
            "@context": CONTEXT,
            "id": context.get("collection_id") or f"{_base(base_url)}/api/v1/annotations/",
            "type": "AnnotationCollection",
            "label": context.get("title") or "Claimtrail annotations",
        }
        text = pretty(head)
        out.write(text[: text.rfind("}")].rstrip().encode("utf-8"))
        out.write(b',\n  "first": {\n    "type": "AnnotationPage",\n    "items": [')
        first = True
        for segment in segments:
            counts.segments += 1
            for annotation in segment["annotations"]:
                counts.add_annotation(annotation)
                item = webannotation(annotation, segment, base_url=base_url, with_context=False)
                body = _indent(pretty(item), 6)
                out.write(("\n" if first else ",\n").encode("utf-8") + body.encode("utf-8"))
                first = False
        out.write(("\n    ]" if not first else "]").encode("utf-8"))
        out.write(f'\n  }},\n  "total": {counts.annotations}\n}}\n'.encode())
        counts.records = counts.annotations
        return counts


def _indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "\n".join(pad + line for line in text.split("\n"))
