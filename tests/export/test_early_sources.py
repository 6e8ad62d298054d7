"""An export in its own snapshot copies its sources on another connection while the
data is written; the package is the one written with the sources after the data."""

from __future__ import annotations

import json
import resource
import signal
from pathlib import Path

import pytest
from django.db import connection, transaction

from annotate.datasets import exporters
from annotate.datasets import service as exports
from annotate.datasets.exporters import package
from annotate.datasets.exporters.package import ExportError
from annotate.datasets.service import export_dataset
from annotate.fast import jsonl
from annotate.models import Export

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="snapshots are shared on PostgreSQL"
    ),
]


def files(package: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(package)): path.read_bytes()
        for path in sorted(package.rglob("*"))
        if path.is_file() and path.name != "datapackage.json"
    }


def resources(package: Path) -> list[dict]:
    return json.loads((package / "datapackage.json").read_text())["resources"]


@pytest.fixture
def early(monkeypatch):
    """The EarlySources each export was given."""
    given = []
    real = exports._early_sources

    def remember(request, snapshot):
        given.append(real(request, snapshot))
        return given[-1]

    monkeypatch.setattr(exports, "_early_sources", remember)
    return given


@pytest.mark.parametrize("format", exporters.FORMATS)
def test_sources_copied_alongside_are_those_copied_after(
    reseeded, dataset, tmp_path, format, early
):
    with transaction.atomic():  # no snapshot of its own: sources after the data
        export_dataset(actor=None, format=format, out=tmp_path / "after")
    export_dataset(actor=None, format=format, out=tmp_path / "alongside")
    assert early[0] is None and early[1] is not None
    assert files(tmp_path / "alongside") == files(tmp_path / "after")
    assert resources(tmp_path / "alongside") == resources(tmp_path / "after")
    assert any(name.startswith("sources/") for name in files(tmp_path / "after"))


def test_a_full_disk_stops_the_copy_and_leaves_nothing(reseeded, dataset, tmp_path, early):
    previous_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2048, hard))
    try:
        with pytest.raises(ExportError, match="could not write the export"):
            export_dataset(actor=None, format="jsonl", out=tmp_path / "out")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous_handler)
    assert early[0] is not None
    assert list(tmp_path.iterdir()) == []
    assert Export.objects.get().status == "failed"


def test_without_a_spare_connection_the_sources_are_copied_after_the_data(
    reseeded, dataset, tmp_path, early, monkeypatch
):
    """New connections fail (here: a closed port); the export's own connection is open,
    so JSONL reads on it alone and the sources are copied after the data."""
    with transaction.atomic():
        export_dataset(actor=None, format="jsonl", out=tmp_path / "expected")
    copies, sides = [], []
    real_alongside, real_side = package._write_alongside, jsonl._snapshot_connection

    def alongside(*args):
        written, copied = real_alongside(*args)
        copies.append(copied)
        return written, copied

    monkeypatch.setattr(package, "_write_alongside", alongside)
    monkeypatch.setattr(
        jsonl, "_snapshot_connection", lambda snapshot: sides.append(real_side(snapshot))
    )
    connection.ensure_connection()
    monkeypatch.setitem(connection.settings_dict, "PORT", "1")
    export_dataset(actor=None, format="jsonl", out=tmp_path / "out")
    assert early[1] is not None
    assert copies == [None] and sides == [None]  # neither second connection opened
    assert files(tmp_path / "out") == files(tmp_path / "expected")
