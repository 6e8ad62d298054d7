"""The admin's source import form speaks of its own fields, never of command-line flags."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archive.importers.registry import FORMATS
from archive.models import Source
from tests.factories import LIVEBLOG

pytestmark = pytest.mark.django_db
LATIN1 = "0900: Paris: Ana\n\nUn caf\u00e9.\n".encode("latin-1")


def _post(client, data: bytes, *, name: str = "hearing.txt", format: str = "auto", **extra):
    upload = SimpleUploadedFile(name, data)
    return client.post(
        reverse("admin:archive_source_add"), {"file": upload, "format": format}, **extra
    )


def _confirmation(response) -> str:
    assert response.redirect_chain, "the import redirects to the transcript"
    (message,) = [str(m) for m in response.context["messages"]]
    return message


def _errors(response) -> dict[str, list[str]]:
    assert response.status_code == 200
    assert not Source.objects.exists()
    return response.context["form"].errors


def test_text_that_is_not_utf8_is_refused_in_the_forms_words(login, editor):
    errors = _errors(_post(login(editor), LATIN1))
    assert errors["file"] == [
        "not valid UTF-8 at byte offset 24; save the file as UTF-8 and upload it again"
    ]


def test_an_undetected_format_asks_for_the_format_field(login, editor):
    errors = _errors(_post(login(editor), b"Just some prose.\nNothing else.\n"))
    assert errors["format"] == [
        f"could not detect the format; choose it under Format ({', '.join(FORMATS)})"
    ]
    assert "file" not in errors


def test_no_form_message_speaks_of_command_line_flags(login, editor, settings):
    client = login(editor)
    for response in (
        _post(client, LATIN1),
        _post(client, b"Just some prose.\nNothing else.\n"),
        _post(client, b"", name="empty.txt"),
        _post(client, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", name="x.png"),
    ):
        for messages in _errors(response).values():
            assert not any("--" in message for message in messages), messages


def test_an_oversized_upload_names_the_import_limit(login, editor, settings):
    settings.CLAIMTRAIL_IMPORT_MAX_BYTES = 100
    errors = _errors(_post(login(editor), LIVEBLOG.encode("utf-8")))
    size = len(LIVEBLOG.encode("utf-8"))
    assert errors["file"] == [f"file is {size} bytes, over the import limit of 100 bytes"]


def test_the_origin_url_field_says_what_it_is(login, editor):
    html = login(editor).get(reverse("admin:archive_source_add")).content.decode()
    assert '<label for="id_origin_url">Origin URL:</label>' in html
    assert "Published at" not in html
    assert "Where the document was published" in html


def test_the_confirmation_says_what_the_importer_dropped(login, editor):
    response = _post(login(editor), LIVEBLOG.encode("utf-8"), follow=True)
    transcript = Source.objects.get().transcripts.get()
    assert _confirmation(response) == (
        f"Imported: {transcript.title} ({transcript.segment_count} segments; 2 spans dropped: "
        "1 × page furniture: breadcrumb, 1 × page furniture: Exit mobile version)."
    )


def test_the_confirmation_says_when_nothing_was_dropped(login, editor):
    text = "Hearing\n\n0900: Riverton: Ms. Ada Example\n\nThe bridge cost 3 million.\n"
    response = _post(login(editor), text.encode("utf-8"), follow=True)
    assert _confirmation(response).endswith("(1 segment; nothing dropped).")
