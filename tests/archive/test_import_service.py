"""Importing stores exact bytes, spans that satisfy the invariant, and one ledger event."""

import hashlib
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import ledger, services
from archive.importers import liveblog
from archive.importers.base import DocumentError, DocumentStream, ParsedSegment
from archive.models import ImmutableError, Segment, Source, Transcript
from archive.services import source_import
from tests.conftest import SAMPLE, SEED


def _assert_invariant(transcript):
    text = transcript.source.text
    for segment in transcript.segments.all():
        assert segment.text == text[segment.source_start : segment.source_end]


@pytest.mark.django_db
def test_seed_report_imports_thirty_blocks():
    data = SEED.read_bytes()
    result = source_import(data=data, filename=SEED.name)
    source = result.source
    assert result.created and result.segment_count == 30
    assert bytes(source.content) == data
    assert source.sha256 == hashlib.sha256(data).hexdigest()
    assert source.importer.startswith("liveblog@")
    assert result.transcript.title.startswith("Live Report: International Online Conference")
    assert result.transcript.segments.count() == 30
    _assert_invariant(result.transcript)
    first = result.transcript.segments.get(ordinal=1)
    assert (first.clock, first.clock_normalised, first.location) == ("1703", "17:03", "Paris")
    assert first.speaker == "Mrs. Maryam Rajavi"
    assert not any("Exit mobile version" in s.text for s in result.transcript.segments.all())


@pytest.mark.django_db
def test_same_bytes_twice_returns_existing_source():
    data = SAMPLE.read_bytes()
    first = source_import(data=data, filename="a.txt")
    events = ledger.count()
    second = source_import(data=data, filename="b.txt")
    assert not second.created
    assert second.source.pk == first.source.pk
    assert second.transcript.pk == first.transcript.pk
    assert Source.objects.count() == 1 and Transcript.objects.count() == 1
    assert ledger.count() == events


@pytest.mark.django_db
def test_import_writes_one_ledger_event_with_provenance(annotator):
    result = source_import(data=SAMPLE.read_bytes(), actor=annotator, filename="s.txt")
    (event,) = ledger.history(result.source)
    assert event.action == "source.import"
    assert event.actor == annotator and event.actor_label == "ann"
    assert event.state["sha256"] == result.source.sha256
    assert event.state["segment_count"] == result.segment_count
    assert [d["reason"] for d in event.state["dropped"]]
    assert list(ledger.verify()) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"\x00\x01\x02\x03binary\x00\x00", "binary"),
        ("0900: Paris: Ana\n\ncaf\u00e9".encode("latin-1"), "byte offset"),
        (b"just a line of prose with no structure at all", "format|segment"),
    ],
)
def test_bad_documents_store_nothing(data, message):
    with pytest.raises(DocumentError, match=message):
        source_import(data=data, filename="bad.txt")
    assert Source.objects.count() == 0
    assert ledger.count() == 0


@pytest.mark.django_db
def test_oversized_file_is_refused(settings):
    settings.CLAIMTRAIL_IMPORT_MAX_BYTES = 100
    with pytest.raises(DocumentError, match="MB|limit"):
        source_import(data=SAMPLE.read_bytes(), filename="big.txt")
    assert Source.objects.count() == 0


@pytest.mark.django_db
def test_failure_half_way_leaves_nothing(monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ledger, "append", explode)
    with pytest.raises(RuntimeError):
        source_import(data=SAMPLE.read_bytes(), filename="s.txt")
    assert Source.objects.count() == 0
    assert Segment.objects.count() == 0


@pytest.mark.django_db
def test_archive_rows_cannot_change(transcript):
    source, segment = transcript.source, transcript.segments.first()
    for obj in (source, transcript, segment):
        with pytest.raises(ImmutableError):
            obj.save()
        with pytest.raises(ImmutableError):
            obj.delete()
    segment.refresh_from_db()
    assert segment.text == source.text[segment.source_start : segment.source_end]


@pytest.mark.django_db
def test_encoding_override_reads_latin1():
    data = "Title\n\n0900: Paris: Ana\n\nUn caf\u00e9 co\u00fbte 2 euros.\n".encode("latin-1")
    result = source_import(data=data, filename="l.txt", encoding="latin-1")
    assert "café" in result.transcript.segments.get().text
    assert bytes(result.source.content) == data
    assert result.source.encoding == "latin-1"


_words = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"), exclude_characters=":\u0085"
    ),
    min_size=1,
    max_size=30,
).filter(lambda w: w.strip())


@st.composite
def liveblog_documents(draw):
    blocks = draw(st.integers(min_value=1, max_value=6))
    lines = ["Home Breadcrumb " + draw(_words), "", "Title " + draw(_words), ""]
    for i in range(blocks):
        lines.append(f"{10 + i:02d}{draw(st.integers(0, 59)):02d}: Place: Speaker {i}, role")
        lines.append("")
        for _ in range(draw(st.integers(min_value=1, max_value=3))):
            lines.append("Para " + draw(_words))
            lines.append("")
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines) + draw(st.sampled_from(["", "Exit mobile version"]))


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=liveblog_documents())
def test_invariant_holds_for_generated_documents(document):
    result = source_import(data=document.encode("utf-8"), filename="gen.txt", format="liveblog")
    segments = list(result.transcript.segments.all())
    assert len(segments) >= 1
    text = Source.objects.get(pk=result.source.pk).text
    assert text == document
    for segment in segments:
        assert segment.text == text[segment.source_start : segment.source_end]
        assert segment.text == segment.text.strip()


@pytest.mark.django_db
def test_bad_span_half_way_through_the_stream_stores_nothing(monkeypatch):
    def bad_stream(text):
        good = (ParsedSegment(i * 6, i * 6 + 5) for i in range(3))
        return DocumentStream(title="T", segments=iter([*good, ParsedSegment(0, 5)]))

    monkeypatch.setattr(liveblog, "stream", bad_stream)
    with pytest.raises(DocumentError, match="segment 4 has an invalid span"):
        source_import(data=b"aaaaa bbbbb ccccc", filename="s.txt", format="liveblog")
    assert Source.objects.count() == Transcript.objects.count() == Segment.objects.count() == 0
    assert ledger.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, encoding",
    [
        (
            "\ufeffT\u00eftle\r\n\r\n0900: Z\u00fcrich: Ana\r\n\r\nOn dit \u201cou\u00ef\u201d.\r\n".encode(),
            None,
        ),
        ("T\n\n0900: Paris: Ana\n\nUn caf\u00e9.\n".encode("latin-1"), "latin-1"),
        ("\ufeffT\n\n0900: Paris: Ana\n\nOui.\n".encode("utf-8-sig"), "utf-8-sig"),
    ],
    ids=["utf-8 with BOM", "latin-1", "utf-8-sig"],
)
def test_stored_text_is_the_decoded_document_exactly(data, encoding):
    result = source_import(data=data, filename="t.txt", encoding=encoding)
    source = Source.objects.get(pk=result.source.pk)
    assert bytes(source.content) == data
    assert source.text == data.decode(encoding or "utf-8")
    _assert_invariant(result.transcript)


@pytest.mark.django_db
def test_jsonl_source_stores_the_text_its_importer_built():
    lines = [
        {"text": f"Segment {n} \u2013 caf\u00e9.", "ordinal": n, "transcript_title": "T"}
        for n in (1, 2)
    ]
    data = "\n".join(json.dumps(line) for line in lines).encode()
    result = source_import(data=data, filename="t.jsonl")
    source = Source.objects.get(pk=result.source.pk)
    assert bytes(source.content) == data
    assert source.text == "Segment 1 \u2013 caf\u00e9.\n\nSegment 2 \u2013 caf\u00e9."
    _assert_invariant(result.transcript)


@pytest.mark.django_db
def test_segment_count_and_progress_cover_every_streamed_segment(monkeypatch):
    monkeypatch.setattr(services, "SEGMENT_BATCH", 2)
    data = "".join(f"{1000 + n}: Paris: Ana\n\nPoint {n}.\n\n" for n in range(5)).encode()
    progress = []
    result = source_import(data=data, filename="t.txt", on_progress=progress.append)
    transcript = Transcript.objects.get(pk=result.transcript.pk)
    assert transcript.segment_count == result.segment_count == 5
    assert transcript.segments.count() == 5 == sum(progress)
    assert list(transcript.segments.values_list("ordinal", flat=True)) == [1, 2, 3, 4, 5]


@pytest.mark.django_db
def test_the_size_limit_applies_to_bytes_already_stored(settings):
    # The limit is checked before the duplicate lookup: every caller, trusted or not,
    # gets the same answer for the same bytes whatever the archive already holds.
    data = SAMPLE.read_bytes()
    source_import(data=data, filename="first.txt")
    settings.CLAIMTRAIL_IMPORT_MAX_BYTES = 100
    with pytest.raises(DocumentError, match="over the .* limit"):
        source_import(data=data, filename="again.txt")
