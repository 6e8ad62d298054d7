"""Read-only admin for the archive: sources, transcripts, segments and the ledger.

Archived evidence is never edited here: nobody, not even a superuser, gets add,
change or delete on these models (sources enter through the import service).
This module also holds what other apps' admins share: the estimated-count
paginator and the ledger History page with its chain check.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property

from common.errors import NotAllowed
from common.text import shorten

from . import history, ledger
from .importers import registry
from .importers.base import DocumentError, summarise_dropped
from .models import LedgerEvent, LedgerSeal, Segment, Source, Transcript
from .services import ImportResult, may_import_sources, source_upload

HISTORY_PAGE_SIZE = 100
# The History page verifies new ledger events incrementally, at most this many per
# page load; `manage.py verify_ledger` is the complete check.
VERIFY_BUDGET = getattr(settings, "CLAIMTRAIL_ADMIN_VERIFY_BUDGET", 20_000)
_VERIFY_CACHE_KEY = "claimtrail:admin:ledger-verified"


class EstimatedCountPaginator(Paginator):
    """Counts without a full ``COUNT(*)`` on huge tables.

    Unfiltered on PostgreSQL: the planner's estimate (``pg_class.reltuples``).
    Filtered: an exact count up to ``cap`` rows, then "more than ``cap``".
    """

    cap = 10_000
    estimate_above = 10_000

    count_is_estimate = False
    count_is_capped = False

    @cached_property
    def count(self):
        queryset = self.object_list
        if not hasattr(queryset, "query"):
            return len(queryset)
        if connection.vendor == "postgresql" and not queryset.query.where:
            estimate = _estimated_rows(queryset.model._meta.db_table)
            if estimate > self.estimate_above:
                self.count_is_estimate = True
                return estimate
        counted = queryset.order_by().values("pk")[: self.cap + 1].count()
        if counted > self.cap:
            self.count_is_capped = True
            return self.cap
        return counted


def _estimated_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] and row[0] > 0 else -1


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable by anyone with the view permission; changeable by no one."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# ---------------------------------------------------------------- History pages


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    scope: str  # what was checked, in words
    problems: tuple[str, ...] = ()


def check_events(events: list[LedgerEvent]) -> ChainCheck:
    """Check the shown events: each matches its hash and links to its scope's event before it."""
    problems = tuple(str(problem) for problem in ledger.check_links(events))
    return ChainCheck(not problems, f"the {len(events)} event(s) shown", problems)


def check_whole_chain() -> ChainCheck:
    """Verify the ledger's seals incrementally, remembering how far they were found intact.

    Each page load checks the seals not checked yet, each with every event it
    covers, until about ``VERIFY_BUDGET`` events (progress cached per process). On
    PostgreSQL the database refuses UPDATE and DELETE on the ledger, and
    ``manage.py verify_ledger`` re-checks everything, including each object's chain.
    """
    state = cache.get(_VERIFY_CACHE_KEY) or {}
    verified = None
    if state.get("seal"):
        verified = LedgerSeal.objects.filter(number=state["seal"], hash=state["hash"]).first()
        if verified is None:  # not the ledger we verified (a restored or new database)
            state = {}
    if state.get("problems"):
        return ChainCheck(False, f"the ledger after seal {state['seal']}", state["problems"])
    reached, found = ledger.check_seals(after=verified, budget=VERIFY_BUDGET)
    problems = tuple(str(problem) for problem in found)
    cache.set(
        _VERIFY_CACHE_KEY,
        {
            "seal": reached.number if reached else 0,
            "hash": reached.hash if reached else ledger.GENESIS_HASH,
            "problems": problems,
        },
        timeout=None,
    )
    if problems:
        return ChainCheck(False, "the sealed ledger", problems)
    newest = LedgerSeal.objects.order_by("-number").first()
    if newest is not None and (reached is None or reached.number < newest.number):
        return ChainCheck(
            True,
            f"seals 1 to {reached.number if reached else 0} of {newest.number} so far (the rest on the next page"
            " loads; run manage.py verify_ledger for a complete check now)",
        )
    sealed = reached.last_sequence if reached else 0
    head_sequence, _ = ledger.head()
    if not sealed:
        return ChainCheck(
            True,
            "no seal yet: each event is checked against its object's chain only"
            " (manage.py seal_ledger seals the ledger now)",
        )
    unsealed = (
        f"; #{sealed + 1} to #{head_sequence} not sealed yet" if head_sequence > sealed else ""
    )
    return ChainCheck(True, f"the whole sealed ledger, events up to #{sealed}{unsealed}")


def ledger_history_response(request, model_admin, obj, events, *, title: str = ""):
    """Render a History page for ``obj`` from a queryset of its ledger events."""
    if not model_admin.has_view_or_change_permission(request, obj):
        raise PermissionDenied
    paginator = Paginator(events, HISTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("p"))
    rows = list(page.object_list)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title or f"History: {obj}",
        "subtitle": None,
        "object": obj,
        "opts": model_admin.model._meta,
        "module_name": str(model_admin.model._meta.verbose_name_plural).capitalize(),
        "page": page,
        "events": [history.event_row(event, obj) for event in rows],
        "shown_check": check_events(rows) if rows else None,
        "chain_check": check_whole_chain(),
        "preserved_filters": model_admin.get_preserved_filters(request),
    }
    return TemplateResponse(request, "admin/archive/ledger_history.html", context)


# ---------------------------------------------------------------- model admins


class SourceUploadForm(forms.Form):
    file = forms.FileField(
        help_text="The document exactly as received; it is stored byte for byte. "
        "It must be UTF-8 text."
    )
    format = forms.ChoiceField(
        choices=[("auto", "Detect")] + [(name, name) for name in registry.FORMATS], initial="auto"
    )
    origin_url = forms.URLField(
        required=False,
        assume_scheme="https",
        label="Origin URL",
        help_text="Where the document was published (http or https), if it was: "
        "ClaimReview exports point at it as the place the claims appeared.",
    )
    reason = forms.CharField(required=False, label="Note for the ledger")

    # The way out of an import refusal, in this form's words (DocumentError.worded): it
    # reads UTF-8 only (the import_transcript command reads other encodings).
    WAYS_OUT = {
        "encoding": "save the file as UTF-8 and upload it again",
        "format": "choose it under Format ({choices})",
    }

    def add_document_error(self, error: DocumentError) -> None:
        """Show an import refusal on the field it is about (the file, unless it names one)."""
        field = "format" if error.needs == "format" else getattr(error, "field", "file")
        self.add_error(field if field in self.fields else "file", error.worded(self.WAYS_OUT))


def _import_confirmation(result: ImportResult) -> str:
    """The message after an upload: the transcript, its segments and what the importer
    dropped, by reason (an earlier import of the same bytes has that on its ledger event)."""
    count = result.segment_count
    segments = f"{count} segment{'' if count == 1 else 's'}"
    if not result.created:
        return f"Already imported: {result.transcript} ({segments})."
    return f"Imported: {result.transcript} ({segments}; {summarise_dropped(result.dropped)})."


@admin.register(Source)
class SourceAdmin(ReadOnlyAdmin):
    """Sources are never edited; editors add new ones by uploading through the importer."""

    list_display = ("title", "filename", "importer", "size", "imported_at", "imported_by")
    list_select_related = ("imported_by",)
    search_fields = ("title", "filename", "sha256")
    exclude = ("content", "text")
    readonly_fields = (
        "title",
        "filename",
        "origin_url",
        "media_type",
        "encoding",
        "retrieved_at",
        "imported_at",
        "imported_by",
        "importer",
        "sha256",
        "size",
        "text_preview",
    )

    def has_add_permission(self, request, obj=None):
        # The import service's own rule, so the form is offered to exactly those it accepts.
        return may_import_sources(request.user)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SourceUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = source_upload(
                    actor=request.user,
                    upload=form.cleaned_data["file"],
                    filename=form.cleaned_data["file"].name,
                    format=form.cleaned_data["format"],
                    origin_url=form.cleaned_data["origin_url"],
                    reason=form.cleaned_data["reason"],
                )
            except NotAllowed as error:
                raise PermissionDenied(error.message) from None
            except DocumentError as error:  # too large, unreadable, or not a transcript
                form.add_document_error(error)
            else:
                messages.success(request, _import_confirmation(result))
                return HttpResponseRedirect(
                    reverse("admin:archive_transcript_change", args=[result.transcript.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a source",
            "subtitle": None,
            "opts": self.opts,
            "form": form,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/archive/source/upload.html", context)

    @admin.display(description="Text (first 2,000 characters)")
    def text_preview(self, obj):
        return obj.text[:2000] + ("…" if len(obj.text) > 2000 else "")

    def history_view(self, request, object_id, extra_context=None):
        source = self.get_object(request, object_id)
        if source is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return ledger_history_response(request, self, source, ledger.scoped_history(source))


@admin.register(Transcript)
class TranscriptAdmin(ReadOnlyAdmin):
    """The transcript list and a reading page of its segments in order."""

    list_display = ("title", "event_date", "format", "segment_count", "created_at")
    search_fields = ("title",)
    reading_template = "admin/archive/transcript/reading.html"
    segments_per_page = 200

    def change_view(self, request, object_id, form_url="", extra_context=None):
        transcript = self.get_object(request, object_id)
        if transcript is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, transcript):
            raise PermissionDenied
        paginator = Paginator(self.reading_segments(request, transcript), self.segments_per_page)
        paginator.count = transcript.segment_count  # stored on import: no COUNT(*)
        page = paginator.get_page(request.GET.get("p"))
        context = {
            **self.admin_site.each_context(request),
            "title": transcript.title,
            "subtitle": None,
            "original": transcript,
            "transcript": transcript,
            "source": transcript.source,
            "opts": self.opts,
            "page": page,
            "segments": self.reading_rows(request, transcript, list(page.object_list)),
            "has_view_permission": True,
            **self.reading_context(request, transcript),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.reading_template, context)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")

    def reading_segments(self, request, transcript):
        return Segment.objects.filter(transcript=transcript).order_by("ordinal")

    def reading_rows(self, request, transcript, segments):
        return [{"segment": segment} for segment in segments]

    def reading_context(self, request, transcript) -> dict:
        """More for the reading page's template (a subclass adds its tools)."""
        return {}

    def history_view(self, request, object_id, extra_context=None):
        transcript = self.get_object(request, object_id)
        if transcript is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        events = LedgerEvent.objects.filter(
            object_id__in=[str(transcript.pk), str(transcript.source_id)],
            object_type__in=["archive.transcript", "archive.source"],
        ).order_by("sequence")
        return ledger_history_response(request, self, transcript, events)


@admin.register(Segment)
class SegmentAdmin(ReadOnlyAdmin):
    list_display = ("ordinal", "clock", "location", "speaker", "excerpt", "transcript")
    list_select_related = ("transcript",)
    search_fields = ("=speaker",)
    readonly_fields = (
        "transcript",
        "ordinal",
        "clock",
        "clock_normalised",
        "location",
        "speaker",
        "speaker_role",
        "text",
        "source_start",
        "source_end",
    )
    exclude = ()
    show_full_result_count = False

    @admin.display(description="Text")
    def excerpt(self, obj):
        return shorten(obj.text, 120)


OBJECT_TYPES = [
    ("archive.source", "Source"),
    ("annotate.annotation", "Annotation"),
    ("annotate.citation", "Citation"),
    ("annotate.claimtype", "Claim type"),
]


class ObjectTypeFilter(admin.SimpleListFilter):
    title = "object type"
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        return OBJECT_TYPES

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(object_type=self.value())
        return queryset


@admin.register(LedgerEvent)
class LedgerEventAdmin(ReadOnlyAdmin):
    list_display = ("sequence", "recorded_at", "actor_label", "action", "object_type", "object_id")
    list_filter = (ObjectTypeFilter,)
    search_fields = ("=object_id",)
    search_help_text = "An object's id (exact)."
    ordering = ("-sequence",)
    readonly_fields = (
        "sequence",
        "recorded_at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "scope",
        "state",
        "changes",
        "reason",
        "prev_hash",
        "hash",
    )
    exclude = ("actor",)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        # object_type IN (...) AND object_id = term walks the (type, id, sequence) index.
        types = [value for value, _ in OBJECT_TYPES]
        return queryset.filter(object_type__in=types, object_id=term), False
