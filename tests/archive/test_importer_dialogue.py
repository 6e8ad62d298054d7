"""Dialogue importer: speaker turns, stamps, continuation lines, title."""

from datetime import date

import pytest

from archive.importers import dialogue
from archive.importers.base import DocumentError

INTERVIEW = """Budget interview, 14 October 2025
[00:01:02] HOST: How much does the budget grow?
MAYOR: By 4.2 percent.
That is 148.6 million euros in total.

[01:15] Dr. Lena Brandt: Asthma admissions rose to 71.
"""


def _texts(text, document):
    return [text[s.start : s.end] for s in document.segments]


def test_one_segment_per_turn_with_continuations():
    document = dialogue.parse(INTERVIEW)

    assert _texts(INTERVIEW, document) == [
        "How much does the budget grow?",
        "By 4.2 percent.\nThat is 148.6 million euros in total.",
        "Asthma admissions rose to 71.",
    ]
    assert [s.speaker for s in document.segments] == ["HOST", "MAYOR", "Dr. Lena Brandt"]


def test_stamps_give_clocks():
    host, mayor, doctor = dialogue.parse(INTERVIEW).segments

    assert (host.clock, host.clock_normalised) == ("00:01:02", "00:01")
    assert (mayor.clock, mayor.clock_normalised) == ("", "")
    assert (doctor.clock, doctor.clock_normalised) == ("01:15", "00:01")


def test_minutes_only_stamp_past_an_hour():
    [turn] = dialogue.parse("[75:30] ANN: Late.").segments

    assert turn.clock_normalised == "01:15"


def test_first_line_is_the_title_unless_it_is_a_turn():
    assert dialogue.parse(INTERVIEW).title == "Budget interview, 14 October 2025"
    assert dialogue.parse(INTERVIEW).event_date == date(2025, 10, 14)
    assert dialogue.parse("ANN: Hi.\nBOB: Hello.").title == ""


def test_text_before_the_first_turn_is_kept_without_speaker():
    text = "Title\nRecorded at the town hall.\nSecond line.\nANN: Hi."

    document = dialogue.parse(text)

    assert _texts(text, document) == ["Recorded at the town hall.\nSecond line.", "Hi."]
    assert document.segments[0].speaker == ""


def test_name_on_its_own_line_takes_the_next_lines():
    text = "ANN:\nHello there.\nBOB: Hi."

    assert _texts(text, dialogue.parse(text)) == ["Hello there.", "Hi."]


def test_crlf_and_bom():
    text = "\ufeff" + INTERVIEW.replace("\n", "\r\n")

    document = dialogue.parse(text)

    assert document.title == "Budget interview, 14 October 2025"
    assert _texts(text, document)[1] == "By 4.2 percent.\r\nThat is 148.6 million euros in total."


def test_lowercase_or_long_names_are_not_speakers():
    text = "ANN: Note: this continues.\nthe result: yes\nThe Chair Of The Finance Committee: no"

    [turn] = dialogue.parse(text).segments

    assert turn.speaker == "ANN"
    assert text[turn.start : turn.end] == text[len("ANN: ") :]


def test_no_turns_is_refused():
    with pytest.raises(DocumentError, match=r"no segments found .*dialogue"):
        dialogue.parse("Only a title\n\n")


def test_sniff():
    assert dialogue.sniff(INTERVIEW)
    assert not dialogue.sniff("ANN: one turn only\nand prose\nand more prose")
    assert not dialogue.sniff("Plain prose.\nMore prose.\n")
