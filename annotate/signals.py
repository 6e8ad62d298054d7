"""Signals annotate sends, so other apps can follow its work without annotate importing them.

Only for effects outside annotate's own rules (STYLE.md: never rules, counters or
provenance): the approval itself, its review and its ledger event are written by
:mod:`annotate.services.transitions` whatever the receivers do.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent once an approval that made an annotation ``approved`` has committed, with
# ``annotation`` (the instance as approved; read it again for its current state) and
# ``actor`` (the reviewer who gave the deciding approval). A first approval of a
# false/mostly-false verdict, which leaves it in review, sends nothing.
annotation_approved = Signal()


def announce_approval(*, annotation, actor) -> None:
    """Send :data:`annotation_approved` after the current transaction commits.

    After the commit, so a receiver never sees an approval that is rolled back, and a
    receiver that fails (it is logged) can never undo or refuse the approval.
    """
    transaction.on_commit(lambda: _send(annotation, actor))


def _send(annotation, actor) -> None:
    for receiver, error in annotation_approved.send_robust(
        sender=type(annotation), annotation=annotation, actor=actor
    ):
        if isinstance(error, Exception):
            logger.error(
                "a receiver of annotation_approved failed for annotation %s: %r",
                annotation.pk,
                receiver,
                exc_info=(type(error), error, error.__traceback__),
            )
