"""One JSON error shape everywhere, never an HTML page or a traceback."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory

from common.api import errors
from tests.api.conftest import etag


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert set(body) == {"error"}
    error = body["error"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    if code:
        assert error["code"] == code, error
    return error


def _create(client, body, **extra):
    return client.post("/api/v1/annotations/", body, content_type="application/json", **extra)


def test_malformed_json(as_annotator):
    assert_error(_create(as_annotator, "{not json"), 400, "parse_error")


def test_json_that_is_not_an_object(as_annotator):
    error = assert_error(_create(as_annotator, "[1, 2]"), 400, "invalid")
    assert "non_field_errors" in error["fields"]


def test_wrong_types_name_the_fields(as_annotator, segment):
    body = {
        "segment": str(segment.pk),
        "start": "0",
        "end": 5.5,
        "claim_type": "quantity",
        "claim_text": 42,
    }
    error = assert_error(_create(as_annotator, json.dumps(body)), 400, "invalid")
    assert set(error["fields"]) == {"start", "end", "claim_text"}


def test_unknown_fields_are_refused(as_annotator, segment):
    body = {
        "segment": str(segment.pk),
        "start": 0,
        "end": 5,
        "claim_type": "quantity",
        "verdikt": "true",
    }
    error = assert_error(_create(as_annotator, json.dumps(body)), 400, "invalid")
    assert error["fields"] == {"verdikt": ["unknown field"]}


def test_unknown_fields_in_nested_citations_are_refused(as_annotator, segment):
    body = {
        "segment": str(segment.pk),
        "start": 0,
        "end": 5,
        "claim_type": "quantity",
        "citations": [{"url": "https://example.org/", "stnace": "supports"}],
    }
    error = assert_error(_create(as_annotator, json.dumps(body)), 400, "invalid")
    assert "citations.0.stnace" in error["fields"]


def test_domain_error_from_the_service(as_annotator, segment):
    body = {
        "segment": str(segment.pk),
        "start": 0,
        "end": 5,
        "claim_type": "quantity",
        "quote": "not the text",
    }
    error = assert_error(_create(as_annotator, json.dumps(body)), 400, "invalid")
    assert "quote" in error["fields"]


def test_span_outside_the_segment(as_annotator, segment):
    body = {"segment": str(segment.pk), "start": 0, "end": 10_000, "claim_type": "quantity"}
    error = assert_error(_create(as_annotator, json.dumps(body)), 400, "invalid")
    assert "end" in error["fields"]


def test_huge_body_is_413_json(as_annotator, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"claim_text": "x" * 5000})
    assert_error(_create(as_annotator, body), 413, "too_large")


def test_unsupported_media_type(as_annotator):
    response = as_annotator.post(
        "/api/v1/annotations/", "a=1", content_type="application/x-www-form-urlencoded"
    )
    assert_error(response, 415, "unsupported_media_type")


def test_not_acceptable(as_annotator):
    response = as_annotator.get("/api/v1/segments/", HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert json.loads(response.content)["error"]["code"] == "not_acceptable"


def test_method_not_allowed(as_annotator):
    assert_error(
        as_annotator.put("/api/v1/segments/", {}, format="json"), 405, "method_not_allowed"
    )


def test_unknown_object_is_404(as_annotator):
    assert_error(as_annotator.get("/api/v1/annotations/not-a-uuid/"), 404, "not_found")
    assert_error(
        as_annotator.get("/api/v1/annotations/00000000-0000-0000-0000-000000000000/"),
        404,
        "not_found",
    )


def test_change_to_unknown_annotation_is_404_whatever_else_is_wrong(as_annotator):
    # The views no longer read the annotation before the service does; a missing one
    # must still answer 404, and before a missing If-Match or a bad body.
    missing = "/api/v1/annotations/00000000-0000-0000-0000-000000000000"
    ok = {"HTTP_IF_MATCH": '"1"'}
    for path, body in ((f"{missing}/", {"claim_text": "x"}), (f"{missing}/submit/", {})):
        call = as_annotator.patch if "submit" not in path else as_annotator.post
        assert_error(call(path, body, format="json", **ok), 404, "not_found")
        assert_error(call(path, body, format="json"), 404, "not_found")
        assert_error(call(path, {"nope": 1}, format="json", **ok), 404, "not_found")
    assert_error(
        as_annotator.post("/api/v1/annotations/nope/approve/", {}, format="json", **ok),
        404,
        "not_found",
    )


def test_unknown_url_under_api_is_json_404(as_annotator):
    assert_error(as_annotator.get("/api/v1/nothing-here/"), 404, "not_found")
    assert_error(as_annotator.get("/api/v2/"), 404, "not_found")


def test_server_error_handler_is_json_under_api():
    request = RequestFactory().get("/api/v1/annotations/")
    response = errors.server_error(request)
    assert response.status_code == 500
    assert json.loads(response.content)["error"]["code"] == "server_error"


def test_server_error_handler_is_html_elsewhere():
    response = errors.server_error(RequestFactory().get("/admin/"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


def test_bad_filter_value(as_annotator):
    error = assert_error(as_annotator.get("/api/v1/annotations/?status=done"), 400, "invalid")
    assert "status" in error["fields"]
    error = assert_error(as_annotator.get("/api/v1/segments/?clock_from=25:99"), 400, "invalid")
    assert "clock_from" in error["fields"]


@pytest.mark.parametrize(
    "query",
    ["cursor=zzz", "cursor=WyJuIixbXV0", "page_size=0", "page_size=abc", "page_size=100000"],
)
def test_bad_cursor_or_page_size(as_annotator, query):
    assert_error(as_annotator.get(f"/api/v1/annotations/?{query}"), 400, "invalid")


def test_if_match_missing_is_428(as_annotator, draft):
    response = as_annotator.patch(
        f"/api/v1/annotations/{draft.pk}/", {"claim_text": "x"}, format="json"
    )
    assert_error(response, 428, "precondition_required")


def test_stale_if_match_is_412_with_who_and_when(as_annotator, as_editor, draft):
    first = as_editor.patch(
        f"/api/v1/annotations/{draft.pk}/", {"claim_text": "Edited."}, format="json", **etag(1)
    )
    assert first.status_code == 200 and first["ETag"] == '"2"'
    response = as_annotator.patch(
        f"/api/v1/annotations/{draft.pk}/", {"claim_text": "Mine."}, format="json", **etag(1)
    )
    error = assert_error(response, 412, "precondition_failed")
    assert error["current_version"] == 2
    assert error["changed_by"] == "ed"
    assert error["changed_at"]
    assert response["ETag"] == '"2"'
    draft.refresh_from_db()
    assert draft.claim_text == "Edited."


def test_if_match_that_is_not_a_version_is_412(as_annotator, draft):
    response = as_annotator.patch(
        f"/api/v1/annotations/{draft.pk}/",
        {"claim_text": "x"},
        format="json",
        HTTP_IF_MATCH='"abc"',
    )
    assert_error(response, 412, "precondition_failed")


def test_weak_etag_is_accepted(as_annotator, draft):
    response = as_annotator.patch(
        f"/api/v1/annotations/{draft.pk}/",
        {"claim_text": "x"},
        format="json",
        HTTP_IF_MATCH='W/"1"',
    )
    assert response.status_code == 200


def test_workflow_refusal_is_403_with_reason(as_annotator, draft):
    response = as_annotator.post(
        f"/api/v1/annotations/{draft.pk}/approve/", {}, format="json", **etag(1)
    )
    error = assert_error(response, 403, "not_allowed")
    assert "cannot approve" in error["message"]


def test_document_error_on_upload_is_400(as_editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("empty.txt", b"", content_type="text/plain")
    response = as_editor.post("/api/v1/sources/", {"file": upload}, format="multipart")
    # An empty file part is refused by the form field; a binary one by the importer.
    assert_error(response, 400, "invalid")
    upload = SimpleUploadedFile("blob.bin", b"\x00\x01\x02binary\x00" * 50)
    error = assert_error(
        as_editor.post("/api/v1/sources/", {"file": upload}, format="multipart"),
        400,
        "invalid_document",
    )
    assert "binary" in error["message"]


def test_cursor_with_a_nul_character_is_400(as_annotator):
    import base64

    token = base64.urlsafe_b64encode(b'["n",["a\\u0000"]]').decode().rstrip("=")
    assert_error(as_annotator.get(f"/api/v1/claim-types/?cursor={token}"), 400, "invalid")


def test_nul_characters_in_text_are_400(as_annotator, segment):
    body = {
        "segment": str(segment.pk),
        "start": 0,
        "end": 5,
        "claim_type": "quantity",
        "claim_text": "a\u0000b",
    }
    error = assert_error(_create(as_annotator, json.dumps(body)), 400, "invalid")
    assert "claim_text" in error["fields"]
    assert_error(as_annotator.get("/api/v1/segments/?speaker=a%00b"), 400, "invalid")


def test_unknown_api_url_is_json_even_with_debug_on(as_annotator, settings):
    settings.DEBUG = True
    error = assert_error(as_annotator.get("/api/v1/annotations"), 404, "not_found")
    assert "ends with a slash" in error["message"]
    assert_error(as_annotator.post("/api/v1/annotations", {}, format="json"), 404, "not_found")
    assert_error(as_annotator.get("/api/other/"), 404, "not_found")


def test_an_unexpected_exception_becomes_a_json_500():
    request = RequestFactory().get("/api/v1/annotations/")
    response = errors.exception_handler(RuntimeError("boom"), {"request": request})
    assert response.status_code == 500
    assert response.data["error"]["code"] == "server_error"
    assert "boom" not in response.data["error"]["message"]


def test_unknown_api_url_with_a_session_post_is_json(client, annotator):
    client.force_login(annotator)
    client.cookies["csrftoken"] = "x" * 32
    response = client.post("/api/v1/annotations/0.5/approve/", {}, content_type="application/json")
    assert_error(response, 404, "not_found")
