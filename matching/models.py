"""What matching keeps: the library's vectors, the trained rankers, and what people said
of the suggestions."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class FactCheckVector(models.Model):
    """The embeddings of one fact-check's claim and headline (float16, 1 KB each),
    computed from the content whose digest they carry; a changed fact-check gets new ones."""

    factcheck = models.OneToOneField(
        "library.FactCheck", primary_key=True, on_delete=models.CASCADE, related_name="vector"
    )
    model = models.CharField(max_length=64, help_text="The embedding model that made them.")
    digest = models.CharField(
        max_length=64, help_text="The fact-check's digest they were made from."
    )
    claim = models.BinaryField()
    headline = models.BinaryField()

    def __str__(self):
        return f"vectors of {self.factcheck_id}"


class Ranker(models.Model):
    """A trained ranker: one weight per feature. The newest active one ranks."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    weights = models.JSONField(help_text="Feature name: weight.")
    intercept = models.FloatField(default=0.0)
    regularisation = models.FloatField(help_text="The logistic regression's C, chosen by CV.")
    cv_map_at_5 = models.FloatField(help_text="MAP@5 in cross-validation over the queries.")
    trained_on = models.JSONField(help_text="Files (name, sha256) and query counts.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"ranker of {self.created_at:%Y-%m-%d %H:%M} (CV MAP@5 {self.cv_map_at_5:.3f})"


class Outcome(models.TextChoices):
    USED = "used", "Used as a citation"
    NOT_A_MATCH = "not-a-match", "Not a match"


class MatchFeedback(models.Model):
    """A person's word on one suggestion: used, or not a match."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    factcheck = models.ForeignKey("library.FactCheck", on_delete=models.PROTECT, related_name="+")
    segment = models.ForeignKey(
        "archive.Segment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    annotation = models.ForeignKey(
        "annotate.Annotation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(help_text="The words the suggestion was for.")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    score = models.FloatField(null=True, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["factcheck", "outcome"], name="feedback_factcheck_idx")]

    def __str__(self):
        return f"{self.outcome}: {self.factcheck_id}"
