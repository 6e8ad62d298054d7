"""The ledger is hash-linked: verify_ledger finds edited, deleted, inserted and reordered rows."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from archive import ledger
from archive.ledger import LedgerError, LedgerEvent


def _append_events(n: int):
    with transaction.atomic():
        for i in range(n):
            ledger.append(
                actor=None,
                action="test.event",
                object_type="test.thing",
                object_id=str(i),
                state={"n": i, "text": "é <b>"},
            )


def _raw_sql(sql: str, params=()):
    """Change the ledger behind the ORM's back, as an attacker with SQL access would."""
    table = LedgerEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks before ALTER
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER archive_ledger_append_only")
        cursor.execute(sql.format(table=table), params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER archive_ledger_append_only")


def _problems():
    return [str(p) for p in ledger.verify()]


@pytest.fixture
def chain(db):
    _append_events(5)


def test_fresh_chain_verifies(chain):
    assert _problems() == []
    assert ledger.head()[0] == 5
    call_command("verify_ledger")


def test_append_outside_transaction_is_refused(transactional_db):
    with pytest.raises(LedgerError):
        ledger.append(actor=None, action="x", object_type="t", object_id="1")


def test_edited_row_is_detected(chain):
    _raw_sql("UPDATE {table} SET reason = 'rewritten' WHERE sequence = 3")
    assert any("#3" in p and "edited" in p for p in _problems())
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_ledger")


def test_edited_state_is_detected(chain):
    _raw_sql("UPDATE {table} SET action = 'test.other' WHERE sequence = 2")
    assert any("#2" in p for p in _problems())


def test_deleted_row_is_detected(chain):
    _raw_sql("DELETE FROM {table} WHERE sequence = 2")
    problems = _problems()
    assert any("#3" in p and "missing" in p for p in problems)
    assert any("#3" in p and "link" in p for p in problems)


def test_inserted_row_is_detected(chain):
    # A careful forger makes room at #3 and gives the forged row a valid link and hash.
    _raw_sql("UPDATE {table} SET sequence = -sequence WHERE sequence >= 3")
    _raw_sql("UPDATE {table} SET sequence = 1 - sequence WHERE sequence < 0")
    previous = LedgerEvent.objects.get(sequence=2)
    forged = LedgerEvent(
        sequence=3,
        recorded_at=previous.recorded_at,
        actor_label="forger",
        action="x",
        object_type="x",
        object_id="x",
        scope="x:x",
        state={},
        changes={},
        reason="",
        prev_hash=previous.hash,
    )
    forged.hash = ledger.compute_hash(forged)
    forged.save(force_insert=True)
    problems = _problems()
    assert not any("#3" in p for p in problems)
    assert any("#4" in p and "link" in p for p in problems)
    assert any("#4" in p and "edited" in p for p in problems)  # its sequence changed


def test_reordered_rows_are_detected(chain):
    _raw_sql("UPDATE {table} SET sequence = -1 WHERE sequence = 2")
    _raw_sql("UPDATE {table} SET sequence = 2 WHERE sequence = 3")
    _raw_sql("UPDATE {table} SET sequence = 3 WHERE sequence = -1")
    problems = _problems()
    assert any("#2" in p for p in problems)
    assert any("#3" in p for p in problems)


def test_orm_refuses_to_change_or_delete_events(chain):
    event = LedgerEvent.objects.get(sequence=1)
    event.reason = "changed"
    with pytest.raises(LedgerError):
        event.save()
    with pytest.raises(LedgerError):
        event.delete()


@pytest.mark.postgres
def test_postgres_trigger_refuses_update_and_delete(chain):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    table = LedgerEvent._meta.db_table
    for sql in (f"UPDATE {table} SET reason = 'x'", f"DELETE FROM {table}"):
        with pytest.raises(Exception, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
    assert LedgerEvent.objects.filter(reason="x").count() == 0
    assert LedgerEvent.objects.count() == 5


def test_sequence_is_unique(chain):
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_sql(
            "INSERT INTO {table} (sequence, recorded_at, actor_label, action, object_type,"
            " object_id, scope, state, changes, reason, prev_hash, hash)"
            " VALUES (1, CURRENT_TIMESTAMP, 'x', 'x', 'x', 'x', 'x', '{{}}', '{{}}', '', 'x', 'x')"
        )


def test_a_service_writes_its_events_together_at_its_end(db):
    @ledger.atomic
    def service():
        first = ledger.append(actor=None, action="a", object_type="t", object_id="1")
        assert first.sequence is None  # buffered, not yet on the chain
        assert LedgerEvent.objects.count() == 0
        ledger.append(actor=None, action="b", object_type="t", object_id="1")
        return first

    first = service()
    events = list(LedgerEvent.objects.all())
    assert [(e.sequence, e.action) for e in events] == [(1, "a"), (2, "b")]
    assert first.sequence == 1 and events[1].prev_hash == events[0].hash
    assert _problems() == []


def test_a_failing_service_writes_no_event(db):
    @ledger.atomic
    def service():
        ledger.append(actor=None, action="a", object_type="t", object_id="1")
        raise RuntimeError("refused half-way")

    with pytest.raises(RuntimeError):
        service()
    assert LedgerEvent.objects.count() == 0
    _append_events(1)  # the buffer is gone: the next append is written at once
    assert LedgerEvent.objects.count() == 1
