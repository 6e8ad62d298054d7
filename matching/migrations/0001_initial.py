"""Matching's tables: the library's vectors (derived, so they go with their fact-check),
the trained rankers, and what people said of suggestions (kept: PROTECT).

The app role's privileges need nothing here: ``archive.privileges`` grants them after
each migrate.
"""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('annotate', '0008_annotation_note'),
        ('archive', '0006_signed_seals_and_evidence_guards'),
        ('library', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='FactCheckVector',
            fields=[
                ('factcheck', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='vector', serialize=False, to='library.factcheck')),
                ('model', models.CharField(help_text='The embedding model that made them.', max_length=64)),
                ('digest', models.CharField(help_text="The fact-check's digest they were made from.", max_length=64)),
                ('claim', models.BinaryField()),
                ('headline', models.BinaryField()),
            ],
        ),
        migrations.CreateModel(
            name='Ranker',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('weights', models.JSONField(help_text='Feature name: weight.')),
                ('intercept', models.FloatField(default=0.0)),
                ('regularisation', models.FloatField(help_text="The logistic regression's C, chosen by CV.")),
                ('cv_map_at_5', models.FloatField(help_text='MAP@5 in cross-validation over the queries.')),
                ('trained_on', models.JSONField(help_text='Files (name, sha256) and query counts.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('active', models.BooleanField(default=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='MatchFeedback',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('text', models.TextField(help_text='The words the suggestion was for.')),
                ('outcome', models.CharField(choices=[('used', 'Used as a citation'), ('not-a-match', 'Not a match')], max_length=20)),
                ('score', models.FloatField(blank=True, null=True)),
                ('rank', models.PositiveIntegerField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('annotation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='annotate.annotation')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('factcheck', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='library.factcheck')),
                ('segment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='archive.segment')),
            ],
            options={
                'indexes': [models.Index(fields=['factcheck', 'outcome'], name='feedback_factcheck_idx')],
            },
        ),
    ]
