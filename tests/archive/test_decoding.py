"""Decoding uploaded bytes: exact text, or one clear error line."""

import pytest

from archive.importers.base import DocumentError
from archive.importers.decoding import decode

LIMIT = 1_000_000


def test_text_is_kept_exactly_bom_and_crlf_included():
    data = "\ufeffTitle\r\n1703: Paris: Zoë\r\n".encode()

    assert decode(data, max_bytes=LIMIT) == "\ufeffTitle\r\n1703: Paris: Zoë\r\n"


def test_another_encoding_can_be_named():
    assert decode("Zoë".encode("latin-1"), "latin-1", max_bytes=LIMIT) == "Zoë"


def test_utf16_with_its_nul_bytes_is_text_when_named():
    assert decode("Hello".encode("utf-16"), "utf-16", max_bytes=LIMIT) == "Hello"


def test_empty_file():
    with pytest.raises(DocumentError, match=r"^file is empty$"):
        decode(b"", max_bytes=LIMIT)


def test_over_the_size_limit_names_size_and_limit():
    with pytest.raises(DocumentError, match=r"file is 1\.5 MB, over the 1 MB limit"):
        decode(b"a" * 1_500_000, max_bytes=LIMIT)


def test_nul_bytes_mean_binary():
    with pytest.raises(DocumentError, match="looks like a binary file, not text"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", max_bytes=LIMIT)


def test_mostly_control_characters_mean_binary():
    with pytest.raises(DocumentError, match="looks like a binary file, not text"):
        decode(bytes(range(1, 9)) * 10 + b"text", max_bytes=LIMIT)


def test_a_few_control_characters_are_still_text():
    assert decode(b"Page 1\x0cPage 2\x07", max_bytes=LIMIT) == "Page 1\x0cPage 2\x07"


def test_invalid_utf8_names_the_byte_offset():
    data = "café ".encode() + b"\xe9t\xe9"

    with pytest.raises(DocumentError) as error:
        decode(data, max_bytes=LIMIT)

    assert str(error.value) == (
        "not valid UTF-8 at byte offset 6; pass --encoding to read it as another encoding"
    )


def test_invalid_for_a_named_encoding_names_it():
    with pytest.raises(DocumentError, match=r"not valid ascii at byte offset 2"):
        decode(b"ab\xff", "ascii", max_bytes=LIMIT)


def test_unknown_encoding():
    with pytest.raises(DocumentError, match=r"unknown encoding 'klingon-8'"):
        decode(b"text", "klingon-8", max_bytes=LIMIT)
