"""manage.py train_triage: labelled files and/or annotations in, an active model out."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from archive import ledger
from triage.actions import TriageAction
from triage.models import Sentence, TriageModel

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command("train_triage", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_trains_on_a_checkthat_slice_with_cross_validation_by_transcript(ct19_slices, transcript):
    output = _run("--labelled", *map(str, ct19_slices), "--cv-by-transcript")

    model = TriageModel.objects.get(active=True)
    assert model.cross_validation["scheme"] == "leave-one-transcript-out"
    assert model.cross_validation["transcripts"] == len(ct19_slices)
    assert 0.0 < model.cv_map <= 1.0
    assert f"MAP {model.cv_map:.4f}" in output
    assert [f["name"] for f in model.trained_on["files"]] == [p.name for p in ct19_slices]
    assert set(Sentence.objects.values_list("scored_by", flat=True)) == {model.pk}
    assert ledger.LedgerEvent.objects.filter(action=TriageAction.MODEL_TRAIN).count() == 1


def test_group_folds_and_no_rescore(labelled_files, transcript):
    output = _run("--labelled", *map(str, labelled_files), "--cv-by-transcript", "--folds", "3")
    _run("--labelled", *map(str, labelled_files), "--no-rescore")

    assert "group-3-fold" in output
    assert ledger.LedgerEvent.objects.filter(action=TriageAction.SCORES_RECOMPUTE).count() == 1


def test_records_the_user(labelled_files, annotator):
    _run("--labelled", *map(str, labelled_files), "--user", annotator.username, "--reason", "r")

    event = ledger.LedgerEvent.objects.get(action=TriageAction.MODEL_TRAIN)
    assert (event.actor, event.reason) == (annotator, "r")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give --labelled FILE... and/or --from-annotations"),
        (("--labelled", "/nonexistent.tsv"), "No such file"),
        (("--from-annotations",), "nothing to train on"),
        (("--from-annotations", "--folds", "2"), "--folds needs --cv-by-transcript"),
    ],
)
def test_refusals_are_one_line_and_store_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert not TriageModel.objects.exists()


def test_a_bad_label_names_its_file_and_line(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("1\tA\tOne.\t0\n2\tA\tTwo.\t2\n")

    with pytest.raises(CommandError, match=r"bad.tsv: line 2 has label '2'"):
        _run("--labelled", str(bad))
