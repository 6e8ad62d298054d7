"""Property tests: whatever the document, segments are exact, stripped, ordered spans."""

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.importers import dialogue, liveblog, srt
from archive.importers.base import BOM, DocumentError

FURNITURE = "Exit mobile version"
LINE_BREAKS = st.sampled_from(["\n", "\r\n"])
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\r\n"))
WORDS = st.text(
    st.characters(categories=("L", "N", "Zs", "P"), exclude_characters=":"), min_size=1, max_size=40
)
NAME_WORD = st.from_regex(r"[A-Z][a-zé]{1,8}", fullmatch=True)


def assert_valid_spans(text, document):
    previous_end = 0
    for segment in document.segments:
        chunk = text[segment.start : segment.end]
        assert previous_end <= segment.start < segment.end <= len(text)
        assert chunk == chunk.strip().strip(BOM).strip()
        assert chunk
        previous_end = segment.end
    for dropped in document.dropped:
        assert not any(s.start < dropped.end and dropped.start < s.end for s in document.segments)


def parse_or_refuse(importer, text):
    try:
        return importer.parse(text)
    except DocumentError as error:
        assert "no segments found" in str(error)
        return None


@st.composite
def liveblog_documents(draw):
    """A structured report: every header names a speaker or carries its own text."""
    newline = draw(LINE_BREAKS)
    lines = [draw(st.sampled_from(["", BOM])) + "Home > News > Report", "The Report Title", ""]
    clocks = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        clock = f"{draw(st.integers(0, 23)):02d}{draw(st.integers(0, 59)):02d}"
        clocks.append(clock)
        location = draw(st.one_of(st.just(""), NAME_WORD.map(lambda w: w + ": ")))
        speaker = " ".join(draw(st.lists(NAME_WORD, min_size=1, max_size=3)))
        role = draw(st.one_of(st.just(""), WORDS.map(lambda w: ", a " + w)))
        furniture = draw(st.sampled_from(["", FURNITURE]))
        lines += [f"{furniture}{clock}: {location}{speaker}{role}", ""]
        for _ in range(draw(st.integers(0, 3))):
            paragraph = "P" + draw(ANY_TEXT)
            lines += [draw(st.sampled_from(["", FURNITURE])) + paragraph, ""]
    lines.append(draw(st.sampled_from(["", FURNITURE])))
    return newline.join(lines), clocks


@given(liveblog_documents())
@settings(max_examples=100, deadline=None)
def test_liveblog_structured_documents(case):
    text, clocks = case

    document = liveblog.parse(text)

    assert_valid_spans(text, document)
    assert {s.clock for s in document.segments} == set(clocks)
    assert document.title == "The Report Title"
    assert not any(FURNITURE in text[s.start : s.end] for s in document.segments)
    assert all(text[d.start : d.end] == FURNITURE for d in document.dropped[1:])


@given(
    st.lists(
        st.one_of(
            ANY_TEXT,
            st.builds(
                "{}: {}".format, st.from_regex(r"[0-2][0-9][0-5][0-9]", fullmatch=True), ANY_TEXT
            ),
            st.builds(lambda t: FURNITURE + t, ANY_TEXT),
        ),
        max_size=20,
    ),
    LINE_BREAKS,
)
@settings(max_examples=100, deadline=None)
def test_liveblog_random_documents(lines, newline):
    text = newline.join(lines)

    document = parse_or_refuse(liveblog, text)

    if document:
        assert_valid_spans(text, document)
        assert not any(FURNITURE in text[s.start : s.end] for s in document.segments)


@given(
    st.lists(
        st.one_of(
            ANY_TEXT,
            st.builds(
                lambda stamp, name, t: f"{stamp}{name}: {t}",
                st.sampled_from(["", "[00:01:02] ", "[12:30]"]),
                st.lists(NAME_WORD, min_size=1, max_size=3).map(" ".join),
                ANY_TEXT,
            ),
        ),
        max_size=20,
    ),
    LINE_BREAKS,
)
@settings(max_examples=100, deadline=None)
def test_dialogue_random_documents(lines, newline):
    text = BOM + newline.join(lines)

    document = parse_or_refuse(dialogue, text)

    if document:
        assert_valid_spans(text, document)


@st.composite
def srt_documents(draw):
    newline = draw(LINE_BREAKS)
    blocks = []
    for number in range(1, draw(st.integers(1, 6)) + 1):
        cue = [str(number), f"00:{number:02d}:00,000 --> 00:{number:02d}:01,500"]
        cue += draw(st.lists(ANY_TEXT, min_size=0, max_size=3))
        blocks.append(newline.join(cue))
    blocks += draw(st.lists(ANY_TEXT, max_size=2))
    return newline.join(draw(st.permutations(blocks)) if draw(st.booleans()) else blocks)


@given(srt_documents())
@settings(max_examples=100, deadline=None)
def test_srt_random_documents(text):
    document = parse_or_refuse(srt, text)

    if document:
        assert_valid_spans(text, document)
        assert all(s.clock.startswith("00:") for s in document.segments)
