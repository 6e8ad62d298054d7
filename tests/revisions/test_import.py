"""Importing a corrected or extended report: a new revision, linked, with every annotation
carried exactly (unchanged, moved) or flagged (orphaned); the earlier revision as it was;
bad input refused with one line and nothing stored."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from annotate.models import AnchorStatus, Annotation, Status
from archive import ledger
from archive.models import Source, Transcript
from archive.services import RevisionRefused, source_import
from tests.factories import LIVEBLOG
from tests.revisions.conftest import REVISED, _import

pytestmark = pytest.mark.django_db


def test_a_new_version_at_the_same_url_is_the_next_revision(first):
    old = first["transcript"]
    before = {s.pk: (s.text, s.source_start) for s in old.segments.all()}

    result = _import(REVISED)

    new = result.transcript
    assert result.created and result.revision_of == old
    assert (new.revision_of_id, new.revision) == (old.pk, 2)
    assert new.source_id != old.source_id
    # The old revision and its source are as they were.
    assert {s.pk: (s.text, s.source_start) for s in old.segments.all()} == before
    assert Source.objects.count() == 2
    event = ledger.LedgerEvent.objects.get(action="source.import", object_id=str(new.source_id))
    assert (event.state["revision_of"], event.state["revision"]) == (str(old.pk), 2)


def test_annotations_are_carried_unchanged_moved_or_orphaned(first):
    new = _import(REVISED).transcript

    roads, bridges, jobs, typo = (
        Annotation.objects.get(pk=first[k].pk) for k in ("roads", "bridges", "jobs", "typo")
    )
    # The roads segment's text changed (the typo), its words did not: moved, same segment.
    assert roads.anchor_status == AnchorStatus.MOVED
    assert roads.segment.transcript_id == new.pk
    assert roads.segment.text[roads.start : roads.end] == "4.2 million"
    # In the same changed segment, its words untouched.
    assert bridges.anchor_status == AnchorStatus.MOVED
    assert bridges.segment.transcript_id == new.pk
    assert bridges.segment.text[bridges.start : bridges.end] == "three bridges"
    # The unemployment block moved, its text identical: unchanged, and still approved.
    assert jobs.anchor_status == AnchorStatus.UNCHANGED
    assert (jobs.segment.transcript_id, jobs.status) == (new.pk, Status.APPROVED)
    # Its words were corrected: orphaned, left on the old revision, with the reason.
    assert typo.anchor_status == AnchorStatus.ORPHANED
    assert typo.segment.transcript_id == first["transcript"].pk
    assert typo.anchor_note


def test_each_carry_is_on_the_ledger_with_the_old_and_new_place(first):
    old_segment = first["roads"].segment_id
    _import(REVISED)
    roads = Annotation.objects.get(pk=first["roads"].pk)

    events = list(ledger.history(object_type="annotate.annotation", object_id=str(roads.pk)))
    carry = events[-1]
    assert carry.action == "annotation.carry"
    assert carry.state["anchor"]["outcome"] == "moved"
    assert carry.state["anchor"]["old"]["segment"] == str(old_segment)
    assert carry.state["anchor"]["new"] == {
        "segment": str(roads.segment_id),
        "start": roads.start,
        "end": roads.end,
    }
    assert carry.state["version"] == roads.version == first["roads"].version + 1
    assert carry.state["segment"] == str(roads.segment_id)


def test_the_same_bytes_again_change_nothing(first):
    events = ledger.LedgerEvent.objects.count()
    result = _import(LIVEBLOG)
    assert not result.created and result.transcript == first["transcript"]
    assert ledger.LedgerEvent.objects.count() == events


def test_revision_of_names_the_transcript_for_a_file_without_url(first):
    result = source_import(
        data=REVISED.encode(), filename="budget-v2.txt", revision_of=str(first["transcript"].pk)
    )
    assert result.transcript.revision_of == first["transcript"]


def test_a_third_revision_continues_the_chain(first):
    second = _import(REVISED).transcript
    third = _import(REVISED.replace("One more thing.", "One more thing, corrected.")).transcript
    assert (third.revision_of, third.revision) == (second, 3)
    roads = Annotation.objects.get(pk=first["roads"].pk)
    assert roads.segment.transcript == third  # carried twice
    assert roads.anchor_status == AnchorStatus.UNCHANGED


@pytest.mark.parametrize(
    "revision_of, message",
    [
        ("00000000-0000-0000-0000-000000000000", "no transcript"),
        ("not-a-uuid", "no transcript"),
    ],
)
def test_unknown_revision_of_is_refused(first, revision_of, message):
    counts = (Transcript.objects.count(), ledger.LedgerEvent.objects.count())
    with pytest.raises(RevisionRefused, match=message):
        source_import(data=REVISED.encode(), filename="x.txt", revision_of=revision_of)
    assert (Transcript.objects.count(), ledger.LedgerEvent.objects.count()) == counts


def test_a_revision_of_an_older_revision_is_refused(first):
    second = _import(REVISED).transcript
    with pytest.raises(RevisionRefused, match=f"already has a next revision, {second.pk}"):
        source_import(
            data=b"0900: Riverton: Ann\n\nOther words.\n",
            filename="x.txt",
            revision_of=str(first["transcript"].pk),
        )


def test_an_origin_url_of_two_unrelated_transcripts_is_refused_naming_them(annotator):
    one = _import(LIVEBLOG).transcript
    other = source_import(data=b"0900: Town: Ann\n\nElsewhere.\n", filename="o.txt").transcript
    # A revision of another transcript, published at this URL: two chains now end here.
    two = _import(REVISED, revision_of=str(other.pk)).transcript
    counts = (Transcript.objects.count(), ledger.LedgerEvent.objects.count())
    with pytest.raises(RevisionRefused) as refused:
        _import(LIVEBLOG + "\n\nMore.")
    assert str(one.pk) in str(refused.value) and str(two.pk) in str(refused.value)
    assert (Transcript.objects.count(), ledger.LedgerEvent.objects.count()) == counts


def test_a_revision_with_no_segments_is_refused_and_the_old_one_kept(first):
    counts = (
        Transcript.objects.count(),
        Annotation.objects.filter(anchor_status="original").count(),
    )
    with pytest.raises(Exception, match="segment"):
        _import("\n\n   \n", format="liveblog")
    assert (
        Transcript.objects.count(),
        Annotation.objects.filter(anchor_status="original").count(),
    ) == counts


def test_a_failure_while_carrying_leaves_the_previous_revision_as_it_was(first, monkeypatch):
    from annotate.services import anchors

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(anchors, "_apply", broken)
    with pytest.raises(RuntimeError):
        _import(REVISED)
    assert Transcript.objects.count() == 1
    assert set(Annotation.objects.values_list("anchor_status", flat=True)) == {"original"}
    assert all(a.segment.transcript == first["transcript"] for a in Annotation.objects.all())


def test_the_command_says_the_revision_the_format_change_and_the_counts(first, tmp_path, capsys):
    path = tmp_path / "budget.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\nThe town spent 4.2 million on roads.\n")
    call_command("import_transcript", str(path), "--revision-of", str(first["transcript"].pk))
    out = capsys.readouterr().out
    assert f"revision 2 of transcript {first['transcript'].pk}" in out
    assert "format changed from liveblog to srt" in out
    assert "annotations carried from the previous revision: 4 (" in out


def test_the_command_refuses_an_unknown_revision_in_one_line(db, tmp_path, capsys):
    path = tmp_path / "a.txt"
    path.write_text(LIVEBLOG)
    with pytest.raises(CommandError):
        call_command("import_transcript", str(path), "--revision-of", "nope")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no transcript nope to revise" in err
