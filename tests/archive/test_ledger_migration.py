"""Migration 0003 re-links a ledger written by the previous release and seals it."""

import hashlib
import json
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from archive import ledger, privileges
from tests.dbroles import owner_connection

BEFORE = [("archive", "0002_ledger_append_only")]
GENESIS = "0" * 64


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _old_hash(row: dict) -> str:
    """The hash as the previous release computed it (global chain, sequence in the JSON)."""
    payload = json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _write_old_chain(events: list[tuple[str, str]], *, break_at: int | None = None) -> None:
    prev = GENESIS
    recorded = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with connection.cursor() as cursor:
        for sequence, (scope, action) in enumerate(events, start=1):
            object_type, object_id = scope.split(":")
            row = {
                "sequence": sequence,
                "recorded_at": recorded.isoformat(),
                "actor_id": None,
                "actor_label": "system",
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "scope": scope,
                "state": {"n": sequence, "text": "é"},
                "changes": {},
                "reason": "",
                "prev_hash": prev,
            }
            digest = _old_hash(row)
            if sequence == break_at:
                digest = "f" * 64
            cursor.execute(
                "INSERT INTO archive_ledgerevent (sequence, recorded_at, actor_id, actor_label,"
                " action, object_type, object_id, scope, state, changes, reason, prev_hash, hash)"
                " VALUES (%s, %s, NULL, 'system', %s, %s, %s, %s, %s, '{}', '', %s, %s)",
                [sequence, recorded, action, object_type, object_id, scope,
                 json.dumps(row["state"]), prev, digest],
            )  # fmt: skip
            prev = digest


@pytest.fixture
def previous_release(transactional_db):
    """The schema as the previous release left it; the latest schema again afterwards.

    Migrations change the schema, so this runs as the tables' owner, as ``migrate`` does.
    """
    with owner_connection():
        latest = _latest()
        _migrate(BEFORE)
        yield
        with connection.cursor() as cursor:  # TRUNCATE: the trigger refuses DELETE on PostgreSQL
            postgres = connection.vendor == "postgresql"
            cursor.execute(f"{'TRUNCATE' if postgres else 'DELETE FROM'} archive_ledgerevent")
        _migrate(latest)
        privileges.grant_app_role()  # as `migrate` does: the sequence was made anew


def test_the_old_chain_is_relinked_per_object_and_sealed(previous_release):
    scopes = ["t:a", "t:b", "t:a", "t:c", "t:b", "t:a"]
    _write_old_chain([(scope, f"act{n}") for n, scope in enumerate(scopes)])
    _migrate(_latest())
    assert list(ledger.verify()) == []
    seal = ledger.LedgerSeal.objects.get()
    assert (seal.events, seal.last_sequence) == (6, 6)
    a_events = list(ledger.LedgerEvent.objects.filter(scope="t:a").order_by("sequence"))
    assert a_events[0].prev_hash == GENESIS
    assert [e.prev_hash for e in a_events[1:]] == [e.hash for e in a_events[:-1]]
    with transaction.atomic():  # new events continue the numbering and the object's chain
        event = ledger.append(actor=None, action="after", object_type="t", object_id="a")
    assert event.sequence == 7 and event.prev_hash == a_events[-1].hash
    assert list(ledger.verify()) == []


def test_a_broken_old_chain_stops_the_migration(previous_release):
    _write_old_chain([("t:a", "one"), ("t:a", "two"), ("t:b", "three")], break_at=2)
    with pytest.raises(RuntimeError, match="broken at event #2"):
        _migrate(_latest())
