"""The library in the admin: list and search it, read a fact-check, upload files to import.

Every team member reads it; fact-checks are never edited here (a changed record comes
again through an import, with its ledger event). Editors get an upload form as the
"add" page, which calls :func:`library.services.factcheck_upload` like the API.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from annotate.admin.lists import InputFilter
from archive import ledger
from archive.admin import ReadOnlyAdmin, ledger_history_response
from common.errors import DomainError, NotAllowed
from common.roles import roles_of
from common.text import shorten
from library import selectors, services
from library.formats import FORMATS
from library.models import FactCheck
from library.records import ORIGIN_MAX_LENGTH

SHOWN_REASONS = 5  # refused records named in the message after an upload


class PublisherFilter(InputFilter):
    title = "publisher"
    parameter_name = "publisher"
    placeholder = "name, any case"

    def queryset(self, request, queryset):
        return selectors.factcheck_filter(queryset, publisher=self.value() or "")


class OriginFilter(InputFilter):
    title = "origin"
    parameter_name = "origin"
    placeholder = "file name, or claimtrail"

    def queryset(self, request, queryset):
        return selectors.factcheck_filter(queryset, origin=self.value() or "")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class FactCheckUploadForm(forms.Form):
    files = MultipleFileField(
        help_text="schema.org ClaimReview as JSON-LD (an object, a list, an @graph, a DataFeed) "
        "or JSONL, or a Google Fact Check Tools claims:search answer. Several at once are "
        "imported together, or none of them."
    )
    format = forms.ChoiceField(
        choices=[("auto", "Detect")] + [(name, name) for name in FORMATS], initial="auto"
    )
    strict = forms.BooleanField(
        required=False,
        help_text="Refuse a file whole if any record in it is bad (otherwise bad records are "
        "skipped and listed).",
    )
    origin = forms.CharField(
        required=False,
        max_length=ORIGIN_MAX_LENGTH,
        help_text="Where the records come from (default: each file's name).",
    )
    reason = forms.CharField(required=False, label="Note for the ledger")


def _summary(result: services.ImportResult) -> str:
    shown = "; ".join(str(item) for item in result.refused[:SHOWN_REASONS])
    more = len(result.refused) - SHOWN_REASONS
    line = f"{result.name} ({result.format}): {result.summary()}"
    if shown:
        line += f". Skipped: {shown}" + (f"; and {more} more" if more > 0 else "")
    return line


@admin.register(FactCheck)
class FactCheckAdmin(ReadOnlyAdmin):
    list_display = (
        "claim",
        "claimant",
        "verdict",
        "rating_name",
        "publisher_name",
        "date_published",
        "origin",
    )
    list_filter = ("verdict", PublisherFilter, "language", OriginFilter)
    search_fields = ("claim_reviewed",)  # shows the search box; get_search_results searches
    search_help_text = (
        "Words of the claim, headline, claimant or publisher (on PostgreSQL: full-text, with "
        '"quotes", or and -word), or an exact URL.'
    )
    ordering = ("-created_at", "-id")
    readonly_fields = (
        "claim_reviewed",
        "claimant",
        "claim_date",
        "rating_name",
        "rating_value",
        "rating_best",
        "rating_worst",
        "verdict",
        "link",
        "headline",
        "publisher_name",
        "publisher_url",
        "date_published",
        "language",
        "origin",
        "annotation_link",
        "digest",
        "created_at",
        "updated_at",
    )
    exclude = ("url", "annotation")
    upload_template = "admin/library/factcheck/upload.html"

    # Every team member reads the library (the group permissions predate it); editors import.
    def has_module_permission(self, request):
        return bool(roles_of(request.user))

    def has_view_permission(self, request, obj=None):
        return bool(roles_of(request.user))

    def has_add_permission(self, request, obj=None):
        return services.may_import_factchecks(request.user)

    def get_queryset(self, request):
        return selectors.factcheck_list()

    def get_search_results(self, request, queryset, search_term):
        return selectors.factcheck_search(queryset, search_term), False

    @admin.display(description="claim reviewed", ordering="claim_reviewed")
    def claim(self, obj):
        return shorten(obj.claim_reviewed, 120)

    @admin.display(description="url")
    def link(self, obj):
        if obj.url.startswith(("http://", "https://")):
            return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', obj.url, obj.url)
        return obj.url

    @admin.display(description="annotation")
    def annotation_link(self, obj):
        if obj.annotation_id is None:
            return "—"
        url = reverse("admin:annotate_annotation_change", args=[obj.annotation_id])
        return format_html('<a href="{}">the team\'s annotation</a>', url)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = FactCheckUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            values = form.cleaned_data
            try:
                results = services.factcheck_upload(
                    actor=request.user,
                    files=[services.Upload(upload.name, upload) for upload in values["files"]],
                    format=values["format"],
                    origin=values["origin"],
                    reason=values["reason"],
                    strict=values["strict"],
                )
            except NotAllowed as error:
                raise PermissionDenied(error.message) from None
            except services.UploadRefused as refusal:
                for refused in refusal.files:
                    shown = "; ".join(str(item) for item in refused.refused[:SHOWN_REASONS])
                    detail = f" ({shown})" if shown and shown not in refused.message else ""
                    form.add_error("files", f"{refused.name}: {refused.message}{detail}")
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                for result in results:
                    level = messages.WARNING if result.refused else messages.SUCCESS
                    messages.add_message(request, level, _summary(result))
                return HttpResponseRedirect(reverse("admin:library_factcheck_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import fact-checks",
            "subtitle": None,
            "opts": self.opts,
            "form": form,
            "has_view_permission": True,
        }
        return TemplateResponse(request, self.upload_template, context)

    def history_view(self, request, object_id, extra_context=None):
        factcheck = self.get_object(request, object_id)
        if factcheck is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return ledger_history_response(request, self, factcheck, ledger.history(factcheck))
