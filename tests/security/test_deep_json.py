"""JSON nested far deeper than any real request is refused before it is parsed.

Python's json module recurses once per level: a body of 100,000 ``[`` raises
RecursionError, which no handler expects (a 500), and a few hundred levels that do
parse still break orjson (the renderer, 255 levels) and ``repr`` in error messages.
The API's parser, the cursor decoder and the JSONL importer all go through
:mod:`common.jsondepth`, which bounds the nesting (``CLAIMTRAIL_JSON_MAX_DEPTH``).
"""

from __future__ import annotations

import base64
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotate.datasets.restore import PackageRefused, open_package
from annotate.models import Annotation, Citation, ClaimType, Export
from archive.importers.base import DocumentError
from archive.models import Source
from archive.services import source_import
from common import jsondepth
from tests.api.conftest import client_for
from tests.factories import make_annotation


def deep_list(depth: int) -> str:
    return "[" * depth + "]" * depth


def deep_object(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


# ---------------------------------------------------------------- the depth scan


@pytest.mark.parametrize(
    "text, depth",
    [
        ("1", 0),
        ('"[[[{{{"', 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}], "c": {}}', 4),
        ('["\\"[[[", ["\\\\"], "]]]{"]', 2),
        (deep_list(5000), 5000),
        (deep_object(70), 70),
    ],
)
def test_nesting_depth_counts_brackets_outside_strings(text, depth):
    assert jsondepth.nesting_depth(text) == depth


def test_loads_parses_up_to_the_limit_and_refuses_beyond_it():
    assert jsondepth.loads(deep_list(64), max_depth=64) == json.loads(deep_list(64))
    with pytest.raises(jsondepth.TooDeep, match="nested 65 levels deep; at most 64"):
        jsondepth.loads(deep_list(65), max_depth=64)
    with pytest.raises(jsondepth.TooDeep):
        jsondepth.loads(deep_list(100_000), max_depth=64)


def test_loads_refuses_unterminated_deep_input_without_recursing():
    with pytest.raises(ValueError):
        jsondepth.loads("[" * 100_000, max_depth=64)


def test_a_body_of_many_brackets_in_strings_is_not_deep():
    body = json.dumps({"claim_text": "[" * 10_000, "items": [[i] for i in range(500)]})
    assert jsondepth.loads(body, max_depth=3)["claim_text"] == "[" * 10_000


# ---------------------------------------------------------------- the API


def _assert_too_deep(response):
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "too_deep"
    assert "nested" in error["message"]


@pytest.fixture
def as_annotator(annotator):
    return client_for(annotator)


@pytest.fixture
def as_editor(editor):
    return client_for(editor)


@pytest.mark.django_db
@pytest.mark.parametrize("body", [deep_list(100_000), deep_object(100_000), deep_list(65)])
def test_deep_annotation_body_is_400(as_annotator, body):
    _assert_too_deep(
        as_annotator.post("/api/v1/annotations/", body, content_type="application/json")
    )
    assert Annotation.objects.count() == 0


@pytest.mark.django_db
def test_deep_bodies_are_400_on_every_json_endpoint(as_annotator, as_editor, annotator, segment):
    draft = make_annotation(annotator, segment)
    body = deep_list(100_000)
    version = {"HTTP_IF_MATCH": f'"{draft.version}"'}
    for client, method, path, extra in [
        (as_annotator, "patch", f"/api/v1/annotations/{draft.pk}/", version),
        (as_annotator, "post", f"/api/v1/annotations/{draft.pk}/submit/", version),
        (as_annotator, "post", "/api/v1/citations/", version),
        (as_editor, "post", "/api/v1/claim-types/", {}),
        (as_editor, "patch", "/api/v1/claim-types/quantity/", {"HTTP_IF_MATCH": '"x"'}),
        (as_editor, "post", "/api/v1/exports/", {}),
    ]:
        send = getattr(client, method)
        _assert_too_deep(send(path, body, content_type="application/json", **extra))
    draft.refresh_from_db()
    assert draft.version == 1 and Citation.objects.count() == 0
    assert not ClaimType.objects.filter(slug="").exists() and Export.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["filters", "options"])
def test_deep_export_filters_or_options_are_400(as_editor, field):
    body = f'{{"format": "jsonl", "{field}": {{"unit": {deep_list(20_000)}}}}}'
    _assert_too_deep(as_editor.post("/api/v1/exports/", body, content_type="application/json"))
    assert Export.objects.count() == 0


@pytest.mark.django_db
def test_deep_cursor_is_400(as_annotator):
    token = base64.urlsafe_b64encode(('["n",' + deep_list(20_000) + "]").encode()).decode()
    response = as_annotator.get(f"/api/v1/annotations/?cursor={token.rstrip('=')}")
    assert response.status_code == 400, response.content
    assert "cursor" in response.json()["error"]["fields"]


# ---------------------------------------------------------------- the JSONL importer


RECORD = {
    "text": "The crane cost 2 million.",
    "transcript_title": "Hearing",
    "segment_id": "s1",
    "ordinal": 1,
    "clock": "",
    "location": "",
    "speaker": "",
    "speaker_role": "",
}


@pytest.mark.django_db
def test_jsonl_document_with_a_deep_line_is_refused_and_stores_nothing():
    deep = json.dumps(RECORD)[:-1] + f', "extra": {deep_list(100_000)}}}'
    for text in (deep, json.dumps(RECORD) + "\n" + deep):
        with pytest.raises(DocumentError, match="nested"):
            source_import(data=text.encode(), filename="t.jsonl", format="jsonl")
    assert Source.objects.count() == 0


@pytest.mark.django_db
def test_deep_jsonl_upload_is_400(as_editor):
    deep = json.dumps(RECORD)[:-1] + f', "extra": {deep_list(100_000)}}}'
    upload = SimpleUploadedFile("t.jsonl", deep.encode(), content_type="application/jsonl")
    response = as_editor.post("/api/v1/sources/", {"file": upload}, format="multipart")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid_document"
    assert Source.objects.count() == 0


# ---------------------------------------------------------------- restoring a package


@pytest.mark.parametrize("name", ["datapackage.json", "annotations.jsonl"])
def test_a_package_with_deep_json_is_refused(tmp_path, name):
    manifest = {"name": "x", "resources": [{"path": "annotations.jsonl"}]}
    (tmp_path / "datapackage.json").write_text(json.dumps(manifest))
    (tmp_path / name).write_text(deep_list(100_000) + "\n")
    with pytest.raises(PackageRefused, match="nested"):
        with open_package(tmp_path) as package:
            list(package.lines("annotations.jsonl"))
