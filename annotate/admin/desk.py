"""The annotating desk on the transcript reading page: what the panel offers this user,
and one segment's highlighted text re-rendered after the panel saved through the API.

The panel itself is annotate/static/claimtrail/desk.js. It writes only through the REST
API (session authentication, CSRF, If-Match), so the desk obeys the rules every other
client obeys; the pages here only render.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse

from annotate import selectors, workflow
from annotate.admin.views import PLACEHOLDER_ID, reading_rows
from annotate.models import Stance, Verdict
from annotate.workflow import Action
from common.roles import roles_of

# Verdict keys are Shift+1..7 in the scale's order (Shift+digit, so the digits alone
# stay the claim types').
VERDICT_KEYS = [
    (str(number), value, label) for number, (value, label) in enumerate(Verdict.choices, start=1)
]


def _role_help(can_create: bool, can_review: bool) -> str:
    if can_create and can_review:
        return (
            "Select words in a segment to annotate them, or click a highlight to open, edit "
            "or review it. Press ? for the keys."
        )
    if can_create:
        return (
            "Select words in a segment to annotate them (from the keyboard: j/k to a "
            "segment, Shift+→ to pick words, Enter). Click a highlight to open it. "
            "Press ? for the keys."
        )
    if can_review:
        return (
            "You can read every annotation here: click a highlight (or n/p and Enter). "
            "Annotators write annotations; you decide on them in your review queue."
        )
    return "You can read the transcript and its annotations here."


def desk_context(request, transcript) -> dict:
    """What the reading page needs to offer the panel to ``request.user``."""
    roles = roles_of(request.user)
    can_create = workflow.may(Action.CREATE, roles)
    can_review = workflow.may(Action.APPROVE, roles)
    claim_types = list(selectors.claim_type_list())
    return {
        "desk": {
            "can_create": can_create,
            "can_review": can_review,
            "help": _role_help(can_create, can_review),
            # Number keys reach nine claim types; the rest are buttons only.
            "claim_types": [
                (str(n) if n <= 9 else "", claim_type)
                for n, claim_type in enumerate(claim_types, start=1)
            ],
            "verdicts": VERDICT_KEYS,
            "stances": Stance.choices,
            "fragment_url": reverse(
                "admin:annotate_reading_segment", args=[transcript.pk, PLACEHOLDER_ID]
            ),
            "segment_placeholder": PLACEHOLDER_ID,
            "review_queue_url": reverse("admin:annotate_annotation_changelist") + "?queue=review",
        }
    }


def segment_fragment_view(request, model_admin, object_id, segment_id):
    """One segment's highlighted text and chips, as the reading page renders them."""
    transcript = model_admin.get_object(request, object_id)
    if transcript is None:
        raise Http404("no such transcript")
    if not model_admin.has_view_or_change_permission(request, transcript):
        raise PermissionDenied
    segment = selectors.transcript_segments(transcript).filter(pk=segment_id).first()
    if segment is None:
        raise Http404("no such segment in this transcript")
    (row,) = reading_rows(request, [segment])
    return TemplateResponse(request, "admin/annotate/reading/segment_body.html", {"row": row})
