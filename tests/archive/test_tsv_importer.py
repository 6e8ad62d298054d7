"""tsv importer: one segment per row, extra columns ignored, what is skipped is reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.importers import registry, tsv
from archive.importers.base import DocumentError
from archive.services import source_import
from tests.archive.test_importer_properties import assert_valid_spans

CLAIMS = Path(__file__).resolve().parents[3] / "shared" / "claims"
CT19 = CLAIMS / "ct19-t1" / "train"
CT21 = CLAIMS / "ct21-2b" / "transcripts"

DEBATE = (
    "1\tHOLT\tGood evening from Hofstra University.\n"
    "2\tCLINTON\tWe have created 15 million jobs.\t1\n"
    "3\tTRUMP\tOur jobs are fleeing the country.\t0\textra\n"
)


def _texts(text, document):
    return [text[s.start : s.end] for s in document.segments]


def test_one_segment_per_row_with_its_speaker():
    document = tsv.parse(DEBATE)

    assert _texts(DEBATE, document) == [
        "Good evening from Hofstra University.",
        "We have created 15 million jobs.",
        "Our jobs are fleeing the country.",
    ]
    assert [s.speaker for s in document.segments] == ["HOLT", "CLINTON", "TRUMP"]
    assert document.dropped == []


def test_crlf_and_bom_are_not_part_of_any_field():
    text = "\ufeff" + DEBATE.replace("\n", "\r\n")

    document = tsv.parse(text)

    assert _texts(text, document)[0] == "Good evening from Hofstra University."
    assert _texts(text, document)[2] == "Our jobs are fleeing the country."
    assert tsv.sniff(text) and registry.detect(text) == "tsv"


def test_blanks_around_fields_are_trimmed_inside_the_span():
    text = "0007\t  MODERATOR \t  Welcome back.  \n"

    [segment] = tsv.parse(text).segments

    assert text[segment.start : segment.end] == "Welcome back."
    assert segment.speaker == "MODERATOR"


def test_skipped_lines_are_reported_by_reason():
    text = (
        "line_number\tspeaker\ttext\tlabel\n"
        "1\tANN\tHello.\n"
        "2\tBOB\t   \n"
        "3\tBOB\n"
        "a wrapped line without tabs\n"
        "\n"
        "4\tANN\tGoodbye.\n"
    )

    document = tsv.parse(text)

    assert _texts(text, document) == ["Hello.", "Goodbye."]
    assert [(text[d.start : d.end], d.reason) for d in document.dropped] == [
        ("line_number\tspeaker\ttext\tlabel", tsv.HEADER),
        ("2\tBOB", tsv.EMPTY_TEXT),
        ("3\tBOB", tsv.NOT_A_ROW),
        ("a wrapped line without tabs", tsv.NOT_A_ROW),
    ]
    assert_valid_spans(text, document)


def test_a_speaker_field_may_be_empty():
    [segment] = tsv.parse("5\t\tApplause.\n").segments

    assert segment.speaker == ""


def test_no_rows_is_refused():
    with pytest.raises(DocumentError, match=r"no segments found .*tsv"):
        tsv.parse("id\tspeaker\ttext\n\n")


@pytest.mark.parametrize(
    "text",
    [
        "1\tANN\tHello.\n",  # a single row is too little to tell
        "Interview\nANN: Hello.\nBOB: Hi.\n",
        "1\n00:00:01,000 --> 00:00:02,000\nHello.\n",
        "Title\n\n1703: Paris: Ann Lee, mayor\n\nHello.\n",
        "name\tvalue\nalpha\t1\nbeta\t2\n",  # a table, but not a transcript
        "1\tANN\tHello.\n2\tBOB\tHi.\nprose\nmore prose\nand more\n",  # rows are not most lines
    ],
)
def test_sniff_takes_only_documents_that_are_mostly_rows(text):
    assert not tsv.sniff(text)


def test_detected_by_extension_and_by_content():
    assert registry.detect("anything", filename="debate.tsv") == "tsv"
    assert registry.detect(DEBATE) == "tsv"
    assert registry.detect("id\tspeaker\ttext\n" + DEBATE) == "tsv"


@pytest.mark.django_db
def test_import_keeps_the_segment_invariant_and_reports_drops():
    text = "id\tspeaker\ttext\r\n1\tANN\tFour percent.\t1\r\n2\tBOB\t\r\n3\tBOB\tNo.\r\n"

    result = source_import(data=text.encode(), filename="talk.tsv")

    segments = list(result.transcript.segments.order_by("ordinal"))
    assert [s.text for s in segments] == ["Four percent.", "No."]
    assert all(s.text == result.source.text[s.source_start : s.source_end] for s in segments)
    assert [s.speaker for s in segments] == ["ANN", "BOB"]
    assert result.transcript.format == "tsv"
    assert result.source.media_type == "text/tab-separated-values"
    assert [d.reason for d in result.dropped] == [tsv.HEADER, tsv.EMPTY_TEXT]


def _slice(folder: Path, lines: int) -> list[tuple[str, bytes]]:
    if not folder.is_dir():
        pytest.skip(f"{folder} is not on this machine")
    files = sorted(folder.glob("*.tsv"))[:3]
    return [(path.name, b"".join(path.read_bytes().splitlines(True)[:lines])) for path in files]


@pytest.mark.django_db
@pytest.mark.parametrize("folder", [CT19, CT21], ids=["ct19-t1", "ct21-2b"])
def test_checkthat_transcripts_import_line_for_line(folder):
    for name, data in _slice(folder, 60):
        result = source_import(data=data, filename=name)

        lines = data.decode().replace("\r\n", "\n").split("\n")
        rows = [line.split("\t") for line in lines if line]
        segments = list(result.transcript.segments.order_by("ordinal"))
        assert [s.text for s in segments] == [row[2].strip() for row in rows]
        assert [s.speaker for s in segments] == [row[1] for row in rows]
        source = result.source
        assert all(s.text == source.text[s.source_start : s.source_end] for s in segments)
        assert result.transcript.format == "tsv"


FIELD = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\t\r\n"), max_size=20)


@given(
    st.lists(
        st.one_of(
            st.builds("{}\t{}\t{}".format, st.integers(0, 9999), FIELD, FIELD),
            st.builds("{}\t{}\t{}\t{}".format, st.integers(0, 99), FIELD, FIELD, FIELD),
            FIELD,
        ),
        max_size=12,
    ),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
@settings(max_examples=150, deadline=None)
def test_any_document_gives_exact_stripped_spans(lines, newline, bom):
    text = ("\ufeff" if bom else "") + newline.join(lines)
    try:
        document = tsv.parse(text)
    except DocumentError as error:
        assert "no segments found" in str(error)
        return

    assert_valid_spans(text, document)
    rows = sum(1 for row in tsv.rows(text) if tsv.is_row(text, row))
    assert (
        len(document.segments) + sum(1 for d in document.dropped if d.reason == tsv.EMPTY_TEXT)
        == rows
    )
