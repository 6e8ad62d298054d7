"""Signed seals, evidence rows the database refuses to change, and the seal lock as a function.

* ``LedgerSeal.key_id`` / ``signature``: an Ed25519 signature over each seal's hash by
  a key kept outside the database (archive.signing). Seals written before this
  migration are signed here, attesting the ledger as it stands at the upgrade.
* On PostgreSQL, the evidence tables (sources, transcripts, segments) get the same
  row triggers as the ledger: UPDATE and DELETE are refused even to their owner.
* ``archive_lock_ledger_for_seal()``: sealing must hold appends back while it reads
  the new events (a SHARE ROW EXCLUSIVE lock), a lock PostgreSQL grants only to roles
  that may UPDATE, DELETE or TRUNCATE the table. The app's role may do none of these,
  so the lock is taken by this function, which runs as its owner (SECURITY DEFINER)
  and can do nothing else.
"""

from django.db import migrations, models

EVIDENCE_TABLES = ("archive_source", "archive_transcript", "archive_segment")

CREATE = """
CREATE OR REPLACE FUNCTION archive_evidence_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'evidence is kept as received: %% on %% refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION archive_lock_ledger_for_seal() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    LOCK TABLE archive_ledgerevent IN SHARE ROW EXCLUSIVE MODE;
END;
$$;
REVOKE ALL ON FUNCTION archive_lock_ledger_for_seal() FROM PUBLIC;
"""

TRIGGER = """
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION archive_evidence_refuse_change();
"""


def guard_evidence(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE)
    for table in EVIDENCE_TABLES:
        schema_editor.execute(TRIGGER.format(table=table))


def unguard_evidence(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in EVIDENCE_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS archive_evidence_refuse_change()")
    schema_editor.execute("DROP FUNCTION IF EXISTS archive_lock_ledger_for_seal()")


def sign_existing_seals(apps, schema_editor):
    from archive import signing

    LedgerSeal = apps.get_model("archive", "LedgerSeal")
    unsigned = list(LedgerSeal.objects.filter(signature="").order_by("number"))
    if not unsigned:
        return
    table = LedgerSeal._meta.db_table
    postgres = schema_editor.connection.vendor == "postgresql"
    with schema_editor.connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE needs none pending
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER archive_ledgerseal_append_only")
        for seal in unsigned:
            key_id, signature = signing.sign(seal.hash)
            cursor.execute(
                f"UPDATE {table} SET key_id = %s, signature = %s WHERE id = %s",
                [key_id, signature, seal.pk],
            )
        if postgres:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER archive_ledgerseal_append_only")


class Migration(migrations.Migration):
    dependencies = [("archive", "0005_segment_order_index_covers_id")]

    operations = [
        migrations.AddField(
            model_name="ledgerseal",
            name="key_id",
            field=models.CharField(default="", editable=False, max_length=16),
        ),
        migrations.AddField(
            model_name="ledgerseal",
            name="signature",
            field=models.CharField(default="", editable=False, max_length=128),
        ),
        migrations.RunPython(sign_existing_seals, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(guard_evidence, unguard_evidence, elidable=False),
    ]
