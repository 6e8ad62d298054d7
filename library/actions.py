"""The library's ledger actions, registered with :mod:`archive.actions`."""

from __future__ import annotations

from enum import StrEnum

from archive import actions


class LibraryAction(StrEnum):
    # A fact-check entered the library (from a file, a feed, the API, or an approval).
    FACTCHECK_IMPORT = "factcheck.import"
    # A fact-check already in the library came again with other content.
    FACTCHECK_UPDATE = "factcheck.update"


actions.register(LibraryAction)
