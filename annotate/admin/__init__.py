"""The annotating admin, one module per page family.

Django's admin autodiscovery imports this package; importing each module registers its
admin classes: annotations, reviews and the reading page (``annotations``), the
taxonomy and users (``team``), dataset exports (``exports``).
"""

from annotate.admin import annotations, exports, team  # noqa: F401  (registers the admins)

exports.register()
