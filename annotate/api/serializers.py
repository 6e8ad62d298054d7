"""Serializers: read shapes (never query: the selectors load what they need) and strict
input shapes (unknown fields and wrong JSON types are refused, not ignored).

Input serializers only parse; the views hand the parsed values to a service.
"""

from __future__ import annotations

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotate import records
from annotate.models import Annotation, Citation, Review, Stance, Verdict
from archive.importers.registry import FORMATS
from common.api.serializers import (
    StrictBooleanField,
    StrictCharField,
    StrictInput,
    StrictIntegerField,
    StrictSlugField,
    StrictUUIDField,
)


@extend_schema_field({"type": "string", "description": "Username."})
class UsernameField(serializers.Field):
    """A user shown by username (the relation is loaded by the selector)."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return records.username(value)


@extend_schema_field({"type": "string", "nullable": True, "description": "Username, or null."})
class OptionalUsernameField(UsernameField):
    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)


# ---------------------------------------------------------------- fast representations
#
# The read serializers below describe the shapes (for validation of nothing and for
# the OpenAPI schema); their ``to_representation`` is a plain function, because DRF's
# generic field-by-field rendering costs more than the database for a page of 100
# annotations with nested citations. The schemathesis test checks every response
# against the schema these serializers generate.


def _dt(value) -> str | None:
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# How the API writes each kind of record value (annotate.records): as the export
# records do, but UTC times end in ``Z``, as DRF writes them.
API_WRITERS = {**records.WRITERS, "datetime": _dt}


def citation_data(c) -> dict:
    return records.record_of(records.API_CITATION_RECORD, c, API_WRITERS)


def review_data(r) -> dict:
    return records.record_of(records.API_REVIEW_RECORD, r, API_WRITERS)


def annotation_data(a) -> dict:
    data = records.record_of(records.API_ANNOTATION_RECORD, a, API_WRITERS)
    data["citations"] = [citation_data(c) for c in a.citations.all()]
    data["reviews"] = [review_data(r) for r in a.reviews.all()]
    return data


def _read_field(key: str, model, path: str, kind: str, **options) -> serializers.Field:
    """The read-only serializer field for one record column, from its model field (what
    the OpenAPI schema says about it)."""
    field = records.model_field(model, path)
    # DRF's own rendering (the schema, the parity test) reads the value at ``source``.
    source = path.replace("__", ".") if path != key else None
    if kind == "user":
        return OptionalUsernameField(source=source) if field.null else UsernameField(source=source)
    options = {"read_only": True, "help_text": field.help_text or None, "source": source, **options}
    if field.null:
        options["allow_null"] = True
    if kind == "uuid":
        return serializers.UUIDField(**options)
    if kind == "datetime":
        return serializers.DateTimeField(**options)
    if kind == "date":
        return serializers.DateField(**options)
    if field.choices:
        blank = [("", "none")] if field.blank else []
        return serializers.ChoiceField(choices=[*blank, *field.choices], **options)
    if isinstance(field, models.BooleanField):
        return serializers.BooleanField(**options)
    if isinstance(field, models.IntegerField):
        return serializers.IntegerField(**options)
    if isinstance(field, models.SlugField):
        return serializers.SlugField(**options)
    return serializers.CharField(**options)


def _read_serializer(name: str, model, table, represent, *, nested=None, options=None):
    """A read serializer whose fields are ``table``'s columns, then the fields ``nested()``
    returns, for the OpenAPI schema; it represents an instance with the plain function
    ``represent``. ``options`` adds field arguments by key."""
    options = options or {}
    attrs = {
        key: _read_field(key, model, path, kind, **options.get(key, {}))
        for key, path, kind in table
    }
    attrs.update(nested() if nested else {})  # created after: DRF orders fields by creation
    attrs["to_representation"] = lambda self, instance: represent(instance)
    attrs["__module__"] = __name__
    return serializers.SerializerMetaclass(name, (serializers.Serializer,), attrs)


def segment_data(g) -> dict:
    return {
        "id": str(g.pk),
        "transcript": str(g.transcript_id),
        "ordinal": g.ordinal,
        "clock": g.clock,
        "clock_normalised": g.clock_normalised,
        "location": g.location,
        "speaker": g.speaker,
        "speaker_role": g.speaker_role,
        "text": g.text,
        "source_start": g.source_start,
        "source_end": g.source_end,
    }


# ---------------------------------------------------------------- archive (read)


class SourceSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    title = serializers.CharField(read_only=True)
    filename = serializers.CharField(read_only=True)
    origin_url = serializers.CharField(read_only=True)
    media_type = serializers.CharField(read_only=True)
    encoding = serializers.CharField(read_only=True)
    retrieved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    imported_at = serializers.DateTimeField(read_only=True)
    imported_by = OptionalUsernameField()
    importer = serializers.CharField(read_only=True)
    sha256 = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)


class SourceDetailSerializer(SourceSerializer):
    text = serializers.CharField(
        read_only=True, help_text="The decoded text; segments and selectors are spans of it."
    )


class SourceUploadSerializer(StrictInput):
    file = serializers.FileField(help_text="The document, as received (bytes are kept exactly).")
    format = serializers.ChoiceField(choices=("auto", *FORMATS), default="auto")
    origin_url = serializers.URLField(required=False, allow_blank=True, default="")
    encoding = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    retrieved_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    revision_of = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Import as the next revision of this transcript (its latest). A file "
        "whose origin_url is that of an earlier source is its next revision by itself.",
    )


class TranscriptSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    source = serializers.UUIDField(source="source_id", read_only=True)
    title = serializers.CharField(read_only=True)
    event_date = serializers.DateField(read_only=True, allow_null=True)
    format = serializers.CharField(read_only=True)
    segment_count = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    revision = serializers.IntegerField(read_only=True, help_text="1, 2, 3... along revision_of.")
    revision_of = serializers.UUIDField(
        source="revision_of_id",
        read_only=True,
        allow_null=True,
        help_text="The transcript this one is the next revision of.",
    )


class RevisionSerializer(TranscriptSerializer):
    annotations = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="The annotations on this revision, by anchor status.",
    )


class RevisionListSerializer(serializers.Serializer):
    results = RevisionSerializer(many=True)


class SegmentChangeSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=("equal", "replace", "insert", "delete"))
    old = serializers.ListField(child=serializers.IntegerField(), help_text="Old ordinals.")
    new = serializers.ListField(child=serializers.IntegerField(), help_text="New ordinals.")
    old_text = serializers.ListField(child=serializers.CharField(), required=False)
    new_text = serializers.ListField(child=serializers.CharField(), required=False)


class RevisionDiffSerializer(serializers.Serializer):
    old = serializers.UUIDField()
    new = serializers.UUIDField()
    counts = serializers.DictField(child=serializers.IntegerField())
    changes = SegmentChangeSerializer(many=True)


class PlaceSerializer(StrictInput):
    segment = serializers.UUIDField(help_text="A segment of the latest revision.")
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RetireSerializer(StrictInput):
    reason = serializers.CharField(max_length=2000, help_text="Why it is not carried on.")


class CandidateSerializer(serializers.Serializer):
    segment = serializers.UUIDField(source="segment.pk")
    ordinal = serializers.IntegerField(source="segment.ordinal")
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    text = serializers.CharField()
    score = serializers.FloatField(help_text="difflib's ratio of these words to the quote.")


class DroppedSpanSerializer(serializers.Serializer):
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    reason = serializers.CharField()


class SourceImportSerializer(serializers.Serializer):
    created = serializers.BooleanField(
        help_text="False when these exact bytes were imported before."
    )
    source = SourceSerializer()
    transcript = TranscriptSerializer(allow_null=True)
    segment_count = serializers.IntegerField()
    dropped = DroppedSpanSerializer(many=True)
    revision_of = serializers.UUIDField(
        allow_null=True, help_text="The transcript this import is the next revision of."
    )
    derived = serializers.ListField(
        child=serializers.CharField(),
        help_text="What was done with the new transcript (annotations carried from the "
        "previous revision, with their counts).",
    )


class SegmentSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    transcript = serializers.UUIDField(source="transcript_id", read_only=True)
    ordinal = serializers.IntegerField(read_only=True)
    clock = serializers.CharField(read_only=True)
    clock_normalised = serializers.CharField(read_only=True)
    location = serializers.CharField(read_only=True)
    speaker = serializers.CharField(read_only=True)
    speaker_role = serializers.CharField(read_only=True)
    text = serializers.CharField(read_only=True)
    source_start = serializers.IntegerField(read_only=True)
    source_end = serializers.IntegerField(read_only=True)

    def to_representation(self, instance):
        return segment_data(instance)


# ---------------------------------------------------------------- taxonomy


class ClaimTypeSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    checkable = serializers.BooleanField(read_only=True)


class ClaimTypeCreateSerializer(StrictInput):
    slug = StrictSlugField(max_length=40)
    name = StrictCharField(max_length=100)
    description = StrictCharField(required=False, allow_blank=True, default="", max_length=5000)
    checkable = StrictBooleanField(required=False, default=True)
    reason = StrictCharField(required=False, allow_blank=True, default="", max_length=2000)


class ClaimTypeUpdateSerializer(StrictInput):
    name = StrictCharField(required=False, max_length=100)
    description = StrictCharField(required=False, allow_blank=True, max_length=5000)
    checkable = StrictBooleanField(required=False)
    reason = StrictCharField(required=False, allow_blank=True, default="", max_length=2000)


# ---------------------------------------------------------------- citations


CitationSerializer = _read_serializer(
    "CitationSerializer", Citation, records.API_CITATION_RECORD, citation_data
)


class CitationFieldsInput(StrictInput):
    """The citation's own fields; the service checks URLs and lengths again."""

    url = StrictCharField(max_length=2000)
    title = StrictCharField(required=False, allow_blank=True, max_length=500)
    publisher = StrictCharField(required=False, allow_blank=True, max_length=300)
    published_on = serializers.DateField(required=False, allow_null=True)
    accessed_at = serializers.DateTimeField(required=False, allow_null=True)
    archived_url = StrictCharField(required=False, allow_blank=True, max_length=2000)
    excerpt = StrictCharField(required=False, allow_blank=True, max_length=100_000)
    stance = serializers.ChoiceField(choices=Stance.choices, required=False)


class CitationCreateSerializer(CitationFieldsInput):
    annotation = StrictUUIDField(help_text="The annotation this citation supports.")
    reason = StrictCharField(required=False, allow_blank=True, default="", max_length=2000)


class CitationUpdateSerializer(CitationFieldsInput):
    url = StrictCharField(required=False, max_length=2000)
    reason = StrictCharField(required=False, allow_blank=True, default="", max_length=2000)


# ---------------------------------------------------------------- annotations


ReviewSerializer = _read_serializer(
    "ReviewSerializer", Review, records.API_REVIEW_RECORD, review_data
)
AnnotationSerializer = _read_serializer(
    "AnnotationSerializer",
    Annotation,
    records.API_ANNOTATION_RECORD,
    annotation_data,
    nested=lambda: {
        "citations": CitationSerializer(many=True, read_only=True),
        "reviews": ReviewSerializer(many=True, read_only=True),
    },
    options={"version": {"help_text": "Raised by every change; also sent as the ETag."}},
)


_VERDICT_INPUT = [("", "none"), *Verdict.choices]


class AnnotationCreateSerializer(StrictInput):
    segment = StrictUUIDField()
    start = StrictIntegerField(
        required=False,
        min_value=0,
        help_text="Offset into the segment text. Leave out with end to find the quote instead.",
    )
    end = StrictIntegerField(
        required=False,
        min_value=1,
        help_text="Offset into the segment text (exclusive). Leave out with start to find "
        "the quote instead.",
    )
    quote = StrictCharField(
        required=False,
        trim_whitespace=False,
        help_text="With offsets, must equal the text at the span; without them, found in the "
        "segment text (it must occur exactly once).",
    )
    claim_type = StrictSlugField(help_text="A claim type slug, e.g. quantity.")
    claim_text = StrictCharField(required=False, allow_blank=True, default="", max_length=10_000)
    verdict = serializers.ChoiceField(choices=_VERDICT_INPUT, required=False, default="")
    verdict_summary = StrictCharField(
        required=False, allow_blank=True, default="", max_length=10_000
    )
    note = StrictCharField(required=False, allow_blank=True, default="", max_length=10_000)
    citations = CitationFieldsInput(many=True, required=False, default=list, max_length=100)
    reason = StrictCharField(required=False, allow_blank=True, default="", max_length=2000)


class AnnotationUpdateSerializer(StrictInput):
    start = StrictIntegerField(required=False, min_value=0)
    end = StrictIntegerField(required=False, min_value=1)
    quote = StrictCharField(required=False, trim_whitespace=False)
    claim_type = StrictSlugField(required=False)
    claim_text = StrictCharField(required=False, allow_blank=True, max_length=10_000)
    verdict = serializers.ChoiceField(choices=_VERDICT_INPUT, required=False)
    verdict_summary = StrictCharField(required=False, allow_blank=True, max_length=10_000)
    note = StrictCharField(required=False, allow_blank=True, max_length=10_000)
    reason = StrictCharField(required=False, allow_blank=True, default="", max_length=2000)


class AssignSerializer(StrictInput):
    assignee = StrictCharField(allow_null=True, max_length=150, help_text="A username, or null.")
    reason = StrictCharField(required=False, allow_blank=True, default="", max_length=2000)


class TransitionSerializer(StrictInput):
    comment = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=10_000,
        help_text="Required to request changes or reject.",
    )
    reason = StrictCharField(required=False, allow_blank=True, default="", max_length=2000)


class LedgerEventSerializer(serializers.Serializer):
    sequence = serializers.IntegerField(read_only=True)
    recorded_at = serializers.DateTimeField(read_only=True)
    actor = serializers.CharField(source="actor_label", read_only=True)
    action = serializers.CharField(read_only=True)
    object_type = serializers.CharField(read_only=True)
    object_id = serializers.CharField(read_only=True)
    state = serializers.JSONField(read_only=True)
    changes = serializers.JSONField(read_only=True)
    reason = serializers.CharField(read_only=True)
    hash = serializers.CharField(read_only=True)


class CandidateListSerializer(serializers.Serializer):
    results = CandidateSerializer(many=True)
