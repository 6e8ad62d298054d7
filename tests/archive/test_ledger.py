"""The ledger is hash-linked: verify_ledger finds edited, deleted, inserted and reordered rows."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from archive import ledger
from archive.ledger import LedgerError, LedgerEvent
from tests.dbroles import owner_sql


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
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks before ALTER
        owner_sql(f"ALTER TABLE {table} DISABLE TRIGGER archive_ledger_append_only")
    owner_sql(sql.format(table=table), params)
    if connection.vendor == "postgresql":
        owner_sql(f"ALTER TABLE {table} ENABLE TRIGGER archive_ledger_append_only")


def _problems():
    return [str(p) for p in ledger.verify()]


SCOPES = ("test.thing:a", "test.thing:b")


@pytest.fixture
def chain(db):
    """Six events, alternating between two objects' chains, then sealed. Returns sequences."""
    with transaction.atomic():
        for i in range(6):
            ledger.append(
                actor=None,
                action="test.event",
                object_type="test.thing",
                object_id=SCOPES[i % 2].split(":")[1],
                state={"n": i, "text": "é <b>"},
            )
    ledger.seal()
    return list(LedgerEvent.objects.order_by("sequence").values_list("sequence", flat=True))


def test_fresh_chain_verifies(chain):
    assert _problems() == []
    assert ledger.head()[0] == chain[-1]
    assert len(chain) == 6 and chain == sorted(set(chain))
    call_command("verify_ledger")


def test_each_event_links_to_the_previous_event_of_its_scope(chain):
    for scope in SCOPES:
        events = list(LedgerEvent.objects.filter(scope=scope).order_by("sequence"))
        assert events[0].prev_hash == ledger.GENESIS_HASH
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]


def test_a_seal_covers_every_event_since_the_previous_seal(chain):
    first = ledger.LedgerSeal.objects.get()
    assert (first.number, first.events, first.last_sequence) == (1, 6, chain[-1])
    assert ledger.seal() is None  # nothing new
    _append_events(2)
    second = ledger.seal()
    assert (second.number, second.events, second.prev_hash) == (2, 2, first.hash)
    assert _problems() == []
    call_command("seal_ledger")  # nothing to seal, and says so without failing


def test_append_outside_transaction_is_refused(transactional_db):
    with pytest.raises(LedgerError):
        ledger.append(actor=None, action="x", object_type="t", object_id="1")


def test_edited_row_is_detected(chain):
    _raw_sql("UPDATE {table} SET reason = 'rewritten' WHERE sequence = %s", [chain[2]])
    assert any(f"#{chain[2]}" in p and "edited" in p for p in _problems())
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_ledger")


def test_edited_state_is_detected(chain):
    _raw_sql("UPDATE {table} SET action = 'test.other' WHERE sequence = %s", [chain[1]])
    assert any(f"#{chain[1]}" in p for p in _problems())


def test_row_deleted_inside_an_objects_chain_is_detected(chain):
    _raw_sql("DELETE FROM {table} WHERE sequence = %s", [chain[2]])  # the 2nd event of scope a
    problems = _problems()
    assert any(f"#{chain[4]}" in p and "link" in p for p in problems)
    assert any("seal 1" in p and "deleted" in p for p in problems)


def test_an_objects_last_event_deleted_is_detected_by_the_seal(chain):
    _raw_sql("DELETE FROM {table} WHERE sequence = %s", [chain[5]])  # scope b's newest
    problems = _problems()
    assert problems and all("seal 1" in p for p in problems)
    assert any("covers 6 event(s) but 5" in p for p in problems)


def test_inserted_row_is_detected(chain):
    # A careful forger back-dates a whole object's history: one self-consistent event
    # numbered before every real one, linked to the genesis of its own new scope.
    first = LedgerEvent.objects.get(sequence=chain[0])
    forged = LedgerEvent(
        sequence=0,
        recorded_at=first.recorded_at,
        actor_label="forger",
        action="x",
        object_type="test.thing",
        object_id="z",
        scope="test.thing:z",
        state={},
        changes={},
        reason="",
        prev_hash=ledger.GENESIS_HASH,
    )
    forged.hash = ledger.compute_hash(forged)
    forged.save(force_insert=True)
    problems = _problems()
    assert not any("#0:" in p for p in problems)  # it is self-consistent
    assert any("seal 1" in p and "covers 6 event(s) but 7" in p for p in problems)


def test_reordered_rows_are_detected(chain):
    second, third = chain[1], chain[2]
    _raw_sql("UPDATE {table} SET sequence = -1 WHERE sequence = %s", [second])
    _raw_sql("UPDATE {table} SET sequence = %s WHERE sequence = %s", [second, third])
    _raw_sql("UPDATE {table} SET sequence = %s WHERE sequence = -1", [third])
    problems = _problems()
    assert any(f"#{second}" in p and "edited" in p for p in problems)
    assert any(f"#{third}" in p and "edited" in p for p in problems)


def test_edited_seal_is_detected(chain):
    table = ledger.LedgerSeal._meta.db_table
    if connection.vendor == "postgresql":
        owner_sql(f"ALTER TABLE {table} DISABLE TRIGGER archive_ledgerseal_append_only")
    owner_sql(f"UPDATE {table} SET events = 5")
    if connection.vendor == "postgresql":
        owner_sql(f"ALTER TABLE {table} ENABLE TRIGGER archive_ledgerseal_append_only")
    assert any("seal 1" in p and "edited" in p for p in _problems())


def test_orm_refuses_to_change_or_delete_events(chain):
    event = LedgerEvent.objects.get(sequence=chain[0])
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
            owner_sql(sql)  # even the tables' owner is refused
    assert LedgerEvent.objects.filter(reason="x").count() == 0
    assert LedgerEvent.objects.count() == 6


def test_sequence_is_unique(chain):
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_sql(
            "INSERT INTO {table} (sequence, recorded_at, actor_label, action, object_type,"
            " object_id, scope, state, changes, reason, prev_hash, hash)"
            " VALUES (%s, CURRENT_TIMESTAMP, 'x', 'x', 'x', 'x', 'x', '{{}}', '{{}}', '', 'x', 'x')",
            [chain[0]],
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
    assert [e.action for e in events] == ["a", "b"]
    assert events[1].sequence == events[0].sequence + 1 == first.sequence + 1
    assert events[1].prev_hash == events[0].hash
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


@pytest.mark.postgres
def test_writers_of_different_objects_do_not_wait_for_each_other(transactional_db):
    """A writer holding its transaction open does not block another object's append."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time by design")
    import threading

    from django.db import connections

    holding, done = threading.Event(), threading.Event()

    def slow_writer():
        try:
            with transaction.atomic():
                ledger.append(actor=None, action="slow", object_type="t", object_id="slow")
                holding.set()
                done.wait(timeout=10)  # keeps its transaction (and its scope lock) open
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    try:
        assert holding.wait(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # a wait would fail, not hang
        with transaction.atomic():
            ledger.append(actor=None, action="fast", object_type="t", object_id="fast")
        assert LedgerEvent.objects.filter(action="fast").exists()
    finally:
        done.set()
        thread.join()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    assert _problems() == []


@pytest.mark.postgres
def test_a_seal_waits_for_appends_in_progress(transactional_db):
    """An event numbered before a seal but committed after it would escape the seal."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time by design")
    import threading

    from django.db import connections

    holding, release = threading.Event(), threading.Event()

    def writer():
        try:
            with transaction.atomic():
                ledger.append(actor=None, action="late", object_type="t", object_id="late")
                holding.set()
                release.wait(timeout=10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert holding.wait(timeout=10)
    _append_events(1)  # numbered after the open one, committed first
    sealer = threading.Thread(target=lambda: (ledger.seal(), connections.close_all()))
    sealer.start()
    sealer.join(timeout=0.5)
    assert sealer.is_alive()  # waiting for the open append
    release.set()
    thread.join()
    sealer.join(timeout=10)
    seal = ledger.LedgerSeal.objects.get()
    assert seal.events == 2
    assert _problems() == []


def test_a_commit_that_crosses_the_seal_interval_seals(transactional_db, settings):
    settings.CLAIMTRAIL_LEDGER_SEAL_EVERY = 3
    for _ in range(3):
        _append_events(1)  # one commit each; the one reaching a multiple of 3 seals
    sealed = sum(ledger.LedgerSeal.objects.values_list("events", flat=True))
    assert sealed >= 1 and ledger.LedgerSeal.objects.count() == 1
    assert _problems() == []


def test_the_first_commit_after_a_quiet_spell_seals(transactional_db, settings, monkeypatch):
    settings.CLAIMTRAIL_LEDGER_SEAL_SECONDS = 60
    monkeypatch.setitem(ledger._last_seal, "at", None)  # this process has not sealed yet
    _append_events(2)
    assert ledger.LedgerSeal.objects.get().events == 2
    _append_events(1)  # within the minute: not sealed yet
    assert ledger.LedgerSeal.objects.count() == 1
    monkeypatch.setitem(ledger._last_seal, "at", ledger._last_seal["at"] - 61)
    _append_events(1)
    assert list(ledger.LedgerSeal.objects.values_list("events", flat=True)) == [2, 2]


def test_one_call_with_events_of_several_objects_links_each_to_its_own(db):
    _append_events(1)  # object 0 already has an event

    @ledger.atomic
    def service():
        for object_id in ("0", "new", "0", "new", "0"):
            ledger.append(actor=None, action="x", object_type="test.thing", object_id=object_id)

    service()
    assert _problems() == []
    for scope in ("test.thing:0", "test.thing:new"):
        events = list(LedgerEvent.objects.filter(scope=scope).order_by("sequence"))
        assert events[0].prev_hash == ledger.GENESIS_HASH
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert LedgerEvent.objects.filter(scope="test.thing:0").count() == 4


def test_the_content_digest_is_the_canonical_json_of_the_content(db):
    """The hand-written payload must stay byte for byte the canonical JSON of the fields."""
    with transaction.atomic():
        event = ledger.append(
            actor=None,
            action="test.ünïcode",
            object_type="test.thing",
            object_id="7",
            state={"z": [1, 2.5, None], "a": {"nested": '\u2028 "quoted" é'}, "n": True},
            changes={"b": ["before", "after"]},
            reason="why: «reasons»",
        )
    stored = LedgerEvent.objects.get(sequence=event.sequence)
    reference = ledger.canonical_json(
        {
            "recorded_at": stored.recorded_at.astimezone(ledger.UTC).isoformat(),
            "actor_id": stored.actor_id,
            "actor_label": stored.actor_label,
            "action": stored.action,
            "object_type": stored.object_type,
            "object_id": stored.object_id,
            "scope": stored.scope,
            "state": stored.state,
            "changes": stored.changes,
            "reason": stored.reason,
        }
    )
    import hashlib

    expected = hashlib.sha256(reference.encode("utf-8")).hexdigest()
    assert ledger.content_digest(event) == ledger.content_digest(stored) == expected
    assert stored.hash == ledger.link_hash(expected, stored.sequence, stored.prev_hash)
