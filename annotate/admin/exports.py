"""The admin's export pages for editors: request an export, follow it, download it.

``ExportAdmin`` lists exports (newest first) with their status, counts and a
download link; its "add" page is the export form, and the "Run again" action
requests the same export for the current state of the data. Everything goes
through :func:`annotate.datasets.service.export_request`; refusals come back as form errors
or messages, never as a server error.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from annotate import selectors, workflow
from annotate.datasets import exporters
from annotate.datasets.service import export_request, summarise_counts
from annotate.models import ClaimType, Export, ExportStatus, Status, Verdict
from annotate.workflow import Action
from archive.models import Transcript
from common.errors import DomainError
from common.roles import roles_of

EXPORT_FORM_SECTIONS = (
    ("Format", ("format", "unit")),
    (
        "Which annotations",
        ("status", "verdict", "claim_type", "transcript", "date_from", "date_to", "approved_only"),
    ),
    ("Why", ("reason",)),
)


def is_editor(user) -> bool:
    return workflow.may(Action.EXPORT, roles_of(user))


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        choices=[(name, f"{name}: {exporters.get(name).description}") for name in exporters.FORMATS]
    )
    unit = forms.ChoiceField(
        choices=[("segment", "One segment a line"), ("annotation", "One annotation a line")],
        initial="segment",
        help_text="JSONL only.",
    )
    status = forms.MultipleChoiceField(
        choices=Status.choices,
        required=False,
        initial=[Status.APPROVED],
        widget=forms.CheckboxSelectMultiple,
        help_text="Approved only unless you tick others; none ticked: every status.",
    )
    verdict = forms.MultipleChoiceField(
        choices=Verdict.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    claim_type = forms.ModelMultipleChoiceField(
        queryset=ClaimType.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    transcript = forms.ModelMultipleChoiceField(
        queryset=Transcript.objects.order_by("title", "id"),
        required=False,
        help_text="None selected: every transcript.",
    )
    date_from = forms.DateField(
        required=False, help_text="Annotations last changed on or after (YYYY-MM-DD, UTC)."
    )
    date_to = forms.DateField(required=False, help_text="... and on or before.")
    approved_only = forms.ChoiceField(
        choices=[("", "Format default (yes for claimreview)"), ("true", "Yes"), ("false", "No")],
        required=False,
    )
    reason = forms.CharField(required=False, max_length=2000, widget=forms.Textarea({"rows": 2}))

    def request_arguments(self) -> dict:
        data = self.cleaned_data
        options = {"unit": data["unit"]} if data["format"] == "jsonl" else {}
        return {
            "format": data["format"],
            "filters": {
                "status": data["status"],
                "verdict": data["verdict"],
                "claim_type": [c.slug for c in data["claim_type"]],
                "transcript": [str(t.pk) for t in data["transcript"]],
                "date_from": data["date_from"],
                "date_to": data["date_to"],
                "approved_only": data["approved_only"] or None,
            },
            "options": options,
            "reason": data["reason"],
        }


FILTER_LABELS = {
    "status": "status",
    "verdict": "verdict",
    "claim_type": "claim type",
    "transcript": "transcripts",
    "date_from": "changed on or after",
    "date_to": "changed on or before",
    "approved_only": "approved only",
}


def _describe_filters(filters: dict) -> str:
    """The export's filters in words: each one set, in the form's order."""
    parts = []
    for key, label in FILTER_LABELS.items():
        value = (filters or {}).get(key)
        if value in (None, "", [], ()):
            continue
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, list | tuple):
            value = (
                ", ".join(str(item) for item in value)
                if key != "transcript"
                else (f"{len(value)} selected")
            )
        parts.append(f"{label}: {value}")
    return "; ".join(parts) or "none: everything"


def _report(request, export: Export) -> None:
    if export.status == ExportStatus.DONE:
        messages.success(
            request, f"The {export.format} export is ready: {summarise_counts(export.counts)}."
        )
    elif export.status == ExportStatus.QUEUED:
        messages.info(
            request,
            f"The {export.format} export is large, so the worker runs it; "
            "this list shows when it is ready.",
        )
    else:
        messages.error(request, f"The {export.format} export failed: {export.error}")


class ExportAdmin(admin.ModelAdmin):
    list_display = ("requested_at", "format", "status_label", "requested_by", "summary", "download")
    list_filter = ("status", "format")
    list_select_related = ("requested_by",)
    ordering = ("-requested_at", "-id")
    actions = ["run_again"]

    # Editors manage exports; the group permissions predate the model, so roles decide.
    def has_module_permission(self, request):
        return is_editor(request.user)

    def has_view_permission(self, request, obj=None):
        return is_editor(request.user)

    def has_add_permission(self, request):
        return is_editor(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return selectors.export_list()

    fieldsets = (
        (None, {"fields": ("format", "status_label", "requested_by", "requested_at")}),
        ("What it holds", {"fields": ("filters_display", "options_display", "summary")}),
        ("The package", {"fields": ("download", "size_display", "sha256", "finished_at")}),
        (
            "Provenance",
            {"fields": ("ledger_sequence", "ledger_hash", "started_at", "worker", "error")},
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        # Shown as read: the export's record is never edited. Its path on the server
        # is left out (the download link serves it).
        return [name for fieldset in self.fieldsets for name in fieldset[1]["fields"]]

    @admin.display(description="filters")
    def filters_display(self, export):
        return _describe_filters(export.filters)

    @admin.display(description="options")
    def options_display(self, export):
        options = {k: v for k, v in (export.options or {}).items() if v not in (None, "", [])}
        return ", ".join(f"{k}: {v}" for k, v in options.items()) or "—"

    @admin.display(description="size")
    def size_display(self, export):
        if not export.size:
            return "—"
        if export.size < 1_000_000:
            return f"{export.size / 1_000:,.1f} kB"
        return f"{export.size / 1_000_000:,.1f} MB"

    @admin.display(description="status", ordering="status")
    def status_label(self, export):
        if export.status == ExportStatus.FAILED:
            return format_html('<span title="{}">failed</span>', export.error)
        return export.get_status_display().lower()

    @admin.display(description="records")
    def summary(self, export):
        return summarise_counts(export.counts) if export.counts else "—"

    @admin.display(description="package")
    def download(self, export):
        if export.status != ExportStatus.DONE:
            return "—"
        url = reverse("admin:annotate_export_download", args=[export.pk])
        return format_html('<a href="{}">download zip</a>', url)

    @admin.action(description="Run again with the same filters")
    def run_again(self, request, queryset):
        for previous in queryset.order_by("requested_at"):
            options = {k: v for k, v in previous.options.items() if k == "unit"}
            try:
                export = export_request(
                    actor=request.user,
                    format=previous.format,
                    filters=previous.filters,
                    options=options,
                    reason=f"run again ({previous.pk})",
                )
            except DomainError as error:
                messages.error(request, f"{previous.format}: {error.message}")
            else:
                _report(request, export)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<uuid:export_id>/download/",
                wrap(self.download_view),
                name="annotate_export_download",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise Http404("only editors may export datasets")
        initial = {}
        if request.GET.get("transcript"):
            initial["transcript"] = request.GET.get("transcript").split(",")
        form = ExportForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                export = export_request(actor=request.user, **form.request_arguments())
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                _report(request, export)
                return HttpResponseRedirect(reverse("admin:annotate_export_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Export a dataset",
            "opts": self.opts,
            "form": form,
            "sections": EXPORT_FORM_SECTIONS,
            "formats": [(name, exporters.get(name).description) for name in exporters.FORMATS],
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/annotate/export/export_form.html", context)

    def download_view(self, request, export_id):
        if not is_editor(request.user):
            raise Http404("only editors may download exports here")
        export = self.get_queryset(request).filter(pk=export_id).first()
        if export is None or export.status != ExportStatus.DONE or not Path(export.path).is_file():
            messages.error(request, "That export is not ready, or its file is gone.")
            return HttpResponseRedirect(reverse("admin:annotate_export_changelist"))
        return FileResponse(
            open(export.path, "rb"),  # noqa: SIM115 (FileResponse closes it)
            as_attachment=True,
            filename=f"claimtrail-{export.format}-{export.pk}.zip",
            content_type="application/zip",
        )


def register(site=admin.site) -> None:
    """Register the export pages (annotate/admin.py calls this once)."""
    if not site.is_registered(Export):
        site.register(Export, ExportAdmin)
