"""A source's origin URL is an http(s) address with a host, whichever shell imports it.

Exports publish the origin URL as a link, so a ``javascript:`` or ``data:`` URL would
run in whoever clicks it. The rule lives in the import service; the API, the admin
and ``import_transcript`` each refuse such a URL in their own format, storing nothing.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from archive.importers.base import DocumentError
from archive.services import source_import
from tests.api.conftest import client_for
from tests.concurrently import assert_nothing_imported
from tests.factories import LIVEBLOG

DATA = LIVEBLOG.encode()
REFUSED = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.org/transcript.txt",
    "https://",
    "http:///path-without-host",
    "//example.org/no-scheme",
    "example.org/no-scheme",
    "https://example.org/" + "a" * 2000,
]
ACCEPTED = ["", "https://example.org/hearing", "http://127.0.0.1:8000/a?b=c#d"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", REFUSED)
def test_service_refuses_and_stores_nothing(url):
    with pytest.raises(DocumentError, match="origin URL") as raised:
        source_import(data=DATA, filename="a.txt", origin_url=url)
    assert raised.value.field == "origin_url"
    assert_nothing_imported()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ACCEPTED)
def test_service_accepts_http_and_https(url):
    result = source_import(data=DATA, filename="a.txt", origin_url=url)
    assert result.created and result.source.origin_url == url


@pytest.mark.django_db
def test_service_refuses_even_for_bytes_already_stored():
    source_import(data=DATA, filename="a.txt")
    with pytest.raises(DocumentError, match="origin URL"):
        source_import(data=DATA, filename="a.txt", origin_url="javascript:alert(1)")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/t.txt"])
def test_command_prints_one_line_and_fails(tmp_path, capsys, url):
    path = tmp_path / "a.txt"
    path.write_bytes(DATA)
    with pytest.raises(CommandError):
        call_command("import_transcript", str(path), "--origin-url", url)
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}: error: ")
    assert "origin URL" in lines[0]
    assert_nothing_imported()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/t.txt"])
def test_api_answers_400_on_the_origin_url_field(editor, url):
    upload = SimpleUploadedFile("a.txt", DATA, content_type="text/plain")
    response = client_for(editor).post(
        "/api/v1/sources/", {"file": upload, "origin_url": url}, format="multipart"
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == ["origin_url"]
    assert_nothing_imported()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/t.txt"])
def test_admin_upload_shows_the_error_on_the_origin_field(client, editor, url):
    client.force_login(editor)
    upload = SimpleUploadedFile("a.txt", DATA, content_type="text/plain")
    response = client.post(
        "/admin/archive/source/add/", {"file": upload, "format": "auto", "origin_url": url}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"origin_url"}
    assert_nothing_imported()
