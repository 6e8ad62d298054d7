"""DRF plumbing every API of the project shares: strict input and the error shape."""

from __future__ import annotations

import copy
from collections.abc import Mapping

from rest_framework import serializers

# ---------------------------------------------------------------- strict input


_FIELD_TEMPLATES: dict[type, dict] = {}


class StrictInput(serializers.Serializer):
    """Refuses fields it does not know, so a typo never passes silently.

    Each instance gets its own field objects, as DRF gives them, but copied from one
    private set per class (a shallow copy each) rather than rebuilt by ``deepcopy``,
    which calls every field's ``__init__`` again: that was most of the cost of parsing
    a write's body. Parsing never changes a field: what differs per instance is set
    by ``bind`` on the copy. (A nested list's child serializer is shared; validating
    it changes nothing on it either.)
    """

    def get_fields(self):
        templates = _FIELD_TEMPLATES.get(type(self))
        if templates is None:
            templates = _FIELD_TEMPLATES.setdefault(type(self), super().get_fields())
        return {name: copy.copy(field) for name, field in templates.items()}

    def is_valid(self, *, raise_exception=False):
        try:
            return super().is_valid(raise_exception=raise_exception)
        finally:
            # The bound fields and the serializer hold each other (each field's
            # ``parent``), a cycle only the garbage collector would free (see
            # annotate/api/middleware.py). Validation is done; ``fields`` is rebuilt
            # if anything reads it again.
            vars(self).pop("fields", None)

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            known = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(key) for key in data if key not in known)
            if unknown:
                raise serializers.ValidationError({key: ["unknown field"] for key in unknown})
        return super().to_internal_value(data)


class _JsonStringOnly:
    """Accept a JSON string only: DRF would otherwise coerce numbers into one."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class StrictCharField(_JsonStringOnly, serializers.CharField):
    """A JSON string, not a number or boolean coerced into one."""


class StrictIntegerField(serializers.IntegerField):
    """A JSON whole number, not a string or a float that looks like one."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictUUIDField(_JsonStringOnly, serializers.UUIDField):
    """A UUID written as a JSON string (DRF would also take an integer)."""


class StrictSlugField(_JsonStringOnly, serializers.SlugField):
    """A slug written as a JSON string."""


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


# ---------------------------------------------------------------- errors (for the schema)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable error code.")
    message = serializers.CharField(help_text="What is wrong, for people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field name: messages about that field (empty when not about a field).",
    )
    current_version = serializers.IntegerField(
        required=False, help_text="412 only: the object's current version."
    )
    changed_by = serializers.CharField(required=False, help_text="412 only: who changed it last.")
    changed_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="412 only: when it was changed last."
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()
