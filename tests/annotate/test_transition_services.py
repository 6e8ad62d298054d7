"""Every transition x role x state through the real services (allowed and refused)."""

import pytest

from annotate import services
from annotate.models import Status
from annotate.workflow import Action
from common.errors import NotAllowed
from tests.factories import make_annotation

pytestmark = pytest.mark.django_db

USERS = ("author", "other_annotator", "reviewer", "editor", "outsider")
EXPECTED = {  # (action, state) -> users allowed; everything else must be refused
    (Action.SUBMIT, Status.DRAFT): {"author", "editor"},
    (Action.APPROVE, Status.IN_REVIEW): {"reviewer", "editor"},
    (Action.REQUEST_CHANGES, Status.IN_REVIEW): {"reviewer", "editor"},
    (Action.REJECT, Status.IN_REVIEW): {"reviewer", "editor"},
    (Action.REOPEN, Status.APPROVED): {"editor"},
    (Action.REOPEN, Status.REJECTED): {"editor"},
}
AFTER = {
    Action.SUBMIT: Status.IN_REVIEW,
    Action.APPROVE: Status.APPROVED,
    Action.REQUEST_CHANGES: Status.DRAFT,
    Action.REJECT: Status.REJECTED,
    Action.REOPEN: Status.DRAFT,
}


def _annotation_in(state, author, reviewer, segment):
    annotation = make_annotation(author, segment, verdict="true")
    if state == Status.DRAFT:
        return annotation
    annotation = services.annotation_submit(
        actor=author, annotation=annotation, expected_version=annotation.version
    )
    if state == Status.APPROVED:
        annotation = services.annotation_approve(
            actor=reviewer, annotation=annotation, expected_version=annotation.version
        )
    if state == Status.REJECTED:
        annotation = services.annotation_reject(
            actor=reviewer, annotation=annotation, expected_version=annotation.version, comment="no"
        )
    return annotation


@pytest.mark.parametrize("action", list(Action)[:5])
@pytest.mark.parametrize("state", list(Status))
@pytest.mark.parametrize("who", USERS)
def test_transition(
    action, state, who, annotator, annotator2, reviewer, reviewer2, editor, outsider, segment
):
    users = {
        "author": annotator,
        "other_annotator": annotator2,
        "reviewer": reviewer2,
        "editor": editor,
        "outsider": outsider,
    }
    annotation = _annotation_in(state, annotator, reviewer, segment)
    service = services.TRANSITION_SERVICES[action]
    call = dict(
        actor=users[who],
        annotation=annotation,
        expected_version=annotation.version,
        comment="because",
    )
    if who in EXPECTED.get((action, state), set()):
        assert service(**call).status == AFTER[action]
    else:
        with pytest.raises(NotAllowed) as refused:
            service(**call)
        assert refused.value.message
        annotation.refresh_from_db()
        assert annotation.status == state
