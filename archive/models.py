"""What was said, kept exactly as received: sources, transcripts, segments, the ledger.

Nothing here is edited after import. ``save()`` refuses to change a stored row and
``delete()`` refuses to remove one; the import service is the only writer.
"""

import uuid

from django.conf import settings
from django.db import models

from .ledger import LedgerEvent, LedgerSeal  # noqa: F401  (the ledger's models live in ledger.py)


class ImmutableError(RuntimeError):
    """Raised when code tries to change archived evidence."""


class ImmutableModel(models.Model):
    """Rows that may be inserted once and never updated or deleted through the ORM."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError(
                f"{self._meta.verbose_name} is archived evidence and cannot change"
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(
            f"{self._meta.verbose_name} is archived evidence and cannot be deleted"
        )


class Source(ImmutableModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=500)
    filename = models.CharField(max_length=255, blank=True, help_text="File name as uploaded.")
    origin_url = models.URLField(max_length=2000, blank=True, help_text="Where it was published.")
    media_type = models.CharField(max_length=100, default="text/plain")
    encoding = models.CharField(max_length=40, default="utf-8")
    retrieved_at = models.DateTimeField(
        null=True, blank=True, help_text="When the document was fetched from its origin."
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    importer = models.CharField(max_length=64, help_text="Importer as name@version.")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the exact bytes received.")
    size = models.PositiveBigIntegerField(help_text="Size of the exact bytes, in bytes.")
    content = models.BinaryField(help_text="The exact bytes received.")
    text = models.TextField(help_text="The decoded text; segments are spans of it.")

    class Meta:
        ordering = ["-imported_at"]
        constraints = [
            models.UniqueConstraint(fields=["sha256"], name="archive_source_sha256_unique"),
        ]

    def __str__(self):
        return self.title


class Transcript(ImmutableModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="transcripts")
    title = models.CharField(max_length=500)
    event_date = models.DateField(null=True, blank=True)
    format = models.CharField(max_length=32, help_text="Importer format that parsed it.")
    segment_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # A corrected or extended version of a report is a new source and a new transcript,
    # the next revision of the one it replaces; the earlier ones stay as they were.
    revision_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
        help_text="The transcript this one is the next revision of.",
    )
    revision = models.PositiveIntegerField(
        default=1,
        db_default=1,  # rows of bulk loaders (the benchmarks' COPY) that predate the field
        help_text="1, 2, 3... along revision_of.",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A revision has at most one next revision: the chain never branches.
            models.UniqueConstraint(
                fields=["revision_of"],
                condition=models.Q(revision_of__isnull=False),
                name="archive_transcript_one_next_revision",
            ),
            models.CheckConstraint(
                condition=models.Q(revision_of__isnull=True, revision=1)
                | models.Q(revision_of__isnull=False, revision__gt=1),
                name="archive_transcript_revision_numbered",
            ),
        ]

    def __str__(self):
        return self.title


class Segment(ImmutableModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    transcript = models.ForeignKey(Transcript, on_delete=models.PROTECT, related_name="segments")
    ordinal = models.PositiveIntegerField(help_text="Position in the transcript, from 1.")
    clock = models.CharField(max_length=32, blank=True, help_text="Time as written, e.g. 1703.")
    clock_normalised = models.CharField(
        max_length=5, blank=True, help_text="HH:MM when the clock parses."
    )
    location = models.CharField(max_length=200, blank=True)
    speaker = models.CharField(max_length=300, blank=True, help_text="As written; blank if none.")
    speaker_role = models.CharField(max_length=500, blank=True)
    text = models.TextField(help_text="Exactly source.text[source_start:source_end].")
    source_start = models.PositiveBigIntegerField()
    source_end = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["transcript", "ordinal"]
        constraints = [
            models.UniqueConstraint(
                fields=["transcript", "ordinal"], name="archive_segment_ordinal_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(source_end__gt=models.F("source_start")),
                name="archive_segment_span_nonempty",
            ),
        ]
        indexes = [
            models.Index(fields=["speaker"], name="archive_segment_speaker_idx"),
            models.Index(
                fields=["transcript", "clock_normalised"], name="archive_segment_clock_idx"
            ),
        ]

    def __str__(self):
        label = self.clock_normalised or self.clock or f"#{self.ordinal}"
        return f"{label} {self.speaker or self.location or ''}".strip()
