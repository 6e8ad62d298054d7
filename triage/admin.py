"""Claim triage in the admin: what to check first, per transcript and across recent ones.

Every team member reads the triage pages; annotators and editors also dismiss from them
(a form posting to :func:`dismiss_view`, which calls the service the API calls). Each
row's "annotate" link opens the transcript's reading page at the segment, with
``?select=<segment>:<start>:<end>`` naming the sentence for the desk to preselect.
Sentences and models are never edited here: scores come from training, spans from the
archive.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from archive.admin import ReadOnlyAdmin
from archive.models import Transcript
from common.errors import DomainError
from common.roles import roles_of
from triage import selectors, services
from triage.models import Sentence, TriageModel

PAGE_SIZE = 100
RECENT_TRANSCRIPTS = 10
RECENT_SENTENCES = 50


def annotate_url(sentence: Sentence) -> str:
    """The reading page at the sentence's segment, naming the sentence's span."""
    base = reverse("admin:archive_transcript_change", args=[sentence.transcript_id])
    return (
        f"{base}?select={sentence.segment_id}:{sentence.start}:{sentence.end}"
        f"#segment-{sentence.segment_ordinal}"
    )


def _rows(sentences) -> list[dict]:
    return [
        {
            "sentence": sentence,
            "score": f"{sentence.checkworthiness:.3f}",
            "annotate_url": annotate_url(sentence),
            "speaker": sentence.segment.speaker,
        }
        for sentence in sentences
    ]


class TeamReads:
    """Every team member reads these pages (the roles, not Django model permissions)."""

    def has_module_permission(self, request):
        return bool(roles_of(request.user))

    def has_view_permission(self, request, obj=None):
        return bool(roles_of(request.user))


@admin.register(Sentence)
class TriageAdmin(TeamReads, ReadOnlyAdmin):
    """The list page is the triage across recent transcripts; each transcript has its own."""

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        sentences = selectors.recent_triage(transcripts=RECENT_TRANSCRIPTS, limit=RECENT_SENTENCES)
        transcripts = selectors.recent_transcripts(limit=RECENT_TRANSCRIPTS)
        context = {
            **self.admin_site.each_context(request),
            "title": "Claim triage: what to check first",
            "subtitle": None,
            "opts": self.model._meta,
            "rows": _rows(sentences),
            "transcripts": transcripts,
            "may_dismiss": services.may_dismiss(request.user),
            "recent": RECENT_TRANSCRIPTS,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/triage/recent.html", context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "transcript/<uuid:transcript_id>/",
                wrap(self.transcript_view),
                name="triage_sentence_transcript",
            ),
            path(
                "<uuid:sentence_id>/dismiss/",
                wrap(self.dismiss_view),
                name="triage_sentence_dismiss",
            ),
            *super().get_urls(),
        ]

    def transcript_view(self, request, transcript_id):
        """One transcript's sentences, most check-worthy first (``?all=1``: with the
        annotated and dismissed ones)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        transcript = Transcript.objects.filter(pk=transcript_id).first()
        if transcript is None:
            raise Http404("no such transcript")
        services.transcript_sentences_ensure(transcript)
        include_done = request.GET.get("all") == "1"
        queryset = selectors.triage_queue(transcript.pk, include_done=include_done)
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("p"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Triage: {transcript.title}",
            "subtitle": None,
            "opts": self.model._meta,
            "transcript": transcript,
            "reading_url": reverse("admin:archive_transcript_change", args=[transcript.pk]),
            "rows": _rows(page.object_list),
            "page": page,
            "include_done": include_done,
            "may_dismiss": services.may_dismiss(request.user),
        }
        return TemplateResponse(request, "admin/triage/transcript.html", context)

    def dismiss_view(self, request, sentence_id):
        """POST: dismiss one sentence through the service, then back where the form was."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        sentence = Sentence.objects.filter(pk=sentence_id).only("id", "transcript_id").first()
        if sentence is None:
            raise Http404("no such sentence")
        try:
            services.sentence_dismiss(
                actor=request.user, sentence=sentence, reason=request.POST.get("reason", "")
            )
        except DomainError as error:
            messages.error(request, f"Not dismissed: {error.message}")
        else:
            messages.success(request, "Dismissed: it counts as not worth checking.")
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("admin:triage_sentence_transcript", args=[sentence.transcript_id])
        return HttpResponseRedirect(back)


@admin.register(TriageModel)
class TriageModelAdmin(TeamReads, ReadOnlyAdmin):
    """The trained models: what each learned from and how well it ranked in cross-validation."""

    list_display = ("created_at", "created_by", "active", "cv_map", "sentence_count", "embeddings")
    list_select_related = ("created_by",)
    fields = (
        "created_at",
        "created_by",
        "active",
        "cv_map",
        "cross_validation",
        "trained_on",
        "sentence_count",
        "positive_count",
        "size",
        "embeddings",
        "sha256",
        "reason",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")
