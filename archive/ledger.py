"""The provenance ledger: one append-only, hash-linked row per change in the system.

This module owns the ledger. :func:`append` is the only code that creates events;
every service calls it inside its own transaction, so a failed change leaves no
event and a successful one always has its events.

Two chains make the ledger tamper-evident without making writers queue for each
other:

* **Per object.** Each event stores the hash of the previous event of the same
  *scope* (an annotation and its citations share one), and its own hash binds its
  content digest, its sequence number and that link. The services lock an object's
  row before they change it, so its scope's events form one chain; writers of
  different scopes never wait for each other, and a database sequence hands out
  the global order.
* **Across objects.** :func:`seal` writes a :class:`LedgerSeal` over every event
  since the previous seal: their count and a digest of their hashes in sequence
  order, linked to the previous seal. A seal is written every
  ``CLAIMTRAIL_LEDGER_SEAL_EVERY`` events and at least every
  ``CLAIMTRAIL_LEDGER_SEAL_SECONDS`` while writes come in (just after the commit that
  makes one due), before every export, and by ``manage.py seal_ledger``.

Editing, deleting, inserting or reordering events therefore breaks a link, a hash
or a seal, which :func:`verify` reports; only events newer than the last seal are
covered by their scope's chain alone. On PostgreSQL triggers (migrations 0002 and
0003) also make the database refuse UPDATE and DELETE on both tables.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from archive import signing, witness

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
# PostgreSQL objects behind the appends (created by migration 0003).
SEQUENCE_NAME = "archive_ledgerevent_sequence_seq"
# Attribute on the database connection holding the events a service call buffers.
_BUFFER = "_claimtrail_ledger_buffer"


class AppendOnly(models.Model):
    """A row the ORM may insert but never change or delete (``noun`` names it in errors)."""

    noun = "rows"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerError(f"{self.noun} are append-only and cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerError(f"{self.noun} are append-only and cannot be deleted")


class LedgerEvent(AppendOnly):
    noun = "ledger events"

    sequence = models.BigIntegerField(unique=True, editable=False)
    recorded_at = models.DateTimeField(editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # ledger_actor_idx (actor, sequence) serves lookups by actor
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
    prev_hash = models.CharField(
        max_length=64, editable=False, help_text="Hash of the previous event of the same scope."
    )
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


class LedgerSeal(AppendOnly):
    """A checkpoint over every event after the previous seal, up to ``last_sequence``."""

    noun = "ledger seals"

    number = models.BigIntegerField(unique=True, editable=False)
    last_sequence = models.BigIntegerField(
        unique=True, editable=False, help_text="The newest event the seal covers."
    )
    events = models.BigIntegerField(editable=False, help_text="How many events it covers.")
    digest = models.CharField(
        max_length=64, editable=False, help_text="SHA-256 over the covered events' hashes."
    )
    sealed_at = models.DateTimeField(editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)
    # An Ed25519 signature over ``hash`` by a key kept outside the database (archive.signing):
    # what stops someone who can write these tables from recomputing a consistent forgery.
    key_id = models.CharField(max_length=16, editable=False, default="")
    signature = models.CharField(max_length=128, editable=False, default="")

    class Meta:
        ordering = ["number"]
        verbose_name = "ledger seal"

    def __str__(self):
        return f"seal {self.number} (events up to #{self.last_sequence})"


class LedgerError(RuntimeError):
    pass


@dataclass(slots=True)
class PendingEvent:
    """An event on its way into the ledger: the row's fields, without a model instance.

    Building a model instance per event costs more than hashing it, so appends carry
    these, and the write fills in ``sequence``, ``prev_hash`` and ``hash``.
    """

    actor_id: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    scope: str
    state: dict
    changes: dict
    reason: str
    state_json: str = ""  # canonical JSON of state and changes, serialised once
    changes_json: str = ""
    recorded_at: Any = None
    sequence: int | None = None
    prev_hash: str = ""
    hash: str = ""

    def as_model(self) -> LedgerEvent:
        fields = {name: getattr(self, name) for name in self.__slots__}  # type: ignore[attr-defined]
        del fields["state_json"], fields["changes_json"]
        return LedgerEvent(**fields)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_digest(event: LedgerEvent | PendingEvent) -> str:
    """SHA-256 over what the event says: everything but its place (sequence, link, hash).

    The payload is the canonical JSON of its content fields (keys sorted, compact),
    written out here so a pending event's state and changes, already serialised once,
    are not serialised again.
    """
    state_json = getattr(event, "state_json", "") or canonical_json(event.state)
    changes_json = getattr(event, "changes_json", "") or canonical_json(event.changes)
    dump = functools.partial(json.dumps, ensure_ascii=False)
    payload = (
        f'{{"action":{dump(event.action)},"actor_id":{dump(event.actor_id)},'
        f'"actor_label":{dump(event.actor_label)},"changes":{changes_json},'
        f'"object_id":{dump(str(event.object_id))},"object_type":{dump(event.object_type)},'
        f'"reason":{dump(event.reason)},'
        f'"recorded_at":{dump(event.recorded_at.astimezone(UTC).isoformat())},'
        f'"scope":{dump(event.scope)},"state":{state_json}}}'
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def link_hash(digest: str, sequence: int, prev_hash: str) -> str:
    """The event's hash: its content digest bound to its sequence number and its link.

    PostgreSQL computes the same in the INSERT (see ``_INSERT_SQL``).
    """
    return hashlib.sha256(f"{digest}:{sequence}:{prev_hash}".encode("ascii")).hexdigest()


def compute_hash(event: LedgerEvent) -> str:
    """The hash an event must carry, from its content, sequence and previous hash."""
    return link_hash(content_digest(event), event.sequence, event.prev_hash)


def compute_seal_hash(seal: LedgerSeal) -> str:
    payload = canonical_json(
        {
            "number": seal.number,
            "last_sequence": seal.last_sequence,
            "events": seal.events,
            "digest": seal.digest,
            "sealed_at": seal.sealed_at.astimezone(UTC).isoformat(),
            "prev_hash": seal.prev_hash,
        }
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class RangeDigest:
    """The digest a seal stores: SHA-256 over ``sequence:hash`` lines, in sequence order."""

    def __init__(self):
        self._sha = hashlib.sha256()
        self.events = 0
        self.last_sequence = 0

    def add(self, sequence: int, event_hash: str) -> None:
        self._sha.update(f"{sequence}:{event_hash}\n".encode("ascii"))
        self.events += 1
        self.last_sequence = sequence

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def object_type_of(obj: models.Model) -> str:
    return obj._meta.label_lower


def scope_of(obj: models.Model) -> str:
    return f"{object_type_of(obj)}:{obj.pk}"


def actor_label_of(actor) -> str:
    if actor is None:
        return "system"
    return actor.get_username()


# ---------------------------------------------------------------- appending


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
) -> PendingEvent:
    """Append one event to the ledger. Must run inside the caller's transaction.

    Inside a service wrapped in :func:`atomic` the event is buffered and written,
    with the others of that call, when the service returns (still inside its
    transaction). Otherwise it is written at once.
    """
    if not connection.in_atomic_block:
        raise LedgerError("ledger.append must run inside a transaction")
    if obj is not None:
        object_type = object_type or object_type_of(obj)
        object_id = object_id or str(obj.pk)
    event = PendingEvent(
        actor_id=getattr(actor, "pk", None) or None,
        actor_label=actor_label or actor_label_of(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        scope=scope_of(scope) if scope is not None else f"{object_type}:{object_id}",
        **_serialised("state", state),
        **_serialised("changes", changes),
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

    Its scopes' locks are then taken once, after the service's other writes, and
    the events go in with one INSERT.
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


def _write(events: list[PendingEvent]) -> None:
    """Number ``events``, link each to its scope's head and insert them."""
    if not events:
        return
    now = timezone.now()
    for event in events:
        event.recorded_at = now
    if connection.vendor == "postgresql":
        _insert_linked(events)
    else:
        _insert_portable(events)
    _seal_when_due(events[0].sequence, events[-1].sequence)


# One statement for all of a call's events. The recursion numbers them in order and
# links each to the previous event of its scope: the one just before it in this batch
# (the caller groups a scope's events together) or the newest stored one.
# INSERT locks the table before any ``nextval``, which a seal relies on.
_ROW = (
    "(%s::int, %s::text, %s::text, %s::timestamptz, %s::int, %s::text, %s::text, %s::text,"
    " %s::text, %s::jsonb, %s::jsonb, %s::text)"
)
_HEAD = (
    "COALESCE((SELECT hash FROM archive_ledgerevent WHERE scope = i.scope"
    f" ORDER BY sequence DESC LIMIT 1), '{GENESIS_HASH}')"
)
_HASH = "encode(sha256(convert_to(i.digest || ':' || n.sequence || ':' || n.prev, 'UTF8')), 'hex')"
_INSERT_SQL = f"""
WITH RECURSIVE input (k, scope, digest, recorded_at, actor_id, actor_label, action,
                      object_type, object_id, state, changes, reason) AS (VALUES {{rows}}),
chain (k, scope, sequence, prev, hash) AS (
    SELECT i.k, i.scope, n.sequence, n.prev, {_HASH}
    FROM input i,
         LATERAL (SELECT nextval('{SEQUENCE_NAME}') AS sequence, {_HEAD} AS prev) n
    WHERE i.k = 1
  UNION ALL
    SELECT i.k, i.scope, n.sequence, n.prev, {_HASH}
    FROM chain c JOIN input i ON i.k = c.k + 1,
         LATERAL (SELECT nextval('{SEQUENCE_NAME}') AS sequence,
                         CASE WHEN i.scope = c.scope THEN c.hash ELSE {_HEAD} END AS prev) n
)
INSERT INTO archive_ledgerevent (sequence, recorded_at, actor_id, actor_label, action,
    object_type, object_id, scope, state, changes, reason, prev_hash, hash)
SELECT c.sequence, i.recorded_at, i.actor_id, i.actor_label, i.action, i.object_type,
    i.object_id, i.scope, i.state, i.changes, i.reason, c.prev, c.hash
FROM chain c JOIN input i USING (k)
RETURNING sequence, prev_hash, hash
"""


LINKED_CHUNK = 100  # events per INSERT statement on PostgreSQL


def _insert_linked(events: list[PendingEvent]) -> None:
    """PostgreSQL: one statement (per :data:`LINKED_CHUNK` events), no lock beyond the rows' own.

    Writers of one scope must be serialised by their caller (the services lock the
    object's row first); writers of different scopes never wait for each other.
    """
    by_scope: dict[str, list[PendingEvent]] = {}
    for event in events:
        by_scope.setdefault(event.scope, []).append(event)
    events[:] = [event for group in by_scope.values() for event in group]  # a scope's together
    # The recursion joins each step to the input by its number, which PostgreSQL finds by
    # scanning the input: quadratic in the rows of one statement. Chunks keep it linear
    # in all; a scope split between two chunks links through the table (its newest row).
    for first in range(0, len(events), LINKED_CHUNK):
        _insert_linked_chunk(events[first : first + LINKED_CHUNK])


def _insert_linked_chunk(events: list[PendingEvent]) -> None:
    params: list[Any] = []
    for k, event in enumerate(events, start=1):
        params += [
            k,
            event.scope,
            content_digest(event),
            event.recorded_at,
            event.actor_id,
            event.actor_label,
            event.action,
            event.object_type,
            event.object_id,
            event.state_json,
            event.changes_json,
            event.reason,
        ]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_SQL.format(rows=", ".join([_ROW] * len(events))), params)
        returned = sorted(cursor.fetchall())
    for event, (sequence, prev_hash, event_hash) in zip(events, returned, strict=True):
        event.sequence, event.prev_hash, event.hash = sequence, prev_hash, event_hash


def _insert_portable(events: list[PendingEvent]) -> None:
    """SQLite: transactions begin IMMEDIATE (see settings), so this writer already holds
    the database's single write lock, and max + 1 and the heads read here are safe."""
    last = LedgerEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    sequence = last or 0
    heads: dict[str, str] = {}
    for event in events:
        if event.scope not in heads:
            heads[event.scope] = _scope_head(event.scope) or GENESIS_HASH
        sequence += 1
        event.sequence, event.prev_hash = sequence, heads[event.scope]
        event.hash = heads[event.scope] = compute_hash(event)
    LedgerEvent.objects.bulk_create([event.as_model() for event in events])


def _scope_head(scope: str) -> str | None:
    return (
        LedgerEvent.objects.filter(scope=scope)
        .order_by("-sequence")
        .values_list("hash", flat=True)
        .first()
    )


def _serialised(name: str, value: dict | None) -> dict[str, Any]:
    """``name`` as stored (a JSON round trip, so it hashes the same read back) and its
    canonical JSON text."""
    text = json.dumps(
        value or {}, default=str, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return {name: json.loads(text), f"{name}_json": text}


# ---------------------------------------------------------------- sealing


def seal_every() -> int:
    return int(getattr(settings, "CLAIMTRAIL_LEDGER_SEAL_EVERY", 1000))


def seal_seconds() -> float:
    return float(getattr(settings, "CLAIMTRAIL_LEDGER_SEAL_SECONDS", 60))


_last_seal = {"at": None}  # monotonic time this process last sealed (or tried to)


def _seal_when_due(first: int, last: int) -> None:
    """After the commit that crosses a multiple of ``seal_every()`` events, or the first
    commit ``seal_seconds()`` after this process last sealed, write a seal."""
    every, seconds, now = seal_every(), seal_seconds(), time.monotonic()
    crossed = every > 0 and (first - 1) // every != last // every
    stale = seconds > 0 and (_last_seal["at"] is None or now - _last_seal["at"] >= seconds)
    if crossed or stale:
        _last_seal["at"] = now
        transaction.on_commit(_seal_quietly)


def _seal_quietly() -> None:
    try:
        seal()
    except (DatabaseError, OSError):  # the change itself is committed; the next seal covers it
        logger.warning("could not seal the ledger", exc_info=True)


def seal() -> LedgerSeal | None:
    """Seal every event since the last seal; return the new seal (None if nothing is new).

    Waits for appends in progress to commit or roll back, and holds new appends
    back while it reads the new events' hashes.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Conflicts with the lock every INSERT takes before numbering its rows (and
            # with other seals): waits for appends in flight, holds new ones back.
            # (Taken by a function that runs as the tables' owner: migration 0006.)
            with connection.cursor() as cursor:
                cursor.execute("SELECT archive_lock_ledger_for_seal()")
        previous = LedgerSeal.objects.order_by("-number").first()
        after = previous.last_sequence if previous else 0
        digest = RangeDigest()
        for sequence, event_hash in _hashes_after(after):
            digest.add(sequence, event_hash)
        if not digest.events:
            return None
        new = LedgerSeal(
            number=previous.number + 1 if previous else 1,
            last_sequence=digest.last_sequence,
            events=digest.events,
            digest=digest.hexdigest(),
            sealed_at=timezone.now(),
            prev_hash=previous.hash if previous else GENESIS_HASH,
        )
        new.hash = compute_seal_hash(new)
        new.key_id, new.signature = signing.sign(new.hash)
        new.save(force_insert=True)
        if witness.configured_path() is not None:
            # After the commit, so the witness never holds a seal the database rolled back.
            transaction.on_commit(functools.partial(witness.record, new))
        return new


def _hashes_after(sequence: int) -> Iterator[tuple[int, str]]:
    events = LedgerEvent.objects.filter(sequence__gt=sequence).order_by("sequence")
    yield from events.values_list("sequence", "hash").iterator(5000)


# ---------------------------------------------------------------- reading


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


def latest_change(obj: models.Model) -> LedgerEvent | None:
    """The newest event of ``obj`` or of an object that belongs to it (an annotation's
    citation): the change that made its current state, as a stale writer is told."""
    return scoped_history(obj).order_by("-sequence").first()


def head() -> tuple[int, str]:
    """The ledger position: (last sequence, its hash); (0, genesis) when empty."""
    last = LedgerEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    return last if last else (0, GENESIS_HASH)


def count() -> int:
    return LedgerEvent.objects.count()


# ---------------------------------------------------------------- verifying


@dataclass(frozen=True)
class ChainProblem:
    sequence: int
    message: str
    where: str = ""

    def __str__(self):
        return f"{self.where or f'event #{self.sequence}'}: {self.message}"


def verify(*, chunk_size: int = 5000, keys=None) -> Iterator[ChainProblem]:
    """Walk the whole ledger and yield every problem found.

    Finds edited events (hash mismatch; the sequence is hashed, so a reordered
    event is an edited one), events deleted from or inserted into an object's
    chain (a broken link), and events deleted, inserted or renumbered anywhere
    before the last seal (the seal's count or digest no longer matches).
    """
    yield from verify_seals(chunk_size=chunk_size, keys=keys)
    yield from verify_links(chunk_size=chunk_size)


def verify_seals(*, chunk_size: int = 5000, keys=None) -> Iterator[ChainProblem]:
    """Check every seal (its signature with ``keys``, by default :func:`signing.trusted_keys`)
    and the events it covers, then the hashes of the unsealed events."""
    for item in _walk_seals(after=None, budget=None, chunk_size=chunk_size, keys=keys):
        if isinstance(item, ChainProblem):
            yield item


def check_seals(
    *, after: LedgerSeal | None, budget: int, chunk_size: int = 2000
) -> tuple[LedgerSeal | None, list[ChainProblem]]:
    """Check the seals after ``after`` (each whole) until about ``budget`` events.

    Returns the last seal found intact (``after`` when none was checked) and the
    problems found. Used by the admin to verify a little more on each page load.
    """
    reached, problems = after, []
    for item in _walk_seals(after=after, budget=budget, chunk_size=chunk_size):
        if isinstance(item, ChainProblem):
            problems.append(item)
        elif not problems:
            reached = item
    return reached, problems


def _walk_seals(*, after, budget, chunk_size, keys=None) -> Iterator[ChainProblem | LedgerSeal]:
    """Yield each problem, and each seal once its range has been checked."""
    keys = signing.trusted_keys() if keys is None else keys
    seals = LedgerSeal.objects.order_by("number")
    previous_hash, start = GENESIS_HASH, None  # from the very first row, whatever its number
    if after is not None:
        seals = seals.filter(number__gt=after.number)
        previous_hash, start = after.hash, after.last_sequence
    checked = 0
    events = _events_after(start, chunk_size)
    pending = next(events, None)
    for current in seals.iterator():
        if budget is not None and checked >= budget:
            return
        if current.prev_hash != previous_hash:
            yield _seal_problem(current, "does not link to the seal before it")
        if compute_seal_hash(current) != current.hash:
            yield _seal_problem(current, "content does not match its hash (edited)")
        if wrong := signing.check(current.hash, current.key_id, current.signature, keys):
            yield _seal_problem(current, wrong)
        digest = RangeDigest()
        while pending is not None and pending.sequence <= current.last_sequence:
            yield from _check_content(pending)
            digest.add(pending.sequence, pending.hash)
            pending = next(events, None)
        if (digest.events, digest.hexdigest()) != (current.events, current.digest):
            yield _seal_problem(
                current,
                f"covers {current.events} event(s) but {digest.events} are there, or not the"
                " same ones: events were deleted, inserted or renumbered",
            )
        yield current
        previous_hash, checked = current.hash, checked + digest.events
    if budget is None:
        while pending is not None:
            yield from _check_content(pending)  # not sealed yet: only its own hash
            pending = next(events, None)


def verify_witness(path) -> Iterator[ChainProblem]:
    """Check that every seal a witness file saw is in the database, unchanged.

    Finds what signatures cannot: the ledger truncated, its newest seals and events
    deleted, or the database restored from an older backup.
    """
    heads = witness.read(path)
    stored = dict(
        LedgerSeal.objects.filter(number__in={head.number for head in heads}).values_list(
            "number", "hash"
        )
    )
    for head in heads:
        where = f"witness line {head.line} (seal {head.number}, events up to #{head.last_sequence})"
        if head.number not in stored:
            yield ChainProblem(
                head.last_sequence,
                "this seal is not in the database: the ledger was truncated or rolled back",
                where=where,
            )
        elif stored[head.number] != head.hash:
            yield ChainProblem(
                head.last_sequence,
                "the database holds another seal with this number: rewritten",
                where=where,
            )


def unsealed_overdue(*, seconds: float | None = None) -> tuple[int, int]:
    """How many events after the last seal are older than the seal interval, and the
    oldest one's sequence (0 when none): while they stay unsealed, deleting them goes unseen."""
    seconds = seal_seconds() if seconds is None else seconds
    last = LedgerSeal.objects.order_by("-number").values_list("last_sequence", flat=True).first()
    overdue = LedgerEvent.objects.filter(
        sequence__gt=last or 0, recorded_at__lt=timezone.now() - timedelta(seconds=seconds)
    )
    found = overdue.aggregate(n=models.Count("sequence"), first=models.Min("sequence"))
    return found["n"], found["first"] or 0


def verify_links(*, chunk_size: int = 5000) -> Iterator[ChainProblem]:
    """Check that each event links to the previous event of its scope."""
    rows = (
        LedgerEvent.objects.order_by("scope", "sequence")
        .values_list("scope", "sequence", "prev_hash", "hash")
        .iterator(chunk_size)
    )
    scope, previous_hash = None, GENESIS_HASH
    for event_scope, sequence, prev_hash, event_hash in rows:
        if event_scope != scope:
            scope, previous_hash = event_scope, GENESIS_HASH
        if prev_hash != previous_hash:
            yield ChainProblem(
                sequence,
                f"does not link to the event before it in {scope}: events were deleted or inserted",
            )
        previous_hash = event_hash


def check_links(events: Iterable[LedgerEvent]) -> list[ChainProblem]:
    """Check a few events (a History page): their hashes and their links within their scope.

    Two queries per scope shown, whatever the number of events.
    """
    by_scope: dict[str, list[LedgerEvent]] = {}
    for event in events:
        by_scope.setdefault(event.scope, []).append(event)
    problems = []
    for scope, shown in by_scope.items():
        shown.sort(key=lambda event: event.sequence)
        first, last = shown[0].sequence, shown[-1].sequence
        in_scope = LedgerEvent.objects.filter(scope=scope)
        before = in_scope.filter(sequence__lt=first).order_by("-sequence")
        previous_hash = before.values_list("hash", flat=True).first() or GENESIS_HASH
        expected = {}
        span = in_scope.filter(sequence__gte=first, sequence__lte=last).order_by("sequence")
        for sequence, event_hash in span.values_list("sequence", "hash"):
            expected[sequence], previous_hash = previous_hash, event_hash
        for event in shown:
            problems.extend(_check_content(event))
            if event.prev_hash != expected.get(event.sequence):
                problems.append(
                    ChainProblem(event.sequence, "does not link to the event before it (deleted?)")
                )
    return sorted(problems, key=lambda problem: problem.sequence)


def _events_after(sequence: int | None, chunk_size: int) -> Iterator[LedgerEvent]:
    events = LedgerEvent.objects.order_by("sequence")
    if sequence is not None:
        events = events.filter(sequence__gt=sequence)
    return events.iterator(chunk_size=chunk_size)


def _check_content(event: LedgerEvent) -> Iterator[ChainProblem]:
    if compute_hash(event) != event.hash:
        yield ChainProblem(event.sequence, "content does not match its hash (edited)")


def _seal_problem(current: LedgerSeal, message: str) -> ChainProblem:
    return ChainProblem(
        current.last_sequence, message, where=f"seal {current.number} (to #{current.last_sequence})"
    )
