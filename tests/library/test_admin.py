"""The library in the admin: every role lists and searches it, editors upload files to import."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from archive import ledger
from library.models import FactCheck
from tests.library.conftest import as_json, as_jsonl, claim_review

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:library_factcheck_changelist")
ADD = reverse("admin:library_factcheck_add")


@pytest.fixture
def library(import_bytes):
    import_bytes(
        as_json(
            [
                claim_review(1),
                claim_review(
                    2,
                    claimReviewed="The bridge repairs will cost 3 million.",
                    reviewRating={"alternateName": "True"},
                    author={"name": "Other Desk"},
                ),
            ]
        )
    )


def _shown(response) -> set[str]:
    return {row.url for row in response.context["cl"].result_list}


@pytest.mark.parametrize("role", ["annotator", "reviewer", "editor"])
def test_every_role_lists_and_searches_the_library(client, request, role, library):
    client.force_login(request.getfixturevalue(role))
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert _shown(response) == {"https://checks.example.org/1", "https://checks.example.org/2"}
    assert _shown(client.get(CHANGELIST, {"q": "bridge"})) == {"https://checks.example.org/2"}
    assert _shown(client.get(CHANGELIST, {"verdict__exact": "true"})) == {
        "https://checks.example.org/2"
    }
    assert _shown(client.get(CHANGELIST, {"publisher": "other desk"})) == {
        "https://checks.example.org/2"
    }
    assert _shown(client.get(CHANGELIST, {"origin": "nothing.json"})) == set()


def test_a_fact_check_reads_but_cannot_be_changed(client, editor, library):
    client.force_login(editor)
    factcheck = FactCheck.objects.get(url="https://checks.example.org/1")
    page = client.get(reverse("admin:library_factcheck_change", args=[factcheck.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Unemployment fell by 1 per cent last year." in html
    assert 'href="https://checks.example.org/1"' in html
    assert 'name="_save"' not in html
    response = client.post(
        reverse("admin:library_factcheck_change", args=[factcheck.pk]),
        {"claim_reviewed": "changed"},
    )
    assert response.status_code == 403
    factcheck.refresh_from_db()
    assert factcheck.claim_reviewed == "Unemployment fell by 1 per cent last year."
    history = client.get(reverse("admin:library_factcheck_history", args=[factcheck.pk]))
    assert history.status_code == 200 and "factcheck.import" in history.content.decode()


def test_outsiders_do_not_see_the_library(client, outsider, library):
    client.force_login(outsider)
    assert client.get(CHANGELIST).status_code == 403


def test_an_editor_uploads_files_to_import(client, editor):
    client.force_login(editor)
    assert client.get(ADD).status_code == 200
    files = [
        SimpleUploadedFile("feed.json", as_json([claim_review(1)])),
        SimpleUploadedFile("more.jsonl", as_jsonl(claim_review(2), claim_review(3, url=None))),
    ]
    response = client.post(
        ADD, {"files": files, "format": "auto", "reason": "backfill"}, follow=True
    )
    assert response.redirect_chain[-1][0] == CHANGELIST
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "feed.json (jsonld): 1 created, 0 updated, 0 unchanged, 0 refused",
        "more.jsonl (jsonl): 1 created, 0 updated, 0 unchanged, 1 refused. Skipped: line 2: url "
        "is required (the fact-check's address)",
    ]
    assert FactCheck.objects.count() == 2
    assert {
        e.reason for e in ledger.LedgerEvent.objects.filter(object_type="library.factcheck")
    } == {"backfill"}


def test_a_refused_upload_shows_on_the_form_and_keeps_nothing(client, editor):
    client.force_login(editor)
    files = [
        SimpleUploadedFile("good.json", as_json([claim_review(1)])),
        SimpleUploadedFile("bad.json", b'[{"url": }]'),
    ]
    response = client.post(ADD, {"files": files, "format": "auto"})
    assert response.status_code == 200
    (error,) = response.context["form"].errors["files"]
    assert error.startswith("bad.json: not valid JSON")
    assert not FactCheck.objects.exists()


@pytest.mark.parametrize("role", ["annotator", "reviewer"])
def test_only_editors_may_upload(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(ADD).status_code == 403
    upload = SimpleUploadedFile("feed.json", as_json([claim_review(1)]))
    assert client.post(ADD, {"files": [upload], "format": "auto"}).status_code == 403
    assert not FactCheck.objects.exists()


@pytest.mark.parametrize("size", [1, 50])
def test_the_list_costs_the_same_queries_for_1_and_50_rows(
    client, editor, import_bytes, django_assert_num_queries, size
):
    import_bytes(as_json([claim_review(n) for n in range(size)]))
    client.force_login(editor)
    client.get(CHANGELIST)
    # PostgreSQL asks the planner's row estimate first (archive.admin.EstimatedCountPaginator).
    with django_assert_num_queries(LIST_QUERIES + (connection.vendor == "postgresql")):
        response = client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == size


# session, user, roles, count, two of permissions (the sidebar), the page, the languages filter
LIST_QUERIES = 8
