"""What the library does when annotate announces an approval (annotate.signals).

The team's approved annotations join the library by themselves. The receiver runs
after the approval has committed (the signal is sent then), in a transaction of its
own: the library is a copy of what was approved, so it can never refuse or undo an
approval. Should it fail, the approval stands, the failure is logged, and approving
again after a reopen, or ``manage.py import_factchecks --approved-annotations``,
brings the library up to date (the join is idempotent).
"""

from __future__ import annotations

import logging

from library import services

logger = logging.getLogger(__name__)


def join_approved_annotation(sender, *, annotation, actor, **kwargs) -> None:
    """Receiver of ``annotate.signals.annotation_approved``."""
    try:
        services.factcheck_join_annotation(annotation=annotation, actor=actor)
    except services.ImportRefused as refusal:
        logger.warning(
            "approved annotation %s did not join the library: %s", annotation.pk, refusal
        )
