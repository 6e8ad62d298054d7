"""registry.stream: the import path's parse, one checked segment at a time."""

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.importers import liveblog, registry
from archive.importers.base import DocumentError, DocumentStream, ParsedSegment

SAMPLES = {
    "liveblog": "Home > News\nTitle 14 October 2025\n\n1703: Paris: Ann Lee, mayor\n\nHello.\n"
    "Exit mobile version1704: Bob\n",
    "srt": "1\n00:00:01,000 --> 00:00:02,000\nHello.\n\n2\n00:00:03,000 --> 00:00:04,000\nBye.\n",
    "vtt": "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ann>Hello.\n",
    "dialogue": "Interview\nANN: Hello.\nBOB: Hi.\n",
    "jsonl": json.dumps({"text": " Hello. ", "transcript_title": "T"}) + "\n",
}


def _as_parsed(document: DocumentStream):
    segments = list(document.segments)
    return (document.title, segments, document.dropped, document.event_date, document.format)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_stream_gives_what_parse_gives_for_every_format(name):
    parsed = registry.parse(SAMPLES[name])
    streamed = registry.stream(SAMPLES[name])
    assert streamed.text == parsed.text
    assert _as_parsed(streamed) == (
        parsed.title,
        parsed.segments,
        parsed.dropped,
        parsed.event_date,
        name,
    )


def test_stream_refuses_a_document_without_segments_before_returning():
    # Headers whose only text is furniture: the scan finds a header, no segment.
    with pytest.raises(DocumentError, match="no segments found"):
        registry.stream("1703: Exit mobile version\n1704: Exit mobile version\n", "liveblog")


def test_stream_checks_spans_as_they_pass(monkeypatch):
    def bad_stream(text):
        segments = iter([ParsedSegment(0, 5), ParsedSegment(3, 8)])  # the second overlaps
        return DocumentStream(title="", segments=segments)

    monkeypatch.setattr(liveblog, "stream", bad_stream)
    document = registry.stream("Hello world", "liveblog")
    with pytest.raises(DocumentError, match="segment 2 has an invalid span"):
        list(document.segments)


def test_stream_refuses_unknown_formats():
    with pytest.raises(DocumentError, match="unknown format"):
        registry.stream("text", format="xml")


LINES = st.lists(
    st.one_of(
        st.sampled_from(["", " ", "\ufeff", "Exit mobile version", "Home > News", "Mr. X."]),
        st.builds(
            "{}: {}{}".format,
            st.from_regex(r"[0-2][0-9][0-5][0-9]", fullmatch=True),
            st.sampled_from(["", "Paris: ", "A very long place name that is no location: "]),
            st.sampled_from(["Ann Lee, mayor", "Bob", "It rained.", "Exit mobile version"]),
        ),
        st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\r\n")),
    ),
    max_size=30,
)


@given(LINES, st.sampled_from(["\n", "\r\n", "\r"]))
@settings(max_examples=200, deadline=None)
def test_liveblog_stream_equals_parse(lines, newline):
    text = newline.join(lines)
    try:
        parsed = registry.parse(text, "liveblog")
    except DocumentError as error:
        with pytest.raises(DocumentError, match=re.escape(str(error))):
            registry.stream(text, "liveblog")
        return
    streamed = registry.stream(text, "liveblog")
    assert (streamed.title, streamed.event_date) == (parsed.title, parsed.event_date)
    assert list(streamed.segments) == parsed.segments
    assert streamed.dropped == parsed.dropped
