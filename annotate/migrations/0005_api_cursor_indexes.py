"""Indexes for the API's cursor pages: (created_at, id) on annotations, (added_at, id) on
citations.

The API walks these tables in creation order (an immutable, unique ordering, so
concurrent edits never make a walker skip or repeat a row); without an index
every page would sort the whole table. Created with ``schema_editor.add_index``
rather than ``AddIndex`` so the models' migration state is untouched, like 0004.
"""

from django.db import migrations, models

INDEXES = [
    ("Annotation", "annotation_created_idx", ("created_at", "id")),
    ("Citation", "citation_added_idx", ("added_at", "id")),
]


def create_indexes(apps, schema_editor):
    for model_name, name, fields in INDEXES:
        model = apps.get_model("annotate", model_name)
        schema_editor.add_index(model, models.Index(fields=list(fields), name=name))


def drop_indexes(apps, schema_editor):
    for model_name, name, fields in INDEXES:
        model = apps.get_model("annotate", model_name)
        schema_editor.remove_index(model, models.Index(fields=list(fields), name=name))


class Migration(migrations.Migration):
    dependencies = [
        ("annotate", "0004_search_indexes"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
