"""``/api/v1/factchecks/``: read by every team role, imported into by editors, errors in JSON."""

from __future__ import annotations

import json

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from library.models import FactCheck
from tests.api.conftest import client_for
from tests.api.test_errors import assert_error
from tests.library.conftest import as_json, as_jsonl, claim_review, data_feed

pytestmark = pytest.mark.django_db

LIST = "/api/v1/factchecks/"
IMPORT = "/api/v1/factchecks/import/"


@pytest.fixture
def library(import_bytes):
    import_bytes(
        as_json(
            [
                claim_review(1),
                claim_review(
                    2,
                    claimReviewed="The bridge repairs will cost 3 million.",
                    headline="Bridges",
                    reviewRating={"alternateName": "True"},
                    author={"name": "Other Desk"},
                    inLanguage="fr",
                ),
            ]
        )
    )
    return {f.url: f for f in FactCheck.objects.all()}


def _post_json(client, body, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(
        f"{IMPORT}?{query}" if query else IMPORT, body, content_type="application/json"
    )


def _post_files(client, *files, **fields):
    return client.post(IMPORT, {"file": list(files), **fields}, format="multipart")


@pytest.mark.parametrize("role", ["as_annotator", "as_reviewer", "as_editor"])
def test_every_team_role_reads_the_library(request, role, library):
    client = request.getfixturevalue(role)
    response = client.get(LIST)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["url"] for row in rows} == set(library)
    first = next(row for row in rows if row["url"] == "https://checks.example.org/1")
    stored = library["https://checks.example.org/1"]
    assert first == {
        "id": str(stored.pk),
        "url": "https://checks.example.org/1",
        "claim_reviewed": "Unemployment fell by 1 per cent last year.",
        "claimant": "Ben Sample",
        "claim_date": "2024-03-01",
        "rating_name": "Mostly False",
        "rating_value": 2.0,
        "rating_best": 5.0,
        "rating_worst": 1.0,
        "verdict": "mostly-false",
        "publisher_name": "Example Checks",
        "publisher_url": "https://checks.example.org/",
        "date_published": "2024-03-05",
        "headline": "Did unemployment fall by 1 per cent?",
        "language": "en",
        "annotation": None,
        "review_body": "",
        "origin": "feed.json",
        "created_at": first["created_at"],
        "updated_at": first["updated_at"],
    }
    assert first["created_at"].endswith("Z")
    one = client.get(f"{LIST}{stored.pk}/")
    assert one.status_code == 200 and one.json() == first


@pytest.mark.parametrize(
    ("client_name", "status", "code"),
    [("anon", 401, "not_authenticated"), ("as_outsider", 403, "permission_denied")],
)
def test_outsiders_and_anonymous_callers_are_refused(request, client_name, status, code, library):
    client = request.getfixturevalue(client_name)
    assert_error(client.get(LIST), status, code)
    assert_error(_post_json(client, claim_review(9)), status, code)
    assert not FactCheck.objects.filter(url="https://checks.example.org/9").exists()


@pytest.mark.parametrize("role", ["as_annotator", "as_reviewer"])
def test_only_editors_import(request, role):
    client = request.getfixturevalue(role)
    error = assert_error(_post_json(client, claim_review(1)), 403, "permission_denied")
    assert "only an editor" in error["message"]
    assert not FactCheck.objects.exists()


def test_an_editor_imports_a_json_body(as_editor):
    body = data_feed(claim_review(1), claim_review(2, url=None), claim_review(3))
    response = _post_json(as_editor, body, name="march.json", reason="backfill")
    assert response.status_code == 200
    assert response.json() == {
        "files": [
            {
                "name": "march.json",
                "format": "jsonld",
                "origin": "march.json",
                "created": 2,
                "updated": 0,
                "unchanged": 0,
                "refused": 1,
                "refused_records": [
                    {
                        "where": "dataFeedElement[1]",
                        "reason": "url is required (the fact-check's address)",
                    }
                ],
            }
        ]
    }
    again = _post_json(as_editor, body, name="march.json").json()["files"][0]
    assert (again["created"], again["unchanged"]) == (0, 2)


def test_an_editor_imports_files(as_editor):
    feed = SimpleUploadedFile("feed.json", as_json(claim_review(1)))
    lines = SimpleUploadedFile("more.jsonl", as_jsonl(claim_review(2), claim_review(3)))
    response = _post_files(as_editor, feed, lines, origin="Data Commons")
    assert response.status_code == 200
    files = response.json()["files"]
    assert [(f["name"], f["format"], f["created"], f["origin"]) for f in files] == [
        ("feed.json", "jsonld", 1, "Data Commons"),
        ("more.jsonl", "jsonl", 2, "Data Commons"),
    ]
    assert FactCheck.objects.count() == 3


def test_a_refused_file_answers_400_with_its_records_and_keeps_nothing(as_editor):
    good = SimpleUploadedFile("good.json", as_json(claim_review(1)))
    strict = SimpleUploadedFile("bad.jsonl", as_jsonl(claim_review(2), claim_review(3, url="x")))
    response = _post_files(as_editor, good, strict, strict=True)
    error = assert_error(response, 400, "invalid_document")
    assert error["message"].startswith("bad.jsonl: 1 record cannot be imported, so none was")
    assert error["files"] == [
        {
            "name": "bad.jsonl",
            "message": error["files"][0]["message"],
            "refused_records": [
                {
                    "where": "line 2",
                    "reason": "url must be an address starting with http: or https:, got 'x'",
                }
            ],
        }
    ]
    assert not FactCheck.objects.exists()


def test_malformed_json_answers_400_naming_line_and_column(as_editor):
    response = as_editor.post(
        IMPORT, b'{\n "url": "https://x.org",\n]', content_type="application/json"
    )
    error = assert_error(response, 400, "invalid_document")
    assert "not valid JSON" in error["message"] and "at line 3, column 1" in error["message"]
    assert error["fields"]["file"]


def test_a_body_over_the_bound_answers_413(as_editor, settings):
    settings.CLAIMTRAIL_LIBRARY_MAX_DOCUMENT_BYTES = 200
    response = _post_json(as_editor, [claim_review(n) for n in range(3)])
    error = assert_error(response, 413, "too_large")
    assert "write it as JSONL" in error["message"]


def test_bad_input_answers_4xx_never_500(as_editor):
    assert_error(as_editor.post(IMPORT, {}, format="multipart"), 400, "invalid")
    assert_error(
        as_editor.post(IMPORT, "a=b", content_type="application/x-www-form-urlencoded"),
        415,
        "unsupported_media_type",
    )
    assert_error(_post_json(as_editor, claim_review(), strict="perhaps"), 400, "invalid")
    assert_error(_post_json(as_editor, claim_review(), origin="claimtrail"), 400, "invalid")
    assert_error(
        as_editor.post(IMPORT, b"", content_type="application/json"), 400, "invalid_document"
    )
    assert_error(as_editor.get(f"{LIST}not-a-uuid/"), 404, "not_found")
    assert_error(as_editor.get(f"{LIST}7f1e2d3c-4b5a-4968-8776-655443322110/"), 404, "not_found")
    assert_error(as_editor.get(f"{LIST}?verdict=perhaps"), 400, "invalid")
    assert_error(as_editor.get(f"{LIST}?q=%00"), 400, "invalid")


def test_filters_and_search(as_reviewer, library):
    def urls(query):
        response = as_reviewer.get(f"{LIST}?{query}")
        assert response.status_code == 200, response.content
        return {row["url"] for row in response.json()["results"]}

    one, two = "https://checks.example.org/1", "https://checks.example.org/2"
    assert urls("verdict=true") == {two}
    assert urls("verdict=mostly-false&verdict=true") == {one, two}
    assert urls("publisher=other%20desk") == {two}
    assert urls("language=EN") == {one}
    assert urls("origin=feed.json") == {one, two}
    assert urls("q=bridge") == {two}
    assert urls("q=unemployment") == {one}
    assert urls(f"q={one}") == {one}
    assert urls("q=nothing-like-this") == set()


def test_pages_follow_the_cursor(as_annotator, import_bytes):
    import_bytes(as_json([claim_review(n) for n in range(1, 6)]))
    seen, url = [], f"{LIST}?page_size=2"
    while url:
        page = as_annotator.get(url).json()
        seen += [row["url"] for row in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(FactCheck.objects.values_list("url", flat=True))
    assert len(seen) == 5


@pytest.mark.parametrize("size", [1, 50])
def test_a_page_costs_the_same_queries_for_1_and_50_rows(
    editor, import_bytes, django_assert_num_queries, size
):
    import_bytes(as_json([claim_review(n) for n in range(size)]))
    client = client_for(editor)
    client.get(LIST)  # the token's first use is checked and remembered
    with django_assert_num_queries(2):  # the token and its user, then the page
        response = client.get(LIST)
    assert len(response.json()["results"]) == size


def test_the_schema_documents_the_library(client, db):
    paths = yaml.safe_load(client.get("/api/schema/").content)["paths"]
    assert {"get"} <= set(paths["/api/v1/factchecks/"])
    assert {"get"} <= set(paths["/api/v1/factchecks/{id}/"])
    operation = paths["/api/v1/factchecks/import/"]["post"]
    assert {"200", "400", "401", "403", "413", "415"} <= set(operation["responses"])
    assert {"multipart/form-data", "application/json"} <= set(operation["requestBody"]["content"])
    parameters = {p["name"] for p in paths["/api/v1/factchecks/"]["get"]["parameters"]}
    assert {"verdict", "publisher", "language", "origin", "q", "cursor"} <= parameters
    json.dumps(operation)  # plain data
