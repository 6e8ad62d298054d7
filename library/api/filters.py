"""Query-string filters of ``/api/v1/factchecks/`` (django-filter; bad values give 400)."""

from __future__ import annotations

import django_filters as filters

from annotate.api.filters import StrictFilterSet
from annotate.models import Verdict
from library import selectors
from library.models import FactCheck


class FactCheckFilter(StrictFilterSet):
    """Parses the query string; :func:`library.selectors.factcheck_filter`, which the admin
    shares, does the filtering."""

    verdict = filters.MultipleChoiceFilter(
        choices=[("", "none"), *Verdict.choices], help_text="Any of these (empty: no verdict)."
    )
    publisher = filters.CharFilter(help_text="Publisher name, exact (any case).")
    language = filters.CharFilter(help_text="Language as given (en, English…), any case.")
    origin = filters.CharFilter(help_text="Where it came from: a file's name, or claimtrail.")
    annotation = filters.UUIDFilter(help_text="The team's own fact-check of this annotation.")
    q = filters.CharFilter(
        help_text="Search the claim, headline, claimant and publisher (PostgreSQL: full-text, "
        "websearch syntax), or an exact URL."
    )

    class Meta:
        model = FactCheck
        fields = ["verdict", "publisher", "language", "origin", "annotation", "q"]

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        return selectors.factcheck_filter(
            queryset,
            verdict=data.get("verdict") or (),
            publisher=data.get("publisher") or "",
            language=data.get("language") or "",
            origin=data.get("origin") or "",
            annotation=data.get("annotation"),
            q=data.get("q") or "",
        )
