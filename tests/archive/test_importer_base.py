"""Shared importer helpers: spans, lines, clocks, dates, validation."""

from datetime import date

import pytest

from archive.importers.base import (
    DocumentError,
    ParsedSegment,
    checked_segments,
    find_date,
    iter_line_spans,
    line_spans,
    normalise_clock,
    strip_span,
    validate_segments,
)


def test_strip_span_skips_whitespace_and_bom():
    text = "\ufeff  hello \r\n"

    assert strip_span(text, 0, len(text)) == (3, 8)
    assert strip_span("   ", 0, 3) == (3, 3)


def test_line_spans_exclude_every_kind_of_line_break():
    text = "a\r\nbb\ncc\rd"

    assert [text[s:e] for s, e in line_spans(text)] == ["a", "bb", "cc", "d"]
    assert line_spans("") == [(0, 0)]


@pytest.mark.parametrize(
    ("clock", "normalised"),
    [("1703", "17:03"), ("9:05", "09:05"), ("01:02:03", "01:02"), ("2575", ""), ("x", "")],
)
def test_normalise_clock(clock, normalised):
    assert normalise_clock(clock) == normalised


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hearing, 14 October 2025", date(2025, 10, 14)),
        ("Hearing on October 14, 2025", date(2025, 10, 14)),
        ("Sept. 3rd, 2024 session", date(2024, 9, 3)),
        ("held 2025-10-14", date(2025, 10, 14)),
        ("31 February 2024", None),
        ("30th Anniversary of 1988 Massacre", None),
    ],
)
def test_find_date(text, expected):
    assert find_date(text) == expected


def test_validate_segments_accepts_good_spans():
    validate_segments("ab cd", [ParsedSegment(0, 2), ParsedSegment(3, 5)])


@pytest.mark.parametrize(
    ("segments", "problem"),
    [
        ([ParsedSegment(0, 0)], "invalid span"),
        ([ParsedSegment(0, 9)], "invalid span"),
        ([ParsedSegment(3, 5), ParsedSegment(0, 2)], "segment 2 has an invalid span"),
        ([ParsedSegment(0, 4), ParsedSegment(3, 5)], "segment 2 has an invalid span"),
        ([ParsedSegment(0, 3)], "not stripped"),
    ],
)
def test_validate_segments_refuses_bad_spans(segments, problem):
    with pytest.raises(DocumentError, match=problem):
        validate_segments("ab cd", segments)


def test_iter_line_spans_gives_the_same_lines_one_at_a_time():
    text = "a\r\nbb\rcc\n\nd"
    lines = iter_line_spans(text)
    assert next(lines) == (0, 1)
    assert [*lines] == line_spans(text)[1:]


def test_checked_segments_passes_good_segments_through_and_stops_at_a_bad_one():
    good, overlapping = ParsedSegment(0, 2), ParsedSegment(1, 5)
    segments = checked_segments("ab cd", [good, overlapping])
    assert next(segments) is good
    with pytest.raises(DocumentError, match="segment 2 has an invalid span"):
        next(segments)
