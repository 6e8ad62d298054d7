"""The team's approved annotations join the library by themselves, as the ClaimReview they export."""

from __future__ import annotations

import logging

import pytest
from django.test import override_settings

from annotate import services as annotate_services
from archive import ledger
from library import services
from library.actions import LibraryAction
from library.models import FactCheck
from tests.factories import make_annotation

pytestmark = pytest.mark.django_db

BASE = (
    "https://newsroom.example.org/fact-checks/"  # CLAIMTRAIL_PUBLIC_BASE_URL in the test settings
)


def _events(factcheck):
    return list(ledger.history(factcheck).values_list("action", flat=True))


def test_an_approved_annotation_becomes_a_fact_check(approve, annotator, reviewer, segment):
    annotation = make_annotation(
        annotator, segment, words="4.2 million", verdict="true", claim_text="Roads cost 4.2m."
    )
    approve(annotation, reviewer)
    factcheck = FactCheck.objects.get(annotation=annotation)
    assert factcheck.origin == "claimtrail"
    assert factcheck.url == f"{BASE}{annotation.pk}"
    assert factcheck.verdict == "true"
    assert factcheck.claim_reviewed == "Roads cost 4.2m."
    assert factcheck.claimant == segment.speaker
    assert (factcheck.rating_name, factcheck.rating_value, factcheck.rating_best) == ("True", 5, 5)
    assert factcheck.publisher_name == "Claimtrail test newsroom"
    assert _events(factcheck) == [LibraryAction.FACTCHECK_IMPORT]
    event = ledger.history(factcheck).get()
    assert event.actor_id == reviewer.pk
    assert event.reason == f"approved annotation {annotation.pk}"


def test_nothing_joins_before_the_approval_commits(annotator, reviewer, segment):
    annotation = make_annotation(annotator, segment, words="4.2 million", verdict="true")
    annotation = annotate_services.annotation_submit(
        actor=annotator, annotation=annotation, expected_version=annotation.version
    )
    # The test's transaction never commits, so what waits for the commit never runs.
    annotate_services.annotation_approve(
        actor=reviewer, annotation=annotation, expected_version=annotation.version
    )
    assert not FactCheck.objects.exists()


def test_a_false_verdict_joins_on_the_second_approval(
    approve, annotator, reviewer, reviewer2, segment, django_capture_on_commit_callbacks
):
    annotation = make_annotation(annotator, segment, words="4.2 million", verdict="false")
    annotation = approve(annotation, reviewer)
    assert annotation.status == "in-review"
    assert not FactCheck.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        annotate_services.annotation_approve(
            actor=reviewer2, annotation=annotation, expected_version=annotation.version
        )
    factcheck = FactCheck.objects.get(annotation=annotation)
    assert (factcheck.verdict, factcheck.rating_value) == ("false", 1)


@override_settings(CLAIMTRAIL_PUBLIC_BASE_URL="", CLAIMTRAIL_PUBLISHER={"name": "", "url": ""})
def test_without_the_publisher_settings_it_still_joins_with_a_stable_urn(
    approve, annotator, reviewer, segment
):
    annotation = make_annotation(annotator, segment, words="4.2 million", verdict="mostly-true")
    approve(annotation, reviewer)
    factcheck = FactCheck.objects.get(annotation=annotation)
    assert factcheck.url == f"urn:claimtrail:annotation:{annotation.pk}"
    assert (factcheck.publisher_name, factcheck.publisher_url) == ("", "")
    assert factcheck.verdict == "mostly-true"


def test_an_unrated_verdict_joins_with_its_name_and_no_numbers(
    approve, annotator, reviewer, segment
):
    annotation = make_annotation(annotator, segment, words="4.2 million", verdict="unverifiable")
    approve(annotation, reviewer)
    factcheck = FactCheck.objects.get(annotation=annotation)
    assert (factcheck.verdict, factcheck.rating_name, factcheck.rating_value) == (
        "unverifiable",
        "Unverifiable",
        None,
    )


def test_approving_again_after_a_reopen_updates_the_same_fact_check(
    approve, annotator, reviewer, editor, segment
):
    annotation = make_annotation(annotator, segment, words="4.2 million", verdict="true")
    annotation = approve(annotation, reviewer)
    first = FactCheck.objects.get(annotation=annotation)
    annotation = annotate_services.annotation_reopen(
        actor=editor, annotation=annotation, expected_version=annotation.version, comment="redo"
    )
    annotation = annotate_services.annotation_update(
        actor=annotator,
        annotation=annotation,
        expected_version=annotation.version,
        verdict="mostly-true",
    )
    approve(annotation, reviewer)
    again = FactCheck.objects.get(annotation=annotation)
    assert again.pk == first.pk
    assert again.verdict == "mostly-true"
    assert _events(again) == [LibraryAction.FACTCHECK_IMPORT, LibraryAction.FACTCHECK_UPDATE]
    assert FactCheck.objects.count() == 1


def test_a_failing_library_never_undoes_the_approval(
    approve, annotator, reviewer, segment, monkeypatch, caplog
):
    def broken(**kwargs):
        raise RuntimeError("the library is down")

    monkeypatch.setattr(services, "factcheck_join_annotation", broken)
    annotation = make_annotation(annotator, segment, words="4.2 million", verdict="true")
    with caplog.at_level(logging.ERROR, logger="annotate.signals"):
        annotation = approve(annotation, reviewer)
    annotation.refresh_from_db()
    assert annotation.status == "approved"
    assert not FactCheck.objects.exists()
    assert "a receiver of annotation_approved failed" in caplog.text


def test_approved_annotations_that_missed_the_join_are_caught_up(annotator, reviewer, segment):
    annotation = make_annotation(annotator, segment, words="4.2 million", verdict="true")
    annotation = annotate_services.annotation_submit(
        actor=annotator, annotation=annotation, expected_version=annotation.version
    )
    annotate_services.annotation_approve(  # its commit (and so its join) never comes
        actor=reviewer, annotation=annotation, expected_version=annotation.version
    )
    make_annotation(annotator, segment, words="three bridges", verdict="false")  # a draft
    result = services.factcheck_join_approved(actor=None)
    assert (result.created, result.unchanged) == (1, 0)
    assert FactCheck.objects.get().annotation_id == annotation.pk
    again = services.factcheck_join_approved(actor=None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_a_reopened_annotation_is_not_joined(annotator, reviewer, editor, segment):
    annotation = make_annotation(annotator, segment, words="4.2 million", verdict="true")
    annotation = annotate_services.annotation_submit(
        actor=annotator, annotation=annotation, expected_version=annotation.version
    )
    annotation = annotate_services.annotation_approve(
        actor=reviewer, annotation=annotation, expected_version=annotation.version
    )
    annotate_services.annotation_reopen(
        actor=editor, annotation=annotation, expected_version=annotation.version, comment="redo"
    )
    # The join of the approval comes after the reopen: it reads the annotation again.
    assert services.factcheck_join_annotation(annotation=annotation, actor=reviewer) is None
    assert not FactCheck.objects.exists()
