"""The export service against the database, checked by the tools that consume the files."""

from __future__ import annotations

import json
import os
import resource
import signal
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from frictionless import validate
from prov.model import ProvDocument

from annotate.datasets import exporters, jsonld
from annotate.datasets.service import (
    ExportError,
    export_dataset,
    export_request,
    iter_segment_records,
    parse_request,
)
from annotate.models import Annotation, Export
from archive import ledger
from archive.models import Segment
from common.errors import InvalidInput, NotAllowed, NotConfigured

pytestmark = pytest.mark.django_db


def run(tmp_path, format, name=None, **kwargs):
    out = tmp_path / (name or format)
    export = export_dataset(actor=kwargs.pop("actor", None), format=format, out=out, **kwargs)
    return export, out


def data_bytes(package: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((package / "data").iterdir())}


@pytest.mark.parametrize("format", exporters.FORMATS)
@pytest.mark.parametrize("as_zip", [False, True])
def test_every_package_is_a_valid_frictionless_data_package(dataset, tmp_path, format, as_zip):
    export, out = run(tmp_path, format, name=f"{format}.zip" if as_zip else None)
    report = validate(str(out) if as_zip else str(out / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    assert report.stats["tasks"] >= 2  # the data file(s) and at least one source
    assert export.status == "done" and export.counts["annotations"] > 0


def test_frictionless_notices_a_changed_data_file(dataset, tmp_path):
    _, out = run(tmp_path, "csv")
    path = out / "data" / "annotations.csv"
    path.write_bytes(path.read_bytes().replace(b"approved", b"APPROVED"))
    report = validate(str(out / "datapackage.json"))
    assert not report.valid
    assert "hash-count" in {error[0] for error in report.flatten(["type"])}


def test_manifest_records_filters_counts_ledger_position_version_and_time(dataset, tmp_path):
    head = ledger.head()
    _, out = run(tmp_path, "jsonl", filters={"status": ["approved"]})
    manifest = json.loads((out / "datapackage.json").read_text())
    assert manifest["filters"]["status"] == ["approved"]
    assert manifest["counts"]["annotations"] == Annotation.objects.filter(status="approved").count()
    assert manifest["ledger"] == {"sequence": head[0], "hash": head[1]}
    assert manifest["software"]["name"] == "claimtrail" and manifest["software"]["version"]
    assert manifest["created"]
    sources = [r for r in manifest["resources"] if r["path"].startswith("sources/")]
    assert sources and all(r["hash"].startswith("sha256:") for r in sources)


def test_sources_are_the_exact_bytes(dataset, tmp_path):
    _, out = run(tmp_path, "jsonl")
    transcript = dataset["transcripts"][0]
    stored = bytes(transcript.source.content)
    assert (out / "sources" / f"{transcript.source.sha256}.txt").read_bytes() == stored


def test_pandas_reads_the_csv_without_options_and_it_matches_the_database(dataset, tmp_path):
    _, out = run(tmp_path, "csv")
    frame = pd.read_csv(out / "data" / "annotations.csv")
    annotations = {str(a.pk): a for a in Annotation.objects.select_related("segment", "claim_type")}
    assert len(frame) == len(annotations)
    assert list(frame.columns) == [c for c, _, _ in exporters.csv.COLUMNS]
    for row in frame.itertuples():
        annotation = annotations[row.annotation_id]
        assert row.quote == annotation.quote
        assert row.status == annotation.status
        assert row.claim_type == annotation.claim_type.slug
        assert (row.start, row.end) == (annotation.start, annotation.end)
        assert row.citation_count == annotation.citations.count()
        assert row.segment_id == str(annotation.segment_id)
    approved = frame.set_index("annotation_id").loc[str(dataset["approved"].pk)]
    assert approved.verdict_rating == 4
    assert approved.citation_urls.split("\n") == [
        "https://example.org/budget-2023",
        "https://example.org/audit",
    ]


def test_pandas_reads_the_jsonl_and_it_matches_the_database(dataset, tmp_path):
    _, out = run(tmp_path, "jsonl")
    frame = pd.read_json(out / "data" / "segments.jsonl", lines=True)
    assert len(frame) == Segment.objects.count()
    assert set(frame["segment_id"]) == {
        str(pk) for pk in Segment.objects.values_list("pk", flat=True)
    }
    per_segment = {row.segment_id: row.annotations for row in frame.itertuples()}
    for annotation in Annotation.objects.all():
        ids = [a["id"] for a in per_segment[str(annotation.segment_id)]]
        assert str(annotation.pk) in ids
    by_id = {a["id"]: a for line in frame["annotations"] for a in line}
    approved = by_id[str(dataset["approved"].pk)]
    assert approved["reviewed_by"] == ["rev"]
    assert [c["stance"] for c in approved["citations"]] == ["supports", "context"]


def test_jsonl_annotation_unit(dataset, tmp_path):
    _, out = run(tmp_path, "jsonl", options={"unit": "annotation"})
    frame = pd.read_json(out / "data" / "annotations.jsonl", lines=True)
    assert sorted(frame["id"]) == sorted(
        str(pk) for pk in Annotation.objects.values_list("pk", flat=True)
    )


def test_pyld_expands_the_web_annotation_export_offline(dataset, tmp_path):
    _, out = run(tmp_path, "webannotation")
    document = json.loads((out / "data" / "annotations.jsonld").read_text())
    expanded = jsonld.expand(document)
    collection = expanded[0]
    assert collection["@type"] == ["http://www.w3.org/ns/activitystreams#OrderedCollection"]
    page = collection["http://www.w3.org/ns/activitystreams#first"][0]
    items = page["http://www.w3.org/ns/activitystreams#items"][0]["@list"]
    assert len(items) == Annotation.objects.count()
    assert all(item["@type"] == ["http://www.w3.org/ns/oa#Annotation"] for item in items)
    quotes = {
        sel["http://www.w3.org/ns/oa#exact"][0]["@value"]
        for item in items
        for sel in item["http://www.w3.org/ns/oa#hasTarget"][0][
            "http://www.w3.org/ns/oa#hasSelector"
        ]
        if "http://www.w3.org/ns/oa#exact" in sel
    }
    assert {"4.2 million", "5 per cent"} <= quotes


def test_pyld_expands_the_claimreview_export_offline(dataset, tmp_path, settings):
    settings.CLAIMTRAIL_PUBLISHER = {
        "name": "Example Checks",
        "url": "https://checks.example.org/",
        "logo": "https://checks.example.org/logo.png",
    }
    _, out = run(tmp_path, "claimreview")
    document = json.loads((out / "data" / "claimreviews.jsonld").read_text())
    expanded = jsonld.expand(document)
    schema = "http://schema.org/"
    reviews = expanded[0][schema + "dataFeedElement"]
    # approved with a rated verdict only: the mostly-true and the twice-approved false one
    assert len(reviews) == 2
    ratings = sorted(
        r[schema + "reviewRating"][0][schema + "ratingValue"][0]["@value"] for r in reviews
    )
    assert ratings == [1, 4]
    review = next(
        r for r in reviews if r[schema + "identifier"][0]["@value"] == str(dataset["approved"].pk)
    )
    assert review["@type"] == [schema + "ClaimReview"]
    assert review[schema + "author"][0][schema + "name"][0]["@value"] == "Example Checks"
    claim = review[schema + "itemReviewed"][0]
    assert claim["@type"] == [schema + "Claim"]
    assert claim[schema + "author"][0][schema + "name"][0]["@value"] == "Ms. Ada Example"
    rating = review[schema + "reviewRating"][0]
    assert rating[schema + "bestRating"][0]["@value"] == 5
    assert rating[schema + "worstRating"][0]["@value"] == 1
    assert rating[schema + "alternateName"][0]["@value"] == "Mostly true"
    logo = review[schema + "author"][0][schema + "logo"][0]
    assert logo[schema + "url"] == [{"@id": "https://checks.example.org/logo.png"}]


def test_claimreview_is_published_under_the_configured_publisher_and_public_url(
    dataset, tmp_path, settings
):
    settings.CLAIMTRAIL_PUBLISHER = {
        "name": "Riverton Checks",
        "url": "https://checks.example.org/",
        "logo": "",
    }
    settings.CLAIMTRAIL_PUBLIC_BASE_URL = "https://checks.example.org/fact-checks/"
    _, out = run(tmp_path, "claimreview", base_url="https://claimtrail.internal.example/")
    text = (out / "data" / "claimreviews.jsonld").read_text()
    reviews = json.loads(text)["dataFeedElement"]
    assert {r["url"] for r in reviews} == {
        f"https://checks.example.org/fact-checks/{dataset[key].pk}" for key in ("approved", "false")
    }
    assert {r["author"]["name"] for r in reviews} == {"Riverton Checks"}
    # The sources have no origin URL: no appearance URL, and never the workbench's API.
    assert all("url" not in r["itemReviewed"]["appearance"] for r in reviews)
    assert "/api/" not in text and "claimtrail.internal" not in text


@pytest.mark.parametrize(
    "publisher,public_base_url,named",
    [
        ({"name": "", "url": "", "logo": ""}, "", "CLAIMTRAIL_PUBLISHER_NAME"),
        ({"name": "Checks", "url": "", "logo": ""}, "https://c.example.org/", "_PUBLISHER_URL"),
        (
            {"name": "Checks", "url": "https://c.example.org/", "logo": ""},
            "",
            "CLAIMTRAIL_PUBLIC_BASE_URL",
        ),
        (
            {"name": "Checks", "url": "c.example.org", "logo": ""},
            "https://c.example.org/",
            "CLAIMTRAIL_PUBLISHER_URL",
        ),
        (
            {"name": "Checks", "url": "https://c.example.org/", "logo": "logo.png"},
            "https://c.example.org/",
            "CLAIMTRAIL_PUBLISHER_LOGO",
        ),
    ],
)
def test_claimreview_is_refused_until_its_publisher_is_configured(
    dataset, tmp_path, settings, publisher, public_base_url, named
):
    settings.CLAIMTRAIL_PUBLISHER = publisher
    settings.CLAIMTRAIL_PUBLIC_BASE_URL = public_base_url
    before = ledger.head()
    with pytest.raises(NotConfigured, match=named) as error:
        run(tmp_path, "claimreview")
    assert "\n" not in error.value.message
    assert not (tmp_path / "claimreview").exists()
    assert not Export.objects.exists() and ledger.head() == before


def test_other_formats_need_no_publisher_and_jsonl_is_the_same_bytes(
    dataset, tmp_path, settings, unpublished
):
    _, without = run(tmp_path, "jsonl", name="without")
    settings.CLAIMTRAIL_PUBLISHER = {"name": "Checks", "url": "https://c.example.org/", "logo": ""}
    settings.CLAIMTRAIL_PUBLIC_BASE_URL = "https://c.example.org/fact-checks/"
    _, configured = run(tmp_path, "jsonl", name="configured")
    assert data_bytes(without) == data_bytes(configured)


def test_export_requests_for_claimreview_are_refused_before_anything_is_recorded(
    dataset, editor, unpublished
):
    with pytest.raises(NotConfigured, match="CLAIMTRAIL_PUBLISHER_NAME"):
        export_request(actor=editor, format="claimreview")
    assert not Export.objects.exists()


def test_the_command_refuses_claimreview_without_a_publisher_in_one_line(
    dataset, tmp_path, unpublished
):
    from django.core.management import CommandError, call_command

    out = tmp_path / "claimreview"
    with pytest.raises(CommandError) as error:
        call_command("export_dataset", "--format", "claimreview", "--out", str(out))
    assert "CLAIMTRAIL_PUBLISHER_NAME" in str(error.value)
    assert "\n" not in str(error.value)
    assert not out.exists() and not Export.objects.exists()


def test_prov_export_reads_back_with_entities_activities_and_relations(dataset, tmp_path):
    _, out = run(tmp_path, "prov")
    document = ProvDocument.deserialize(out / "data" / "provenance.json", format="json")
    kinds: dict[str, list] = {}
    for record in document.get_records():
        kinds.setdefault(type(record).__name__, []).append(record)
    entities = {str(r.identifier) for r in kinds["ProvEntity"]}
    approved = dataset["approved"]
    assert f"ct:annotation/{approved.pk}" in entities
    assert f"ct:segment/{approved.segment_id}" in entities
    assert f"ct:source/{approved.segment.transcript.source_id}" in entities
    activities = {str(r.identifier) for r in kinds["ProvActivity"]}
    events = ledger.annotation_history if False else None  # noqa: F841
    for event in ledger.scoped_history(approved):
        assert f"ct:event/{event.sequence}" in activities
    agents = {str(r.identifier) for r in kinds["ProvAgent"]}
    assert {"ct:user/ann", "ct:user/rev", "ct:user/rev2", "ct:user/ann2"} <= agents
    generated = {
        (str(r.get_attribute("prov:entity").pop()), str(r.get_attribute("prov:activity").pop()))
        for r in kinds["ProvGeneration"]
    }
    create = ledger.history(approved).first()
    assert (f"ct:annotation/{approved.pk}/v1", f"ct:event/{create.sequence}") in generated
    derived = {
        (
            str(r.get_attribute("prov:generatedEntity").pop()),
            str(r.get_attribute("prov:usedEntity").pop()),
        )
        for r in kinds["ProvDerivation"]
    }
    assert (
        f"ct:segment/{approved.segment_id}",
        f"ct:source/{approved.segment.transcript.source_id}",
    ) in derived
    attributed = {
        (str(r.get_attribute("prov:entity").pop()), str(r.get_attribute("prov:agent").pop()))
        for r in kinds["ProvAttribution"]
    }
    assert (f"ct:annotation/{approved.pk}", "ct:user/ann") in attributed
    assert kinds["ProvAssociation"]


@pytest.mark.parametrize("format", exporters.FORMATS)
def test_same_state_and_filters_give_byte_identical_data(dataset, tmp_path, format):
    _, first = run(tmp_path, format, name="first")
    _, second = run(tmp_path, format, name="second")
    assert data_bytes(first) == data_bytes(second)
    manifests = [json.loads((p / "datapackage.json").read_text()) for p in (first, second)]
    assert [r["hash"] for r in manifests[0]["resources"]] == [
        r["hash"] for r in manifests[1]["resources"]
    ]


def test_every_export_is_on_the_ledger(dataset, editor, tmp_path):
    export, _ = run(tmp_path, "csv", actor=editor, reason="for the newsletter")
    event = ledger.history(export).get()
    assert event.action == "dataset.export"
    assert event.actor == editor
    assert event.reason == "for the newsletter"
    assert event.state["counts"]["annotations"] == export.counts["annotations"]
    assert event.state["sha256"] == export.sha256


# ---------------------------------------------------------------- filters


def exported_ids(tmp_path, name, **filters):
    _, out = run(tmp_path, "jsonl", name=name, filters=filters)
    lines = (out / "data" / "segments.jsonl").read_text().splitlines()
    return {a["id"] for line in lines for a in json.loads(line)["annotations"]}


def test_filters_select_annotations(dataset, tmp_path):
    ids = {key: str(value.pk) for key, value in dataset.items() if key != "transcripts"}
    assert exported_ids(tmp_path, "a", status=["approved"]) == {
        ids["approved"],
        ids["false"],
        ids["unrated"],
    }
    assert exported_ids(tmp_path, "b", approved_only=True, verdict="false") == {ids["false"]}
    assert exported_ids(tmp_path, "c", claim_type=["prediction"]) == {ids["draft"]}
    second = str(dataset["transcripts"][1].pk)
    assert exported_ids(tmp_path, "d", transcript=[second]) == {ids["in_review"], ids["draft"]}
    assert exported_ids(tmp_path, "e", date_from="2000-01-01", date_to="2999-12-31") == set(
        ids.values()
    )
    assert exported_ids(tmp_path, "f", date_to="2000-01-01") == set()


def test_without_annotation_filters_jsonl_has_every_segment_and_with_them_only_matching_ones(
    dataset, tmp_path
):
    _, everything = run(tmp_path, "jsonl", name="all")
    assert (
        len((everything / "data" / "segments.jsonl").read_text().splitlines())
        == Segment.objects.count()
    )
    _, approved = run(tmp_path, "jsonl", name="approved", filters={"status": "approved"})
    lines = [json.loads(x) for x in (approved / "data" / "segments.jsonl").read_text().splitlines()]
    assert lines and all(line["annotations"] for line in lines)


def test_claimreview_is_approved_only_by_default(dataset):
    assert parse_request("claimreview").filters.approved_only is True
    assert parse_request("jsonl").filters.approved_only is False


@pytest.mark.parametrize(
    ("format", "filters", "message"),
    [
        ("xml", {}, "unknown export format 'xml'"),
        ("jsonl", {"approved_only": True, "status": "draft"}, "contradictory filters"),
        ("claimreview", {"status": "draft"}, "claimreview exports approved annotations only"),
        ("claimreview", {"verdict": "unverifiable"}, "needs a rated verdict"),
        ("jsonl", {"date_from": "2026-02-01", "date_to": "2026-01-01"}, "date range is empty"),
        ("jsonl", {"date_from": "yesterday"}, "YYYY-MM-DD"),
        ("jsonl", {"status": "pending"}, "unknown status 'pending'"),
        ("jsonl", {"verdict": "sort-of"}, "unknown verdict"),
        ("jsonl", {"claim_type": "gossip"}, "unknown claim type"),
        ("jsonl", {"transcript": "not-a-uuid"}, "transcript id"),
        ("jsonl", {"transcript": "00000000-0000-0000-0000-000000000000"}, "no such transcript"),
        ("jsonl", {"colour": "red"}, "unknown filter"),
    ],
)
def test_bad_requests_are_refused_with_a_clear_message(tmp_path, format, filters, message):
    with pytest.raises(InvalidInput, match=message):
        export_dataset(actor=None, format=format, filters=filters, out=tmp_path / "x")
    assert not (tmp_path / "x").exists()
    assert not Export.objects.exists()


def test_unit_is_for_jsonl_only(tmp_path):
    with pytest.raises(InvalidInput, match="jsonl format only"):
        parse_request("csv", {}, {"unit": "annotation"})


@pytest.mark.parametrize("format", exporters.FORMATS)
def test_nothing_to_export_gives_an_empty_valid_package_saying_zero(db, tmp_path, format):
    export, out = run(tmp_path, format)
    manifest = json.loads((out / "datapackage.json").read_text())
    assert manifest["counts"]["annotations"] == 0 and manifest["counts"]["segments"] == 0
    assert export.counts["records"] == 0
    report = validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    if format == "csv":
        assert len(pd.read_csv(out / "data" / "annotations.csv")) == 0


# ---------------------------------------------------------------- destinations and failures


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_unwritable_destinations_are_refused_before_any_work(dataset, tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        export_dataset(actor=None, format="csv", out=tmp_path / "missing" / "x.zip")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ExportError, match="not a folder"):
        export_dataset(actor=None, format="csv", out=blocker / "x")
    taken = tmp_path / "taken"
    taken.mkdir()
    with pytest.raises(ExportError, match="already exists"):
        export_dataset(actor=None, format="csv", out=taken)
    assert list(Export.objects.values_list("status", flat=True)) == ["failed"] * 3
    assert not ledger.LedgerEvent.objects.filter(action="dataset.export").exists()


@pytest.mark.parametrize("as_zip", [False, True])
def test_a_full_disk_leaves_no_file_under_the_final_name(dataset, tmp_path, as_zip):
    """RLIMIT_FSIZE makes the kernel refuse writes past 2 KB, as a full disk would."""
    target = tmp_path / ("out.zip" if as_zip else "out")
    previous_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2048, hard))
    try:
        with pytest.raises(ExportError, match="could not write the export"):
            export_dataset(actor=None, format="jsonl", out=target)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous_handler)
    assert leftovers(tmp_path) == []
    export = Export.objects.get()
    assert export.status == "failed" and "could not write" in export.error


def test_zip_package_holds_the_same_data_as_the_folder(dataset, tmp_path):
    _, folder = run(tmp_path, "jsonl", name="folder")
    _, archive = run(tmp_path, "jsonl", name="package.zip")
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()
        assert names[0] == "datapackage.json"
        for name, content in data_bytes(folder).items():
            assert zipped.read(f"data/{name}") == content
    assert leftovers(tmp_path) == ["folder", "package.zip"]


# ---------------------------------------------------------------- streaming


def test_records_come_from_a_generator_and_queries_grow_with_chunks_not_rows(dataset):
    request = parse_request("prov")
    records = iter_segment_records(request, chunk_size=2)
    assert hasattr(records, "__next__") and not isinstance(records, list | tuple)
    segments = Segment.objects.count()
    chunks = -(-segments // 2)

    def queries(chunk_size):
        with CaptureQueriesContext(connection) as captured:
            count = sum(1 for _ in iter_segment_records(request, chunk_size=chunk_size))
        assert count == segments
        return len(captured)

    one_chunk = queries(1000)
    assert one_chunk <= 7  # segments, annotations, citations, reviews, events, source events
    assert queries(2) <= chunks * 6 + 1
    assert queries(2) > one_chunk


def test_query_count_does_not_depend_on_how_many_segments_a_chunk_holds(dataset, transcript):
    from tests.factories import make_transcript

    request = parse_request("jsonl")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            list(iter_segment_records(request, chunk_size=1000))
        return len(captured)

    before = queries()
    make_transcript("Third\n\n0800: Town: Mr. Eve\n\nOne.\n\n0801: Town: Ms. Fay\n\nTwo.\n")
    assert Segment.objects.count() > 5
    assert queries() == before


# ---------------------------------------------------------------- requests (admin and API)


def test_export_request_needs_an_editor(dataset, annotator):
    with pytest.raises(NotAllowed):
        export_request(actor=annotator, format="csv")


def test_small_export_request_runs_inline(dataset, editor, tmp_path, settings):
    settings.CLAIMTRAIL_EXPORT_DIR = tmp_path
    export = export_request(actor=editor, format="csv", filters={"status": "approved"})
    assert export.status == "done"
    assert Path(export.path).exists() and export.path.endswith(".zip")
    assert validate(export.path).valid


def test_large_export_request_is_queued_for_the_worker(
    dataset, editor, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.CLAIMTRAIL_EXPORT_DIR = tmp_path
    settings.CLAIMTRAIL_EXPORT_INLINE_MAX_SEGMENTS = 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        export = export_request(actor=editor, format="jsonl")
        assert Export.objects.get(pk=export.pk).status == "queued"
    assert len(callbacks) == 1
    export.refresh_from_db()  # the immediate backend ran the task on commit
    assert export.status == "done", export.error
    assert ledger.history(export).get().actor == editor


def test_failed_queued_export_records_why(dataset, editor, tmp_path, settings):
    settings.CLAIMTRAIL_EXPORT_DIR = tmp_path / "nowhere" / "deeper"
    from annotate.datasets.service import export_run

    export = Export.objects.create(format="csv", requested_by=editor, options={"zip": True})
    os.makedirs(tmp_path / "nowhere")
    (tmp_path / "nowhere" / "deeper").write_text("a file, not a folder")
    result = export_run(export.pk)
    assert result.status == "failed"
    assert result.error.startswith("cannot create the export folder")
    assert Export.objects.get(pk=export.pk).error == result.error


def test_the_database_backed_worker_runs_a_queued_export(
    tmp_path, settings, editor, django_capture_on_commit_callbacks, monkeypatch
):
    """With the production task backend, a large export waits in the database for db_worker."""
    from django.core.management import call_command

    # The worker drops connections it finds inside a transaction; here that
    # transaction is the test's own, which must survive the worker's loop.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    from tests.factories import make_transcript

    make_transcript()
    settings.CLAIMTRAIL_EXPORT_DIR = tmp_path
    settings.CLAIMTRAIL_EXPORT_INLINE_MAX_SEGMENTS = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        export = export_request(actor=editor, format="jsonl")  # 3 segments > 0: worker
    assert Export.objects.get(pk=export.pk).status == "queued"
    call_command("db_worker", "--batch", "--no-startup-delay", "--max-tasks", "1")
    export.refresh_from_db()
    assert export.status == "done", export.error
    assert Path(export.path).is_file()
