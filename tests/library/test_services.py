"""The import service: unique by URL, idempotent, updates on change, every write on the ledger."""

from __future__ import annotations

import io

import pytest
from django.db import connection

from archive import ledger
from archive.evidence import verify
from common.errors import DocumentError, InvalidInput, NotAllowed
from library import services
from library.actions import LibraryAction
from library.integrity import check_factchecks
from library.models import FactCheck
from library.records import digest_of, values_of
from tests import dbroles
from tests.library import politifact
from tests.library.conftest import as_json, as_jsonl, claim_review, data_feed, feed_item

pytestmark = pytest.mark.django_db


def _events(action=None):
    events = ledger.LedgerEvent.objects.filter(object_type="library.factcheck")
    return events.filter(action=action) if action else events


def test_an_import_creates_each_fact_check_with_its_ledger_event(import_bytes, editor):
    result = import_bytes(as_json(data_feed(claim_review(1), claim_review(2))), actor=editor)
    assert (result.created, result.updated, result.unchanged, result.refused) == (2, 0, 0, [])
    assert (result.name, result.format, result.origin) == ("feed.json", "jsonld", "feed.json")
    stored = FactCheck.objects.get(url="https://checks.example.org/1")
    assert (stored.verdict, stored.claimant, stored.origin) == (
        "mostly-false",
        "Ben Sample",
        "feed.json",
    )
    event = _events().get(object_id=str(stored.pk))
    assert event.action == LibraryAction.FACTCHECK_IMPORT
    assert event.actor_id == editor.pk
    assert event.state["digest"] == stored.digest
    assert event.state["claim_reviewed"] == stored.claim_reviewed
    assert _events().count() == 2


def test_importing_the_same_records_again_changes_nothing(import_bytes):
    data = as_json(data_feed(claim_review(1), claim_review(2)))
    import_bytes(data)
    before = list(FactCheck.objects.order_by("url").values_list("url", "updated_at", "digest"))
    events = ledger.count()
    # The same records from another file, in another shape: the same fact-checks.
    again = import_bytes(as_jsonl(claim_review(2), claim_review(1)), filename="again.jsonl")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert ledger.count() == events
    assert (
        list(FactCheck.objects.order_by("url").values_list("url", "updated_at", "digest")) == before
    )
    assert set(FactCheck.objects.values_list("origin", flat=True)) == {"feed.json"}


def test_a_record_that_changed_is_updated_with_what_changed(import_bytes):
    import_bytes(as_json([claim_review(1), claim_review(2)]))
    stored = FactCheck.objects.get(url="https://checks.example.org/1")
    rating = {"@type": "Rating", "alternateName": "False"}
    result = import_bytes(
        as_json([claim_review(1, reviewRating=rating), claim_review(2)]), filename="v2.json"
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    stored.refresh_from_db()
    assert (stored.rating_name, stored.verdict, stored.rating_value) == ("False", "false", None)
    assert stored.origin == "v2.json"  # where this version came from
    (update,) = _events(LibraryAction.FACTCHECK_UPDATE)
    assert update.object_id == str(stored.pk)
    assert update.changes["rating_name"] == ["Mostly False", "False"]
    assert update.changes["verdict"] == ["mostly-false", "false"]
    assert update.changes["origin"] == ["feed.json", "v2.json"]
    assert update.state["digest"] == stored.digest
    assert FactCheck.objects.count() == 2
    assert list(check_factchecks()) == []  # every changed field was written, as recorded


def test_duplicates_within_a_file_keep_the_first(import_bytes):
    other = claim_review(1, claimReviewed="Something else entirely.")
    data = as_jsonl(claim_review(1), claim_review(2), claim_review(1), other)
    result = import_bytes(data, filename="dups.jsonl")
    assert (result.created, result.unchanged) == (2, 1)  # the identical copy changes nothing
    assert [(item.where, item.reason) for item in result.refused] == [
        ("line 4", "same url as line 1 with other content (the first is kept)")
    ]
    assert FactCheck.objects.get(url="https://checks.example.org/1").claim_reviewed.startswith(
        "Unemployment"
    )
    assert _events().count() == 2


def test_bad_records_are_skipped_and_reported_the_good_ones_imported(import_bytes):
    data = as_json(
        data_feed(feed_item(claim_review(1), claim_review(2, url=None)), claim_review(3))
    )
    result = import_bytes(data)
    assert result.created == 2
    assert [str(item) for item in result.refused] == [
        "dataFeedElement[0].item[1]: url is required (the fact-check's address)"
    ]


def test_strict_refuses_the_whole_file_and_keeps_nothing(import_bytes, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 2)  # the bad record comes after two batches
    reviews = [claim_review(n) for n in range(1, 6)] + [claim_review(6, claimReviewed=None)]
    events = ledger.count()
    with pytest.raises(services.ImportRefused) as refused:
        import_bytes(as_jsonl(*reviews), filename="f.jsonl", strict=True)
    assert refused.value.message == (
        "1 record cannot be imported, so none was (strict); first: line 6: claimReviewed is "
        "required (the claim the fact-check reviewed)"
    )
    assert [item.where for item in refused.value.result.refused] == ["line 6"]
    assert not FactCheck.objects.exists()
    assert ledger.count() == events


def test_strict_with_good_records_imports_them(import_bytes):
    result = import_bytes(
        as_jsonl(claim_review(1), claim_review(2)), filename="f.jsonl", strict=True
    )
    assert result.created == 2


def test_a_file_with_nothing_importable_is_refused(import_bytes):
    with pytest.raises(services.ImportRefused, match="none of its 2 records can be imported"):
        import_bytes(as_json([claim_review(1, url=None), claim_review(2, url="mailto:x@y.org")]))
    with pytest.raises(services.ImportRefused, match="holds no fact-check"):
        import_bytes(as_json(data_feed()))
    assert not FactCheck.objects.exists()


def test_batches_each_commit_with_their_events(import_bytes, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 2)
    progress = []
    result = import_bytes(
        as_jsonl(*(claim_review(n) for n in range(1, 6))),
        filename="f.jsonl",
        on_progress=lambda done, total: progress.append((done, total)),
    )
    assert result.created == 5
    assert _events(LibraryAction.FACTCHECK_IMPORT).count() == 5
    assert progress == [(2, None), (2, None), (1, None)]


def test_an_import_never_overwrites_the_teams_own_fact_check(import_bytes, approved_factcheck):
    review = claim_review(1, url=approved_factcheck.url, claimReviewed="Overwritten?")
    result = import_bytes(as_json([review, claim_review(2)]))
    assert result.created == 1
    ((item),) = result.refused
    assert item.reason == (
        f"{approved_factcheck.url} is the team's own fact-check (annotation "
        f"{approved_factcheck.annotation_id}); an import never overwrites it"
    )
    approved_factcheck.refresh_from_db()
    assert approved_factcheck.claim_reviewed != "Overwritten?"


def test_the_file_service_refuses_what_cannot_be_read(import_bytes):
    with pytest.raises(DocumentError, match="not valid JSON"):
        import_bytes(b"[{]")


def test_the_origin_is_bounded_and_claimtrail_is_reserved(import_bytes):
    with pytest.raises(InvalidInput, match="reserved for the team's own"):
        import_bytes(as_json(claim_review()), origin="Claimtrail")
    with pytest.raises(InvalidInput, match="over the limit of 255"):
        import_bytes(as_json(claim_review()), origin="o" * 256)


# ---------------------------------------------------------------- uploads


def _upload(name: str, data: bytes) -> services.Upload:
    return services.Upload(name, io.BytesIO(data))


@pytest.mark.parametrize("who", ["annotator", "reviewer", "outsider"])
def test_only_editors_may_upload(request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(NotAllowed, match="only an editor may import fact-checks"):
        services.factcheck_upload(actor=user, files=[_upload("f.json", as_json(claim_review()))])
    assert not FactCheck.objects.exists()


def test_an_upload_imports_every_file_or_none(editor):
    good = _upload("good.json", as_json(claim_review(1)))
    bad = _upload("bad.json", b'{"url": ')
    with pytest.raises(services.UploadRefused) as refused:
        services.factcheck_upload(actor=editor, files=[good, bad])
    (refusal,) = refused.value.files
    assert refusal.name == "bad.json" and refusal.message.startswith("not valid JSON")
    assert not FactCheck.objects.exists()
    assert not _events().exists()
    results = services.factcheck_upload(
        actor=editor,
        files=[
            _upload("a.json", as_json(claim_review(1))),
            _upload("b.jsonl", as_jsonl(claim_review(2))),
        ],
        reason="earlier checks",
    )
    assert [(r.name, r.created) for r in results] == [("a.json", 1), ("b.jsonl", 1)]
    assert set(_events().values_list("reason", flat=True)) == {"earlier checks"}


def test_an_upload_in_strict_mode_lists_the_bad_records(editor):
    data = as_jsonl(claim_review(1), claim_review(2, url="nope"))
    with pytest.raises(services.UploadRefused) as refused:
        services.factcheck_upload(actor=editor, files=[_upload("f.jsonl", data)], strict=True)
    (refusal,) = refused.value.files
    assert [str(item) for item in refusal.refused] == [
        "line 2: url must be an address starting with http: or https:, got 'nope'"
    ]
    assert not FactCheck.objects.exists()


# ---------------------------------------------------------------- checked against the ledger


def test_verify_ledger_finds_a_fact_check_changed_behind_the_ledgers_back(import_bytes):
    import_bytes(as_json([claim_review(1), claim_review(2)]))
    assert list(check_factchecks()) == []
    assert list(verify()) == []
    stored = FactCheck.objects.get(url="https://checks.example.org/2")
    FactCheck.objects.filter(pk=stored.pk).update(verdict="true")  # a bulk write: no event
    (problem,) = check_factchecks()
    assert problem.where == f"fact-check {stored.pk} (https://checks.example.org/2)"
    assert "do not give its digest" in problem.message
    assert [str(p) for p in verify()] == [str(problem)]  # what verify_ledger reports
    # Fields and digest rewritten to agree: the ledger still holds what was imported.
    stored.refresh_from_db()
    FactCheck.objects.filter(pk=stored.pk).update(digest=digest_of(values_of(stored)))
    (problem,) = check_factchecks()
    assert "differs from its latest ledger event" in problem.message


def test_verify_ledger_finds_a_fact_check_without_an_event(import_bytes):
    import_bytes(as_json([claim_review(1)]))
    row = FactCheck.objects.get()
    row.id = "7f1e2d3c-4b5a-4968-8776-655443322110"
    row.url = "https://checks.example.org/sneaked-in"
    row.digest = digest_of(values_of(row))
    row.save(force_insert=True)
    (problem,) = check_factchecks()
    assert "has no event on the ledger" in problem.message


@pytest.mark.postgres
def test_the_app_role_may_read_and_write_the_library():
    # archive.privileges grants it after every migrate, as for annotate's tables.
    if not dbroles.runs_as_app_role():
        pytest.skip("needs PostgreSQL with the app role (DATABASE_URL) and the owner")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT privilege, has_table_privilege(current_user, 'library_factcheck', privilege)"
            " FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) AS privilege"
        )
        granted = dict(cursor.fetchall())
        cursor.execute(
            "SELECT pg_has_role(current_user, tableowner, 'USAGE') FROM pg_tables"
            " WHERE tablename = 'library_factcheck'"
        )
        owns = cursor.fetchone()[0]
    assert granted == {
        "SELECT": True,
        "INSERT": True,
        "UPDATE": True,
        "DELETE": True,
        "TRUNCATE": False,
    }
    assert owns is False


# ---------------------------------------------------------------- real data, a slice


@pytest.mark.skipif(not politifact.ARCHIVE.exists(), reason="../shared/claims is not here")
def test_a_slice_of_the_politifact_fact_checks_imports_with_its_verdicts(import_bytes):
    vclaims = list(politifact.vclaims(limit=300))
    reviews = [politifact.claim_review(vclaim) for vclaim in vclaims]
    result = import_bytes(as_jsonl(*reviews), filename="politifact.jsonl")
    assert result.refused == []
    assert result.created + result.unchanged == len(reviews)
    expected = {
        "true": "true",
        "mostly-true": "mostly-true",
        "half-true": "mixed",
        "barely-true": "mostly-false",
        "mostly-false": "mostly-false",
        "false": "false",
        "pants-fire": "false",
    }
    stored = dict(FactCheck.objects.values_list("url", "verdict"))
    for review, vclaim in zip(reviews, vclaims, strict=True):
        assert stored[review["url"]] == expected.get(vclaim["truth_label"], ""), vclaim["vclaim_id"]
    again = import_bytes(as_jsonl(*reviews), filename="politifact.jsonl")
    assert (again.created, again.updated) == (0, 0)
