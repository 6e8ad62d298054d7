"""What triage does when the archive announces a new transcript (archive.signals)."""

from __future__ import annotations

from triage import services


def score_imported_transcript(sender, *, transcript, **kwargs) -> None:
    """Receiver of ``archive.signals.transcript_imported``: split and score its sentences.

    It runs inside the import's transaction, so the import returns (and commits) with
    every sentence scored, and a transcript is never seen unscored.
    """
    services.transcript_sentences_create(transcript=transcript)
