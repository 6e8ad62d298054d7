"""Round trip: export a JSONL package, empty the database, import it, export again."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from frictionless import validate

from annotate.datasets.restore import PackageRefused, dataset_import
from annotate.datasets.service import export_dataset
from annotate.models import Annotation, Citation, ClaimType, Export, Review
from archive import ledger
from archive.models import Segment, Source, Transcript
from tests.dbroles import owner_sql

pytestmark = pytest.mark.django_db

TABLES = [
    # Derived from transcripts (triage scores every imported sentence): they go first.
    "triage_sentence",
    "annotate_review",
    "annotate_citation",
    "annotate_annotation",
    "annotate_export",
    "archive_segment",
    "archive_transcript",
    "archive_source",
    "archive_ledgerevent",
    "archive_ledgerseal",
]


def empty_the_database() -> None:
    """Remove every archive, annotate and ledger row, and every user.

    The ledger and archive refuse deletes through the ORM (and PostgreSQL refuses
    DELETE on the ledger), so this uses TRUNCATE there and DELETE on SQLite.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the deferred FK checks now
            owner_sql(f"TRUNCATE {', '.join(TABLES)} CASCADE")  # the app role may not
            owner_sql("TRUNCATE auth_user CASCADE")
        else:
            for table in [*TABLES, "auth_user_groups", "auth_user"]:
                cursor.execute(f"DELETE FROM {table}")


def snapshot() -> dict:
    return {
        "sources": {str(s.pk): (s.sha256, bytes(s.content), s.text) for s in Source.objects.all()},
        "transcripts": set(Transcript.objects.values_list("id", "title", "segment_count")),
        "segments": set(
            Segment.objects.values_list(
                "id", "transcript_id", "ordinal", "clock", "clock_normalised", "text"
            )
        ),
        "annotations": set(
            Annotation.objects.values_list(
                "id",
                "segment_id",
                "status",
                "verdict",
                "version",
                "review_round",
                "quote",
                "prefix",
                "suffix",
                "created_by__username",
                "last_edited_by__username",
                "created_at",
                "updated_at",
            )
        ),
        "citations": set(
            Citation.objects.values_list("id", "annotation_id", "url", "stance", "added_at")
        ),
        "reviews": set(
            Review.objects.values_list(
                "id", "annotation_id", "decision", "comment", "reviewer__username", "created_at"
            )
        ),
    }


def data_files(package: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((package / "data").iterdir())}


@pytest.mark.parametrize("as_zip", [False, True])
def test_round_trip_restores_the_same_records_and_the_same_bytes(dataset, tmp_path, as_zip):
    first = tmp_path / ("first.zip" if as_zip else "first")
    export_dataset(actor=None, format="jsonl", out=first)
    before = snapshot()

    empty_the_database()
    assert not Annotation.objects.exists() and not Source.objects.exists()
    assert not get_user_model().objects.exists()

    result = dataset_import(path=first)
    assert result.annotations == len(before["annotations"])
    assert result.reviews == len(before["reviews"])
    assert snapshot() == before
    for sha256, content, _ in before["sources"].values():
        assert hashlib.sha256(content).hexdigest() == sha256
    assert sorted(result.users_created) == ["ann", "ann2", "rev", "rev2"]
    assert not get_user_model().objects.get(username="ann").has_usable_password()

    second = tmp_path / "second"
    export_dataset(actor=None, format="jsonl", out=second)
    if as_zip:
        with zipfile.ZipFile(first) as zipped:
            original = {
                Path(n).name: zipped.read(n) for n in zipped.namelist() if n.startswith("data/")
            }
    else:
        original = data_files(first)
    assert data_files(second) == original
    actions = list(ledger.LedgerEvent.objects.values_list("action", flat=True))
    assert actions.count("source.restore") == 2
    assert actions.count("annotation.restore") == len(before["annotations"])
    assert "dataset.import" in actions
    assert not list(ledger.verify())


def test_restored_annotations_have_a_history(dataset, tmp_path):
    export_dataset(actor=None, format="jsonl", out=tmp_path / "p")
    approved = str(dataset["approved"].pk)
    empty_the_database()
    dataset_import(path=tmp_path / "p")
    events = list(ledger.history(object_type="annotate.annotation", object_id=approved))
    assert [e.action for e in events] == ["annotation.restore"]
    assert events[0].state["status"] == "approved"


def test_restored_transcripts_are_scored_like_imported_ones(dataset, tmp_path):
    from triage.models import Sentence

    export_dataset(actor=None, format="jsonl", out=tmp_path / "p")
    before = sorted(Sentence.objects.values_list("segment_id", "start", "end", "checkworthiness"))
    assert before
    empty_the_database()
    dataset_import(path=tmp_path / "p")
    after = sorted(Sentence.objects.values_list("segment_id", "start", "end", "checkworthiness"))
    assert after == before


def test_claim_types_a_restore_adds_are_on_the_ledger(dataset, tmp_path):
    export_dataset(actor=None, format="jsonl", out=tmp_path / "p")
    used = Annotation.objects.values_list("claim_type__slug", flat=True).first()
    empty_the_database()
    owner_sql("DELETE FROM annotate_claimtype WHERE slug = %s", [used])
    dataset_import(path=tmp_path / "p")
    restored = ClaimType.objects.get(slug=used)
    events = list(ledger.history(restored))
    assert [e.action for e in events] == ["claimtype.restore"]
    assert events[0].state["slug"] == used
    assert not list(ledger.verify())


def test_a_package_whose_hashes_do_not_match_is_refused_before_anything_is_stored(
    dataset, tmp_path
):
    package = tmp_path / "p"
    export_dataset(actor=None, format="jsonl", out=package)
    segments = package / "data" / "segments.jsonl"
    segments.write_bytes(segments.read_bytes().replace(b'"approved"', b'"draft"', 1))
    empty_the_database()
    with pytest.raises(PackageRefused, match="segments.jsonl does not match its manifest"):
        dataset_import(path=package)
    assert not Source.objects.exists() and not Annotation.objects.exists()
    assert not ledger.LedgerEvent.objects.exists()
    assert not get_user_model().objects.exists()


def test_a_changed_source_file_is_refused(dataset, tmp_path):
    package = tmp_path / "p"
    export_dataset(actor=None, format="jsonl", out=package)
    source = next((package / "sources").iterdir())
    source.write_bytes(source.read_bytes() + b" ")
    empty_the_database()
    with pytest.raises(PackageRefused, match="does not match its manifest"):
        dataset_import(path=package)
    assert not Source.objects.exists()


def test_importing_into_a_database_that_has_the_records_is_refused_and_stores_nothing(
    dataset, tmp_path
):
    package = tmp_path / "p"
    export_dataset(actor=None, format="jsonl", out=package)
    events = ledger.count()
    with pytest.raises(PackageRefused, match="already in this database"):
        dataset_import(path=package)
    assert ledger.count() == events


def test_other_formats_and_non_packages_are_refused(dataset, tmp_path):
    export_dataset(actor=None, format="csv", out=tmp_path / "csv")
    with pytest.raises(PackageRefused, match="only a jsonl package"):
        dataset_import(path=tmp_path / "csv")
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(PackageRefused, match="neither a package folder nor a zip"):
        dataset_import(path=tmp_path / "junk.zip")
    (tmp_path / "empty").mkdir()
    with pytest.raises(PackageRefused, match="no datapackage.json"):
        dataset_import(path=tmp_path / "empty")


def test_a_manifest_pointing_outside_the_package_is_refused(dataset, tmp_path):
    package = tmp_path / "p"
    export_dataset(actor=None, format="jsonl", out=package)
    manifest = json.loads((package / "datapackage.json").read_text())
    manifest["resources"][0]["path"] = "../../etc/passwd"
    (package / "datapackage.json").write_text(json.dumps(manifest))
    with pytest.raises(PackageRefused, match="outside the package"):
        dataset_import(path=package)


def test_commands_round_trip_and_report_errors_without_tracebacks(dataset, tmp_path, capsys):
    package = tmp_path / "cmd.zip"
    call_command("export_dataset", "--format", "jsonl", "--out", str(package), "--no-progress")
    assert "Exported jsonl" in capsys.readouterr().out
    with pytest.raises(CommandError, match="already exists"):
        call_command("export_dataset", "--format", "jsonl", "--out", str(package), "--no-progress")
    with pytest.raises(CommandError, match="already exists"):  # refused before any progress bar
        call_command("export_dataset", "--format", "jsonl", "--out", str(package))
    assert "segment" not in capsys.readouterr().err
    with pytest.raises(CommandError, match="unknown export format"):
        call_command("export_dataset", "--format", "xml", "--out", str(tmp_path / "x"))
    with pytest.raises(CommandError, match="contradictory"):
        call_command(
            "export_dataset",
            "--format",
            "csv",
            "--out",
            str(tmp_path / "y"),
            "--approved-only",
            "--status",
            "draft",
        )
    empty_the_database()
    call_command("import_dataset", str(package), "--no-progress")
    assert "Restored 2 sources" in capsys.readouterr().out
    assert Annotation.objects.count() == 6
    with pytest.raises(CommandError, match="already in this database"):
        call_command("import_dataset", str(package), "--no-progress")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_dataset", str(tmp_path / "nope"), "--no-progress")
    shutil.rmtree(tmp_path / "x", ignore_errors=True)
    assert not Export.objects.filter(status="running").exists()


def test_a_source_whose_text_is_not_its_plain_decoding_round_trips(db, tmp_path):
    """The jsonl importer builds the text its spans refer to: the package carries it too."""
    from tests.factories import make_transcript

    lines = [
        {"text": "The town spent 4.2 million on roads.", "speaker": "Ms. Ada", "clock": "0900"},
        {"text": "Unemployment fell to 5 per cent.", "speaker": "Mr. Ben", "clock": "0915"},
    ]
    data = "\n".join(json.dumps(line) for line in lines) + "\n"
    transcript = make_transcript(data, filename="segments.jsonl")
    source = transcript.source
    assert bytes(source.content).decode("utf-8") != source.text
    export_dataset(actor=None, format="jsonl", out=tmp_path / "p")
    manifest = json.loads((tmp_path / "p" / "datapackage.json").read_text())
    text_entries = [r for r in manifest["resources"] if r["name"].endswith("-text")]
    assert len(text_entries) == 1
    report = validate(str(tmp_path / "p" / "datapackage.json"))  # a .jsonl source stays a file
    assert report.valid, report.flatten(["type", "note"])
    before = snapshot()
    empty_the_database()
    dataset_import(path=tmp_path / "p")
    assert snapshot() == before


def test_a_package_of_several_revisions_round_trips_with_its_chain(db, annotator, tmp_path):
    from archive.services import source_import
    from tests.factories import LIVEBLOG

    url = "https://news.example.org/live/budget"
    first = source_import(data=LIVEBLOG.encode(), filename="a.txt", origin_url=url).transcript
    make = first.segments.get(ordinal=1)
    from tests.factories import make_annotation

    make_annotation(annotator, make, words="4.2 million")
    make_annotation(annotator, make, words="12 per cent")
    revised = LIVEBLOG.replace("12 per cent", "12 percent")
    second = source_import(data=revised.encode(), filename="a.txt", origin_url=url).transcript
    export_dataset(actor=None, format="jsonl", out=tmp_path / "p")
    chain = set(Transcript.objects.values_list("id", "revision", "revision_of"))
    lines = (tmp_path / "p" / "data" / "segments.jsonl").read_text().splitlines()
    assert {json.loads(line)["transcript_revision"] for line in lines} == {1, 2}

    empty_the_database()
    dataset_import(path=tmp_path / "p")
    assert set(Transcript.objects.values_list("id", "revision", "revision_of")) == chain
    assert Transcript.objects.get(pk=second.pk).revision_of_id == first.pk
    export_dataset(actor=None, format="jsonl", out=tmp_path / "again")
    assert data_files(tmp_path / "again") == data_files(tmp_path / "p")
