"""common.text.shorten: what a message or a page shows of a long quote or value."""

from hypothesis import given
from hypothesis import strategies as st

from common.text import shorten


def test_short_text_is_kept_whole():
    assert shorten("4.2 million", 60) == "4.2 million"


def test_long_text_is_cut_between_words_with_an_ellipsis():
    text = "Two Individuals Charged for Acting as Agents of the Iranian Government"
    assert shorten(text, 60) == "Two Individuals Charged for Acting as Agents of the Iranian…"


def test_one_long_word_is_cut_inside_it():
    assert shorten("x" * 100, 10) == "x" * 9 + "…"


@given(st.text(), st.integers(min_value=2, max_value=200))
def test_the_result_fits_and_is_the_start_of_the_text(text, limit):
    shown = shorten(text, limit)
    assert len(shown) <= limit
    if shown != text:
        assert shown.endswith("…") and text.startswith(shown[:-1])
