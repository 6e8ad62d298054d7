"""An attacker who can write the ledger tables (the owner's credentials) still cannot rewrite
history unseen: seals are signed with a key outside the database, and a witness file
remembers every seal's head.

Each attack is played with the owner's rights (tests/dbroles.py owner_sql), the way the
issue reproduced it: truncate, delete the tail, roll back to an earlier seal, and a full
rewrite with every hash and seal recomputed by the project's own functions.
"""

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from archive import ledger, signing
from archive.ledger import LedgerEvent, LedgerSeal
from tests.dbroles import owner_sql

pytestmark = pytest.mark.django_db

EVENTS, SEALS = LedgerEvent._meta.db_table, LedgerSeal._meta.db_table


def _append(n: int, start: int = 0) -> None:
    with transaction.atomic():
        for i in range(start, start + n):
            ledger.append(
                actor=None,
                action="test.event",
                object_type="t",
                object_id=str(i % 3),
                state={"n": i},
            )


@pytest.fixture
def witnessed(settings, tmp_path, django_capture_on_commit_callbacks):
    """Three sealed batches of events, each seal's head on the witness file."""
    path = tmp_path / "witness.jsonl"
    settings.CLAIMTRAIL_LEDGER_WITNESS = str(path)
    for batch in range(3):
        _append(4, start=batch * 4)
        with django_capture_on_commit_callbacks(execute=True):
            ledger.seal()
    assert len(path.read_text().splitlines()) == 3
    return path


def _unguarded(sql: str, params=None) -> None:
    """Run ``sql`` as the owner with the append-only triggers off, as an attacker would."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in (EVENTS, SEALS):
            owner_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    owner_sql(sql, params)
    if connection.vendor == "postgresql":
        for table in (EVENTS, SEALS):
            owner_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def _verify(*args) -> str:
    with pytest.raises(CommandError) as refused:
        call_command("verify_ledger", "--skip-evidence", *args)
    return str(refused.value)


def test_an_intact_witnessed_ledger_verifies(witnessed, capsys):
    call_command("verify_ledger", "--witness", str(witnessed))
    assert "ledger ok: 12 events" in capsys.readouterr().out


def test_truncation_is_caught_by_the_witness(witnessed, capsys):
    _unguarded(f"DELETE FROM {EVENTS}")
    _unguarded(f"DELETE FROM {SEALS}")
    assert list(ledger.verify()) == []  # what the database holds is consistent: empty
    assert "broken" in _verify("--witness", str(witnessed))
    assert "not in the database: the ledger was truncated or rolled back" in capsys.readouterr().err


def test_deleting_the_tail_and_its_seal_is_caught(witnessed, capsys):
    last = LedgerSeal.objects.order_by("-number").first()
    previous = LedgerSeal.objects.get(number=last.number - 1)
    _unguarded(f"DELETE FROM {EVENTS} WHERE sequence > %s", [previous.last_sequence])
    _unguarded(f"DELETE FROM {SEALS} WHERE number = %s", [last.number])
    assert list(ledger.verify()) == []  # a consistent, signed, shorter ledger
    _verify("--witness", str(witnessed))
    assert f"seal {last.number}, events up to #{last.last_sequence}" in capsys.readouterr().err


def test_deleting_sealed_events_alone_breaks_the_seal(witnessed, capsys):
    last = LedgerSeal.objects.order_by("-number").first()
    _unguarded(f"DELETE FROM {EVENTS} WHERE sequence = %s", [last.last_sequence])
    _verify()
    assert f"seal {last.number}" in capsys.readouterr().err


def test_a_rollback_to_an_earlier_backup_is_caught(witnessed, tmp_path, capsys):
    """Restore the state after seal 1, then write new events and a new seal 2 on top."""
    first = LedgerSeal.objects.get(number=1)
    _unguarded(f"DELETE FROM {EVENTS} WHERE sequence > %s", [first.last_sequence])
    _unguarded(f"DELETE FROM {SEALS} WHERE number > 1")
    _append(2, start=100)
    ledger.seal()  # the app goes on writing: a seal 2 that is signed, but another one
    assert list(ledger.verify()) == []
    _verify("--witness", str(witnessed))
    err = capsys.readouterr().err
    assert "another seal with this number: rewritten" in err
    assert "seal 3" in err and "not in the database" in err


def _rewrite_everything(*, resign_with=None) -> int:
    """Edit one event's state and recompute its chain and every seal, with the project's own
    hashing functions; optionally sign the new seals with the attacker's key. Returns the
    edited event's sequence."""
    target = LedgerEvent.objects.filter(object_id="1").order_by("sequence").first()
    events = list(LedgerEvent.objects.filter(scope=target.scope).order_by("sequence"))
    previous = ledger.GENESIS_HASH
    for event in events:
        if event.pk == target.pk:
            event.state = {"n": -1, "forged": True}
        event.prev_hash = previous
        event.hash = previous = ledger.compute_hash(event)
        _unguarded(
            f"UPDATE {EVENTS} SET state = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [json.dumps(event.state), event.prev_hash, event.hash, event.pk],
        )
    hashes = dict(LedgerEvent.objects.values_list("sequence", "hash"))
    previous_seal, after = ledger.GENESIS_HASH, 0
    for seal in LedgerSeal.objects.order_by("number"):
        digest = ledger.RangeDigest()
        for sequence in sorted(s for s in hashes if after < s <= seal.last_sequence):
            digest.add(sequence, hashes[sequence])
        seal.digest, seal.prev_hash = digest.hexdigest(), previous_seal
        seal.hash = previous_seal = ledger.compute_seal_hash(seal)
        key_id, signature = seal.key_id, seal.signature
        if resign_with is not None:
            key_id = signing.key_id(resign_with.public_key())
            signature = resign_with.sign(signing._message(seal.hash)).hex()
        _unguarded(
            f"UPDATE {SEALS} SET digest = %s, prev_hash = %s, hash = %s, key_id = %s,"
            " signature = %s WHERE id = %s",
            [seal.digest, seal.prev_hash, seal.hash, key_id, signature, seal.pk],
        )
        after = seal.last_sequence
    return target.sequence


def test_a_recomputed_rewrite_fails_the_signatures(witnessed, capsys):
    _rewrite_everything()
    problems = [str(p) for p in ledger.verify()]
    assert problems and all("signature does not match" in p for p in problems)
    _verify()
    assert "forged or edited" in capsys.readouterr().err


def test_a_rewrite_signed_with_another_key_is_not_trusted(witnessed, capsys):
    _rewrite_everything(resign_with=Ed25519PrivateKey.generate())
    _verify("--witness", str(witnessed))
    err = capsys.readouterr().err
    assert "not a trusted key" in err
    assert "another seal with this number" in err  # and the witness disagrees too


def test_a_verifier_needs_only_the_public_key(witnessed, tmp_path, capsys):
    public = tmp_path / "ledger.pub"
    call_command("ledger_key", stdout=public.open("w"))
    assert "PRIVATE" not in public.read_text()
    call_command("verify_ledger", "--skip-evidence", "--public-key", str(public))
    other = tmp_path / "other.pub"
    other.write_text(signing.public_pem(Ed25519PrivateKey.generate().public_key()))
    capsys.readouterr()
    _verify("--public-key", str(other))
    assert "not a trusted key" in capsys.readouterr().err


def test_seal_ledger_prints_the_head_it_witnessed(settings, tmp_path, capsys):
    settings.CLAIMTRAIL_LEDGER_WITNESS = str(tmp_path / "w.jsonl")
    _append(2)
    call_command("seal_ledger")  # inside the test's transaction: witnessed at its commit
    head = json.loads(capsys.readouterr().out)
    seal = LedgerSeal.objects.get(number=head["number"])
    assert head["hash"] == seal.hash and head["signature"] == seal.signature
    assert signing.check(seal.hash, head["key_id"], head["signature"], signing.trusted_keys()) == ""


def test_a_bad_witness_file_is_a_clean_error(tmp_path):
    bad = tmp_path / "w.jsonl"
    bad.write_text('{"number": 1}\nnot json\n')
    with pytest.raises(CommandError, match="line 1 is not a seal head"):
        call_command("verify_ledger", "--witness", str(bad))
    with pytest.raises(CommandError, match="no witness file"):
        call_command("verify_ledger", "--witness", str(tmp_path / "missing.jsonl"))


def test_unsealed_events_older_than_the_interval_are_reported(settings, capsys):
    """Until an event is sealed, deleting it is unseen: verify_ledger says how many wait."""
    settings.CLAIMTRAIL_LEDGER_SEAL_SECONDS = 1e-6  # every event is overdue at once
    with transaction.atomic():
        ledger.append(actor=None, action="test.event", object_type="t", object_id="x")
    call_command("verify_ledger", "--skip-evidence")
    assert "1 event(s) from #" in capsys.readouterr().err
    ledger.seal()
    call_command("verify_ledger", "--skip-evidence")
    assert "not sealed yet" not in capsys.readouterr().err
