"""On PostgreSQL, make the database itself refuse UPDATE and DELETE on the ledger.

SQLite has no such enforcement; there the hash chain (verify_ledger) still
detects any change.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION archive_ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the provenance ledger is append-only: %% refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER archive_ledger_append_only
    BEFORE UPDATE OR DELETE ON archive_ledgerevent
    FOR EACH ROW EXECUTE FUNCTION archive_ledger_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS archive_ledger_append_only ON archive_ledgerevent;
DROP FUNCTION IF EXISTS archive_ledger_refuse_change();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
