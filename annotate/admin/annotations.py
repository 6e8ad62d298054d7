"""The annotating UI: annotations with citations, review steps, queues, taxonomy, users.

Admin classes parse the form and call ``annotate.services``; they never save a
model themselves. Pages beyond plain forms live in :mod:`annotate.admin.views`,
forms in :mod:`~annotate.admin.forms`, list filters and search in
:mod:`~annotate.admin.lists`.
"""

from __future__ import annotations

import uuid

from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ORDER_VAR
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from annotate import records, selectors, services, workflow
from annotate.admin import desk, review_desk
from annotate.admin import revisions as admin_revisions
from annotate.admin import views as admin_views
from annotate.admin.forms import SECTIONS, AnnotationForm, CitationForm
from annotate.admin.lists import (
    MATCH_LIMIT,
    RANK_LIMIT,
    IdListPaginator,
    QueueFilter,
    SharedChoicesFilter,
    SpeakerFilter,
    TeamMemberFilter,
    TranscriptFilter,
    search_annotations,
)
from annotate.admin.messages import ServiceErrorsAsMessages
from annotate.models import Annotation, Citation, ClaimType
from annotate.workflow import Action
from archive import admin as archive_admin
from archive.models import Segment, Transcript
from common.errors import DomainError
from common.roles import roles_of
from common.text import shorten

admin.site.site_header = "Claimtrail"
admin.site.site_title = "Claimtrail"
admin.site.index_title = "Fact-checking workbench"
admin.site.index_template = "admin/claimtrail/index.html"

EDITABLE = (*records.ANNOTATION_EDITABLE, "quote")


class CitationInline(admin.StackedInline):
    model = Citation
    form = CitationForm
    extra = 1
    fields = (
        ("url", "stance"),
        ("title", "publisher"),
        ("published_on", "accessed_at"),
        "archived_url",
        "excerpt",
        "added_by",
    )
    readonly_fields = ("added_by",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("added_by")

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if admin_views.can_edit(request.user, obj) else 0

    def has_add_permission(self, request, obj):
        return admin_views.can_edit(request.user, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return admin_views.can_edit(request.user, obj) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return admin_views.can_edit(request.user, obj) and super().has_delete_permission(
            request, obj
        )


@admin.register(Annotation)
class AnnotationAdmin(ServiceErrorsAsMessages, admin.ModelAdmin):
    form = AnnotationForm
    inlines = [CitationInline]
    change_form_template = "admin/annotate/annotation/change_form.html"
    change_list_template = "admin/annotate/annotation/change_list.html"
    list_display = (
        "quote_display",
        "status_display",
        "verdict",
        "claim_type",
        "speaker",
        "transcript_display",
        "created_by",
        "assignee",
        "updated_at",
    )
    list_select_related = (
        "segment",
        "segment__transcript",
        "claim_type",
        "created_by",
        "assignee",
    )
    list_filter = (
        QueueFilter,
        ("status", SharedChoicesFilter),
        ("anchor_status", SharedChoicesFilter),
        ("verdict", SharedChoicesFilter),
        "claim_type",
        SpeakerFilter,
        TranscriptFilter,
        ("assignee", TeamMemberFilter),
        ("created_by", TeamMemberFilter),
    )
    search_fields = ("quote",)  # shows the search box; get_search_results does the work
    search_help_text = "Search quotes, claims and segment text (PostgreSQL: ranked full-text)."
    paginator = archive_admin.EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    actions = ["approve_selected", "submit_selected", "assign_to_me"]

    # ------------------------------------------------------------ reads

    def get_queryset(self, request):
        return selectors.annotation_list(with_children=False).annotate(
            is_sent_back=ExpressionWrapper(selectors.sent_back(), output_field=BooleanField())
        )

    def get_search_results(self, request, queryset, search_term):
        result = search_annotations(queryset, search_term)
        if result.truncated:
            messages.info(
                request,
                f"More than {MATCH_LIMIT:,} matches: showing the newest of the first "
                f'{MATCH_LIMIT:,} found. Add words (or "a quoted phrase") to narrow it down.',
            )
        elif search_term.strip() and not result.ranked and connection.vendor == "postgresql":
            messages.info(
                request,
                f"More than {RANK_LIMIT:,} matches: shown newest first rather than by "
                'relevance. Add words (or "a quoted phrase") to rank them.',
            )
        request._claimtrail_search = result
        return result.queryset, False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        search = getattr(request, "_claimtrail_search", None)
        if search is not None and search.ordered_ids is not None and ORDER_VAR not in request.GET:
            return IdListPaginator(queryset, per_page, search.ordered_ids, orphans=orphans)
        paginator = super().get_paginator(
            request, queryset, per_page, orphans, allow_empty_first_page
        )
        if search is not None and search.count is not None:
            paginator.count = search.count  # the search already counted its matches
        return paginator

    @admin.display(description="Quote", ordering="quote")
    def quote_display(self, obj):
        return shorten(obj.quote, 80)

    @admin.display(description="Status", ordering="status")
    def status_display(self, obj):
        if getattr(obj, "is_sent_back", False):
            return format_html(
                '<span class="ct-badge ct-{}">{}</span>', "changes-requested", "Changes requested"
            )
        return format_html(
            '<span class="ct-badge ct-{}">{}</span>', obj.status, obj.get_status_display()
        )

    @admin.display(description="Speaker")
    def speaker(self, obj):
        return obj.segment.speaker

    @admin.display(description="Transcript")
    def transcript_display(self, obj):
        url = reverse("admin:archive_transcript_change", args=[obj.segment.transcript_id])
        return format_html(
            '<a href="{}#segment-{}">{}</a>', url, obj.segment.ordinal, obj.segment.transcript
        )

    # ------------------------------------------------------------ permissions

    def has_change_permission(self, request, obj=None):
        if obj is not None and not admin_views.can_edit(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not admin_views.can_edit(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def has_review_permission(self, request):
        return workflow.may(Action.REVIEW, roles_of(request.user))

    def has_submit_permission(self, request):
        return workflow.may(Action.SUBMIT, roles_of(request.user))

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions

    # ------------------------------------------------------------ the form

    def get_fieldsets(self, request, obj=None):
        written = [(title, {"fields": names}) for title, names in SECTIONS]
        if obj is None:
            return [("Span", {"fields": ("segment", "start", "end", "quote")}), *written]
        span = ("Span", {"fields": ("start", "end", "quote", "prefix", "suffix")})
        work = (
            "Workflow",
            {
                "fields": (
                    ("status", "version", "review_round"),
                    ("created_by", "last_edited_by", "assignee"),
                    ("created_at", "updated_at"),
                )
            },
        )
        sets = [span, *written, work]
        if self.has_change_permission(request, obj):
            sets.append((None, {"fields": ("expected_version",)}))
        return sets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "prefix",
            "suffix",
            "status",
            "version",
            "review_round",
            "created_by",
            "last_edited_by",
            "assignee",
            "created_at",
            "updated_at",
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        field = form.base_fields.get("claim_type")
        if field is not None and hasattr(field.widget, "widget"):
            field.widget = field.widget.widget  # no add/edit/delete icons beside the taxonomy
        form.submitting = "_submit" in request.POST  # "Save and submit": its rules first
        return form

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Annotations", **(extra_context or {})})

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        for key in ("start", "end"):
            if not str(initial.get(key, "")).isdigit():
                initial.pop(key, None)
        return initial

    def add_view(self, request, form_url="", extra_context=None):
        if request.method == "GET":
            if not self.has_add_permission(request):
                raise PermissionDenied
            if "segment" not in request.GET:
                return self._start_from_a_transcript(request)
            if _segment_from(request) is None:  # say so now, not after the form is filled
                return self._start_from_a_transcript(request, unknown=request.GET["segment"])
        return super().add_view(request, form_url, extra_context)

    def _start_from_a_transcript(self, request, *, unknown: str | None = None):
        """The page "Add annotation" shows without a segment: where annotations start (404
        when the link named a segment that does not exist)."""
        context = {
            **self.admin_site.each_context(request),
            "title": "Add annotation",
            "subtitle": None,
            "opts": self.opts,
            "unknown_segment": unknown,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(
            request,
            "admin/annotate/annotation/start_from_transcript.html",
            context,
            status=404 if unknown is not None else 200,
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context.update(admin_views.annotation_page_context(request, obj))
        else:
            segment = _segment_from(request)
            if segment is not None:
                form = context["adminform"].form
                start, end = form["start"].value(), form["end"].value()
                chosen = Annotation(start=_int(start), end=_int(end), status="draft")
                spans = [chosen] if chosen.start is not None and chosen.end is not None else []
                context["segment"] = segment
                context["segment_html"] = admin_views.segment_html(
                    segment.text, [_Span(a) for a in spans], lambda a: "#"
                )
        context["show_save_and_add_another"] = False  # a new annotation starts from a selection
        context["can_submit_with_save"] = context.get("has_change_permission", True) and (
            obj is None or obj.status == "draft"
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # ------------------------------------------------------------ writes, through services

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = services.annotation_create(
                actor=request.user,
                segment=data["segment"],
                start=data["start"],
                end=data["end"],
                quote=data["quote"],
                claim_type=data["claim_type"],
                verdict=data.get("verdict") or "",
                **{key: data.get(key) or "" for key in records.ANNOTATION_TEXT},
            )
            _copy_into(obj, created)
            return
        changes = {k: data[k] for k in EDITABLE if k in form.changed_data}
        if {"start", "end", "quote"} & set(changes):
            changes.update(start=data["start"], end=data["end"], quote=data["quote"])
        if changes:
            updated = services.annotation_update(
                actor=request.user,
                annotation=obj,
                expected_version=data["expected_version"],
                **changes,
            )
            _copy_into(obj, updated)
        else:
            obj.version = data["expected_version"]

    def save_formset(self, request, form, formset, change):
        annotation = form.instance
        for citation_form in formset.forms:
            citation = citation_form.instance
            if citation_form in formset.deleted_forms:
                if not citation._state.adding:
                    services.citation_remove(
                        actor=request.user, citation=citation, expected_version=annotation.version
                    )
                    annotation.version += 1
                continue
            if not citation_form.has_changed():
                continue
            fields = [f for f in services.CITATION_FIELDS if f in citation_form.changed_data]
            values = {f: citation_form.cleaned_data.get(f) for f in services.CITATION_FIELDS}
            if not citation._state.adding:
                services.citation_update(
                    actor=request.user,
                    citation=citation,
                    expected_version=annotation.version,
                    **{f: values[f] for f in fields},
                )
            else:
                services.citation_add(
                    actor=request.user,
                    annotation=annotation,
                    expected_version=annotation.version,
                    **values,
                )
            annotation.version += 1

    def construct_change_message(self, request, form, formsets, add=False):
        return []  # the ledger is the history; see history_view

    def response_add(self, request, obj, post_url_continue=None):
        self._maybe_submit(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._maybe_submit(request, obj)
        return super().response_change(request, obj)

    def _maybe_submit(self, request, obj):
        if "_submit" not in request.POST:
            return
        try:
            services.annotation_submit(
                actor=request.user, annotation=obj, expected_version=obj.version
            )
        except DomainError as error:
            messages.warning(request, f"Saved as a draft but not submitted: {error.message}")
        else:
            obj.status = "in-review"
            messages.success(request, "Submitted for review.")

    def delete_model(self, request, obj):
        services.annotation_delete(actor=request.user, annotation=obj, expected_version=obj.version)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as error:
            messages.error(request, f"Not deleted: {error.message}")
            return HttpResponseRedirect(
                reverse("admin:annotate_annotation_change", args=[unquote(object_id)])
            )

    # ------------------------------------------------------------ actions and extra pages

    @admin.action(description="Approve selected (rules checked per row)", permissions=["review"])
    def approve_selected(self, request, queryset):
        admin_views.bulk_transition(request, queryset, Action.APPROVE)

    @admin.action(description="Submit selected drafts for review", permissions=["submit"])
    def submit_selected(self, request, queryset):
        admin_views.bulk_transition(request, queryset, Action.SUBMIT)

    @admin.action(description="Assign selected to me", permissions=["review"])
    def assign_to_me(self, request, queryset):
        admin_views.bulk_apply(
            request,
            queryset,
            lambda annotation: services.annotation_assign(
                actor=request.user,
                annotation=annotation,
                assignee=request.user,
                expected_version=annotation.version,
            ),
            "Assigned {done} annotation(s) to you.",
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "dashboard/",
                wrap(lambda request: admin_views.dashboard_view(request, self)),
                name="annotate_dashboard",
            ),
            path(
                "<path:object_id>/step/",
                wrap(
                    lambda request, object_id: admin_views.transition_view(request, self, object_id)
                ),
                name="annotate_annotation_step",
            ),
            path(
                "review/",
                wrap(lambda request: review_desk.review_desk_view(request, self)),
                name="annotate_review_desk",
            ),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        annotation = self.get_object(request, unquote(object_id))
        if annotation is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return archive_admin.ledger_history_response(
            request, self, annotation, selectors.annotation_history(annotation)
        )


class _Span:
    """A stand-in annotation for highlighting the span chosen on the add form."""

    def __init__(self, annotation):
        self.start, self.end, self.status, self.pk = annotation.start, annotation.end, "draft", ""
        self.claim_type = ClaimType(name="new annotation")

    def get_status_display(self):
        return "Selected"

    def get_verdict_display(self):
        return ""


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _segment_from(request):
    try:
        segment_id = uuid.UUID(str(request.POST.get("segment") or request.GET.get("segment")))
    except ValueError:  # a malformed id: no context; the form says what is missing
        return None
    return Segment.objects.select_related("transcript").filter(pk=segment_id).first()


def _copy_into(target: Annotation, source: Annotation) -> None:
    for field in Annotation._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.adding = False
    target._state.db = source._state.db


# ---------------------------------------------------------------- transcripts: reading page

admin.site.unregister(Transcript)


@admin.register(Transcript)
class AnnotatingTranscriptAdmin(archive_admin.TranscriptAdmin):
    """The archive's reading page, with annotations highlighted and selectable text."""

    reading_template = "admin/annotate/transcript_reading.html"

    def reading_segments(self, request, transcript):
        return selectors.transcript_segments(transcript)

    def reading_rows(self, request, transcript, segments):
        return admin_views.reading_rows(request, segments)

    def reading_context(self, request, transcript):
        return desk.desk_context(request, transcript)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/segments/<uuid:segment_id>/",
                wrap(
                    lambda request, object_id, segment_id: desk.segment_fragment_view(
                        request, self, object_id, segment_id
                    )
                ),
                name="annotate_reading_segment",
            ),
            path(
                "<path:object_id>/revisions/",
                wrap(
                    lambda request, object_id: admin_revisions.revisions_view(
                        request, self, object_id
                    )
                ),
                name="annotate_transcript_revisions",
            ),
            *super().get_urls(),
        ]
