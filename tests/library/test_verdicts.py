"""Published ratings on Claimtrail's verdict scale: names first, then numbers, else none."""

from __future__ import annotations

import pytest

from library.verdicts import verdict_for, verdict_for_name, verdict_for_number


@pytest.mark.parametrize(
    ("name", "verdict"),
    [
        # PolitiFact's Truth-O-Meter, as labelled in its data and as shown on its pages.
        ("true", "true"),
        ("mostly-true", "mostly-true"),
        ("half-true", "mixed"),
        ("mostly-false", "mostly-false"),
        ("barely-true", "mostly-false"),
        ("false", "false"),
        ("pants-fire", "false"),
        ("Pants on Fire!", "false"),
        ("Half True", "mixed"),
        # The Flip-O-Meter rates consistency, not truth.
        ("full-flop", ""),
        ("half-flip", ""),
        ("no-flip", ""),
        # Others.
        ("Mixture", "mixed"),
        ("Missing context", "mixed"),
        ("Partly false", "mixed"),
        ("Misleading", "mostly-false"),
        ("MISLEADING", "mostly-false"),
        ("Unproven", "unverifiable"),
        ("Falso", "false"),
        ("Engañoso", "mostly-false"),
        ("Satire", ""),
        ("", ""),
    ],
)
def test_rating_names(name, verdict):
    assert verdict_for_name(name) == verdict


def test_a_long_rating_maps_by_its_first_clause_never_by_a_word_inside():
    assert verdict_for_name("False. The photo is from 2015.") == "false"
    assert verdict_for_name("Misleading: the figure leaves out inflation") == "mostly-false"
    assert verdict_for_name("Not false, but needs more context") == ""
    assert verdict_for_name("This is true of 2019 only") == ""


@pytest.mark.parametrize(
    ("value", "best", "worst", "verdict"),
    [
        (1, 5, 1, "false"),
        (2, 5, 1, "mostly-false"),
        (3, 5, 1, "mixed"),
        (4, 5, 1, "mostly-true"),
        (5, 5, 1, "true"),
        (0, 1, 0, "false"),
        (1, 1, 0, "true"),
        (0.5, 1, 0, "mixed"),
        (1, 1, 5, "true"),  # a scale running from 5 (worst) to 1 (best)
        (-1, 5, 1, ""),  # off the scale: "not rated"
        (3, 5, 5, ""),  # no scale
        (3, 5, None, ""),  # the scale is not given: no guess
        (None, 5, 1, ""),
        (float("nan"), 5, 1, ""),
    ],
)
def test_rating_numbers_when_the_scale_is_given(value, best, worst, verdict):
    assert verdict_for_number(value, best, worst) == verdict


def test_the_name_wins_over_the_number_and_the_number_serves_an_unknown_name():
    assert verdict_for("Mostly True", 1, 5, 1) == "mostly-true"
    assert verdict_for("Four stars", 4, 5, 1) == "mostly-true"
    assert verdict_for("Four stars") == ""
