"""What annotate does when the archive announces a new transcript (archive.signals)."""

from __future__ import annotations

from annotate.services.anchors import annotations_carry


def carry_to_revision(
    sender, *, transcript, actor=None, reason="", restored=False, **kwargs
) -> str | None:
    """Receiver of ``archive.signals.transcript_imported``: a new revision gets the previous
    revision's annotations (inside the import's transaction). Returns the line the
    import reports, or None for a transcript that revises nothing. A restored package
    brings its annotations where they already were: nothing is carried then."""
    if transcript.revision_of_id is None or restored:
        return None
    result = annotations_carry(
        previous=transcript.revision_of, transcript=transcript, actor=actor, reason=reason
    )
    return result.summary()
