"""The fact-check library: earlier fact-checks, imported or the team's own, unique by URL.

Models hold data and database constraints only. Every write goes through
``library.services``, which records each created or changed fact-check on the ledger.
"""

import uuid

from django.db import models

from annotate.models import Annotation, Verdict
from common.text import shorten


class FactCheck(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    url = models.URLField(
        max_length=2000,
        help_text="Where the fact-check is published; the team's own without a public "
        "address are urn:claimtrail:annotation:<id>.",
    )
    claim_reviewed = models.TextField(help_text="The claim the fact-check reviewed.")
    claimant = models.CharField(max_length=500, blank=True, help_text="Who made the claim.")
    claim_date = models.DateField(null=True, blank=True, help_text="When the claim was made.")
    rating_name = models.CharField(
        max_length=500, blank=True, help_text="The rating as published (alternateName)."
    )
    rating_value = models.FloatField(null=True, blank=True)
    rating_best = models.FloatField(null=True, blank=True)
    rating_worst = models.FloatField(null=True, blank=True)
    verdict = models.CharField(
        max_length=20,
        choices=Verdict.choices,
        blank=True,
        help_text="The rating on Claimtrail's scale, where it maps (library.verdicts).",
    )
    publisher_name = models.CharField(max_length=500, blank=True)
    publisher_url = models.CharField(max_length=2000, blank=True)
    date_published = models.DateField(null=True, blank=True)
    headline = models.CharField(max_length=1000, blank=True)
    language = models.CharField(max_length=35, blank=True, help_text="As given (en, English…).")
    review_body = models.TextField(
        blank=True, help_text="The fact-check's article (reviewBody), cut to 20,000 characters."
    )
    origin = models.CharField(
        max_length=255,
        help_text="Where this version came from: the file or feed imported, or "
        "“claimtrail” for the team's own approved annotations.",
    )
    annotation = models.ForeignKey(
        Annotation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # approved annotations are never deleted (reopen instead)
        related_name="factchecks",
        help_text="The team's own approved annotation this fact-check is.",
    )
    digest = models.CharField(
        max_length=64,
        help_text="SHA-256 of the normalised record (library.records): importing it again "
        "changes nothing.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "fact-check"
        constraints = [
            models.UniqueConstraint(fields=["url"], name="library_factcheck_url_unique"),
            models.UniqueConstraint(
                fields=["annotation"], name="library_factcheck_annotation_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(verdict__in=[*Verdict.values, ""]),
                name="library_factcheck_verdict_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(url="") & ~models.Q(claim_reviewed=""),
                name="library_factcheck_url_and_claim_present",
            ),
        ]
        indexes = [
            # The API's cursor order (created_at, id) and the admin's newest first.
            models.Index(fields=["created_at", "id"], name="factcheck_created_idx"),
            models.Index(fields=["verdict"], name="factcheck_verdict_idx"),
            models.Index(fields=["publisher_name"], name="factcheck_publisher_idx"),
            models.Index(fields=["language"], name="factcheck_language_idx"),
            models.Index(fields=["origin"], name="factcheck_origin_idx"),
            models.Index(fields=["-date_published"], name="factcheck_published_idx"),
        ]

    def __str__(self):
        return shorten(self.claim_reviewed, 80)
