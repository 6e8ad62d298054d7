"""Query-string filters for the list endpoints (django-filter; invalid values give 400)."""

from __future__ import annotations

import re

import django_filters as filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from annotate import selectors
from annotate.models import AnchorStatus, Annotation, Citation, Stance, Status, Verdict
from archive.models import Segment, Source, Transcript

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@extend_schema_field({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$"})
class ClockFilter(filters.CharFilter):
    """``HH:MM``, compared with the segment's normalised clock."""


class StrictFilterSet(filters.FilterSet):
    """Refuses an empty value for a typed filter (``?updated_since=``) instead of ignoring it."""

    typed = (filters.UUIDFilter, filters.IsoDateTimeFilter, filters.ChoiceFilter, ClockFilter)

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, field_filter in self.filters.items():
            if isinstance(field_filter, self.typed) and name in self.data:
                if any(value == "" for value in self.data.getlist(name)):
                    self.form.add_error(name, "must not be empty (leave the parameter out)")
                    valid = False
        return valid


class SourceFilter(StrictFilterSet):
    sha256 = filters.CharFilter(help_text="SHA-256 of the exact bytes (hex).")
    imported_since = filters.IsoDateTimeFilter(field_name="imported_at", lookup_expr="gte")

    class Meta:
        model = Source
        fields = ["sha256", "imported_since"]


class TranscriptFilter(StrictFilterSet):
    source = filters.UUIDFilter(field_name="source_id")
    format = filters.CharFilter()

    class Meta:
        model = Transcript
        fields = ["source", "format"]


class SegmentFilter(StrictFilterSet):
    transcript = filters.UUIDFilter(field_name="transcript_id")
    speaker = filters.CharFilter(
        method="filter_speaker", help_text="Speaker as written (any case, spaces around ignored)."
    )
    location = filters.CharFilter(lookup_expr="iexact")
    clock_from = ClockFilter(
        method="filter_clock", help_text="HH:MM: segments at or after this clock time."
    )
    clock_to = ClockFilter(
        method="filter_clock", help_text="HH:MM: segments at or before this clock time."
    )
    q = filters.CharFilter(
        method="filter_text", help_text="Text search: segments whose text contains every word."
    )

    class Meta:
        model = Segment
        fields = ["transcript", "speaker", "location", "clock_from", "clock_to", "q"]

    def filter_clock(self, queryset, name, value):
        if not _HHMM.match(value):
            raise ValidationError({name: ["use HH:MM, e.g. 17:03"]})
        lookup = "gte" if name == "clock_from" else "lte"
        return queryset.exclude(clock_normalised="").filter(
            **{f"clock_normalised__{lookup}": value}
        )

    def filter_speaker(self, queryset, name, value):
        return selectors.segment_filter(queryset, speaker=value)

    def filter_text(self, queryset, name, value):
        condition = Q()
        for word in value.split()[:20]:
            condition &= Q(text__icontains=word)
        return queryset.filter(condition)


class AnnotationFilter(StrictFilterSet):
    """Parses and validates the query string; :func:`annotate.selectors.annotation_filter`,
    which the admin's list filters call too, does the filtering."""

    status = filters.MultipleChoiceFilter(choices=Status.choices)
    anchor_status = filters.MultipleChoiceFilter(
        choices=AnchorStatus.choices,
        help_text="Across transcript revisions; orphaned: the re-anchoring queue.",
    )
    verdict = filters.MultipleChoiceFilter(choices=[("", "none"), *Verdict.choices])
    claim_type = filters.CharFilter(field_name="claim_type__slug")
    transcript = filters.UUIDFilter(field_name="segment__transcript_id")
    segment = filters.UUIDFilter(field_name="segment_id")
    speaker = filters.CharFilter(
        field_name="segment__speaker",
        help_text="Speaker as written (any case, spaces around ignored).",
    )
    creator = filters.CharFilter(field_name="created_by", help_text="Username of the creator.")
    assignee = filters.CharFilter(
        field_name="assignee", help_text="Username of the assignee, or none."
    )
    updated_since = filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="ISO 8601 date-time."
    )

    class Meta:
        model = Annotation
        fields = [
            "status",
            "anchor_status",
            "verdict",
            "claim_type",
            "transcript",
            "segment",
            "speaker",
            "creator",
            "assignee",
            "updated_since",
        ]

    def filter_queryset(self, queryset):
        """One call to the shared selector with every value given (the filters' own
        ``filter`` methods never run)."""
        data = self.form.cleaned_data
        assignee = data.get("assignee") or ""
        return selectors.annotation_filter(
            queryset,
            status=data.get("status") or (),
            anchor_status=data.get("anchor_status") or (),
            verdict=data.get("verdict") or (),
            claim_type=_one(data.get("claim_type")),
            transcript=_one(data.get("transcript")),
            segment=data.get("segment"),
            speaker=data.get("speaker") or "",
            creator=data.get("creator") or "",
            assignee="" if assignee == "none" else assignee,
            unassigned=assignee == "none",
            updated_since=data.get("updated_since"),
        )


def _one(value) -> tuple:
    """A single query-string value as the selector's list of values (none when empty)."""
    return () if value in (None, "") else (value,)


class CitationFilter(StrictFilterSet):
    annotation = filters.UUIDFilter(field_name="annotation_id")
    stance = filters.ChoiceFilter(choices=Stance.choices)

    class Meta:
        model = Citation
        fields = ["annotation", "stance"]
