"""The fact-check library, and its full-text search index (PostgreSQL only).

The GIN index is over exactly the ``SearchVector`` that ``library.selectors.
factcheck_search`` filters on, so a search reads the index instead of computing
``to_tsvector`` for every row. It is created with ``schema_editor`` (as annotate 0004
does) so the model state stays portable; SQLite searches without it.

The app role's privileges on the new table need nothing here: ``archive.privileges``
grants it SELECT, INSERT, UPDATE and DELETE on every table after each migrate.
"""

import uuid

import django.db.models.deletion
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models

SEARCH_INDEX = "factcheck_search_idx"
SEARCH_FIELDS = ("claim_reviewed", "headline", "claimant", "publisher_name")


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("library", "FactCheck")
    schema_editor.add_index(
        model, GinIndex(SearchVector(*SEARCH_FIELDS, config="english"), name=SEARCH_INDEX)
    )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("annotate", "0008_annotation_note"),
    ]

    operations = [
        migrations.CreateModel(
            name="FactCheck",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "url",
                    models.URLField(
                        help_text="Where the fact-check is published; the team's own without a public address are urn:claimtrail:annotation:<id>.",
                        max_length=2000,
                    ),
                ),
                (
                    "claim_reviewed",
                    models.TextField(help_text="The claim the fact-check reviewed."),
                ),
                (
                    "claimant",
                    models.CharField(blank=True, help_text="Who made the claim.", max_length=500),
                ),
                (
                    "claim_date",
                    models.DateField(blank=True, help_text="When the claim was made.", null=True),
                ),
                (
                    "rating_name",
                    models.CharField(
                        blank=True,
                        help_text="The rating as published (alternateName).",
                        max_length=500,
                    ),
                ),
                ("rating_value", models.FloatField(blank=True, null=True)),
                ("rating_best", models.FloatField(blank=True, null=True)),
                ("rating_worst", models.FloatField(blank=True, null=True)),
                (
                    "verdict",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("true", "True"),
                            ("mostly-true", "Mostly true"),
                            ("mixed", "Mixed"),
                            ("mostly-false", "Mostly false"),
                            ("false", "False"),
                            ("unverifiable", "Unverifiable"),
                            ("not-checkable", "Not checkable"),
                        ],
                        help_text="The rating on Claimtrail's scale, where it maps (library.verdicts).",
                        max_length=20,
                    ),
                ),
                ("publisher_name", models.CharField(blank=True, max_length=500)),
                ("publisher_url", models.CharField(blank=True, max_length=2000)),
                ("date_published", models.DateField(blank=True, null=True)),
                ("headline", models.CharField(blank=True, max_length=1000)),
                (
                    "language",
                    models.CharField(
                        blank=True, help_text="As given (en, English…).", max_length=35
                    ),
                ),
                (
                    "origin",
                    models.CharField(
                        help_text="Where this version came from: the file or feed imported, or “claimtrail” for the team's own approved annotations.",
                        max_length=255,
                    ),
                ),
                (
                    "digest",
                    models.CharField(
                        help_text="SHA-256 of the normalised record (library.records): importing it again changes nothing.",
                        max_length=64,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "annotation",
                    models.ForeignKey(
                        blank=True,
                        help_text="The team's own approved annotation this fact-check is.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="factchecks",
                        to="annotate.annotation",
                    ),
                ),
            ],
            options={
                "verbose_name": "fact-check",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["created_at", "id"], name="factcheck_created_idx"),
                    models.Index(fields=["verdict"], name="factcheck_verdict_idx"),
                    models.Index(fields=["publisher_name"], name="factcheck_publisher_idx"),
                    models.Index(fields=["language"], name="factcheck_language_idx"),
                    models.Index(fields=["origin"], name="factcheck_origin_idx"),
                    models.Index(fields=["-date_published"], name="factcheck_published_idx"),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("url",), name="library_factcheck_url_unique"),
                    models.UniqueConstraint(
                        fields=("annotation",), name="library_factcheck_annotation_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "verdict__in",
                                [
                                    "true",
                                    "mostly-true",
                                    "mixed",
                                    "mostly-false",
                                    "false",
                                    "unverifiable",
                                    "not-checkable",
                                    "",
                                ],
                            )
                        ),
                        name="library_factcheck_verdict_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("url", ""), _negated=True),
                            models.Q(("claim_reviewed", ""), _negated=True),
                        ),
                        name="library_factcheck_url_and_claim_present",
                    ),
                ],
            },
        ),
        migrations.RunPython(create_search_index, drop_search_index),
    ]
