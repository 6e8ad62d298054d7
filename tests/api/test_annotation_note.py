"""The annotator's note: written through the API and the services, on the ledger, kept in
restore.jsonl (not published in segments.jsonl), and restored, also from packages made
before the field existed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from annotate.datasets.restore import dataset_import
from annotate.datasets.service import export_dataset
from annotate.models import Annotation
from archive import ledger
from tests.api.conftest import etag
from tests.export.test_restore import empty_the_database
from tests.factories import make_annotation

pytestmark = pytest.mark.django_db

NOTE = "Checked against the 2023 budget book, page 14; the audit is still open."


def test_the_api_writes_and_shows_the_note_and_the_ledger_records_it(as_annotator, segment):
    words = segment.text[:12]
    created = as_annotator.post(
        "/api/v1/annotations/",
        {"segment": str(segment.pk), "start": 0, "end": 12, "quote": words,
         "claim_type": "quantity", "note": NOTE},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["note"] == NOTE
    changed = as_annotator.patch(
        f"/api/v1/annotations/{body['id']}/", {"note": ""}, format="json", **etag(1)
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["note"] == ""
    events = list(ledger.history(object_type="annotate.annotation", object_id=body["id"]))
    assert [e.state["note"] for e in events] == [NOTE, ""]
    assert events[-1].changes == {"note": [NOTE, ""], "version": [1, 2]}


def test_a_note_too_long_is_refused_and_nothing_is_stored(as_annotator, segment):
    response = as_annotator.post(
        "/api/v1/annotations/",
        {"segment": str(segment.pk), "start": 0, "end": 5, "claim_type": "quantity",
         "note": "x" * 10_001},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "note" in response.json()["error"]["fields"]
    assert not Annotation.objects.exists()


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_note_is_kept_for_restore_not_published_and_round_trips(annotator, segment, tmp_path):
    annotation = make_annotation(annotator, segment, note=NOTE)
    export_dataset(actor=None, format="jsonl", out=tmp_path / "p")
    published = [
        a for line in _lines(tmp_path / "p/data/segments.jsonl") for a in line["annotations"]
    ]
    kept = [a for line in _lines(tmp_path / "p/data/restore.jsonl") for a in line["annotations"]]
    assert [a.get("note") for a in published] == [None]
    assert [a["note"] for a in kept] == [NOTE]

    empty_the_database()
    dataset_import(path=tmp_path / "p")
    assert Annotation.objects.get(pk=annotation.pk).note == NOTE
    [event] = ledger.history(object_type="annotate.annotation", object_id=str(annotation.pk))
    assert event.state["note"] == NOTE


def _without_notes(package: Path) -> None:
    """Rewrite ``package`` as a package from before notes existed (manifest hashes too)."""
    restore = package / "data/restore.jsonl"
    lines = _lines(restore)
    for line in lines:
        for annotation in line["annotations"]:
            del annotation["note"]
    content = b"".join(
        json.dumps(line, sort_keys=True, separators=(",", ":")).encode() + b"\n" for line in lines
    )
    restore.write_bytes(content)
    manifest_path = package / "datapackage.json"
    manifest = json.loads(manifest_path.read_text())
    for resource in manifest["resources"]:
        if resource["path"] == "data/restore.jsonl":
            resource["hash"] = "sha256:" + hashlib.sha256(content).hexdigest()
            resource["bytes"] = len(content)
    manifest_path.write_text(json.dumps(manifest, indent=2))


def test_a_package_from_before_notes_restores_with_empty_notes(annotator, segment, tmp_path):
    annotation = make_annotation(annotator, segment)
    export_dataset(actor=None, format="jsonl", out=tmp_path / "p")
    _without_notes(tmp_path / "p")
    empty_the_database()
    dataset_import(path=tmp_path / "p")
    assert Annotation.objects.get(pk=annotation.pk).note == ""
