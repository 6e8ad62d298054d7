"""Sources (upload through the import service), transcripts and segments."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from archive.models import Source
from tests.factories import LIVEBLOG

TEXT = """Hearing on the harbour

1000: Portside: Ms. Ida Quay, harbour master

Traffic rose by 8 per cent last year.

1015: Portside: Mr. Olaf Pier

The new crane cost 2 million.
"""


def _upload(client, data: bytes, name="harbour.txt", **fields):
    upload = SimpleUploadedFile(name, data, content_type="text/plain")
    return client.post("/api/v1/sources/", {"file": upload, **fields}, format="multipart")


def test_upload_imports_and_reupload_returns_the_same_source(as_editor):
    first = _upload(as_editor, TEXT.encode(), origin_url="https://example.org/harbour")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["created"] is True and body["segment_count"] == 2
    assert body["source"]["origin_url"] == "https://example.org/harbour"
    assert body["source"]["imported_by"] == "ed"
    again = _upload(as_editor, TEXT.encode(), name="copy.txt")
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["source"]["id"] == body["source"]["id"]
    assert Source.objects.count() == 1
    detail = as_editor.get(f"/api/v1/sources/{body['source']['id']}/").json()
    assert detail["text"] == TEXT
    assert "text" not in as_editor.get("/api/v1/sources/").json()["results"][0]


def test_unknown_format_is_400_and_stores_nothing(as_editor):
    response = _upload(as_editor, TEXT.encode(), format="docx")
    assert response.status_code == 400
    assert "format" in response.json()["error"]["fields"]
    assert Source.objects.count() == 0


def test_undetectable_document_is_400_with_the_importer_message(as_editor):
    response = _upload(as_editor, b"just one line with nothing else", format="srt")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_document" and error["message"]
    assert Source.objects.count() == 0


def test_upload_errors_name_the_apis_own_fields(as_editor):
    latin1 = "0900: Paris: Ana\n\nUn caf\u00e9.\n".encode("latin-1")
    error = _upload(as_editor, latin1).json()["error"]
    assert error["message"] == (
        "not valid UTF-8 at byte offset 24; send the encoding it was saved in as encoding "
        "(such as cp1252 or latin-1)"
    )
    error = _upload(as_editor, b"Just some prose.\nNothing else.\n").json()["error"]
    assert error["message"].startswith("could not detect the format; send one as format (")
    assert Source.objects.count() == 0


def test_oversized_upload_is_413(as_editor, settings):
    settings.CLAIMTRAIL_IMPORT_MAX_BYTES = 100
    response = _upload(as_editor, TEXT.encode() * 10)
    assert response.status_code == 413
    assert Source.objects.count() == 0


def test_json_upload_is_415(as_editor):
    response = as_editor.post("/api/v1/sources/", {"file": "text"}, format="json")
    assert response.status_code == 415


def test_segments_filters(as_annotator, transcript):
    def texts(query):
        response = as_annotator.get(f"/api/v1/segments/?{query}")
        assert response.status_code == 200, response.content
        return [s["ordinal"] for s in response.json()["results"]]

    everything = texts(f"transcript={transcript.pk}")
    assert everything == sorted(everything) and len(everything) == transcript.segment_count
    assert texts(f"transcript={transcript.pk}&speaker=mr. ben sample") == [2]
    assert texts(f"transcript={transcript.pk}&clock_from=09:10&clock_to=09:20") == [2]
    assert texts(f"transcript={transcript.pk}&q=unemployment lowest") == [2]
    assert texts(f"transcript={transcript.pk}&location=riverton") == everything
    segment = as_annotator.get(f"/api/v1/segments/?transcript={transcript.pk}").json()["results"][0]
    source = transcript.source
    assert segment["text"] == source.text[segment["source_start"] : segment["source_end"]]
    assert LIVEBLOG  # the shared fixture text


def test_transcripts_list_and_filter(as_reviewer, transcript):
    rows = as_reviewer.get(f"/api/v1/transcripts/?source={transcript.source_id}").json()["results"]
    assert [row["id"] for row in rows] == [str(transcript.pk)]
    assert rows[0]["segment_count"] == transcript.segment_count


def test_a_non_editor_upload_is_refused_by_the_import_service(as_annotator):
    response = _upload(as_annotator, TEXT.encode())
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "not_allowed"
    assert error["message"] == "only an editor may import sources"
    assert Source.objects.count() == 0


def test_an_oversized_upload_answers_the_import_service_message(as_editor, settings):
    settings.CLAIMTRAIL_IMPORT_MAX_BYTES = 100
    response = _upload(as_editor, TEXT.encode() * 10)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_large"
    assert error["message"].endswith("over the import limit of 100 bytes")
    assert error["fields"]["file"] == [error["message"]]
