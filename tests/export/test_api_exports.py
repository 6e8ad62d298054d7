"""POST /api/v1/exports/, its status and its download."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from rest_framework.test import APIClient

from annotate.models import Export

pytestmark = pytest.mark.django_db
URL = "/api/v1/exports/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(autouse=True)
def export_dir(tmp_path, settings):
    settings.CLAIMTRAIL_EXPORT_DIR = tmp_path / "exports"


def test_editor_requests_a_small_export_and_downloads_the_zip(dataset, editor):
    client = client_for(editor)
    response = client.post(
        URL, {"format": "csv", "filters": {"status": ["approved"]}}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "done"
    assert body["counts"]["annotations"] == 3
    assert response["Location"] == body["url"]
    status = client.get(body["url"])
    assert status.status_code == 200 and status.json()["sha256"] == body["sha256"]
    download = client.get(body["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    content = b"".join(download.streaming_content)
    assert hashlib.sha256(content).hexdigest() == body["sha256"]
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        assert "data/annotations.csv" in package.namelist()


def test_large_export_is_accepted_for_the_worker(
    dataset, editor, settings, django_capture_on_commit_callbacks
):
    settings.CLAIMTRAIL_EXPORT_INLINE_MAX_SEGMENTS = 0
    client = client_for(editor)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(URL, {"format": "jsonl"}, format="json")
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    assert response.json()["download_url"] is None
    download = client.get(response.json()["url"] + "download/")
    assert download.status_code == 409
    assert "queued" in download.json()["error"]["message"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"format": "xml"}, "format"),
        (
            {"format": "jsonl", "filters": {"approved_only": True, "status": "draft"}},
            "contradictory",
        ),
        (
            {"format": "jsonl", "filters": {"date_from": "2026-02-01", "date_to": "2026-01-01"}},
            "empty",
        ),
    ],
)
def test_bad_requests_get_a_400_with_a_message(dataset, editor, payload, message):
    response = client_for(editor).post(URL, payload, format="json")
    assert response.status_code == 400
    assert message in str(response.json()["error"])
    assert not Export.objects.exists()


def test_claimreview_without_a_publisher_is_a_4xx_naming_the_settings(dataset, editor, unpublished):
    response = client_for(editor).post(URL, {"format": "claimreview"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "not_configured"
    assert "CLAIMTRAIL_PUBLISHER_NAME" in error["message"]
    assert error["fields"] == {"format": [error["message"]]}
    assert not Export.objects.exists()


def test_only_editors_may_request_exports(dataset, annotator):
    response = client_for(annotator).post(URL, {"format": "csv"}, format="json")
    assert response.status_code == 403
    assert "editor" in response.json()["error"]["message"]


def test_anonymous_users_get_nothing(dataset):
    assert APIClient().get(URL).status_code in (401, 403)


def test_a_missing_file_is_gone(dataset, editor):
    client = client_for(editor)
    body = client.post(URL, {"format": "csv"}, format="json").json()
    Export.objects.filter(pk=body["id"]).update(path="/nonexistent/x.zip")
    assert client.get(body["download_url"]).status_code == 410


def test_list_costs_the_same_queries_for_one_export_and_for_many(
    dataset, editor, django_assert_max_num_queries
):
    client = client_for(editor)
    Export.objects.create(format="csv", requested_by=editor)
    with django_assert_max_num_queries(10) as one:
        assert len(client.get(URL).json()["results"]) == 1
    for _ in range(20):
        Export.objects.create(format="csv", requested_by=editor)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get(URL).json()["results"]) == 21
