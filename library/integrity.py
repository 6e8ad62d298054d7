"""The library checked against the ledger (registered with ``archive.evidence``).

Every fact-check is written by :mod:`library.services`, which records its fields and
digest on the ledger. A row whose fields no longer give its digest, or whose digest is
not the one its latest event recorded, or that has no event at all, was written behind
the application's back; ``verify_ledger`` reports it.
"""

from __future__ import annotations

from collections.abc import Iterator

from archive import evidence, ledger
from library.models import FactCheck
from library.records import digest_of, values_of

FACTCHECK = "library.factcheck"


def check_factchecks(*, chunk_size: int = 2000) -> Iterator[evidence.EvidenceProblem]:
    """Each fact-check's row against its digest and its latest ledger event."""
    latest = _latest_digests(chunk_size)
    pending = next(latest, None)
    for row in FactCheck.objects.order_by("id").iterator(chunk_size):
        key = str(row.pk)
        recorded = None
        while pending is not None and pending[0] <= key:
            if pending[0] == key:
                recorded = pending[1]
            pending = next(latest, None)
        where = f"fact-check {key} ({row.url})"
        if digest_of(values_of(row)) != row.digest:
            yield evidence.EvidenceProblem(
                where, "its fields do not give its digest: changed behind the ledger's back"
            )
        elif recorded is None:
            yield evidence.EvidenceProblem(
                where, "has no event on the ledger: written behind its back"
            )
        elif recorded != row.digest:
            yield evidence.EvidenceProblem(
                where, "differs from its latest ledger event: changed behind the ledger's back"
            )


def _latest_digests(chunk_size: int) -> Iterator[tuple[str, str | None]]:
    """(fact-check id, digest its newest event recorded), in id order."""
    rows = (
        ledger.LedgerEvent.objects.filter(object_type=FACTCHECK)
        .order_by("object_id", "sequence")
        .values_list("object_id", "state")
        .iterator(chunk_size)
    )
    current = None
    for object_id, state in rows:
        if current is not None and current[0] != object_id:
            yield current
        current = (object_id, (state or {}).get("digest"))
    if current is not None:
        yield current
