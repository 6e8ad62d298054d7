"""The model: fitted on whole transcripts, stored as JSON and arrays (never a pickle)."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from tests.triage.conftest import labelled_text
from triage import training
from triage.model import CheckworthinessModel, ModelFormatError


def _sets():
    return [
        training.read_labelled(labelled_text(offset).encode(), name=f"d{offset}")
        for offset in range(3)
    ]


def test_fitted_model_ranks_the_claims_of_an_unseen_transcript_first():
    sets = _sets()
    model = training.fit(sets[:2])

    scores = model.score(sets[2].items)

    top = np.argsort(-scores)[: sets[2].positives]
    assert {sets[2].labels[i] for i in top} == {1}


def test_bytes_round_trip_scores_the_same_and_hold_no_pickle():
    sets = _sets()
    model = training.fit(sets)

    data = model.to_bytes()
    again = CheckworthinessModel.from_bytes(data)

    items = sets[0].items
    assert np.allclose(again.score(items), model.score(items))
    assert model.to_bytes() == data  # same model, same bytes (and sha256)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert all(name.endswith((".json", ".npy")) for name in names)
        for name in names:
            if name.endswith(".npy"):
                np.load(io.BytesIO(archive.read(name)), allow_pickle=False)


def _rewritten(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "model.json":
                meta = json.loads(content)
                change(meta)
                content = json.dumps(meta).encode()
            target.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    "change",
    [
        lambda meta: meta.update(version=99),
        lambda meta: meta["word"].update(analyzer="callable"),
        lambda meta: meta["char"].update(ngram_range=[1, 500]),
        lambda meta: meta["word"]["vocabulary"].pop(),
    ],
    ids=["version", "analyzer", "ngram-range", "vocabulary"],
)
def test_bytes_that_are_not_a_model_of_this_version_are_refused(change):
    data = training.fit(_sets()).to_bytes()

    with pytest.raises(ModelFormatError):
        CheckworthinessModel.from_bytes(_rewritten(data, change))
    with pytest.raises(ModelFormatError):
        CheckworthinessModel.from_bytes(b"not a zip")


def test_cross_validation_holds_out_whole_transcripts():
    sets = _sets()

    result = training.cross_validate(sets)

    assert result.folds == 3 and result.scheme == "leave-one-transcript-out"
    assert [row["name"] for row in result.report.per_transcript] == ["d0", "d1", "d2"]
    assert result.report.map > 0.9  # the claims are easy to tell apart here


def test_labelled_files_with_a_bad_line_are_refused_whole():
    from common.errors import InvalidInput

    with pytest.raises(InvalidInput, match="line 2 has label 'yes'"):
        training.read_labelled(b"1\tA\tOne.\t0\n2\tA\tTwo.\tyes\n", name="bad.tsv")
    with pytest.raises(InvalidInput, match="line 1 is not line TAB speaker TAB text TAB label"):
        training.read_labelled(b"1\tA\tNo label\n", name="short.tsv")
