"""The OpenAPI schema and the interactive docs, served without any CDN."""

from __future__ import annotations

import re

import yaml
from django.contrib.staticfiles import finders


def test_schema_describes_every_endpoint_and_its_errors(client, db):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    paths = schema["paths"]
    for path in (
        "/api/v1/sources/",
        "/api/v1/transcripts/",
        "/api/v1/segments/",
        "/api/v1/claim-types/",
        "/api/v1/annotations/",
        "/api/v1/citations/",
        "/api/v1/annotations/{id}/history/",
    ):
        assert path in paths, path
    for verb in ("submit", "approve", "request-changes", "reject", "reopen"):
        operation = paths[f"/api/v1/annotations/{{id}}/{verb}/"]["post"]
        assert {"200", "400", "401", "403", "404", "412", "428"} <= set(operation["responses"])
        assert any(p["name"] == "If-Match" and p["required"] for p in operation["parameters"])
    for path, operations in paths.items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"400", "401", "403"} <= set(responses), (method, path)
            error = responses["401"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/Error"}
    ld = paths["/api/v1/annotations/{id}/"]["get"]["responses"]["200"]["content"]
    assert 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"' in ld


def test_docs_page_uses_the_projects_own_assets(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, html[:500]
    assert all(not url.startswith(("http://", "https://", "//")) for url in urls), urls
    assert any("swagger-ui-bundle.js" in url for url in urls)
    for url in urls:  # every asset is a static file the project ships
        assert url.startswith("/static/") and finders.find(url.removeprefix("/static/")), url
