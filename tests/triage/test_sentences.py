"""Sentence splitting: spans that reproduce the text exactly, where a reader ends sentences."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.services import source_import
from tests.conftest import SEED
from triage.sentences import split


def _texts(text: str) -> list[str]:
    return [sentence.text for sentence in split(text)]


def assert_exact_spans(text: str) -> None:
    """Every span reproduces its text, is stripped and non-empty; spans are ordered and
    disjoint; together they hold every non-blank character of ``text``."""
    spans = split(text)
    previous_end = 0
    for span in spans:
        assert text[span.start : span.end] == span.text
        assert span.text and span.text == span.text.strip()
        assert previous_end <= span.start < span.end <= len(text)
        previous_end = span.end
    covered = "".join(span.text for span in spans)
    assert "".join(covered.split()) == "".join(text.split())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith met Dr. Jones. They talked.",
            ["Mr. Smith met Dr. Jones.", "They talked."],
        ),
        (
            "The U.S. economy grew. Jobs followed.",
            ["The U.S. economy grew.", "Jobs followed."],
        ),
        (
            "Unemployment fell to 4.2 percent last year. It was 5.1 percent before.",
            ["Unemployment fell to 4.2 percent last year.", "It was 5.1 percent before."],
        ),
        (
            "Each family pays $4,300 a year. That is $12.50 a day.",
            ["Each family pays $4,300 a year.", "That is $12.50 a day."],
        ),
        (
            'She said "We cut taxes." Then she left.',
            ['She said "We cut taxes."', "Then she left."],
        ),
        (
            "“Is that true?” he asked. Nobody answered.",
            ["“Is that true?” he asked.", "Nobody answered."],
        ),
        ("Really? Yes! Fine.", ["Really?", "Yes!", "Fine."]),
        ("No full stop at the end", ["No full stop at the end"]),
    ],
)
def test_sentence_ends(text, expected):
    assert _texts(text) == expected
    assert_exact_spans(text)


def test_a_wrapped_line_does_not_end_a_sentence_but_a_blank_line_does():
    text = "The council spent 4.2 million\non roads in 2023.\n\nNext item"

    assert _texts(text) == ["The council spent 4.2 million\non roads in 2023.", "Next item"]


def test_offsets_point_into_the_original_text_with_crlf_and_surrounding_blanks():
    text = "  First one.  Second one.\r\n\r\n\tThird.  "

    spans = split(text)

    assert [(s.start, s.end) for s in spans] == [(2, 12), (14, 25), (30, 36)]
    assert_exact_spans(text)


def test_blank_text_has_no_sentences():
    assert split("") == [] and split(" \n\t ") == []


@pytest.mark.django_db
def test_the_seed_transcript_splits_into_exact_spans_of_its_segments():
    if not SEED.exists():
        pytest.skip("the seed transcript is not on this machine")
    transcript = source_import(data=SEED.read_bytes(), filename=SEED.name).transcript

    segments = list(transcript.segments.order_by("ordinal"))
    total = 0
    for segment in segments:
        assert_exact_spans(segment.text)
        total += len(split(segment.text))
    assert total > len(segments)  # speeches of several sentences were split
    first = _texts(segments[0].text)
    assert first[0].startswith("Thirty years have passed since the 1988 Massacre")
    assert first[0].endswith(
        "the mullahs could not conceal their blood-drenched epical resistance."
    )


TOKENS = [
    " ",
    ". ",
    "? ",
    "! ",
    "…",
    "\n",
    "\r\n",
    "\n\n",
    '"',
    "”",
    "(",
    ")",
    "$4,300",
    "4.2",
    "Mr.",
    "U.S.",
    "Dr.",
    "Smith",
    "said",
    "percent",
    "\t",
    "\u2028",
    "\ufeff",
]
TEXT = st.lists(
    st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from(TOKENS)), max_size=80
).map("".join)


@given(TEXT)
@settings(max_examples=300, deadline=None)
def test_spans_always_reproduce_the_text_and_never_overlap(text):
    assert_exact_spans(text)
