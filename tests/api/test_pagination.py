"""Cursor pages: forward and backward walks agree; links keep the filters."""

from __future__ import annotations

from tests.api.conftest import client_for
from tests.factories import make_annotation


def test_walking_backwards_gives_the_same_rows(annotator, reviewer, segment):
    for _ in range(25):
        make_annotation(annotator, segment)
    client = client_for(reviewer)
    forward, url, last = [], "/api/v1/annotations/?page_size=4", None
    while url:
        last = client.get(url).json()
        forward.extend(row["id"] for row in last["results"])
        url = last["next"]
    backward, url = [row["id"] for row in last["results"]], last["previous"]
    while url:
        body = client.get(url).json()
        backward = [row["id"] for row in body["results"]] + backward
        url = body["previous"]
    assert backward == forward and len(forward) == 25


def test_next_link_keeps_the_filters(as_reviewer, annotator, annotator2, segment):
    for _ in range(3):
        make_annotation(annotator, segment)
        make_annotation(annotator2, segment)
    body = as_reviewer.get("/api/v1/annotations/?creator=ann&page_size=2").json()
    assert "creator=ann" in body["next"]
    rest = as_reviewer.get(body["next"]).json()
    assert [r["created_by"] for r in body["results"] + rest["results"]] == ["ann"] * 3
    assert rest["next"] is None


def test_segments_walk_in_reading_order(as_reviewer, transcript):
    ordinals, url = [], "/api/v1/segments/?page_size=1"
    while url:
        body = as_reviewer.get(url).json()
        ordinals.extend(row["ordinal"] for row in body["results"])
        url = body["next"]
    assert ordinals == list(range(1, transcript.segment_count + 1))
