"""Triage fixtures: small labelled transcripts (hand-written, and slices of CheckThat!)
and API clients per role."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.conftest import (  # noqa: F401  (the API tests' clients, one per role)
    anon,
    as_annotator,
    as_editor,
    as_outsider,
    as_reviewer,
)

CT19 = Path(__file__).resolve().parents[3] / "shared" / "claims" / "ct19-t1" / "train"

CLAIMS = [
    "We created 15 million jobs since 2010.",
    "Taxes went up by 4.2 percent last year.",
    "The deficit fell to $438 billion, the lowest since 2007.",
    "Crime dropped 12 percent in the city.",
    "He voted for the war in 2003.",
]
TALK = [
    "Thank you all for coming tonight.",
    "Let me ask you about that.",
    "What would you do?",
    "I think we are going to be great.",
    "Good evening and welcome.",
    "That is a fair question.",
    "We will see what happens.",
]


def labelled_text(offset: int) -> str:
    """A CheckThat! 2019 style file: claims (1) among talk (0), two speakers."""
    lines = []
    for number in range(12):
        if number % 3 == 1:
            speaker, text, label = "CANDIDATE", CLAIMS[(number + offset) % len(CLAIMS)], 1
        else:
            speaker, text, label = "MODERATOR", TALK[(number + offset) % len(TALK)], 0
        lines.append(f"{number + 1}\t{speaker}\t{text}\t{label}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def labelled_files(tmp_path) -> list[Path]:
    paths = []
    for offset in range(3):
        path = tmp_path / f"debate{offset}.tsv"
        path.write_text(labelled_text(offset))
        paths.append(path)
    return paths


@pytest.fixture
def ct19_slices(tmp_path) -> list[Path]:
    """The first 300 lines of four CheckThat! 2019 training transcripts (in tmp_path only:
    the research data is never copied into the project)."""
    if not CT19.is_dir():
        pytest.skip(f"{CT19} is not on this machine")
    paths = []
    for source in sorted(CT19.glob("*.tsv"))[:4]:
        path = tmp_path / source.name
        path.write_bytes(b"".join(source.read_bytes().splitlines(True)[:300]))
        paths.append(path)
    return paths
