"""Helpers for tests that race real threads against the database, and check refusals."""

from __future__ import annotations

import threading

from django.db import connections


def race(target, count: int, *, timeout: float = 120) -> list:
    """Start ``count`` threads at the same moment; return what each returned or raised."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        try:
            barrier.wait()
            results[index] = target(index)
        except Exception as error:  # collected and asserted on by the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results


def assert_nothing_imported() -> None:
    """No source, transcript, segment or import event was stored."""
    from archive import ledger
    from archive.models import Segment, Source, Transcript

    assert Source.objects.count() == 0
    assert Transcript.objects.count() == 0
    assert Segment.objects.count() == 0
    assert not ledger.LedgerEvent.objects.filter(action="source.import").exists()
