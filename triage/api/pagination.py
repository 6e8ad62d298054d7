"""Keyset pagination over a ranking: an ordering whose fields may be descending.

:class:`~common.api.pagination.KeysetPagination` pages over ascending, immutable
fields. A triage list is ranked by ``-checkworthiness`` first, so this variant reads a
leading ``-`` as descending (the next page is ``score < x OR (score = x AND (a, b) >
(y, z))``). The position fields that follow never change and are unique within a
transcript, so each page is well defined; the score can change when a model is
trained, and a client walking the pages while every transcript is rescored may then
meet a sentence twice or miss one (a cursor stays valid either way).
"""

from __future__ import annotations

import math

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import FloatField, Q, QuerySet
from rest_framework.exceptions import ValidationError

from common.api.pagination import KeysetPagination


def _name(field: str) -> str:
    return field.removeprefix("-")


class RankedKeysetPagination(KeysetPagination):
    def paginate_queryset(self, queryset: QuerySet, request, view=None) -> list:
        def fetch(cleaned: list | None, reverse: bool, limit: int) -> list:
            ordering = [_flipped(f) for f in self.ordering] if reverse else list(self.ordering)
            return list(self._after(queryset, cleaned, reverse=reverse).order_by(*ordering)[:limit])

        return self.paginate(fetch, queryset.model, request, view)

    def _keys(self, row) -> list[str]:
        values = []
        for field in self.ordering:
            value = getattr(row, _name(field))
            values.append(repr(value) if isinstance(value, float) else str(value))
        return values

    def _clean(self, model, values: list) -> list:
        cleaned = []
        invalid = ValidationError({self.cursor_query_param: ["not a cursor this API gave out"]})
        try:
            for field, raw in zip(self.ordering, values, strict=True):
                model_field = model._meta.get_field(_name(field))
                value = model_field.to_python(raw)
                if isinstance(model_field, FloatField) and not math.isfinite(value):
                    raise invalid
                cleaned.append(value)
        except (DjangoValidationError, ValueError, TypeError):
            raise invalid from None
        return cleaned

    def _after(self, queryset: QuerySet, cleaned: list | None, *, reverse: bool) -> QuerySet:
        if cleaned is None:
            return queryset
        condition = Q()
        for index, field in enumerate(self.ordering):
            equal = {_name(f): cleaned[i] for i, f in enumerate(self.ordering[:index])}
            condition |= Q(**equal, **{f"{_name(field)}__{_op(field, reverse)}": cleaned[index]})
        # Bounds the index scan on the first field, as the base class explains.
        first = self.ordering[0]
        return queryset.filter(condition, **{f"{_name(first)}__{_op(first, reverse)}e": cleaned[0]})


def _flipped(field: str) -> str:
    return field[1:] if field.startswith("-") else f"-{field}"


def _op(field: str, reverse: bool) -> str:
    """The comparison that selects rows after the cursor on ``field`` (before, if ``reverse``)."""
    return "lt" if field.startswith("-") != reverse else "gt"
