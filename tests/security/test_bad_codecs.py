"""Naming a codec that does not turn bytes into text is refused in one clear line.

Python's codec registry also holds bytes-to-bytes transforms (``rot13``, ``base64``,
``zlib_codec``...) and oddities such as ``undefined``. Named as the encoding of an
upload, each must give the importer's error, with nothing stored, from the service,
the API (a 400 JSON error on the ``encoding`` field) and ``import_transcript`` (one
line, non-zero exit), never a traceback or a 500.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from archive.importers.base import DocumentError
from archive.importers.decoding import decode
from archive.services import source_import
from tests.api.conftest import client_for
from tests.concurrently import assert_nothing_imported
from tests.factories import LIVEBLOG

NOT_TEXT = ["rot13", "base64", "hex", "zlib_codec", "uu", "bz2_codec", "quopri", "ROT-13"]
UNUSABLE = {
    "undefined": "cannot be read as 'undefined'",
    "utf\x008": "unknown encoding",
    "utf-8" + "-" * 60: "longer than 40 characters",
}
DATA = LIVEBLOG.encode()


@pytest.fixture
def as_editor(editor):
    return client_for(editor)


@pytest.mark.parametrize("encoding", NOT_TEXT)
def test_decode_refuses_a_codec_that_is_not_a_text_encoding(encoding):
    with pytest.raises(DocumentError, match=rf"{encoding!r} is not a text encoding"):
        decode(DATA, encoding)


@pytest.mark.parametrize("encoding, message", UNUSABLE.items())
def test_decode_refuses_other_unusable_encodings(encoding, message):
    with pytest.raises(DocumentError, match=message):
        decode(DATA, encoding)


def test_decode_refuses_a_nul_beyond_the_binary_sample():
    text = LIVEBLOG + "x" * 70_000 + "\x00\n"
    with pytest.raises(DocumentError, match=rf"NUL character at offset {len(text) - 2}"):
        decode(text.encode("utf-16"), "utf-16")


def test_text_encodings_still_decode():
    assert decode("caf\u00e9\n".encode("cp1252"), "cp1252") == "caf\u00e9\n"
    assert decode("caf\u00e9\n".encode("utf-16"), "UTF-16") == "caf\u00e9\n"


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", [*NOT_TEXT, *UNUSABLE])
def test_service_refuses_and_stores_nothing(encoding):
    with pytest.raises(DocumentError) as raised:
        source_import(data=DATA, filename="a.txt", encoding=encoding)
    assert raised.value.field == "encoding"
    assert_nothing_imported()


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["rot13", "base64", "hex", "zlib_codec", "uu", "undefined"])
def test_api_answers_400_naming_the_encoding(as_editor, encoding):
    upload = SimpleUploadedFile("a.txt", DATA, content_type="text/plain")
    response = as_editor.post(
        "/api/v1/sources/", {"file": upload, "encoding": encoding}, format="multipart"
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_document"
    assert encoding in error["message"]
    assert list(error["fields"]) == ["encoding"]
    assert_nothing_imported()


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["rot13", "base64", "bz2_codec", "undefined"])
def test_command_prints_one_line_and_fails(tmp_path, capsys, encoding):
    path = tmp_path / "a.txt"
    path.write_bytes(DATA)
    with pytest.raises(CommandError):
        call_command("import_transcript", str(path), "--encoding", encoding)
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}: error: ")
    assert repr(encoding) in lines[0]
    assert_nothing_imported()
