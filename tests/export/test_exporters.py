"""The exporters as pure functions over records: no database."""

from __future__ import annotations

import csv
import io
import json
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prov.model import ProvDocument

from annotate.datasets import exporters, jsonld
from annotate.datasets.exporters.base import canonical, canonical_bytes, pretty
from annotate.datasets.exporters.claimreview import claim_review
from annotate.datasets.exporters.jsonl import segment_line
from annotate.datasets.exporters.webannotation import webannotation

DESIGN_SEGMENT_KEYS = {
    "segment_id",
    "transcript_id",
    "transcript_title",
    "transcript_revision",  # which revision of its report the record belongs to
    "source",
    "source_start",
    "source_end",
    "ordinal",
    "clock",
    "location",
    "speaker",
    "speaker_role",
    "text",
    "annotations",
}
DESIGN_SOURCE_KEYS = {"id", "sha256", "origin_url", "retrieved_at"}
DESIGN_ANNOTATION_KEYS = {
    "id",
    "start",
    "end",
    "quote",
    "claim_type",
    "claim_text",
    "verdict",
    "verdict_summary",
    "status",
    "created_by",
    "reviewed_by",
    "citations",
}
DESIGN_CITATION_KEYS = {
    "url",
    "title",
    "publisher",
    "published_on",
    "accessed_at",
    "archived_url",
    "excerpt",
    "stance",
}
PUBLISHER = {
    "name": "Example Checks",
    "url": "https://checks.example.org/",
    "logo": "https://checks.example.org/logo.png",
}
CONTEXT = {
    "base_url": "https://claims.example.org/",
    "publisher": PUBLISHER,
    "public_base_url": "https://checks.example.org/fact-checks/",
    "options": {},
}


def annotation(n: int, *, verdict="mostly-true", status="approved", citations=1):
    return {
        "id": f"00000000-0000-0000-0000-{n:012d}",
        "segment_id": f"s{n}",
        "start": 4,
        "end": 15,
        "quote": "4.2 million",
        "prefix": "The ",
        "suffix": " on roads",
        "claim_type": "quantity",
        "claim_text": "Roads cost 4.2 million.",
        "verdict": verdict,
        "verdict_summary": "Close to the audited figure.",
        "note": "Checked against the audited accounts.",
        "status": status,
        "created_by": "ann",
        "last_edited_by": "ann",
        "assignee": None,
        "version": 4,
        "review_round": 1,
        "created_at": "2026-01-01T09:00:00+00:00",
        "updated_at": "2026-01-02T09:00:00+00:00",
        "citations": [
            {
                "id": f"c{n}-{i}",
                "url": f"https://example.org/evidence/{i}",
                "title": "Budget" if i == 0 else "",
                "publisher": "Council",
                "published_on": "2025-02-01",
                "accessed_at": "2026-01-01T08:00:00+00:00",
                "archived_url": "https://web.archive.org/web/2026/https://example.org/evidence",
                "excerpt": "Roads: 4,190,000",
                "stance": "supports",
                "added_by": "ann",
                "added_at": "2026-01-01T09:00:00+00:00",
            }
            for i in range(citations)
        ],
        "reviews": [
            {
                "id": "r1",
                "decision": "request-changes",
                "comment": "source?",
                "annotation_version": 2,
                "review_round": 1,
                "reviewer": "rev",
                "created_at": "2026-01-01T10:00:00+00:00",
            },
            {
                "id": "r2",
                "decision": "approve",
                "comment": "",
                "annotation_version": 3,
                "review_round": 2,
                "reviewer": "rev2",
                "created_at": "2026-01-01T11:00:00+00:00",
            },
            {
                "id": "r3",
                "decision": "approve",
                "comment": "",
                "annotation_version": 3,
                "review_round": 2,
                "reviewer": "rev",
                "created_at": "2026-01-01T12:00:00+00:00",
            },
        ],
        "events": [
            {
                "sequence": 10 * n + 1,
                "recorded_at": "2026-01-01T09:00:00+00:00",
                "actor": "ann",
                "action": "annotation.create",
                "object_id": f"a{n}",
                "hash": "h1",
                "version": 1,
                "status": "draft",
            },
            {
                "sequence": 10 * n + 2,
                "recorded_at": "2026-01-01T09:00:01+00:00",
                "actor": "ann",
                "action": "citation.add",
                "object_id": f"c{n}-0",
                "hash": "h2",
                "url": "https://example.org/evidence/0",
                "stance": "supports",
            },
            {
                "sequence": 10 * n + 3,
                "recorded_at": "2026-01-01T12:00:00+00:00",
                "actor": "rev",
                "action": "annotation.approve",
                "object_id": f"a{n}",
                "hash": "h3",
                "version": 4,
                "status": "approved",
            },
        ],
    }


def segment(n: int, annotations=()):
    return {
        "id": f"s{n}",
        "transcript_id": "t1",
        "transcript_title": "Budget hearing",
        "transcript_revision": 1,
        "source_revision_of": None,
        "transcript_event_date": "2025-11-03",
        "source_id": "src1",
        "source_sha256": "ab" * 32,
        "source_origin_url": "https://news.example.org/live",
        "source_retrieved_at": None,
        "source_title": "Budget hearing",
        "ordinal": n,
        "clock": "1703",
        "clock_normalised": "17:03",
        "location": "Riverton",
        "speaker": "Ms. Ada Example",
        "speaker_role": "treasurer",
        "text": "The 4.2 million on roads",
        "source_start": 100 * n,
        "source_end": 100 * n + 24,
        "annotations": list(annotations),
        "source_events": [
            {
                "sequence": 1,
                "recorded_at": "2026-01-01T08:00:00+00:00",
                "actor": "system",
                "action": "source.import",
                "object_id": "src1",
                "hash": "h0",
            }
        ],
    }


def records(count=3):
    return [segment(n, [annotation(n)] if n % 2 else []) for n in range(1, count + 1)]


def write(name, segments, options=None):
    exporter = exporters.get(name)
    context = {**CONTEXT, "options": options or {}}
    outs = {f.name: io.BytesIO() for f in exporter.data_files(context["options"])}
    counts = exporter.write(segments, outs, context=context)
    return {key: out.getvalue() for key, out in outs.items()}, counts


def test_unknown_format_names_the_known_ones():
    with pytest.raises(exporters.UnknownFormat, match="jsonl, csv, webannotation"):
        exporters.get("xml")


def test_jsonl_line_has_exactly_the_design_shape():
    line = segment_line(segment(1, [annotation(1)]))
    assert set(line) == DESIGN_SEGMENT_KEYS
    assert set(line["source"]) == DESIGN_SOURCE_KEYS
    assert set(line["annotations"][0]) == DESIGN_ANNOTATION_KEYS
    assert set(line["annotations"][0]["citations"][0]) == DESIGN_CITATION_KEYS
    assert line["clock"] == "17:03"
    assert line["annotations"][0]["reviewed_by"] == ["rev", "rev2"]


def test_jsonl_writes_one_sorted_line_per_segment_and_a_restore_line_for_each():
    files, counts = write("jsonl", records(3))
    lines = files["segments"].decode().splitlines()
    assert [json.loads(line)["segment_id"] for line in lines] == ["s1", "s2", "s3"]
    assert lines[0] == canonical(json.loads(lines[0]))
    restore = [json.loads(line) for line in files["restore"].decode().splitlines()]
    assert [r["segment_id"] for r in restore] == ["s1", "s2", "s3"]
    assert restore[0]["clock"] == "1703"
    assert counts.segments == 3 and counts.annotations == 2


def test_jsonl_annotation_unit_writes_one_annotation_a_line_with_its_segment():
    files, counts = write("jsonl", records(3), {"unit": "annotation"})
    lines = [json.loads(line) for line in files["annotations"].decode().splitlines()]
    assert len(lines) == 2 == counts.records
    assert set(lines[0]) == DESIGN_ANNOTATION_KEYS | {"segment"}
    assert lines[0]["segment"]["segment_id"] == "s1"
    assert "annotations" not in lines[0]["segment"]


def test_csv_flattens_citations_and_reviewers():
    data = records(1)
    data[0]["annotations"] = [annotation(1, citations=2)]
    files, _ = write("csv", data)
    rows = list(csv.DictReader(io.StringIO(files["annotations"].decode())))
    assert len(rows) == 1
    row = rows[0]
    assert row["citation_count"] == "2"
    assert row["citation_urls"].split("\n") == [
        "https://example.org/evidence/0",
        "https://example.org/evidence/1",
    ]
    assert json.loads(row["citations"])[1]["url"] == "https://example.org/evidence/1"
    assert row["reviewed_by"] == "rev;rev2"
    assert row["verdict_rating"] == "4"
    assert (int(row["source_start"]), int(row["source_end"])) == (104, 115)


def test_csv_with_no_annotations_is_just_the_header():
    files, counts = write("csv", [])
    assert files["annotations"].decode().splitlines() == [
        ",".join(c for c, _, _ in exporters.csv.COLUMNS)
    ]
    assert counts.annotations == 0


def test_webannotation_expands_to_the_web_annotation_vocabulary():
    document = webannotation(annotation(1), segment(1), base_url="https://claims.example.org/")
    expanded = jsonld.expand(document)[0]
    oa = "http://www.w3.org/ns/oa#"
    assert expanded["@id"] == (
        "https://claims.example.org/api/v1/annotations/00000000-0000-0000-0000-000000000001/"
    )
    assert expanded["@type"] == [oa + "Annotation"]
    target = expanded[oa + "hasTarget"][0]
    assert "/api/v1/sources/" in target[oa + "hasSource"][0]["@id"]
    selectors = {s["@type"][0]: s for s in target[oa + "hasSelector"]}
    assert selectors[oa + "TextQuoteSelector"][oa + "exact"][0]["@value"] == "4.2 million"
    # Positions count in the source document: the segment starts at 100, the quote at 4.
    assert selectors[oa + "TextPositionSelector"][oa + "start"][0]["@value"] == 104
    purposes = {b[oa + "hasPurpose"][0]["@id"] for b in expanded[oa + "hasBody"]}
    assert {oa + "classifying", oa + "assessing", oa + "linking"} <= purposes
    assert expanded[jsonld.CLAIMTRAIL_VOCAB + "status"][0]["@value"] == "approved"


def test_webannotation_collection_file_is_one_collection_with_every_annotation():
    files, counts = write("webannotation", records(5))
    document = json.loads(files["annotations"])
    assert document["type"] == "AnnotationCollection"
    assert document["total"] == counts.annotations == 3
    assert len(document["first"]["items"]) == 3
    empty, _ = write("webannotation", [])
    assert json.loads(empty["annotations"])["first"]["items"] == []


def test_claimreview_has_the_schema_org_fields_and_skips_unrated_verdicts():
    review = claim_review(
        annotation(1),
        segment(1),
        publisher=PUBLISHER,
        public_base_url="https://checks.example.org/fact-checks/",
    )
    assert review["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 4,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "Mostly true",
    }
    assert review["author"]["name"] == "Example Checks"
    assert review["itemReviewed"]["author"]["name"] == "Ms. Ada Example"
    assert review["itemReviewed"]["appearance"]["url"] == "https://news.example.org/live"
    assert review["datePublished"] == "2026-01-02"
    unrated = annotation(2, verdict="unverifiable")
    assert (
        claim_review(unrated, segment(2), publisher=PUBLISHER, public_base_url="https://x.org/")
        is None
    )
    files, counts = write("claimreview", [segment(1, [annotation(1), unrated])])
    assert counts.annotations == 1
    assert len(json.loads(files["claimreviews"])["dataFeedElement"]) == 1


def test_claimreview_is_published_by_the_configured_publisher_at_its_public_url():
    review = claim_review(
        annotation(1),
        segment(1),
        publisher=PUBLISHER,
        public_base_url="https://checks.example.org/fact-checks",
    )
    assert review["url"] == (
        "https://checks.example.org/fact-checks/00000000-0000-0000-0000-000000000001"
    )
    assert review["author"] == {
        "@type": "Organization",
        "name": "Example Checks",
        "url": "https://checks.example.org/",
        "logo": {"@type": "ImageObject", "url": "https://checks.example.org/logo.png"},
    }
    # The same path under a base with or without its trailing slash.
    again = claim_review(
        annotation(1),
        segment(1),
        publisher=PUBLISHER,
        public_base_url="https://checks.example.org/fact-checks/",
    )
    assert again["url"] == review["url"]


def test_claimreview_points_at_where_the_claim_appeared_never_at_the_api():
    review = claim_review(
        annotation(1), segment(1), publisher=PUBLISHER, public_base_url="https://c.example.org/"
    )
    assert review["itemReviewed"]["appearance"]["url"] == "https://news.example.org/live"
    unknown = {**segment(1), "source_origin_url": ""}
    review = claim_review(
        annotation(1), unknown, publisher=PUBLISHER, public_base_url="https://c.example.org/"
    )
    assert "url" not in review["itemReviewed"]["appearance"]
    assert review["itemReviewed"]["appearance"]["name"] == "Budget hearing"
    assert "/api/" not in pretty(review) and "claims.example.org" not in pretty(review)


def test_claimreview_without_a_logo_names_the_publisher_without_one():
    publisher = {**PUBLISHER, "logo": ""}
    review = claim_review(
        annotation(1), segment(1), publisher=publisher, public_base_url="https://c.example.org/"
    )
    assert review["author"] == {
        "@type": "Organization",
        "name": "Example Checks",
        "url": "https://checks.example.org/",
    }


def test_prov_document_reads_back_with_the_prov_library():
    files, _ = write("prov", records(3))
    document = ProvDocument.deserialize(content=files["provenance"].decode(), format="json")
    records_by_kind = {}
    for record in document.get_records():
        records_by_kind.setdefault(type(record).__name__, []).append(record)
    entities = {str(r.identifier) for r in records_by_kind["ProvEntity"]}
    assert {
        "ct:source/src1",
        "ct:segment/s1",
        "ct:annotation/00000000-0000-0000-0000-000000000001",
    } <= entities
    assert "ct:annotation/00000000-0000-0000-0000-000000000001/v4" in entities
    assert {str(r.identifier) for r in records_by_kind["ProvAgent"]} == {
        "ct:user/ann",
        "ct:user/rev",
        "ct:user/system",
    }
    assert len(records_by_kind["ProvActivity"]) == 1 + 2 * 3  # source import + 3 events x 2
    for kind in ("ProvGeneration", "ProvAssociation", "ProvAttribution", "ProvDerivation"):
        assert records_by_kind[kind], kind


def _records_produced_before_first_write(name: str, total: int) -> int:
    exporter = exporters.get(name)
    produced: list[int] = []
    written_when: list[int] = []

    class Probe(io.BytesIO):
        def write(self, data):
            written_when.append(len(produced))
            return super().write(data)

    def generate():
        for n in range(1, total + 1):
            produced.append(n)
            yield segment(n, [annotation(n)])

    outs = {f.name: Probe() for f in exporter.data_files({})}
    exporter.write(generate(), outs, context=CONTEXT)
    return min(w for w in written_when if w > 0)


@pytest.mark.parametrize("name", [n for n in exporters.FORMATS if n != "prov"])
def test_writers_stream_a_generator_without_collecting_it(name):
    """Writers write early records before later ones exist: buffers are bounded, not the data.

    (PROV spools its sections to temporary files, then assembles them: also bounded.)
    """
    assert _records_produced_before_first_write(name, 1000) < 300


def test_same_records_give_the_same_bytes():
    for name in exporters.FORMATS:
        assert write(name, records(4))[0] == write(name, records(4))[0], name


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(alphabet=string.ascii_letters + "_", max_size=8), children, max_size=4
        )
    ),
    max_leaves=12,
)


@given(json_values)
def test_canonical_bytes_are_exactly_what_the_standard_library_writes(value):
    """orjson is only a faster encoder: the bytes must not depend on which one wrote them."""
    expected = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    try:
        expected_bytes = expected.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: neither can write them as UTF-8
        return
    assert canonical_bytes(value) == expected_bytes


@given(json_values)
def test_pretty_is_exactly_what_the_standard_library_indents(value):
    expected = json.dumps(value, sort_keys=True, ensure_ascii=False, indent=2)
    try:
        expected.encode("utf-8")
    except UnicodeEncodeError:
        return
    assert pretty(value) == expected
