"""Pages of the annotation admin beyond plain forms: reading rows with highlights,
the workflow step view, the annotation page's review context and the dashboard.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe

from annotate import selectors, services, workflow
from annotate.admin.forms import TransitionForm
from annotate.models import Annotation, Decision, Review, Status, Verdict
from annotate.workflow import Action
from archive.models import Transcript
from common.errors import DomainError
from common.roles import Role, roles_of
from common.text import shorten

# A key that no row has, put in a reversed URL and replaced by each row's (one reverse for a page).
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"
TRANSITION_LABELS = {
    Action.SUBMIT: "Submit for review",
    Action.APPROVE: "Approve",
    Action.REQUEST_CHANGES: "Request changes",
    Action.REJECT: "Reject",
    Action.REOPEN: "Reopen as draft",
}


# ---------------------------------------------------------------- highlighted text


def _text_html(text: str) -> str:
    # A literal CR would become LF in the DOM and shift every offset after it.
    return escape(text).replace("\r", "&#13;")


def segment_html(text: str, annotations, change_url) -> SafeString:
    """The segment text as HTML with each annotated span in a ``<mark>``.

    Overlapping spans are cut into runs; each run links to the shortest annotation
    that covers it and lists every one that does (``data-annotations``, shortest
    first), so the desk can offer a choice. Every run carries ``data-start``, its
    offset in code points.
    Everything is escaped: the text is shown exactly as received, never as HTML.
    """
    length = len(text)
    spans = [
        (max(0, min(a.start, length)), max(0, min(a.end, length)), a)
        for a in annotations
        if a.start < a.end
    ]
    bounds = sorted({0, length, *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    parts = []
    for start, end in pairwise(bounds):
        piece = mark_safe(_text_html(text[start:end]))
        covering = [a for s, e, a in spans if s <= start and e >= end]
        if not covering:
            parts.append(format_html('<span data-start="{}">{}</span>', start, piece))
            continue
        covering.sort(key=lambda a: a.end - a.start)
        top = covering[0]
        overlap = len(covering) > 1
        classes = f"ct-hl ct-{top.status}" + (
            f" ct-overlap ct-depth-{min(len(covering), 3)}" if overlap else ""
        )
        title = " | ".join(
            f"{a.get_status_display()}: {a.claim_type.name}, {a.get_verdict_display() or 'no verdict'}"
            for a in covering
        )
        parts.append(
            format_html(
                '<mark class="{}" data-start="{}" data-annotation="{}" data-annotations="{}" '
                'data-href="{}" title="{}" tabindex="0">{}</mark>',
                classes,
                start,
                top.pk,
                " ".join(str(a.pk) for a in covering),
                change_url(top),
                title,
                piece,
            )
        )
    return mark_safe("".join(parts))


def annotation_url_maker():
    template = reverse("admin:annotate_annotation_change", args=[PLACEHOLDER_ID])
    return lambda annotation: template.replace(PLACEHOLDER_ID, str(annotation.pk))


def reading_rows(request, segments) -> list[dict]:
    """One row per segment for the transcript reading page (no queries of its own)."""
    change_url = annotation_url_maker()
    add_url = reverse("admin:annotate_annotation_add")
    can_add = workflow.may(Action.CREATE, roles_of(request.user))
    rows = []
    for segment in segments:
        annotations = list(segment.annotations.all())
        rows.append(
            {
                "segment": segment,
                "html": segment_html(segment.text, annotations, change_url),
                "annotations": [(a, change_url(a), can_edit(request.user, a)) for a in annotations],
                "add_url": f"{add_url}?segment={segment.pk}" if can_add else "",
            }
        )
    return rows


# ---------------------------------------------------------------- workflow on one annotation


def _actor(user, annotation: Annotation, approvers: set) -> workflow.Actor:
    return workflow.Actor(
        roles=roles_of(user),
        is_creator=annotation.created_by_id == user.pk,
        is_last_editor=annotation.last_edited_by_id == user.pk,
        is_assignee=annotation.assignee_id == user.pk,
        approved_this_round=user.pk in approvers,
    )


def can_edit(user, annotation: Annotation | None) -> bool:
    """Whether ``user`` may change this annotation in the admin (the services decide too)."""
    if annotation is None:
        return workflow.may(Action.CREATE, roles_of(user))
    actor = _actor(user, annotation, set())
    return workflow.check(Action.EDIT, annotation.status, actor).allowed


def annotation_page_context(request, annotation: Annotation) -> dict:
    """What the annotation page shows around the form: span in context, reviews, steps."""
    reviews = list(
        Review.objects.filter(annotation=annotation)
        .select_related("reviewer")
        .order_by("created_at")
    )
    approvers = {
        r.reviewer_id
        for r in reviews
        if r.decision == Decision.APPROVE and r.review_round == annotation.review_round
    }
    actor = _actor(request.user, annotation, approvers)
    steps, refused = [], []
    for action, label in TRANSITION_LABELS.items():
        outcome = workflow.check(
            action, annotation.status, actor, verdict=annotation.verdict, approvals=len(approvers)
        )
        if outcome.allowed:
            steps.append({"action": action.value, "label": label})
        elif action in workflow.REVIEW_ACTIONS and annotation.status == Status.IN_REVIEW:
            refused.append({"label": label, "reason": outcome.reason})
    sent_back = [
        r
        for r in reviews
        if r.decision == Decision.REQUEST_CHANGES and r.review_round == annotation.review_round
    ]
    return {
        # The reviewer's request, while the draft waits for its author.
        "sent_back_review": sent_back[-1]
        if sent_back and annotation.status == Status.DRAFT
        else None,
        # This user approved this round; the verdict needs another reviewer's approval.
        "waiting_for_second": annotation.status == Status.IN_REVIEW
        and request.user.pk in approvers,
        "segment_html": segment_html(annotation.segment.text, [annotation], lambda a: "#"),
        "segment": annotation.segment,
        "reviews": reviews,
        "steps": steps,
        "refused_steps": refused[:1],
        "approvals": len(approvers),
        "approvals_needed": workflow.approvals_needed(annotation.verdict),
    }


def transition_view(request, model_admin, object_id):
    """POST one workflow step (submit, approve, request changes, reject, reopen)."""
    annotation = model_admin.get_object(request, object_id)
    if annotation is None:
        return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, object_id)
    if not model_admin.has_view_permission(request, annotation):
        raise PermissionDenied
    change_url = reverse("admin:annotate_annotation_change", args=[annotation.pk])
    if request.method != "POST":
        return HttpResponseRedirect(change_url)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not done: the step or the version was missing; reload the page.")
        return HttpResponseRedirect(change_url)
    action = Action(form.cleaned_data["action"])
    try:
        result = services.TRANSITION_SERVICES[action](
            actor=request.user,
            annotation=annotation,
            expected_version=form.cleaned_data["expected_version"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as error:
        messages.error(request, f"Not done ({TRANSITION_LABELS[action].lower()}): {error.message}")
        return HttpResponseRedirect(change_url)
    messages.success(request, _done_message(action, result))
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        return HttpResponseRedirect(next_url)
    return HttpResponseRedirect(change_url)


def _done_message(action: Action, annotation: Annotation) -> str:
    quote = shorten(annotation.quote, 60)
    if action is Action.APPROVE and annotation.status == Status.IN_REVIEW:
        return (
            f"Approved “{quote}”. A {annotation.get_verdict_display().lower()} "
            "verdict needs a second reviewer's approval, so it stays in review."
        )
    return f"{TRANSITION_LABELS[action]}: done. “{quote}” is now " + (
        annotation.get_status_display().lower() + "."
    )


def bulk_transition(request, queryset, action: Action) -> None:
    """Apply one step to each selected annotation; report what was refused and why."""
    step = services.TRANSITION_SERVICES[action]
    bulk_apply(
        request,
        queryset,
        lambda annotation: step(
            actor=request.user, annotation=annotation, expected_version=annotation.version
        ),
        f"{TRANSITION_LABELS[action]}: {{done}} annotation(s) done.",
    )


def bulk_apply(request, queryset, apply, done_message: str) -> None:
    """``apply`` each selected annotation through its service, row by row: each row's
    rules are checked on their own, a refusal does not stop the others, and the message
    says how many were done (``done_message`` with ``{done}``) and why the rest were not."""
    done, refused = 0, []
    for annotation in queryset.order_by():
        try:
            apply(annotation)
            done += 1
        except DomainError as error:
            refused.append(f"“{shorten(annotation.quote, 40)}”: {error.message}")
    if done:
        messages.success(request, done_message.format(done=done))
    if refused:
        messages.warning(
            request,
            f"{len(refused)} refused — "
            + "; ".join(refused[:20])
            + ("; …" if len(refused) > 20 else ""),
        )


# ---------------------------------------------------------------- dashboard

DASHBOARD_TRANSCRIPTS = 30
RECENT_WINDOW = 2_000  # the latest changed annotations pick the transcripts shown
QUEUE_COUNT_CAP = 1_000


def dashboard_view(request, model_admin):
    """Totals by status and verdict, the most recently active transcripts as bars, and
    each reviewer's open queue. Every query is bounded: nothing groups the whole table
    by transcript, and queue counts stop at ``QUEUE_COUNT_CAP``."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    recent = Annotation.objects.order_by("-updated_at", "-id").values_list(
        "segment__transcript_id", flat=True
    )[:RECENT_WINDOW]
    top = list(dict.fromkeys(recent))[:DASHBOARD_TRANSCRIPTS]
    by_status: dict = defaultdict(dict)
    by_verdict: dict = defaultdict(dict)
    rows = (
        Annotation.objects.filter(segment__transcript_id__in=top)
        .values("segment__transcript_id", "status", "verdict")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        tid = row["segment__transcript_id"]
        by_status[tid][row["status"]] = by_status[tid].get(row["status"], 0) + row["n"]
        verdict = row["verdict"] or ""
        by_verdict[tid][verdict] = by_verdict[tid].get(verdict, 0) + row["n"]
    totals = {tid: sum(by_status[tid].values()) for tid in top}
    titles = dict(Transcript.objects.filter(pk__in=top).values_list("pk", "title"))
    reading_url = reverse("admin:archive_transcript_change", args=[PLACEHOLDER_ID])
    list_url = reverse("admin:annotate_annotation_changelist")
    transcripts = [
        {
            "title": titles.get(tid, "?"),
            "url": reading_url.replace(PLACEHOLDER_ID, str(tid)),
            "list_url": f"{list_url}?transcript={tid}",
            "total": totals[tid],
            "status_bars": _bars(by_status[tid], Status.choices, totals[tid], "status"),
            "verdict_bars": _bars(
                by_verdict[tid], [*Verdict.choices, ("", "No verdict")], totals[tid], "verdict"
            ),
        }
        for tid in top
    ]
    overall = defaultdict(int)
    for row in Annotation.objects.values("status").annotate(n=Count("pk")).order_by():
        overall[row["status"]] = row["n"]
    grand_total = sum(overall.values())
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Dashboard",
        "subtitle": None,
        "opts": model_admin.opts,
        "transcripts": transcripts,
        "overall_total": grand_total,
        "overall_bars": _bars(overall, Status.choices, grand_total or 1, "status"),
        "reviewers": _reviewer_queues(),
        "my_queue": _capped(selectors.awaiting_review_by(request.user)),
        "my_assigned": _capped(selectors.assigned_to(request.user)),
        "sent_back_count": _capped(selectors.changes_requested(request.user)),
        "sent_back": sent_back_rows(request.user),
        "queue_cap": QUEUE_COUNT_CAP,
        "list_url": list_url,
        "status_legend": [(value, label) for value, label in Status.choices],
        "verdict_legend": [(value or "none", label) for value, label in Verdict.choices]
        + [("none", "No verdict")],
    }
    return TemplateResponse(request, "admin/annotate/dashboard.html", context)


def _capped(queryset) -> str:
    count = queryset.order_by().values("pk")[: QUEUE_COUNT_CAP + 1].count()
    return f"{QUEUE_COUNT_CAP:,}+" if count > QUEUE_COUNT_CAP else str(count)


def _bars(counts: dict, choices, total: int, kind: str) -> list[dict]:
    return [
        {
            "key": value or "none",
            "label": label,
            "n": counts[value],
            "percent": f"{100 * counts[value] / total:.2f}",
            "kind": kind,
        }
        for value, label in choices
        if counts.get(value)
    ]


SENT_BACK_SHOWN = 10


def sent_back_rows(user) -> list[dict]:
    """The user's drafts a reviewer sent back, each with what the reviewer asked for."""
    change_url = annotation_url_maker()
    rows = []
    for annotation in selectors.changes_requested(user)[:SENT_BACK_SHOWN]:
        requests = [
            review
            for review in annotation.reviews.all()
            if review.decision == Decision.REQUEST_CHANGES
            and review.review_round == annotation.review_round
        ]
        latest = max(requests, key=lambda review: review.created_at)
        rows.append({"annotation": annotation, "review": latest, "url": change_url(annotation)})
    return rows


def _reviewer_queues() -> list[dict]:
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[Role.REVIEWER.value, Role.EDITOR.value])
        .distinct()
        .order_by("username")
    )
    return [
        {
            "user": user,
            "waiting": _capped(selectors.awaiting_review_by(user)),
            "assigned": _capped(selectors.assigned_to(user)),
        }
        for user in users[:50]
    ]
