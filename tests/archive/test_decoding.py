"""Decoding uploaded bytes: exact text, or one clear error line."""

import pytest

from archive.importers.base import DocumentError
from archive.importers.decoding import check_size, decode
from common.errors import DocumentTooLarge

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
    with pytest.raises(DocumentError, match=r"^file is 1\.5 MB, over the import limit of 1 MB$"):
        decode(b"a" * 1_500_000, max_bytes=LIMIT)


@pytest.mark.parametrize(
    "size, limit, message",
    [
        (371, 100, "file is 371 bytes, over the import limit of 100 bytes"),
        (2_500, 1_000, "file is 2.5 kB, over the import limit of 1 kB"),
        (25_000_000, 20_000_000, "file is 25 MB, over the import limit of 20 MB"),
        # Sizes that would read the same are given in bytes.
        (1_001, 1_000, "file is 1,001 bytes, over the import limit of 1,000 bytes"),
        (
            20_000_001,
            20_000_000,
            "file is 20,000,001 bytes, over the import limit of 20,000,000 bytes",
        ),
    ],
)
def test_the_size_and_the_limit_are_in_units_people_read(size, limit, message):
    with pytest.raises(DocumentTooLarge) as error:
        check_size(size, max_bytes=limit)
    assert str(error.value) == message


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
        "not valid UTF-8 at byte offset 6; "
        "name the encoding it was saved in (such as cp1252 or latin-1)"
    )


def test_each_interface_words_the_way_out_of_an_encoding_error():
    with pytest.raises(DocumentError) as error:
        decode("café".encode("latin-1"), max_bytes=LIMIT)
    assert error.value.needs == "encoding"
    assert error.value.worded({"encoding": "pass --encoding"}) == (
        "not valid UTF-8 at byte offset 3; pass --encoding"
    )
    assert error.value.worded({"format": "use --format"}) == str(error.value)


def test_invalid_for_a_named_encoding_names_it():
    with pytest.raises(DocumentError, match=r"not valid ascii at byte offset 2"):
        decode(b"ab\xff", "ascii", max_bytes=LIMIT)


def test_unknown_encoding():
    with pytest.raises(DocumentError, match=r"unknown encoding 'klingon-8'"):
        decode(b"text", "klingon-8", max_bytes=LIMIT)
