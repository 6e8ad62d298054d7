"""Each list endpoint costs the same number of SQL queries for 1 row as for a full page.

A page of 100 annotations, each with two citations and a review, must not cost
a query per row (or per citation). Authentication itself costs one query
(token, user and the user's roles together).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotate import services
from tests.factories import make_annotation, make_transcript

LD = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
CITATIONS = [
    {"url": "https://example.org/a", "title": "A", "stance": "supports"},
    {"url": "https://example.org/b", "title": "B", "stance": "refutes"},
]


def _liveblog(blocks: int, tag: str) -> str:
    parts = [f"Hearing {tag}\n"]
    for n in range(blocks):
        parts.append(
            f"{9 + n // 60:02d}{n % 60:02d}: Riverton: Speaker {n}\n\n"
            f"Claim number {n} in {tag} says 4.2 million.\n"
        )
    return "\n".join(parts)


def _queries(client, path, **headers) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **headers)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()


def _annotations(annotator, reviewer, segments, count):
    made = []
    for n in range(count):
        annotation = make_annotation(annotator, segments[n % len(segments)], citations=CITATIONS)
        if n % 10 == 0:  # some with reviews, so the nested reviews are real
            annotation = services.annotation_submit(
                actor=annotator, annotation=annotation, expected_version=annotation.version
            )
            annotation = services.annotation_request_changes(
                actor=reviewer,
                annotation=annotation,
                expected_version=annotation.version,
                comment="More sources.",
            )
        made.append(annotation)
    return made


@pytest.fixture
def big_transcript(db):
    return make_transcript(_liveblog(100, "big"), filename="big.txt")


def test_annotation_list_queries_do_not_grow(as_reviewer, annotator, reviewer, big_transcript):
    segments = list(big_transcript.segments.order_by("ordinal"))
    _annotations(annotator, reviewer, segments, 1)
    one, body = _queries(as_reviewer, "/api/v1/annotations/?page_size=100")
    assert len(body["results"]) == 1
    ld_one, _ = _queries(as_reviewer, "/api/v1/annotations/?page_size=100", HTTP_ACCEPT=LD)
    _annotations(annotator, reviewer, segments, 99)
    hundred, body = _queries(as_reviewer, "/api/v1/annotations/?page_size=100")
    assert len(body["results"]) == 100
    assert all(len(row["citations"]) == 2 for row in body["results"])
    assert any(row["reviews"] for row in body["results"])
    assert hundred == one <= 5  # auth + annotations + citations + reviews + usernames

    ld_hundred, collection = _queries(
        as_reviewer, "/api/v1/annotations/?page_size=100", HTTP_ACCEPT=LD
    )
    assert len(collection["first"]["items"]) == 100
    assert ld_hundred == ld_one <= 4  # auth + annotations (joined) + citations + reviews


def test_citation_and_history_lists_do_not_grow(as_reviewer, annotator, reviewer, big_transcript):
    segments = list(big_transcript.segments.order_by("ordinal"))
    [first] = _annotations(annotator, reviewer, segments, 1)
    one, _ = _queries(as_reviewer, "/api/v1/citations/?page_size=100")
    history_one, _ = _queries(as_reviewer, f"/api/v1/annotations/{first.pk}/history/")
    _annotations(annotator, reviewer, segments, 60)
    hundred, body = _queries(as_reviewer, "/api/v1/citations/?page_size=100")
    assert len(body["results"]) == 100
    assert hundred == one <= 4
    annotation = first
    for n in range(30):
        annotation = services.annotation_update(
            actor=annotator,
            annotation=annotation,
            expected_version=annotation.version,
            claim_text=f"edit {n}",
        )
    history_many, body = _queries(as_reviewer, f"/api/v1/annotations/{first.pk}/history/")
    assert len(body["results"]) > 30
    assert history_many == history_one <= 5


def test_archive_lists_do_not_grow(as_reviewer, db):
    make_transcript(_liveblog(1, "one"), filename="one.txt")
    counts_one = {
        path: _queries(as_reviewer, f"/api/v1/{path}/?page_size=100")[0]
        for path in ("segments", "transcripts", "sources", "claim-types")
    }
    make_transcript(_liveblog(100, "many"), filename="many.txt")
    for n in range(20):
        make_transcript(_liveblog(2, f"extra {n}"), filename=f"extra{n}.txt")
    for path, count in counts_one.items():
        many, body = _queries(as_reviewer, f"/api/v1/{path}/?page_size=100")
        assert len(body["results"]) > 8, path
        assert many == count <= 2, path  # auth (token, user and roles) + the rows
