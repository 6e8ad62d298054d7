"""The transition table, every action x every state x every kind of actor, without a database."""

import pytest

from annotate.models import Status
from annotate.workflow import Action, Actor, check
from common.roles import Role

A, R, E = Role.ANNOTATOR, Role.REVIEWER, Role.EDITOR

ACTORS = {
    "author-annotator": Actor(roles=frozenset({A}), is_creator=True, is_last_editor=True),
    "other-annotator": Actor(roles=frozenset({A})),
    "assigned-annotator": Actor(roles=frozenset({A}), is_assignee=True),
    "reviewer": Actor(roles=frozenset({R})),
    "reviewer-who-edited": Actor(roles=frozenset({R}), is_last_editor=True),
    "author-editor": Actor(roles=frozenset({E}), is_creator=True, is_last_editor=True),
    "other-editor": Actor(roles=frozenset({E})),
    "no-role": Actor(roles=frozenset()),
}

# Written out by hand from DESIGN.md, independently of workflow.TRANSITIONS.
ALLOWED = {
    (Action.EDIT, Status.DRAFT): {
        "author-annotator",
        "assigned-annotator",
        "author-editor",
        "other-editor",
    },
    (Action.SUBMIT, Status.DRAFT): {
        "author-annotator",
        "assigned-annotator",
        "author-editor",
        "other-editor",
    },
    (Action.APPROVE, Status.IN_REVIEW): {"reviewer", "other-editor"},
    (Action.REQUEST_CHANGES, Status.IN_REVIEW): {"reviewer", "other-editor"},
    (Action.REJECT, Status.IN_REVIEW): {"reviewer", "other-editor"},
    (Action.REOPEN, Status.APPROVED): {"author-editor", "other-editor"},
    (Action.REOPEN, Status.REJECTED): {"author-editor", "other-editor"},
}
RESULT = {
    Action.EDIT: Status.DRAFT,
    Action.SUBMIT: Status.IN_REVIEW,
    Action.APPROVE: Status.APPROVED,
    Action.REQUEST_CHANGES: Status.DRAFT,
    Action.REJECT: Status.REJECTED,
    Action.REOPEN: Status.DRAFT,
}

CASES = [
    (action, status, actor_name) for action in Action for status in Status for actor_name in ACTORS
]


@pytest.mark.parametrize("action, status, actor_name", CASES)
def test_transition_table(action, status, actor_name):
    outcome = check(action, status, ACTORS[actor_name], verdict="true")
    expected = actor_name in ALLOWED.get((action, status), set())
    assert outcome.allowed is expected, outcome.reason
    if expected:
        assert outcome.new_status == RESULT[action]
    else:
        assert outcome.reason  # a refusal always says why


def test_four_eyes_reason_is_explicit():
    outcome = check(Action.APPROVE, "in-review", ACTORS["reviewer-who-edited"])
    assert "four-eyes" in outcome.reason


@pytest.mark.parametrize("verdict", ["false", "mostly-false"])
def test_false_verdicts_need_two_approvals(verdict):
    first = check(Action.APPROVE, "in-review", ACTORS["reviewer"], verdict=verdict, approvals=0)
    assert first.allowed and first.new_status == Status.IN_REVIEW
    second = check(Action.APPROVE, "in-review", ACTORS["reviewer"], verdict=verdict, approvals=1)
    assert second.allowed and second.new_status == Status.APPROVED


def test_same_reviewer_cannot_approve_twice():
    again = Actor(roles=frozenset({R}), approved_this_round=True)
    outcome = check(Action.APPROVE, "in-review", again, verdict="false", approvals=1)
    assert not outcome.allowed and "another reviewer" in outcome.reason


def test_editing_approved_says_reopen_first():
    outcome = check(Action.EDIT, "approved", ACTORS["author-annotator"])
    assert not outcome.allowed and "reopen" in outcome.reason


def test_refusals_name_the_action_in_words():
    refused = check(Action.REQUEST_CHANGES, Status.IN_REVIEW, ACTORS["author-annotator"])
    assert refused.reason == "only an editor or reviewer may request changes to an annotation"
    wrong_state = check(Action.REQUEST_CHANGES, Status.DRAFT, ACTORS["reviewer"])
    assert wrong_state.reason.startswith("cannot request changes to an annotation that is draft")
