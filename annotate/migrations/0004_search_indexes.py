"""Full-text search indexes for the admin's annotation search (PostgreSQL only).

GIN expression indexes over exactly the ``SearchVector`` expressions that
``annotate.admin_lists.search_annotations`` filters on, so a search is answered
from the index instead of computing ``to_tsvector`` for every row. The segment
index lives on archive's table but serves annotate's search, so it is created
here (annotate depends on archive, never the other way). SQLite: nothing to do.

Created with ``schema_editor.add_index`` rather than ``AddIndex`` so the models'
migration state is untouched (no model declares these indexes).
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEXES = [
    ("annotate", "Annotation", "annotation_search_idx", ("quote", "claim_text")),
    ("archive", "Segment", "segment_search_idx", ("text",)),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for app_label, model_name, name, fields in INDEXES:
        model = apps.get_model(app_label, model_name)
        schema_editor.add_index(model, GinIndex(SearchVector(*fields, config="english"), name=name))


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _, _, name, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("annotate", "0003_export"),
        ("archive", "0002_ledger_append_only"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
