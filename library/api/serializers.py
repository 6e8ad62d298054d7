"""The library's API shapes: a fact-check as read, an import's input and its answer.

Read serializers describe the shapes for the OpenAPI schema and represent a row with a
plain function (:func:`factcheck_data`) built from :data:`library.records.FIELDS`, so
the API names the same fields as the ledger and the digest. They never query.
"""

from __future__ import annotations

from rest_framework import serializers

from annotate.models import Verdict
from common.api.serializers import StrictInput
from library.formats import FORMATS
from library.models import FactCheck
from library.records import FIELDS, ORIGIN_MAX_LENGTH, values_of
from library.services import ImportResult

# Refused records an answer lists per file (the count is always complete).
REFUSED_SHOWN = 100


def _dt(value) -> str | None:
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def factcheck_data(factcheck: FactCheck) -> dict:
    """A fact-check as the API shows it: its id, every field, where it came from, when."""
    return {
        "id": str(factcheck.pk),
        **values_of(factcheck),
        "origin": factcheck.origin,
        "created_at": _dt(factcheck.created_at),
        "updated_at": _dt(factcheck.updated_at),
    }


def _read_field(name: str, kind: str) -> serializers.Field:
    field = FactCheck._meta.get_field(name)
    options = {"read_only": True, "help_text": field.help_text or None}
    if kind == "date":
        return serializers.DateField(allow_null=True, **options)
    if kind == "number":
        return serializers.FloatField(allow_null=True, **options)
    if kind == "uuid":
        return serializers.UUIDField(allow_null=True, **options)
    if name == "verdict":
        return serializers.ChoiceField(choices=[("", "none"), *Verdict.choices], **options)
    return serializers.CharField(**options)


def _factcheck_serializer():
    attrs = {"id": serializers.UUIDField(read_only=True)}
    attrs.update({name: _read_field(name, kind) for name, kind in FIELDS})
    attrs["origin"] = serializers.CharField(
        read_only=True, help_text=FactCheck._meta.get_field("origin").help_text
    )
    attrs["created_at"] = serializers.DateTimeField(read_only=True)
    attrs["updated_at"] = serializers.DateTimeField(read_only=True)
    attrs["to_representation"] = lambda self, instance: factcheck_data(instance)
    attrs["__module__"] = __name__
    attrs["__doc__"] = "A fact-check of the library."
    return serializers.SerializerMetaclass("FactCheckSerializer", (serializers.Serializer,), attrs)


FactCheckSerializer = _factcheck_serializer()


# ---------------------------------------------------------------- importing


class FactCheckUploadSerializer(StrictInput):
    """Multipart input of ``POST /api/v1/factchecks/import/``."""

    file = serializers.ListField(
        child=serializers.FileField(),
        allow_empty=False,
        help_text="One or more files: ClaimReview JSON-LD or JSONL, or a Fact Check Tools answer.",
    )
    format = serializers.ChoiceField(choices=("auto", *FORMATS), default="auto")
    strict = serializers.BooleanField(
        default=False, help_text="Refuse a file whole if any of its records is bad."
    )
    origin = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=ORIGIN_MAX_LENGTH,
        help_text="Where the records come from (default: each file's name).",
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ImportQuerySerializer(serializers.Serializer):
    """Query parameters of an import sent as a JSON body (the body is the document)."""

    name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=ORIGIN_MAX_LENGTH
    )
    format = serializers.ChoiceField(choices=("auto", *FORMATS), default="auto")
    strict = serializers.BooleanField(default=False)
    origin = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=ORIGIN_MAX_LENGTH
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RefusedRecordSerializer(serializers.Serializer):
    where = serializers.CharField(help_text="The record's position: line 12, claims[5]…")
    reason = serializers.CharField()


class ImportedFileSerializer(serializers.Serializer):
    name = serializers.CharField()
    format = serializers.ChoiceField(choices=FORMATS)
    origin = serializers.CharField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    refused = serializers.IntegerField(help_text="Records skipped (each listed below).")
    refused_records = RefusedRecordSerializer(
        many=True, help_text=f"The refused records, the first {REFUSED_SHOWN}."
    )


class ImportAnswerSerializer(serializers.Serializer):
    files = ImportedFileSerializer(many=True)


def imported_file_data(result: ImportResult) -> dict:
    return {
        "name": result.name,
        "format": result.format,
        "origin": result.origin,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "refused": len(result.refused),
        "refused_records": refused_data(result.refused),
    }


def refused_data(items) -> list[dict]:
    return [{"where": item.where, "reason": item.reason} for item in items[:REFUSED_SHOWN]]
