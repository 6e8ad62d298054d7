"""W3C PROV-JSON: where the exported records come from, built from the ledger.

- Entities: each source (``ct:source/<uuid>``), each exported segment
  (``ct:segment/<uuid>``), each exported annotation (``ct:annotation/<uuid>``), each
  recorded version of an annotation (``ct:annotation/<uuid>/v<n>``) and each
  citation added to it (``ct:citation/<uuid>``).
- Activities: the ledger events behind them (``ct:event/<sequence>``): the source
  import, and every annotation edit, citation change and review decision. Each
  carries its time, action, sequence and ledger hash, so it can be checked against
  ``verify_ledger``.
- Agents: the users who acted (``ct:user/<username>``).
- Relations: a source that revises another ``wasDerivedFrom`` it as a
  ``prov:Revision`` (PROV's wasRevisionOf); segment ``wasDerivedFrom`` source; the
  first annotation version ``wasDerivedFrom`` its segment and each later one from the version before
  (``prov:Revision``); versions, citations and sources ``wasGeneratedBy`` their
  event; every event ``wasAssociatedWith`` its actor; annotations, versions and
  citations ``wasAttributedTo`` who made them; each version is a
  ``specializationOf`` its annotation.

The document is written section by section through spooled temporary files, so
memory stays flat however many records there are; relation ids are counters in
export order, so the same records give the same bytes.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from typing import IO, Any

from annotate.actions import AnnotateAction
from annotate.datasets.exporters.base import Counts, DataFile, SegmentRecord, canonical_bytes

PREFIX = "urn:claimtrail:"
SECTIONS = (
    "entity",
    "activity",
    "agent",
    "wasGeneratedBy",
    "wasAssociatedWith",
    "wasAttributedTo",
    "wasDerivedFrom",
    "specializationOf",
)
_RELATION_PREFIX = {
    "wasGeneratedBy": "gen",
    "wasAssociatedWith": "assoc",
    "wasAttributedTo": "attr",
    "wasDerivedFrom": "der",
    "specializationOf": "spec",
}


def qname(value: str) -> dict[str, str]:
    return {"$": value, "type": "prov:QUALIFIED_NAME"}


def user_id(username: str) -> str:
    return f"ct:user/{username}"


class _Sections:
    """One spooled file per PROV-JSON section; entries written as they come."""

    def __init__(self):
        self.files = {name: tempfile.SpooledTemporaryFile(max_size=1 << 20) for name in SECTIONS}
        self.sizes = dict.fromkeys(SECTIONS, 0)
        self.relation_numbers = dict.fromkeys(_RELATION_PREFIX, 0)

    def add(self, section: str, key: str, value: dict[str, Any]) -> None:
        separator = b",\n" if self.sizes[section] else b"\n"
        self.files[section].write(
            separator + b"    " + json.dumps(key).encode() + b": " + canonical_bytes(value)
        )
        self.sizes[section] += 1

    def relate(self, section: str, value: dict[str, Any]) -> None:
        self.relation_numbers[section] += 1
        self.add(section, f"_:{_RELATION_PREFIX[section]}{self.relation_numbers[section]}", value)

    def write_to(self, out: IO[bytes]) -> None:
        out.write(b'{\n  "prefix": ' + canonical_bytes({"ct": PREFIX}))
        for name in SECTIONS:
            if not self.sizes[name]:
                continue
            out.write(b',\n  "' + name.encode() + b'": {')
            spooled = self.files[name]
            spooled.seek(0)
            while chunk := spooled.read(1 << 16):
                out.write(chunk)
            out.write(b"\n  }")
        out.write(b"\n}\n")

    def close(self) -> None:
        for spooled in self.files.values():
            spooled.close()


class ProvExporter:
    name = "prov"
    description = "W3C PROV-JSON provenance of the exported records, from the ledger"
    annotation_unit = False
    default_approved_only = False
    rated_only = False
    needs_ledger = True
    needs_publisher = False

    def data_files(self, options: dict[str, Any]) -> list[DataFile]:
        return [
            DataFile(
                path="data/provenance.json",
                name="provenance",
                format="json",
                mediatype="application/json",
                description="W3C PROV-JSON: sources, segments and annotations as entities, "
                "ledger events as activities, users as agents.",
            )
        ]

    def write(
        self,
        segments: Iterable[SegmentRecord],
        outs: dict[str, IO[bytes]],
        *,
        context: dict[str, Any],
    ) -> Counts:
        sections = _Sections()
        try:
            counts = self._collect(segments, sections)
            sections.write_to(outs["provenance"])
        finally:
            sections.close()
        return counts

    def _collect(self, segments: Iterable[SegmentRecord], sections: _Sections) -> Counts:
        counts = Counts()
        agents: set[str] = set()
        sources_seen: set[str] = set()
        activities = 0

        def activity(event: dict[str, Any]) -> str:
            nonlocal activities
            activities += 1
            key = f"ct:event/{event['sequence']}"
            sections.add(
                "activity",
                key,
                {
                    "prov:type": qname(f"ct:{event['action']}"),
                    "prov:startTime": event["recorded_at"],
                    "prov:endTime": event["recorded_at"],
                    "ct:sequence": event["sequence"],
                    "ct:hash": event["hash"],
                },
            )
            agents.add(event["actor"])
            sections.relate(
                "wasAssociatedWith", {"prov:activity": key, "prov:agent": user_id(event["actor"])}
            )
            return key

        for segment in segments:
            counts.segments += 1
            source_key = f"ct:source/{segment['source_id']}"
            if segment["source_id"] not in sources_seen:
                sources_seen.add(segment["source_id"])
                sections.add(
                    "entity",
                    source_key,
                    {
                        "prov:type": qname("ct:Source"),
                        "prov:label": segment["source_title"],
                        "ct:sha256": segment["source_sha256"],
                    },
                )
                if segment.get("source_revision_of"):
                    # A corrected or extended report: this source is a revision of the
                    # one before (PROV's wasRevisionOf, a typed derivation in PROV-JSON).
                    sections.relate(
                        "wasDerivedFrom",
                        {
                            "prov:generatedEntity": source_key,
                            "prov:usedEntity": f"ct:source/{segment['source_revision_of']}",
                            "prov:type": qname("prov:Revision"),
                        },
                    )
                for event in segment.get("source_events", ()):
                    key = activity(event)
                    sections.relate(
                        "wasGeneratedBy",
                        {
                            "prov:entity": source_key,
                            "prov:activity": key,
                            "prov:time": event["recorded_at"],
                        },
                    )
            segment_key = f"ct:segment/{segment['id']}"
            sections.add(
                "entity",
                segment_key,
                {
                    "prov:type": qname("ct:Segment"),
                    "ct:ordinal": segment["ordinal"],
                    "ct:transcript": segment["transcript_id"],
                },
            )
            sections.relate(
                "wasDerivedFrom",
                {"prov:generatedEntity": segment_key, "prov:usedEntity": source_key},
            )
            for annotation in segment["annotations"]:
                counts.add_annotation(annotation)
                self._annotation(annotation, segment_key, sections, activity, agents)
        for username in sorted(agents):
            sections.add(
                "agent",
                user_id(username),
                {"prov:type": qname("prov:Person"), "prov:label": username},
            )
        counts.records = counts.segments
        counts.extra = {"activities": activities, "agents": len(agents)}
        return counts

    def _annotation(self, annotation, segment_key, sections, activity, agents) -> None:
        key = f"ct:annotation/{annotation['id']}"
        sections.add(
            "entity",
            key,
            {
                "prov:type": qname("ct:Annotation"),
                "ct:status": annotation["status"],
                "ct:verdict": annotation["verdict"],
                "ct:version": annotation["version"],
            },
        )
        agents.add(annotation["created_by"])
        sections.relate(
            "wasAttributedTo", {"prov:entity": key, "prov:agent": user_id(annotation["created_by"])}
        )
        previous = segment_key
        for event in annotation.get("events", ()):
            event_key = activity(event)
            if event.get("version") is not None:
                version_key = f"{key}/v{event['version']}"
                sections.add(
                    "entity",
                    version_key,
                    {
                        "prov:type": qname("ct:AnnotationVersion"),
                        "ct:status": event.get("status", ""),
                        "ct:version": event["version"],
                    },
                )
                sections.relate(
                    "wasGeneratedBy",
                    {
                        "prov:entity": version_key,
                        "prov:activity": event_key,
                        "prov:time": event["recorded_at"],
                    },
                )
                sections.relate(
                    "wasAttributedTo",
                    {"prov:entity": version_key, "prov:agent": user_id(event["actor"])},
                )
                derivation = {"prov:generatedEntity": version_key, "prov:usedEntity": previous}
                if previous != segment_key:
                    derivation["prov:type"] = qname("prov:Revision")
                sections.relate("wasDerivedFrom", derivation)
                sections.relate(
                    "specializationOf",
                    {"prov:specificEntity": version_key, "prov:generalEntity": key},
                )
                previous = version_key
            elif event["action"] == AnnotateAction.CITATION_ADD:
                citation_key = f"ct:citation/{event['object_id']}"
                sections.add(
                    "entity",
                    citation_key,
                    {
                        "prov:type": qname("ct:Citation"),
                        "ct:url": event.get("url", ""),
                        "ct:stance": event.get("stance", ""),
                    },
                )
                sections.relate(
                    "wasGeneratedBy",
                    {
                        "prov:entity": citation_key,
                        "prov:activity": event_key,
                        "prov:time": event["recorded_at"],
                    },
                )
                sections.relate(
                    "wasAttributedTo",
                    {"prov:entity": citation_key, "prov:agent": user_id(event["actor"])},
                )
