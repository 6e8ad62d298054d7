"""Shapes of the triage API: a sentence as read, and the strict input of a dismissal."""

from __future__ import annotations

from rest_framework import serializers

from common.api.serializers import StrictCharField, StrictInput
from triage.models import Sentence


def sentence_data(sentence: Sentence) -> dict:
    """A sentence as the API answers it (``annotated`` comes from the selector)."""
    return {
        "id": str(sentence.pk),
        "segment": str(sentence.segment_id),
        "ordinal": sentence.segment_ordinal,
        "sentence": sentence.ordinal,
        "start": sentence.start,
        "end": sentence.end,
        "text": sentence.text,
        "checkworthiness": sentence.checkworthiness,
        "scored_by": str(sentence.scored_by_id) if sentence.scored_by_id else None,
        "annotated": bool(sentence.annotated),
        "dismissed": sentence.dismissed,
    }


class SentenceSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    segment = serializers.UUIDField(read_only=True)
    ordinal = serializers.IntegerField(read_only=True, help_text="The segment's ordinal.")
    sentence = serializers.IntegerField(read_only=True, help_text="Position in the segment.")
    start = serializers.IntegerField(read_only=True, help_text="Offset into the segment's text.")
    end = serializers.IntegerField(read_only=True, help_text="Offset (exclusive).")
    text = serializers.CharField(read_only=True, help_text="Exactly segment.text[start:end].")
    checkworthiness = serializers.FloatField(read_only=True, help_text="0 to 1, higher first.")
    scored_by = serializers.UUIDField(
        read_only=True, allow_null=True, help_text="The triage model; null for the heuristic."
    )
    annotated = serializers.BooleanField(read_only=True, help_text="An annotation overlaps it.")
    dismissed = serializers.BooleanField(read_only=True)

    def to_representation(self, instance):
        return sentence_data(instance)


class DismissSerializer(StrictInput):
    reason = StrictCharField(required=False, default="", allow_blank=True, max_length=2000)
