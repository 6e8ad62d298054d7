"""The review desk: the review queue one item at a time, evidence first, decision last.

The page shows the item that has waited longest; review.js sends the decision through
the REST API (If-Match, CSRF) and swaps in the next item without a page load. Without
JavaScript the decision form posts to the workflow step view, which comes back here.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse

from annotate import selectors, workflow
from annotate.admin.views import TRANSITION_LABELS, annotation_page_context
from annotate.models import Annotation
from annotate.workflow import Action
from common.roles import roles_of

HISTORY_SHOWN = 8
DECISION_KEYS = {Action.APPROVE: "a", Action.REQUEST_CHANGES: "c", Action.REJECT: "x"}


def _skipped(request) -> list[uuid.UUID]:
    """Items the reviewer passed over this time (``skip`` ids), malformed ones ignored."""
    ids = []
    for raw in request.GET.getlist("skip")[:200]:
        try:
            ids.append(uuid.UUID(raw))
        except ValueError:
            continue
    return ids


def _history(annotation: Annotation) -> list[dict]:
    """The latest events of the item, oldest first, each with its action in words."""
    events = list(selectors.annotation_history(annotation).order_by("-sequence")[:HISTORY_SHOWN])
    return [
        {"event": event, "what": event.action.replace("_", " ").replace(".", ": ", 1)}
        for event in reversed(events)
    ]


def review_item_context(request, annotation: Annotation | None) -> dict:
    """Everything the review view shows of one item, top to bottom."""
    if annotation is None:
        return {"item": None}
    context = annotation_page_context(request, annotation)
    decisions = [
        {**step, "key": DECISION_KEYS[Action(step["action"])]}
        for step in context["steps"]
        if Action(step["action"]) in DECISION_KEYS
    ]
    return {
        "item": annotation,
        "citations": list(annotation.citations.all()),
        "history": _history(annotation),
        "decisions": decisions,
        **context,
    }


def review_desk_view(request, model_admin):
    """The next item of the user's review queue (``?fragment=1``: the item alone)."""
    if not workflow.may(Action.REVIEW, roles_of(request.user)):
        raise PermissionDenied
    queue = selectors.review_queue(request.user)
    # The queue's rows come with their segment, transcript, citations and reviews.
    annotation = selectors.next_to_review(request.user, skip=_skipped(request))
    desk_url = reverse("admin:annotate_review_desk")
    context = {
        **review_item_context(request, annotation),
        "waiting": queue.count(),
        "desk_url": desk_url,
        "labels": TRANSITION_LABELS,
    }
    if request.GET.get("fragment"):
        return TemplateResponse(request, "admin/annotate/review/item.html", context)
    return TemplateResponse(
        request,
        "admin/annotate/review/desk.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "title": "Waiting for your review",
            **context,
        },
    )
