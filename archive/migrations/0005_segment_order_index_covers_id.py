"""On PostgreSQL the segment order constraint's index also carries the segment id.

Exports sort annotations by their segment's place (transcript, ordinal). With the id
in the index PostgreSQL reads that place from the index alone (an index-only scan,
a tenth of the table's size) instead of reading every segment's row. Uniqueness is
unchanged: the constraint keeps its name and its columns, ``INCLUDE`` only adds a
payload. Django's model state is left as it is, because SQLite has no ``INCLUDE``
and Django would then drop the constraint there; the index is rebuilt once here.
"""

from django.db import migrations

CONSTRAINT = "archive_segment_ordinal_unique"


def _replace(schema_editor, include: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'ALTER TABLE "archive_segment" DROP CONSTRAINT "{CONSTRAINT}", '
        f'ADD CONSTRAINT "{CONSTRAINT}" UNIQUE ("transcript_id", "ordinal"){include}'
    )


def cover_the_id(apps, schema_editor):
    _replace(schema_editor, ' INCLUDE ("id")')


def uncover_the_id(apps, schema_editor):
    _replace(schema_editor, "")


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0004_ledger_actor_single_index_dropped"),
    ]

    operations = [
        migrations.RunPython(cover_the_id, uncover_the_id, elidable=False),
    ]
