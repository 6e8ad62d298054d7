"""Background tasks of matching (the worker is ``manage.py db_worker``; see annotate/tasks.py)."""

from __future__ import annotations

from django.tasks import task

from matching.services import embed_missing


@task()
def embed_library() -> dict:
    """Compute the vectors the library lacks (queued by a large import). Idempotent: a
    second run finds nothing to do, so queuing it twice is harmless."""
    return {"embedded": embed_missing()}
