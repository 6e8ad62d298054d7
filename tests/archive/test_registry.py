"""Importer registry: detection by extension and content, and the parse entry point."""

import json

import pytest

from archive.importers import registry
from archive.importers.base import DocumentError

SAMPLES = {
    "liveblog": "Title\n\n1703: Paris: Ann Lee, mayor\n\nHello.\n",
    "srt": "1\n00:00:01,000 --> 00:00:02,000\nHello.\n",
    "vtt": "WEBVTT\n\n00:01.000 --> 00:02.000\nHello.\n",
    "dialogue": "Interview\nANN: Hello.\nBOB: Hi.\n",
    "jsonl": json.dumps({"text": "Hello.", "transcript_title": "T"}) + "\n",
}


def test_every_format_is_registered():
    assert registry.FORMATS == ("liveblog", "srt", "vtt", "dialogue", "jsonl", "tsv")
    assert all(registry.IMPORTERS[name].NAME == name for name in registry.FORMATS)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_detects_each_format_from_content(name):
    assert registry.detect(SAMPLES[name]) == name


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_detects_each_format_with_crlf_and_bom(name):
    assert registry.detect("\ufeff" + SAMPLES[name].replace("\n", "\r\n")) == name


@pytest.mark.parametrize(
    ("filename", "name"),
    [("talk.srt", "srt"), ("TALK.VTT", "vtt"), ("export.jsonl", "jsonl"), ("a.ndjson", "jsonl")],
)
def test_extension_wins_over_content(filename, name):
    assert registry.detect(SAMPLES["dialogue"], filename=filename) == name


def test_unknown_extension_falls_back_to_content():
    assert registry.detect(SAMPLES["liveblog"], filename="report.txt") == "liveblog"


def test_undetectable_text_is_refused_with_a_hint():
    with pytest.raises(DocumentError) as error:
        registry.detect("Just some prose.\nNothing else.")
    formats = ", ".join(registry.FORMATS)
    assert str(error.value) == f"could not detect the format; name it ({formats})"
    assert error.value.needs == "format" and error.value.choices == registry.FORMATS
    assert error.value.worded({"format": "use --format ({choices})"}) == (
        f"could not detect the format; use --format ({formats})"
    )


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_parse_sets_the_format(name):
    document = registry.parse(SAMPLES[name])

    assert document.format == name
    assert len(document.segments) >= 1


def test_explicit_format_skips_detection():
    document = registry.parse(SAMPLES["dialogue"], format="dialogue", filename="x.srt")

    assert document.format == "dialogue"


def test_unknown_format_lists_the_known_ones():
    with pytest.raises(DocumentError, match=r"unknown format 'xml'; known formats: auto, liveblog"):
        registry.parse("text", format="xml")


def test_importer_label_carries_the_version():
    assert registry.importer_label("srt") == f"srt@{registry.IMPORTERS['srt'].VERSION}"
