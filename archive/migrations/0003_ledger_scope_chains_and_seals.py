"""Chain ledger events per scope and seal them in ranges, so writers stop queueing.

Until now every event linked to the event before it in the whole ledger, so every
append took one global lock and held it through COMMIT: all writers, on any
object, went one at a time. From here on an event links to the previous event of
its *scope*, sequence numbers come from a PostgreSQL sequence, and seals
(``archive_ledgerseal``) chain the whole ledger in ranges (see archive/ledger.py).

An event's hash also changes shape: SHA-256 over its content digest, its sequence
number and its link, so PostgreSQL can finish it inside the INSERT.

Existing events are re-linked: the old chain is verified first (the migration
stops if it is broken, so no tampering is laundered), then each event's
``prev_hash`` and ``hash`` are recomputed for its scope's chain, and one seal
covers them all. Both hashings are frozen here, as they were when this was written.
"""

import hashlib
import json
from datetime import UTC

from django.db import migrations, models

GENESIS_HASH = "0" * 64
SEQUENCE_NAME = "archive_ledgerevent_sequence_seq"

SEAL_TRIGGER = """
CREATE TRIGGER archive_ledgerseal_append_only
    BEFORE UPDATE OR DELETE ON archive_ledgerseal
    FOR EACH ROW EXECUTE FUNCTION archive_ledger_refuse_change();
"""


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sha256(value) -> str:
    return hashlib.sha256(_canonical(value).encode("utf-8")).hexdigest()


def _content(event) -> dict:
    return {
        "recorded_at": event.recorded_at.astimezone(UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": str(event.object_id),
        "scope": event.scope,
        "state": event.state,
        "changes": event.changes,
        "reason": event.reason,
    }


def _old_hash(event) -> str:
    """The hash as 0001/0002 defined it: canonical content with sequence and global link."""
    return _sha256({**_content(event), "sequence": event.sequence, "prev_hash": event.prev_hash})


def _new_hash(event, prev_hash: str) -> str:
    """The hash from here on: content digest, sequence and the scope's link (ledger.link_hash)."""
    digest = _sha256(_content(event))
    return hashlib.sha256(f"{digest}:{event.sequence}:{prev_hash}".encode("ascii")).hexdigest()


def relink_and_seal(apps, schema_editor):
    LedgerEvent = apps.get_model("archive", "LedgerEvent")
    LedgerSeal = apps.get_model("archive", "LedgerSeal")
    postgres = schema_editor.connection.vendor == "postgresql"
    table = LedgerEvent._meta.db_table
    events = LedgerEvent.objects.order_by("sequence")
    expected, previous = 1, GENESIS_HASH
    for event in events.iterator(chunk_size=5000):
        if (
            event.sequence != expected
            or event.prev_hash != previous
            or _old_hash(event) != event.hash
        ):
            raise RuntimeError(
                f"the ledger chain is broken at event #{event.sequence}: run verify_ledger "
                "on the previous release and investigate before migrating"
            )
        expected, previous = event.sequence + 1, event.hash
    last_sequence = expected - 1

    heads: dict[str, str] = {}
    digest = hashlib.sha256()
    with schema_editor.connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE needs none pending
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER archive_ledger_append_only")
        for event in events.iterator(chunk_size=5000):
            prev_hash = heads.get(event.scope, GENESIS_HASH)
            new_hash = heads[event.scope] = _new_hash(event, prev_hash)
            cursor.execute(
                f"UPDATE {table} SET prev_hash = %s, hash = %s WHERE id = %s",
                [prev_hash, new_hash, event.pk],
            )
            digest.update(f"{event.sequence}:{new_hash}\n".encode("ascii"))
        if postgres:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER archive_ledger_append_only")
            cursor.execute(f"CREATE SEQUENCE {SEQUENCE_NAME} START WITH {last_sequence + 1}")
            cursor.execute(SEAL_TRIGGER)
    if last_sequence:
        from django.utils import timezone

        seal = LedgerSeal(
            number=1,
            last_sequence=last_sequence,
            events=last_sequence,
            digest=digest.hexdigest(),
            sealed_at=timezone.now(),
            prev_hash=GENESIS_HASH,
        )
        seal.hash = _sha256(
            {
                "number": seal.number,
                "last_sequence": seal.last_sequence,
                "events": seal.events,
                "digest": seal.digest,
                "sealed_at": seal.sealed_at.astimezone(UTC).isoformat(),
                "prev_hash": seal.prev_hash,
            }
        )
        seal.save(force_insert=True)


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE_NAME}")
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS archive_ledgerseal_append_only ON archive_ledgerseal"
        )


class Migration(migrations.Migration):
    dependencies = [("archive", "0002_ledger_append_only")]

    operations = [
        migrations.CreateModel(
            name="LedgerSeal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.BigIntegerField(editable=False, unique=True)),
                (
                    "last_sequence",
                    models.BigIntegerField(
                        editable=False,
                        help_text="The newest event the seal covers.",
                        unique=True,
                    ),
                ),
                (
                    "events",
                    models.BigIntegerField(editable=False, help_text="How many events it covers."),
                ),
                (
                    "digest",
                    models.CharField(
                        editable=False,
                        help_text="SHA-256 over the covered events' hashes.",
                        max_length=64,
                    ),
                ),
                ("sealed_at", models.DateTimeField(editable=False)),
                ("prev_hash", models.CharField(editable=False, max_length=64)),
                ("hash", models.CharField(editable=False, max_length=64)),
            ],
            options={"verbose_name": "ledger seal", "ordering": ["number"]},
        ),
        migrations.AlterField(
            model_name="ledgerevent",
            name="prev_hash",
            field=models.CharField(
                editable=False,
                help_text="Hash of the previous event of the same scope.",
                max_length=64,
            ),
        ),
        migrations.RunPython(relink_and_seal, drop_sequence, elidable=False),
    ]
