"""Revision fixtures: a reported transcript with four annotations (one approved), and its
corrected version; the API tests' clients."""

from __future__ import annotations

import pytest

from annotate import services
from archive.models import Segment
from archive.services import source_import
from tests.api.conftest import (  # noqa: F401  (the API tests' clients, one per role)
    as_annotator,
    as_editor,
    as_reviewer,
)
from tests.factories import LIVEBLOG, make_annotation

URL = "https://news.example.org/live/budget"
# The second revision: a typo corrected in the first block (outside two of its quotes,
# inside a third), the unemployment block moved above it, a block appended.
JOBS_BLOCK = "0915: Riverton: Mr. Ben Sample\n\nUnemployment fell to 5 per cent last year, the lowest since 2009.\n\n"
REVISED = (
    LIVEBLOG.replace("up 12 per cent on 2022", "up 12 percent on 2022")
    .replace(JOBS_BLOCK, "")
    .replace("0900: Riverton:", JOBS_BLOCK + "0900: Riverton:")
    .replace(
        "Exit mobile version",
        "0945: Riverton: Ms. Ada Example\n\nOne more thing.\n\nExit mobile version",
    )
)
assert REVISED != LIVEBLOG and JOBS_BLOCK in REVISED


def _import(text: str, **options):
    return source_import(data=text.encode(), filename="budget.txt", origin_url=URL, **options)


def _segment(transcript, words: str) -> Segment:
    return Segment.objects.get(transcript=transcript, text__contains=words)


@pytest.fixture
def first(annotator, reviewer):
    transcript = _import(LIVEBLOG).transcript
    roads = make_annotation(annotator, _segment(transcript, "4.2 million"), words="4.2 million")
    bridges = make_annotation(annotator, _segment(transcript, "bridges"), words="three bridges")
    jobs = make_annotation(
        annotator, _segment(transcript, "Unemployment"), words="the lowest since 2009"
    )
    typo = make_annotation(annotator, _segment(transcript, "4.2 million"), words="12 per cent")
    approved = services.annotation_submit(
        actor=annotator, annotation=jobs, expected_version=jobs.version
    )
    services.annotation_approve(
        actor=reviewer, annotation=approved, expected_version=approved.version
    )
    return {
        "transcript": transcript,
        "roads": roads,
        "bridges": bridges,
        "jobs": jobs,
        "typo": typo,
    }


@pytest.fixture
def revised(first):
    second = source_import(data=REVISED.encode(), filename="budget.txt", origin_url=URL).transcript
    return {**first, "second": second}
