"""What the library announces to the apps that read it (matching keeps its vectors).

``library_changed`` is sent once an import that created or changed fact-checks has
committed, with ``result`` (:class:`library.services.ImportResult`). It is sent robustly:
the import has committed and a receiver's failure cannot undo it (it is logged).
"""

from django.dispatch import Signal

library_changed = Signal()
