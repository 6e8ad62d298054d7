"""SubRip importer: cues, speakers, clocks, stray text."""

import pytest

from archive.importers import srt
from archive.importers.base import DocumentError

TWO_CUES = (
    "1\n00:00:01,000 --> 00:00:03,500\nGood evening, everyone.\nWelcome.\n\n"
    "2\n01:02:03,250 --> 01:02:05,000\nMAYOR: The budget rose 4.2 percent.\n"
)


def _texts(text, document):
    return [text[s.start : s.end] for s in document.segments]


def test_one_segment_per_cue_covering_its_text_lines():
    document = srt.parse(TWO_CUES)

    assert _texts(TWO_CUES, document) == [
        "Good evening, everyone.\nWelcome.",
        "The budget rose 4.2 percent.",
    ]
    assert document.dropped == []


def test_clock_is_the_cue_start_as_written():
    first, second = srt.parse(TWO_CUES).segments

    assert (first.clock, first.clock_normalised) == ("00:00:01,000", "00:00")
    assert (second.clock, second.clock_normalised) == ("01:02:03,250", "01:02")


def test_leading_name_label_is_the_speaker():
    first, second = srt.parse(TWO_CUES).segments

    assert first.speaker == ""
    assert second.speaker == "MAYOR"


def test_title_case_label_of_up_to_four_words():
    text = "1\n00:00:01,000 --> 00:00:02,000\nDr. Ann Lee: Yes.\n\n2\n00:00:03,000 --> 00:00:04,000\nthe answer: no.\n"

    first, second = srt.parse(text).segments

    assert first.speaker == "Dr. Ann Lee"
    assert second.speaker == ""
    assert text[second.start : second.end] == "the answer: no."


def test_crlf_and_bom():
    text = "\ufeff" + TWO_CUES.replace("\n", "\r\n")

    document = srt.parse(text)

    assert _texts(text, document)[0] == "Good evening, everyone.\r\nWelcome."
    assert len(document.segments) == 2


def test_cues_without_blank_line_between_them_are_split():
    text = "1\n00:00:01,000 --> 00:00:02,000\nOne.\n2\n00:00:03,000 --> 00:00:04,000\nTwo.\n"

    assert _texts(text, srt.parse(text)) == ["One.", "Two."]


def test_text_before_the_first_cue_is_reported_as_dropped():
    text = "Subtitles by someone\n\n" + TWO_CUES

    document = srt.parse(text)

    assert [text[d.start : d.end] for d in document.dropped] == ["Subtitles by someone"]
    assert document.dropped[0].reason == srt.OUTSIDE_CUE


def test_paragraph_after_a_stray_blank_line_continues_the_cue():
    text = "1\n00:00:01,000 --> 00:00:02,000\nOne.\n\nstill one.\n\n7\n"

    assert _texts(text, srt.parse(text)) == ["One.\n\nstill one."]


def test_no_cues_is_refused():
    with pytest.raises(DocumentError, match=r"no segments found .*srt"):
        srt.parse("1\n00:00:01,000 --> 00:00:02,000\n\n")


def test_sniff():
    assert srt.sniff(TWO_CUES)
    assert srt.sniff("\ufeff" + TWO_CUES.replace("\n", "\r\n"))
    assert not srt.sniff("WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n")
    assert not srt.sniff("1703: Paris: Someone\n\nText")
