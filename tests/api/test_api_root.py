"""``GET /api/v1/``: the API's root names every endpoint with its absolute URL."""

from __future__ import annotations

import pytest
import yaml

from tests.api.test_errors import assert_error

ENDPOINTS = (
    "sources",
    "transcripts",
    "segments",
    "claim-types",
    "annotations",
    "citations",
    "exports",
    "factchecks",
)


def test_the_root_lists_every_endpoint_with_its_absolute_url(as_annotator):
    response = as_annotator.get("/api/v1/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {name: f"http://testserver/api/v1/{name}/" for name in ENDPOINTS}


def test_every_url_the_root_names_answers(as_editor):
    for name, url in as_editor.get("/api/v1/").json().items():
        assert as_editor.get(url).status_code == 200, name


@pytest.mark.parametrize(
    "role,status,code",
    [("anon", 401, "not_authenticated"), ("as_outsider", 403, "permission_denied")],
)
def test_the_root_refuses_like_every_other_endpoint(request, role, status, code):
    client = request.getfixturevalue(role)
    response = client.get("/api/v1/")
    assert_error(response, status, code)
    if status == 401:
        assert response["WWW-Authenticate"].startswith("Token")


def test_the_root_without_its_slash_says_where_it_is(as_annotator):
    error = assert_error(as_annotator.get("/api/v1"), 404, "not_found")
    assert "(the URL ends with a slash: /api/v1/)" in error["message"]


def test_the_schema_documents_the_root(client, db):
    paths = yaml.safe_load(client.get("/api/schema/").content)["paths"]
    responses = paths["/api/v1/"]["get"]["responses"]
    assert {"200", "401", "403"} <= set(responses)
    answer = responses["200"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/ApiRoot"}
