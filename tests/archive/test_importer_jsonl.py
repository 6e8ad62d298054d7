"""JSONL importer: Claimtrail's own export read back as a transcript."""

import json
import re

import pytest

from archive.importers import jsonl
from archive.importers.base import DocumentError


def _line(**fields):
    record = {
        "segment_id": "seg-1",
        "transcript_id": "tr-1",
        "transcript_title": "Budget hearing",
        "ordinal": 1,
        "clock": "17:03",
        "location": "Ebbridge",
        "speaker": "Ann Lee",
        "speaker_role": "mayor",
        "text": "Hello.",
        "annotations": [],
    }
    record.update(fields)
    return json.dumps(record)


def _texts(document):
    return [document.text[s.start : s.end] for s in document.segments]


def test_segments_refer_to_the_rebuilt_text():
    text = "\n".join(
        [
            _line(text='She said "4.2 percent".\nThen left.'),
            _line(segment_id="seg-2", ordinal=2, text="Ünïcode ✓"),
        ]
    )

    document = jsonl.parse(text)

    assert _texts(document) == ['She said "4.2 percent".\nThen left.', "Ünïcode ✓"]
    assert document.text == 'She said "4.2 percent".\nThen left.\n\nÜnïcode ✓'


def test_fields_and_title():
    [segment] = jsonl.parse(_line()).segments

    assert segment.external_id == "seg-1"
    assert (segment.clock, segment.clock_normalised) == ("17:03", "17:03")
    assert (segment.location, segment.speaker, segment.speaker_role) == (
        "Ebbridge",
        "Ann Lee",
        "mayor",
    )
    assert jsonl.parse(_line()).title == "Budget hearing"


def test_lines_are_put_in_ordinal_order():
    text = "\n".join([_line(ordinal=2, text="second"), _line(ordinal=1, text="first")])

    assert _texts(jsonl.parse(text)) == ["first", "second"]


def test_missing_and_null_fields_are_blank():
    [segment] = jsonl.parse('{"text": "Only text.", "speaker": null}').segments

    assert (segment.speaker, segment.clock, segment.external_id) == ("", "", "")


def test_surrounding_whitespace_is_outside_the_span():
    document = jsonl.parse(_line(text="  padded \n"))

    assert _texts(document) == ["padded"]


def test_crlf_bom_and_blank_lines():
    text = "\ufeff" + _line() + "\r\n\r\n" + _line(ordinal=2, text="Bye.") + "\r\n"

    assert _texts(jsonl.parse(text)) == ["Hello.", "Bye."]


def test_bad_json_names_the_line():
    text = _line() + "\n\n{not json\n"

    with pytest.raises(DocumentError, match=r"^line 3: not valid JSON"):
        jsonl.parse(text)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("[1, 2]", "line 1: expected a JSON object"),
        ('{"speaker": "x"}', 'line 1: "text" must be a string'),
        ('{"text": "x", "clock": 1703}', 'line 1: "clock" must be a string'),
        ('{"text": "   "}', "line 1: segment text is empty"),
    ],
)
def test_malformed_records_are_refused(line, message):
    with pytest.raises(DocumentError, match=message):
        jsonl.parse(line)


def test_two_transcripts_in_one_file_are_refused():
    text = _line() + "\n" + _line(transcript_id="tr-2")

    with pytest.raises(DocumentError, match=r"line 2: a second transcript \(tr-2\)"):
        jsonl.parse(text)


def test_empty_file_is_refused():
    with pytest.raises(DocumentError, match=r"no segments found .*jsonl"):
        jsonl.parse("\n\n")


def test_sniff():
    assert jsonl.sniff("\n" + _line())
    assert not jsonl.sniff('{"no_text": 1}')
    assert not jsonl.sniff("{broken")
    assert not jsonl.sniff("ANN: hello")


@pytest.mark.parametrize(("field", "escape"), [("text", "\\ud800"), ("speaker", "\\u0000")])
def test_escapes_that_are_not_storable_text_are_refused(field, escape):
    line = _line().replace('"Hello."' if field == "text" else '"Ann Lee"', f'"a {escape} b"')

    with pytest.raises(DocumentError, match=re.escape(f'line 1: "{field}" holds {escape},')):
        jsonl.parse(line)
