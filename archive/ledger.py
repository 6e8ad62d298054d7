"""The provenance ledger: one append-only, hash-linked row per change in the system.

This module owns the ledger. :func:`append` is the only code that creates events;
every service calls it inside its own transaction, as its last write, so a failed
change leaves no event and a successful one always has exactly one.

Each row stores the hash of the row before it and a SHA-256 over its own canonical
content (including its sequence number). Editing, deleting, inserting or reordering
past rows therefore breaks the chain, which :func:`verify` reports. On PostgreSQL a
trigger (see migration 0002) also makes the database refuse UPDATE and DELETE.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

GENESIS_HASH = "0" * 64
# Arbitrary constant naming the PostgreSQL advisory lock that serialises appends.
_LEDGER_LOCK_KEY = 7_211_532_881
# Attribute on the database connection holding the events a service call buffers.
_BUFFER = "_claimtrail_ledger_buffer"


class LedgerEvent(models.Model):
    sequence = models.BigIntegerField(unique=True, editable=False)
    recorded_at = models.DateTimeField(editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Users who acted are never deleted (deactivate them instead).",
    )
    actor_label = models.CharField(
        max_length=150, help_text="Who acted, as they were called at the time."
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, help_text="app_label.model of the object.")
    object_id = models.CharField(max_length=64)
    scope = models.CharField(
        max_length=140,
        help_text="type:id of the object whose history this event belongs to "
        "(an annotation for its citations' events).",
    )
    state = models.JSONField(default=dict, help_text="The object's state after the change.")
    changes = models.JSONField(default=dict, help_text="Field: [before, after] for what changed.")
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "sequence"], name="ledger_object_idx"),
            models.Index(fields=["actor", "sequence"], name="ledger_actor_idx"),
            models.Index(fields=["scope", "sequence"], name="ledger_scope_idx"),
        ]
        verbose_name = "ledger event"

    def __str__(self):
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerError("ledger events are append-only and cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerError("ledger events are append-only and cannot be deleted")


class LedgerError(RuntimeError):
    pass


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_hash(event: LedgerEvent) -> str:
    """SHA-256 over the event's canonical content and the previous event's hash."""
    payload = canonical_json(
        {
            "sequence": event.sequence,
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
            "prev_hash": event.prev_hash,
        }
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def object_type_of(obj: models.Model) -> str:
    return obj._meta.label_lower


def scope_of(obj: models.Model) -> str:
    return f"{object_type_of(obj)}:{obj.pk}"


def actor_label_of(actor) -> str:
    if actor is None:
        return "system"
    return actor.get_username()


def append(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    state: dict | None = None,
    changes: dict | None = None,
    reason: str = "",
    actor_label: str = "",
    scope: models.Model | None = None,
) -> LedgerEvent:
    """Append one event to the ledger. Must run inside the caller's transaction.

    Inside a service wrapped in :func:`atomic` the event is buffered and written,
    with the others of that call, when the service returns (still inside its
    transaction). Otherwise it is written at once. Either way the append takes a
    transaction-scoped lock held until commit, so call it as late as possible.
    """
    if not connection.in_atomic_block:
        raise LedgerError("ledger.append must run inside a transaction")
    if obj is not None:
        object_type = object_type or object_type_of(obj)
        object_id = object_id or str(obj.pk)
    event = LedgerEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label or actor_label_of(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        scope=scope_of(scope) if scope is not None else f"{object_type}:{object_id}",
        state=_jsonable(state or {}),
        changes=_jsonable(changes or {}),
        reason=reason or "",
    )
    buffer = getattr(connection, _BUFFER, None)
    if buffer is not None:
        buffer.append(event)
    else:
        _write([event])
    return event


def atomic(service: Callable) -> Callable:
    """Run ``service`` in a transaction and write its ledger events together at its end.

    The chain lock is then taken once, after all of the service's other writes, so
    it is held only for one insert and the commit: writers on different objects
    queue for the append itself, not for each other's whole change.
    """

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        with transaction.atomic():
            if getattr(connection, _BUFFER, None) is not None:
                return service(*args, **kwargs)  # an outer service call writes them
            setattr(connection, _BUFFER, [])
            try:
                result = service(*args, **kwargs)
                _write(getattr(connection, _BUFFER))
            finally:
                setattr(connection, _BUFFER, None)
            return result

    return wrapper


def _write(events: list[LedgerEvent]) -> None:
    """Link ``events`` to the chain's head, in order, and insert them in one statement."""
    if not events:
        return
    _lock_chain()
    last = LedgerEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    sequence, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    now = timezone.now()
    for event in events:
        event.sequence, event.recorded_at, event.prev_hash = sequence, now, prev_hash
        event.hash = compute_hash(event)
        sequence, prev_hash = sequence + 1, event.hash
    if len(events) == 1:
        events[0].save(force_insert=True)
    else:
        LedgerEvent.objects.bulk_create(events)


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LEDGER_LOCK_KEY])
    # SQLite: transactions begin IMMEDIATE (see settings), so the writer already
    # holds the database's single write lock.


def _jsonable(value: Any) -> Any:
    """Round-trip through JSON so the stored value hashes the same after reading it back."""
    return json.loads(json.dumps(value, default=str))


def history(obj: models.Model | None = None, *, object_type: str = "", object_id: str = ""):
    """Return the events of one object, oldest first."""
    if obj is not None:
        object_type, object_id = object_type_of(obj), str(obj.pk)
    return LedgerEvent.objects.filter(object_type=object_type, object_id=str(object_id)).order_by(
        "sequence"
    )


def scoped_history(obj: models.Model):
    """Return the events of an object and of the objects that belong to it, oldest first."""
    return LedgerEvent.objects.filter(scope=scope_of(obj)).order_by("sequence")


def head() -> tuple[int, str]:
    """The ledger position: (last sequence, its hash); (0, genesis) when empty."""
    last = LedgerEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    return last if last else (0, GENESIS_HASH)


@dataclass(frozen=True)
class ChainProblem:
    sequence: int
    message: str

    def __str__(self):
        return f"event #{self.sequence}: {self.message}"


def verify(*, chunk_size: int = 5000) -> Iterator[ChainProblem]:
    """Walk the whole ledger and yield every break in the chain, oldest first.

    Detects edited rows (hash mismatch), deleted rows (a gap in the sequence and a
    broken link), inserted rows (a broken link) and reordered rows (the sequence
    is part of the hashed content, so a swapped sequence breaks both rows).
    """
    expected_sequence, prev_hash = 1, GENESIS_HASH
    for event in LedgerEvent.objects.order_by("sequence").iterator(chunk_size=chunk_size):
        if event.sequence != expected_sequence:
            yield ChainProblem(
                event.sequence,
                f"expected sequence {expected_sequence}: rows are missing or were inserted",
            )
        if event.prev_hash != prev_hash:
            yield ChainProblem(event.sequence, "does not link to the event before it")
        if compute_hash(event) != event.hash:
            yield ChainProblem(event.sequence, "content does not match its hash (edited)")
        expected_sequence, prev_hash = event.sequence + 1, event.hash


def count() -> int:
    return LedgerEvent.objects.count()
