"""Annotation services: validation, versions, workflow rules and their ledger events."""

import pytest
from django.contrib.auth.models import Group

from annotate import selectors, services
from annotate.models import Annotation, Citation, Review, Status
from archive import ledger
from common.errors import Conflict, InvalidInput, NotAllowed
from tests.factories import UserFactory, make_annotation

pytestmark = pytest.mark.django_db

CITATION = {
    "url": "https://example.org/audit-2024",
    "title": "Audit 2024",
    "publisher": "Riverton Audit Office",
    "published_on": "2024-03-01",
    "archived_url": "https://web.archive.org/web/2024/https://example.org/audit-2024",
    "excerpt": "Three bridges need repair.",
    "stance": "supports",
}


def _in_review(annotator, segment, verdict="true"):
    annotation = make_annotation(annotator, segment, words="4.2 million", verdict=verdict)
    return services.annotation_submit(
        actor=annotator, annotation=annotation, expected_version=annotation.version
    )


def test_create_derives_quote_prefix_and_suffix(annotator, segment):
    annotation = make_annotation(annotator, segment, words="4.2 million")
    start = segment.text.index("4.2 million")
    assert annotation.quote == "4.2 million"
    assert annotation.prefix == segment.text[max(0, start - 32) : start]
    assert annotation.suffix == segment.text[start + 11 : start + 43]
    assert annotation.status == Status.DRAFT and annotation.version == 1
    (event,) = ledger.history(annotation)
    assert event.action == "annotation.create" and event.actor == annotator


@pytest.mark.parametrize(
    "start, end, quote, message",
    [
        (5, 5, None, "not inside"),
        (-1, 4, None, "not inside"),
        (0, 10_000, None, "not inside"),
        (0, 4, "nope", "quote does not match"),
        ("0", 4, None, "whole numbers"),
    ],
)
def test_create_refuses_bad_spans(annotator, segment, start, end, quote, message):
    with pytest.raises(InvalidInput, match=message):
        services.annotation_create(
            actor=annotator,
            segment=segment,
            start=start,
            end=end,
            quote=quote,
            claim_type="quantity",
        )
    assert Annotation.objects.count() == 0 and ledger.count() == 1  # only the import


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("url", "javascript:alert(1)", "http"),
        ("url", "ftp://example.org/x", "http"),
        ("url", "", "required"),
        ("archived_url", "file:///etc/passwd", "http"),
        ("stance", "agrees", "stance"),
        ("published_on", "yesterday", "date"),
    ],
)
def test_citation_validation(annotator, segment, field, value, message):
    with pytest.raises(InvalidInput, match=message):
        make_annotation(annotator, segment, citations=[{**CITATION, field: value}])
    assert Annotation.objects.count() == 0 and Citation.objects.count() == 0


def test_unknown_verdict_and_claim_type_are_refused(annotator, segment):
    with pytest.raises(InvalidInput, match="verdict"):
        make_annotation(annotator, segment, verdict="pants-on-fire")
    with pytest.raises(InvalidInput, match="claim type"):
        make_annotation(annotator, segment, claim_type="gossip")


def test_reviewer_cannot_create(reviewer, segment):
    with pytest.raises(NotAllowed):
        make_annotation(reviewer, segment)


def test_update_records_what_changed(annotator, segment):
    annotation = make_annotation(annotator, segment, words="4.2 million")
    updated = services.annotation_update(
        actor=annotator,
        annotation=annotation,
        expected_version=1,
        claim_text="Roads cost 4.2m",
        reason="clearer wording",
    )
    assert updated.version == 2
    event = ledger.history(annotation).last()
    assert event.changes == {
        "claim_text": ["A restated claim.", "Roads cost 4.2m"],
        "version": [1, 2],
    }
    assert event.reason == "clearer wording"


def test_stale_version_is_a_conflict_naming_who_and_when(annotator, editor, segment):
    annotation = make_annotation(annotator, segment)
    services.annotation_update(
        actor=editor, annotation=annotation, expected_version=1, claim_text="editor's words"
    )
    with pytest.raises(Conflict, match="changed by ed at") as error:
        services.annotation_update(
            actor=annotator, annotation=annotation, expected_version=1, claim_text="mine"
        )
    assert error.value.current_version == 2 and error.value.changed_by == "ed"
    annotation.refresh_from_db()
    assert annotation.claim_text == "editor's words"


def test_a_conflict_names_the_change_that_made_the_current_version(annotator, editor, segment):
    annotation = make_annotation(annotator, segment)
    services.annotation_update(
        actor=annotator, annotation=annotation, expected_version=1, claim_text="my words"
    )
    services.citation_add(actor=editor, annotation=annotation, expected_version=2, **CITATION)
    latest = selectors.annotation_history(annotation).last()  # the citation's event, version 3
    with pytest.raises(Conflict, match="changed by ed at") as error:
        services.annotation_update(
            actor=annotator, annotation=annotation, expected_version=2, claim_text="mine"
        )
    assert error.value.changed_by == "ed" and error.value.changed_at == latest.recorded_at


def test_other_annotator_cannot_edit_my_draft(annotator, annotator2, segment):
    annotation = make_annotation(annotator, segment)
    with pytest.raises(NotAllowed, match="author or assignee"):
        services.annotation_update(
            actor=annotator2, annotation=annotation, expected_version=1, claim_text="x"
        )


def test_editing_in_review_is_refused(annotator, segment):
    annotation = _in_review(annotator, segment)
    with pytest.raises(NotAllowed, match="only drafts"):
        services.annotation_update(
            actor=annotator,
            annotation=annotation,
            expected_version=annotation.version,
            claim_text="x",
        )


def test_submit_needs_a_verdict(annotator, segment):
    annotation = make_annotation(annotator, segment, verdict="")
    with pytest.raises(InvalidInput, match="verdict"):
        services.annotation_submit(actor=annotator, annotation=annotation, expected_version=1)


def test_four_eyes(annotator, reviewer, editor, segment):
    both = UserFactory(username="both")
    both.groups.add(*Group.objects.filter(name__in=["Annotator", "Reviewer"]))
    annotation = _in_review(both, segment)
    with pytest.raises(NotAllowed, match="four-eyes"):
        services.annotation_approve(
            actor=both, annotation=annotation, expected_version=annotation.version
        )
    # An editor who edited it cannot approve it either.
    draft = make_annotation(annotator, segment, words="12 per cent")
    draft = services.annotation_update(
        actor=editor, annotation=draft, expected_version=1, claim_text="edited by editor"
    )
    draft = services.annotation_submit(
        actor=editor, annotation=draft, expected_version=draft.version
    )
    with pytest.raises(NotAllowed, match="four-eyes"):
        services.annotation_approve(actor=editor, annotation=draft, expected_version=draft.version)
    assert (
        services.annotation_approve(
            actor=reviewer, annotation=draft, expected_version=draft.version
        ).status
        == Status.APPROVED
    )


def test_false_verdict_needs_two_different_reviewers(annotator, reviewer, reviewer2, segment):
    annotation = _in_review(annotator, segment, verdict="false")
    annotation = services.annotation_approve(
        actor=reviewer, annotation=annotation, expected_version=annotation.version
    )
    assert annotation.status == Status.IN_REVIEW
    with pytest.raises(NotAllowed, match="another reviewer"):
        services.annotation_approve(
            actor=reviewer, annotation=annotation, expected_version=annotation.version
        )
    annotation = services.annotation_approve(
        actor=reviewer2, annotation=annotation, expected_version=annotation.version
    )
    assert annotation.status == Status.APPROVED
    assert Review.objects.filter(annotation=annotation, decision="approve").count() == 2


def test_approvals_from_an_earlier_round_do_not_count(annotator, reviewer, reviewer2, segment):
    annotation = _in_review(annotator, segment, verdict="false")
    annotation = services.annotation_approve(
        actor=reviewer, annotation=annotation, expected_version=annotation.version
    )
    annotation = services.annotation_request_changes(
        actor=reviewer2,
        annotation=annotation,
        expected_version=annotation.version,
        comment="add a second source",
    )
    annotation = services.annotation_submit(
        actor=annotator, annotation=annotation, expected_version=annotation.version
    )
    annotation = services.annotation_approve(
        actor=reviewer2, annotation=annotation, expected_version=annotation.version
    )
    assert annotation.status == Status.IN_REVIEW  # one approval in this round, not two


def test_request_changes_and_reject_need_a_comment(annotator, reviewer, segment):
    annotation = _in_review(annotator, segment)
    for service in (services.annotation_request_changes, services.annotation_reject):
        with pytest.raises(InvalidInput, match="comment"):
            service(actor=reviewer, annotation=annotation, expected_version=annotation.version)
    assert not Review.objects.exists()


def test_reopen_is_for_editors(annotator, reviewer, editor, segment):
    annotation = _in_review(annotator, segment)
    annotation = services.annotation_reject(
        actor=reviewer,
        annotation=annotation,
        expected_version=annotation.version,
        comment="not a claim",
    )
    for actor in (annotator, reviewer):
        with pytest.raises(NotAllowed, match="editor"):
            services.annotation_reopen(
                actor=actor, annotation=annotation, expected_version=annotation.version
            )
    reopened = services.annotation_reopen(
        actor=editor, annotation=annotation, expected_version=annotation.version, reason="appeal"
    )
    assert reopened.status == Status.DRAFT


def test_citations_change_the_annotation_version(annotator, segment):
    annotation = make_annotation(annotator, segment)
    citation = services.citation_add(
        actor=annotator, annotation=annotation, expected_version=1, **CITATION
    )
    annotation.refresh_from_db()
    assert annotation.version == 2
    services.citation_update(
        actor=annotator, citation=citation, expected_version=2, stance="context"
    )
    with pytest.raises(Conflict):
        services.citation_remove(actor=annotator, citation=citation, expected_version=2)
    services.citation_remove(actor=annotator, citation=citation, expected_version=3)
    assert not Citation.objects.exists()
    actions = [e.action for e in selectors.annotation_history(annotation)]
    assert actions == ["annotation.create", "citation.add", "citation.update", "citation.remove"]


def test_failed_call_writes_nothing(annotator, reviewer, segment):
    annotation = _in_review(annotator, segment)
    events = ledger.count()
    with pytest.raises(NotAllowed):
        services.annotation_reopen(
            actor=reviewer, annotation=annotation, expected_version=annotation.version
        )
    assert ledger.count() == events
    annotation.refresh_from_db()
    assert annotation.status == Status.IN_REVIEW


def test_delete_draft_is_on_the_ledger(annotator, segment):
    annotation = make_annotation(annotator, segment)
    pk = annotation.pk
    services.annotation_delete(
        actor=annotator, annotation=annotation, expected_version=1, reason="duplicate"
    )
    assert not Annotation.objects.filter(pk=pk).exists()
    assert ledger.history(object_type="annotate.annotation", object_id=pk).last().action == (
        "annotation.delete"
    )


def test_history_rebuilds_the_current_state(annotator, reviewer, editor, segment):
    annotation = make_annotation(annotator, segment, words="4.2 million", citations=[CITATION])
    annotation = services.annotation_update(
        actor=annotator,
        annotation=annotation,
        expected_version=annotation.version,
        verdict="mostly-true",
        verdict_summary="Close to the audited figure.",
    )
    annotation = services.annotation_submit(
        actor=annotator, annotation=annotation, expected_version=annotation.version
    )
    annotation = services.annotation_request_changes(
        actor=reviewer,
        annotation=annotation,
        expected_version=annotation.version,
        comment="cite the budget",
    )
    annotation = services.annotation_update(
        actor=annotator, annotation=annotation, expected_version=annotation.version, start=4, end=15
    )
    annotation = services.annotation_assign(
        actor=editor, annotation=annotation, assignee=reviewer, expected_version=annotation.version
    )
    events = list(selectors.annotation_history(annotation))
    assert events[0].action == "annotation.create"
    state, citations = dict(events[0].state), {}
    for event in events[1:]:
        if event.object_type == "annotate.citation":
            state["version"] = event.state["annotation_version"]
            state["last_edited_by"] = event.state["annotation_last_edited_by"]
            citation = {k: v for k, v in event.state.items() if not k.startswith("annotation_")}
            if event.action == "citation.remove":
                citations.pop(citation["id"])
            else:
                citations[citation["id"]] = citation
            continue
        for field, (before, after) in event.changes.items():
            assert state.get(field) == before, (event.action, field)
            state[field] = after
    annotation.refresh_from_db()
    assert state == services.annotation_state(annotation)
    assert citations == {str(c.pk): services.citation_state(c) for c in annotation.citations.all()}
    assert list(ledger.verify()) == []


def test_review_queue_keeps_what_i_have_not_approved_this_round(
    annotator, reviewer, reviewer2, segment
):
    annotation = _in_review(annotator, segment, verdict="false")
    annotation = services.annotation_request_changes(
        actor=reviewer,
        annotation=annotation,
        expected_version=annotation.version,
        comment="needs a source",
    )
    annotation = services.annotation_submit(
        actor=annotator, annotation=annotation, expected_version=annotation.version
    )
    annotation = services.annotation_approve(
        actor=reviewer2, annotation=annotation, expected_version=annotation.version
    )
    assert list(selectors.review_queue(reviewer)) == [annotation]
    assert list(selectors.review_queue(reviewer2)) == []  # already approved this round
    assert list(selectors.review_queue(annotator)) == []  # not a reviewer
