"""Judgement about the archive: claim types, annotations, citations, reviews.

Models hold data and database constraints only. Every write goes through
``annotate.services``; the rules of the review workflow are in ``annotate.workflow``.
"""

import uuid

from django.conf import settings
from django.db import models

from archive.models import Segment
from common.text import shorten


class Verdict(models.TextChoices):
    TRUE = "true", "True"
    MOSTLY_TRUE = "mostly-true", "Mostly true"
    MIXED = "mixed", "Mixed"
    MOSTLY_FALSE = "mostly-false", "Mostly false"
    FALSE = "false", "False"
    UNVERIFIABLE = "unverifiable", "Unverifiable"
    NOT_CHECKABLE = "not-checkable", "Not checkable"


# ClaimReview reviewRating values; unrated verdicts have none.
VERDICT_RATINGS = {
    Verdict.TRUE: 5,
    Verdict.MOSTLY_TRUE: 4,
    Verdict.MIXED: 3,
    Verdict.MOSTLY_FALSE: 2,
    Verdict.FALSE: 1,
}


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in-review", "In review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Stance(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    REFUTES = "refutes", "Refutes"
    CONTEXT = "context", "Context"


class Decision(models.TextChoices):
    APPROVE = "approve", "Approve"
    REQUEST_CHANGES = "request-changes", "Request changes"
    REJECT = "reject", "Reject"


def _in_choices(field: str, choices, *, blank: bool = False) -> models.Q:
    values = list(choices.values) + ([""] if blank else [])
    return models.Q(**{f"{field}__in": values})


class ClaimType(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=40, help_text="Stable name used in exports and the API.")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    checkable = models.BooleanField(
        default=True, help_text="Whether a claim of this type can be checked against evidence."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="annotate_claimtype_slug_unique")
        ]

    def __str__(self):
        return self.name


class AnchorStatus(models.TextChoices):
    """Where an annotation stands after its transcript was revised (annotate.anchoring)."""

    ORIGINAL = "original", "On the revision it was made on"
    UNCHANGED = "unchanged", "Carried: its segment is unchanged"
    MOVED = "moved", "Carried: its words found exactly once in the new revision"
    ORPHANED = "orphaned", "Needs re-anchoring: not found exactly in the new revision"
    PLACED = "placed", "Placed on the new revision by a person"
    RETIRED = "retired", "Retired: not carried to the new revision, with a reason"


class Annotation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="annotations")
    start = models.PositiveIntegerField(help_text="Offset into the segment's text.")
    end = models.PositiveIntegerField(help_text="Offset into the segment's text (exclusive).")
    quote = models.TextField(help_text="Exactly segment.text[start:end].")
    prefix = models.CharField(max_length=32, blank=True, help_text="Up to 32 characters before.")
    suffix = models.CharField(max_length=32, blank=True, help_text="Up to 32 characters after.")
    claim_type = models.ForeignKey(ClaimType, on_delete=models.PROTECT, related_name="annotations")
    claim_text = models.TextField(blank=True, help_text="The claim restated in plain words.")
    verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True)
    verdict_summary = models.TextField(blank=True)
    note = models.TextField(
        blank=True,
        default="",
        db_default="",  # rows written by bulk loaders that predate the field get "" too
        help_text="The annotator's note to the reviewers: how the claim was checked, what is "
        "still open. Kept with the record, not published in segments.jsonl.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    anchor_status = models.CharField(
        max_length=20,
        choices=AnchorStatus.choices,
        default=AnchorStatus.ORIGINAL,
        db_default=AnchorStatus.ORIGINAL,  # rows of bulk loaders that predate the field
        help_text="How the annotation came to its revision of the transcript.",
    )
    anchor_note = models.CharField(
        max_length=500,
        blank=True,
        default="",
        db_default="",
        help_text="Why it was orphaned or retired.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations_created"
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations_edited"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="annotations_assigned",
    )
    version = models.PositiveIntegerField(default=1, help_text="Raised by every change.")
    review_round = models.PositiveIntegerField(
        default=0, help_text="Raised by every submission; approvals count within a round."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="annotate_annotation_span_valid"
            ),
            models.CheckConstraint(
                condition=_in_choices("status", Status), name="annotate_annotation_status_valid"
            ),
            models.CheckConstraint(
                condition=_in_choices("verdict", Verdict, blank=True),
                name="annotate_annotation_verdict_valid",
            ),
            models.CheckConstraint(
                condition=_in_choices("anchor_status", AnchorStatus),
                name="annotate_annotation_anchor_status_valid",
            ),
        ]
        indexes = [
            # The re-anchoring queue: the few orphans among many annotations.
            models.Index(
                fields=["anchor_status"],
                condition=models.Q(anchor_status="orphaned"),
                name="annotation_orphan_idx",
            ),
            models.Index(fields=["status", "-updated_at"], name="annotation_status_idx"),
            models.Index(fields=["assignee", "status"], name="annotation_assignee_idx"),
            models.Index(fields=["created_by", "status"], name="annotation_creator_idx"),
            models.Index(fields=["verdict"], name="annotation_verdict_idx"),
            models.Index(fields=["-updated_at", "-id"], name="annotation_updated_idx"),
        ]

    def __str__(self):
        # No quotation marks: the admin's messages and pages put their own around it.
        return shorten(self.quote, 60)

    @property
    def rating(self) -> int | None:
        return VERDICT_RATINGS.get(self.verdict)


class Citation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="citations")
    url = models.URLField(max_length=2000)
    title = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=300, blank=True)
    published_on = models.DateField(null=True, blank=True)
    accessed_at = models.DateTimeField(null=True, blank=True)
    archived_url = models.URLField(
        max_length=2000, blank=True, help_text="A snapshot, such as a web archive copy."
    )
    excerpt = models.TextField(blank=True)
    stance = models.CharField(max_length=10, choices=Stance.choices, default=Stance.SUPPORTS)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_in_choices("stance", Stance), name="annotate_citation_stance_valid"
            ),
        ]

    def __str__(self):
        return self.title or self.url


class Review(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    annotation = models.ForeignKey(Annotation, on_delete=models.PROTECT, related_name="reviews")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comment = models.TextField(blank=True)
    annotation_version = models.PositiveIntegerField(help_text="The version that was reviewed.")
    review_round = models.PositiveIntegerField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_in_choices("decision", Decision), name="annotate_review_decision_valid"
            ),
        ]
        indexes = [models.Index(fields=["annotation", "review_round"], name="review_round_idx")]

    def __str__(self):
        return f"{self.get_decision_display()} on v{self.annotation_version}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Export(models.Model):
    """One dataset export: what was asked for, and what was delivered.

    Written only by ``annotate.datasets.service``; the delivered package is a file under
    ``path`` and its manifest repeats the filters, counts and ledger position.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    format = models.CharField(max_length=20, help_text="Export format, e.g. jsonl or csv.")
    options = models.JSONField(default=dict, blank=True, help_text="Format options (unit, zip).")
    filters = models.JSONField(default=dict, blank=True, help_text="The validated filters.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    path = models.CharField(max_length=1000, blank=True, help_text="Where the package was written.")
    size = models.PositiveBigIntegerField(null=True, blank=True, help_text="Bytes delivered.")
    sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the zip file, or of datapackage.json."
    )
    counts = models.JSONField(default=dict, blank=True, help_text="Records written, by kind.")
    ledger_sequence = models.BigIntegerField(
        null=True, blank=True, help_text="Last ledger event the exported data reflects."
    )
    ledger_hash = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    worker = models.CharField(
        max_length=200, blank=True, help_text="host:pid of the process running the export."
    )
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life from the process running it."
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=_in_choices("status", ExportStatus), name="annotate_export_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["requested_by", "-requested_at"], name="export_requester_idx")
        ]

    def __str__(self):
        return f"{self.format} export ({self.status})"
