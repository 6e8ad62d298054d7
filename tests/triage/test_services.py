"""Triage services: scored sentences from the import on, dismissals, training, rescoring."""

from __future__ import annotations

import hashlib

import pytest

from annotate import services as annotate_services
from archive import ledger
from archive.models import Segment
from common.errors import InvalidInput, NotAllowed
from tests.factories import LIVEBLOG, make_annotation, make_transcript
from tests.triage.conftest import labelled_text
from triage import selectors, services, training
from triage.actions import TriageAction
from triage.models import Sentence, TriageModel
from triage.sentences import split

pytestmark = pytest.mark.django_db


def _labelled(count: int = 3):
    return [
        training.read_labelled(labelled_text(offset).encode(), name=f"debate{offset}.tsv")
        for offset in range(count)
    ]


def _events(action):
    return list(ledger.LedgerEvent.objects.filter(action=action).order_by("sequence"))


def test_every_sentence_has_a_score_as_soon_as_the_import_returns(transcript):
    segments = list(Segment.objects.filter(transcript=transcript).order_by("ordinal"))
    sentences = list(Sentence.objects.filter(transcript=transcript).select_related("segment"))

    assert len(sentences) == sum(len(split(s.text)) for s in segments) > len(segments)
    for sentence in sentences:
        assert sentence.segment.text[sentence.start : sentence.end] == sentence.text
        assert sentence.segment.transcript_id == sentence.transcript_id
        assert sentence.segment_ordinal == sentence.segment.ordinal
        assert 0.0 <= sentence.checkworthiness <= 1.0
        assert sentence.scored_by is None  # no model yet: the stated heuristic
    by_text = {s.text: s.checkworthiness for s in sentences}
    assert (
        by_text["The town spent 4.2 million on roads in 2023, up 12 per cent on 2022."]
        > (by_text["The session closes with a vote."])
    )


def test_importing_writes_no_triage_event_and_scores_with_the_active_model(annotator):
    model = services.triage_train(actor=annotator, labelled=_labelled(), rescore="no").model

    transcript = make_transcript(LIVEBLOG.replace("Riverton", "Lakeside"), filename="b.txt")

    assert set(
        Sentence.objects.filter(transcript=transcript).values_list("scored_by", flat=True)
    ) == {model.pk}
    events = ledger.LedgerEvent.objects.filter(object_id=str(transcript.source_id))
    assert [e.action for e in events] == ["source.import"]


def test_sentences_are_created_once(transcript):
    count = Sentence.objects.filter(transcript=transcript).count()

    assert services.transcript_sentences_create(transcript=transcript) == 0
    assert Sentence.objects.filter(transcript=transcript).count() == count


def test_a_transcript_without_sentences_gets_them_when_triage_reads_it(transcript):
    Sentence.objects.filter(transcript=transcript).delete()  # as after a restore

    services.transcript_sentences_ensure(transcript)

    assert Sentence.objects.filter(transcript=transcript).count() == sum(
        len(split(s.text)) for s in transcript.segments.all()
    )


def test_a_model_whose_bytes_do_not_match_is_not_used(annotator, transcript):
    model = services.triage_train(actor=annotator, labelled=_labelled(), rescore="no").model
    TriageModel.objects.filter(pk=model.pk).update(data=b"tampered")
    services._loaded.clear()

    scorer = services.active_scorer()

    assert scorer.row is None and scorer.model is None  # the heuristic, not an error


# ---------------------------------------------------------------- dismissals


def test_dismiss_records_who_when_and_a_ledger_event(annotator, transcript):
    sentence = Sentence.objects.filter(transcript=transcript).first()

    dismissed = services.sentence_dismiss(actor=annotator, sentence=sentence, reason="greeting")

    assert dismissed.dismissed and dismissed.dismissed_by == annotator and dismissed.dismissed_at
    [event] = _events(TriageAction.SENTENCE_DISMISS)
    assert event.object_id == str(sentence.pk) and event.actor == annotator
    assert event.state["text"] == sentence.text and event.reason == "greeting"
    assert ledger.check_links([event]) == []


def test_dismissing_twice_writes_one_event(annotator, transcript):
    sentence = Sentence.objects.filter(transcript=transcript).first()

    services.sentence_dismiss(actor=annotator, sentence=sentence)
    services.sentence_dismiss(actor=annotator, sentence=sentence)

    assert len(_events(TriageAction.SENTENCE_DISMISS)) == 1


def test_only_annotators_and_editors_dismiss(reviewer, outsider, editor, transcript):
    sentence = Sentence.objects.filter(transcript=transcript).first()

    for actor in (reviewer, outsider):
        with pytest.raises(NotAllowed):
            services.sentence_dismiss(actor=actor, sentence=sentence)
    assert not Sentence.objects.get(pk=sentence.pk).dismissed
    assert services.sentence_dismiss(actor=editor, sentence=sentence).dismissed


# ---------------------------------------------------------------- training


def test_training_stores_the_active_model_with_its_provenance_and_rescores(annotator, transcript):
    sets = _labelled()

    result = services.triage_train(actor=annotator, labelled=sets, cross_validate=True)

    model = TriageModel.objects.get(active=True)
    assert model == result.model and model.created_by == annotator
    assert model.sha256 == hashlib.sha256(bytes(model.data)).hexdigest()
    assert [f["sha256"] for f in model.trained_on["files"]] == [s.sha256 for s in sets]
    assert model.trained_on["files"][0] == {
        "name": "debate0.tsv",
        "sha256": sets[0].sha256,
        "sentences": 12,
        "positives": 4,
    }
    assert (model.sentence_count, model.positive_count) == (36, 12)
    assert model.cv_map == pytest.approx(result.cross_validation.report.map)
    assert model.cross_validation["scheme"] == "leave-one-transcript-out"
    [trained] = _events(TriageAction.MODEL_TRAIN)
    assert trained.object_id == str(model.pk) and trained.state["sha256"] == model.sha256
    assert trained.state["cross_validation"]["map"] == round(model.cv_map, 4)
    [rescored] = _events(TriageAction.SCORES_RECOMPUTE)
    assert rescored.state["sentences"] == Sentence.objects.count() > 0
    assert set(Sentence.objects.values_list("scored_by", flat=True)) == {model.pk}


def test_retraining_retires_the_previous_model(annotator):
    first = services.triage_train(actor=annotator, labelled=_labelled(), rescore="no").model
    second = services.triage_train(actor=annotator, labelled=_labelled(2), rescore="no").model

    assert list(TriageModel.objects.filter(active=True)) == [second]
    first.refresh_from_db()
    assert not first.active


def test_queued_rescoring_runs_in_the_worker_after_commit(
    annotator, transcript, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        model = services.triage_train(actor=annotator, labelled=_labelled(), rescore="queue").model

    assert len(callbacks) == 1
    assert set(Sentence.objects.values_list("scored_by", flat=True)) == {model.pk}


def test_rescoring_stops_once_its_model_is_no_longer_active(annotator, transcript):
    old = services.triage_train(actor=annotator, labelled=_labelled(), rescore="no").model
    services.triage_train(actor=annotator, labelled=_labelled(2), rescore="no")

    result = services.sentences_rescore(model=old)

    assert result.stopped and result.sentences == 0
    assert old.pk not in set(Sentence.objects.values_list("scored_by", flat=True))


def test_training_needs_both_kinds_of_sentence(annotator):
    only_talk = training.read_labelled(b"1\tA\tHello.\t0\n2\tA\tBye.\t0\n", name="t.tsv")

    with pytest.raises(InvalidInput, match="check-worthy and other sentences"):
        services.triage_train(actor=annotator, labelled=[only_talk])
    with pytest.raises(InvalidInput, match="nothing to train on"):
        services.triage_train(actor=annotator)


# ---------------------------------------------------------------- from annotations


def _sentence(transcript, text):
    return Sentence.objects.get(transcript=transcript, text=text)


def _approve(annotation, annotator, reviewer):
    annotation = annotate_services.annotation_submit(
        actor=annotator, annotation=annotation, expected_version=annotation.version
    )
    return annotate_services.annotation_approve(
        actor=reviewer, annotation=annotation, expected_version=annotation.version
    )


def test_annotations_make_positives_and_reviewed_silence_negatives(annotator, reviewer, transcript):
    first, second, *_ = transcript.segments.order_by("ordinal")
    roads = make_annotation(annotator, first, words="4.2 million on roads")
    _approve(roads, annotator, reviewer)
    opinion = make_annotation(
        annotator, second, words="the lowest since 2009", claim_type="opinion"
    )
    _approve(opinion, annotator, reviewer)

    sets, counts = selectors.annotation_training_set()

    [labelled] = sets
    labels = dict(zip((item.text for item in labelled.items), labelled.labels, strict=True))
    assert labels["The town spent 4.2 million on roads in 2023, up 12 per cent on 2022."] == 1
    assert labels["According to the 2024 audit, three bridges need repair before 2027."] == 0
    assert labels["Unemployment fell to 5 per cent last year, the lowest since 2009."] == 0
    assert counts["positives"] == 1 and counts["fully_reviewed_transcripts"] == 1
    assert counts["negatives"] == len(labelled.labels) - 1


def test_a_transcript_still_in_review_gives_only_its_positives_and_dismissals(
    annotator, transcript
):
    first, second, *_ = transcript.segments.order_by("ordinal")
    make_annotation(annotator, first, words="4.2 million on roads")  # a draft
    jobs = _sentence(
        transcript, "Unemployment fell to 5 per cent last year, the lowest since 2009."
    )
    services.sentence_dismiss(actor=annotator, sentence=jobs)

    [labelled], counts = selectors.annotation_training_set()

    assert [item.text for item in labelled.items] == [
        "The town spent 4.2 million on roads in 2023, up 12 per cent on 2022.",
        "Unemployment fell to 5 per cent last year, the lowest since 2009.",
    ]
    assert labelled.labels == [1, 0]
    assert counts["dismissed"] == 1 and counts["left_out"] > 0


def test_training_from_annotations_uses_the_same_service(annotator, reviewer, transcript):
    first = transcript.segments.order_by("ordinal").first()
    _approve(make_annotation(annotator, first, words="4.2 million on roads"), annotator, reviewer)

    result = services.triage_train(actor=annotator, from_annotations=True, labelled=_labelled(2))

    assert result.model.trained_on["annotations"]["positives"] == 1
    assert result.transcripts == 3 and result.positives == 8 + 1
