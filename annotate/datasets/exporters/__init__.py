"""Export formats behind one registry: ``get(name)`` returns the exporter for a format.

Each format is a module with one exporter class whose ``write(segments, out,
context=...)`` is a pure function of the records it is given (see ``base``).
"""

from __future__ import annotations

from annotate.datasets.exporters.base import Counts, DataFile, Exporter, canonical
from annotate.datasets.exporters.claimreview import ClaimReviewExporter
from annotate.datasets.exporters.csv import CsvExporter
from annotate.datasets.exporters.jsonl import JsonlExporter
from annotate.datasets.exporters.prov import ProvExporter
from annotate.datasets.exporters.webannotation import WebAnnotationExporter

EXPORTERS: dict[str, Exporter] = {
    exporter.name: exporter
    for exporter in (
        JsonlExporter(),
        CsvExporter(),
        WebAnnotationExporter(),
        ClaimReviewExporter(),
        ProvExporter(),
    )
}
FORMATS = tuple(EXPORTERS)


class UnknownFormat(ValueError):
    """The requested export format does not exist."""


def get(name: str) -> Exporter:
    try:
        return EXPORTERS[name]
    except KeyError:
        raise UnknownFormat(
            f"unknown export format {name!r}; use one of: {', '.join(FORMATS)}"
        ) from None


__all__ = [
    "EXPORTERS",
    "FORMATS",
    "Counts",
    "DataFile",
    "Exporter",
    "UnknownFormat",
    "canonical",
    "get",
]
