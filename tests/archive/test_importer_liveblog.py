"""Live-blog importer: the real seed report, the sample fixture, and small documents."""

from datetime import date
from pathlib import Path

import pytest

from archive.importers import liveblog
from archive.importers.base import DocumentError

REPO = Path(__file__).resolve().parents[2]
SEED = REPO.parent / "shared" / "seeds" / "000_59dbd672810bc89e.txt"
SAMPLE = REPO / "fixtures" / "sample_liveblog.txt"
SEED_TITLE = (
    "Live Report: International Online Conference of the Iranian Communities "
    "on the 30th Anniversary of 1988 Massacre in Iran"
)
needs_seed = pytest.mark.skipif(not SEED.exists(), reason=f"seed report not found at {SEED}")


def _texts(text, document):
    return [text[s.start : s.end] for s in document.segments]


def _by_clock(document):
    return {segment.clock: segment for segment in document.segments}


@pytest.fixture(scope="module")
def seed_text():
    return SEED.read_text(encoding="utf-8")


@needs_seed
def test_seed_gives_one_segment_per_timed_block(seed_text):
    document = liveblog.parse(seed_text)

    assert len(document.segments) == 30
    assert [s.clock for s in document.segments][:3] == ["1703", "1729", "1738"]
    assert document.segments[-1].clock == "2018"
    assert document.title == SEED_TITLE


@needs_seed
def test_seed_speaker_location_and_role(seed_text):
    first = _by_clock(liveblog.parse(seed_text))["1703"]

    assert first.clock_normalised == "17:03"
    assert first.location == "Paris"
    assert first.speaker == "Mrs. Maryam Rajavi"
    assert first.speaker_role == (
        "the President-elect of the National Council of Resistance of Iran"
    )


@needs_seed
def test_seed_speaker_without_comma_has_blank_role(seed_text):
    blocks = _by_clock(liveblog.parse(seed_text))

    assert blocks["1738"].speaker == "Jean Francois Legaret Mayour of first arrondissment of Paris"
    assert blocks["1738"].speaker_role == ""
    assert (blocks["1742"].location, blocks["1742"].speaker) == ("Berlin", "Mr. Hamid Moaser")
    assert blocks["1920"].speaker == "Mr. John Paul (?)"


@needs_seed
def test_seed_segment_is_the_whole_body(seed_text):
    document = liveblog.parse(seed_text)
    blocks = _by_clock(document)
    first = seed_text[blocks["1703"].start : blocks["1703"].end]
    john_paul = seed_text[blocks["1920"].start : blocks["1920"].end]

    assert first.startswith("Thirty years have passed since the 1988 Massacre")
    assert first.endswith("which has only emboldened the Regime.")
    assert first.count("\n\n") == 5
    assert "\n\n\n" in john_paul
    assert john_paul.endswith("Iranian Resistance.")


@needs_seed
def test_seed_block_followed_directly_by_header_ends_before_it(seed_text):
    blocks = _by_clock(liveblog.parse(seed_text))
    rajabi = seed_text[blocks["1752"].start : blocks["1752"].end]

    assert rajabi.endswith("against the Iranian people.")
    assert "1759" not in rajabi


@needs_seed
def test_seed_blocks_without_speaker_keep_their_header_text(seed_text):
    document = liveblog.parse(seed_text)
    blocks = _by_clock(document)

    assert [s.clock for s in document.segments if not s.speaker] == ["1823", "1931", "2018"]
    video = seed_text[blocks["1823"].start : blocks["1823"].end]
    news = seed_text[blocks["1931"].start : blocks["1931"].end]
    closing = seed_text[blocks["2018"].start : blocks["2018"].end]
    assert video.startswith("Video Clip airs showing posters")
    assert blocks["1823"].location == "Paris"
    assert news.startswith("Breaking news was read out.")
    assert blocks["1931"].location == ""
    assert closing.startswith("Rajavi closes the conference")
    assert closing.endswith("democracy to Iran.")
    assert blocks["2018"].location == ""


@needs_seed
def test_seed_furniture_is_dropped_not_kept(seed_text):
    document = liveblog.parse(seed_text)
    dropped = {seed_text[d.start : d.end]: d.reason for d in document.dropped}

    assert seed_text.startswith(next(iter(dropped)))
    assert any(t.startswith("Home News Iranian Opposition Live Report") for t in dropped)
    assert "Exit mobile version" in dropped
    assert not any("Exit mobile version" in text for text in _texts(seed_text, document))
    assert not any("Home News" in text for text in _texts(seed_text, document))


@needs_seed
def test_seed_with_furniture_glued_to_a_header(seed_text):
    glued = seed_text.removesuffix("\n\nExit mobile version")
    glued = glued.replace("1703: Paris:", "Exit mobile version1703: Paris:", 1)

    document = liveblog.parse(glued)

    assert len(document.segments) == 30
    assert document.segments[0].speaker == "Mrs. Maryam Rajavi"
    assert [glued[d.start : d.end] for d in document.dropped][1] == "Exit mobile version"
    assert document.title == SEED_TITLE


@needs_seed
def test_seed_with_furniture_glued_to_a_paragraph(seed_text):
    glued = seed_text.replace(
        "\n\nThe victims of the 1988", "\n\nExit mobile versionThe victims of the 1988"
    )

    document = liveblog.parse(glued)
    texts = _texts(glued, document)

    assert len(document.segments) == 31
    assert [s.speaker for s in document.segments[:2]] == ["Mrs. Maryam Rajavi"] * 2
    assert texts[1].startswith("The victims of the 1988 massacre were given a choice")
    assert not any("Exit mobile" in text for text in texts)


def test_sample_fixture_parses_with_speakers_and_narration():
    text = SAMPLE.read_text(encoding="utf-8")

    document = liveblog.parse(text)

    assert len(document.segments) >= 14
    assert 1 <= sum(1 for s in document.segments if not s.speaker) <= 2
    assert all(s.clock_normalised for s in document.segments)
    assert document.title.startswith("Live Report: Larkwood Valley Regional Council")
    assert document.event_date == date(2025, 10, 14)
    assert [d.reason for d in document.dropped] == [liveblog.BREADCRUMB, liveblog.MOBILE_LINK]


def test_crlf_line_endings_and_bom():
    text = (
        "\ufeffHome > News\r\nThe Title\r\n\r\n0915: Ebbridge: Ann Lee, mayor\r\n\r\n"
        "First.\r\n\r\nSecond.\r\n0920: The meeting ends.\r\nExit mobile version"
    )

    document = liveblog.parse(text)

    assert document.title == "The Title"
    assert _texts(text, document) == ["First.\r\n\r\nSecond.", "The meeting ends."]
    assert text[document.dropped[0].start : document.dropped[0].end] == "Home > News"
    assert (document.segments[0].speaker, document.segments[0].speaker_role) == ("Ann Lee", "mayor")


def test_no_preamble_means_no_title_and_nothing_dropped():
    document = liveblog.parse("0900: Hall: Ann Lee\nHello.")

    assert document.title == ""
    assert document.dropped == []


def test_long_text_before_a_colon_is_not_a_location():
    text = (
        "1200: The committee chair then read the following statement aloud: the vote is postponed."
    )

    [segment] = liveblog.parse(text).segments

    assert segment.location == ""
    assert text[segment.start : segment.end].startswith("The committee chair")


def test_header_sentence_with_body_is_narration_not_a_speaker():
    text = "1200: Hall: The vote was postponed. Members left.\n\nA statement followed."

    [segment] = liveblog.parse(text).segments

    assert segment.speaker == ""
    assert text[segment.start : segment.end] == (
        "The vote was postponed. Members left.\n\nA statement followed."
    )


def test_furniture_at_the_end_of_a_line_is_dropped():
    text = "0900: Hall: Ann Lee\n\nHello.Exit mobile version"

    document = liveblog.parse(text)

    assert _texts(text, document) == ["Hello."]
    assert text[document.dropped[0].start :] == "Exit mobile version"


def test_invalid_clock_is_not_a_header():
    text = "0900: Hall: Ann Lee\n\n2575: not a time.\n"

    [segment] = liveblog.parse(text).segments

    assert text[segment.start : segment.end] == "2575: not a time."


def test_document_without_headers_is_refused():
    with pytest.raises(DocumentError, match=r"no segments found .*liveblog"):
        liveblog.parse("Just a title\n\nand a paragraph.")


def test_headers_without_any_text_are_refused():
    with pytest.raises(DocumentError, match="no segments found"):
        liveblog.parse("Title\n0900: Hall:\n0910: Hall:\n")


def test_sniff():
    assert liveblog.sniff("Title\n\n1703: Paris: Someone\n\nText")
    assert liveblog.sniff("Exit mobile version1703: Paris: Someone")
    assert not liveblog.sniff("2599: no valid clock\n")
    assert not liveblog.sniff("ALICE: hello\nBOB: hi")


@needs_seed
def test_stream_gives_the_title_first_and_the_same_segments_and_dropped_as_parse(seed_text):
    parsed = liveblog.parse(seed_text)
    stream = liveblog.stream(seed_text)
    assert (stream.title, stream.event_date) == (parsed.title, parsed.event_date)
    assert list(stream.segments) == parsed.segments
    assert stream.dropped == parsed.dropped


def test_stream_refuses_a_document_without_headers_before_any_segment_is_asked_for():
    with pytest.raises(DocumentError, match="no segments"):
        liveblog.stream("Title\n\nJust prose, no timed blocks.\n")


def test_repeated_header_strings_are_shared_not_copied():
    text = "".join(f"{1000 + i}: Paris: Ana Lee, chair\n\nParagraph {i}.\n\n" for i in range(3))
    first, *others = liveblog.parse(text).segments
    assert all(s.speaker is first.speaker and s.location is first.location for s in others)
