"""What matching does when the library changes (library.signals).

A small change (an approved annotation joining, an upload of a few records) has its
vectors computed at once, after its commit, so it is suggested by its meaning within
the index's freshness window, with or without a worker running (``make demo`` runs
none). A larger one is queued for the worker; until then its fact-checks are found by
their words.
"""

from __future__ import annotations

import logging

from matching import services, tasks

logger = logging.getLogger(__name__)

EMBED_INLINE_MAX = 64  # fact-checks embedded in the process that imported them


def embed_changed(sender, *, result, **kwargs) -> None:
    """Receiver of ``library.signals.library_changed``."""
    if result.created + result.updated <= EMBED_INLINE_MAX:
        services.embed_missing()
    else:
        tasks.embed_library.enqueue()
