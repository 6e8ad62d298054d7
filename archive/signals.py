"""What the archive announces, so other apps can derive their own rows from new evidence.

The archive sends these and never imports a receiver: the apps above it connect in
their ``AppConfig.ready`` (triage splits a new transcript into scored sentences).
Receivers write derived data only; the rules of the archive stay in its services.
"""

from django.dispatch import Signal

# Sent by archive.services.source_import once a new transcript, its segments and its
# ledger event are written (and by a dataset restore for each transcript it brings, with
# ``restored=True``: its annotations come with it, where they were),
# inside the import's transaction, with ``transcript`` and
# ``actor``: what a receiver writes commits with the import or not at all, so the
# import returns with it in place. Not sent when the bytes were already stored.
transcript_imported = Signal()
