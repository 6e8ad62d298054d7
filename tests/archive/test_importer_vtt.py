"""WebVTT importer: header, voices, notes and style blocks."""

import pytest

from archive.importers import vtt
from archive.importers.base import DocumentError

DOCUMENT = """WEBVTT - Council hearing

NOTE This file was checked by the clerk
on 14 October.

STYLE
::cue { color: yellow }

intro
00:01.000 --> 00:04.000 align:start
<v Helena Marsh>Good evening.</v>

00:01:05.500 --> 00:01:08.000
<v.loud Tomas Quill>Transport rises 3.1 million.
<v Ada Okonkwo>Thank you.

01:00:00.000 --> 01:00:02.000
CHAIR: The hearing closes.
"""


def _texts(text, document):
    return [text[s.start : s.end] for s in document.segments]


def test_segments_and_speakers_from_voice_tags():
    document = vtt.parse(DOCUMENT)

    assert _texts(DOCUMENT, document) == [
        "Good evening.",
        "Transport rises 3.1 million.",
        "Thank you.",
        "The hearing closes.",
    ]
    assert [s.speaker for s in document.segments] == [
        "Helena Marsh",
        "Tomas Quill",
        "Ada Okonkwo",
        "CHAIR",
    ]


def test_clock_without_hours_counts_from_zero():
    segments = vtt.parse(DOCUMENT).segments

    assert (segments[0].clock, segments[0].clock_normalised) == ("00:01.000", "00:00")
    assert (segments[1].clock, segments[1].clock_normalised) == ("00:01:05.500", "00:01")
    assert segments[3].clock_normalised == "01:00"


def test_note_block_is_reported_and_style_is_not():
    document = vtt.parse(DOCUMENT)

    assert [DOCUMENT[d.start : d.end] for d in document.dropped] == [
        "NOTE This file was checked by the clerk\non 14 October."
    ]
    assert document.dropped[0].reason == vtt.NOTE


def test_title_comes_from_the_signature_line():
    assert vtt.parse(DOCUMENT).title == "Council hearing"
    assert vtt.parse("WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n").title == ""


def test_crlf_and_bom():
    text = "\ufeff" + DOCUMENT.replace("\n", "\r\n")

    document = vtt.parse(text)

    assert _texts(text, document)[1] == "Transport rises 3.1 million."
    assert document.title == "Council hearing"
    assert len(document.segments) == 4


def test_text_between_a_voice_tag_and_the_cue_start_is_kept():
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\n- <v Ann>Yes.</v>\n"

    document = vtt.parse(text)

    assert _texts(text, document) == ["-", "Yes."]
    assert [s.speaker for s in document.segments] == ["", "Ann"]


def test_no_cues_is_refused():
    with pytest.raises(DocumentError, match=r"no segments found .*vtt"):
        vtt.parse("WEBVTT\n\nNOTE nothing here\n")


def test_sniff():
    assert vtt.sniff(DOCUMENT)
    assert vtt.sniff("\ufeffWEBVTT\r\n\r\n")
    assert not vtt.sniff("WEBVTTX\n")
    assert not vtt.sniff("1\n00:00:01,000 --> 00:00:02,000\nHi\n")
