"""Keyset (cursor) pagination over an immutable, unique ordering.

The cursor carries the ordering values of the last row a page showed, and the
next page is ``WHERE (a, b) > (x, y)``. Because the ordering fields never change
once a row exists (creation time plus primary key, or transcript plus ordinal)
and together are unique, a client walking every page sees each row that existed
when it started exactly once, however many rows are inserted, updated or
deleted meanwhile. (An ordering by ``updated_at`` would not have that property:
a row edited during the walk would move behind the cursor or ahead of it.)
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from common import jsondepth

NEXT, PREVIOUS = "n", "p"


class KeysetPagination(BasePagination):
    """``?cursor=`` and ``?page_size=`` (1 to ``max_page_size``); newest rows come last.

    Views name their ordering in ``cursor_ordering``: a tuple of ascending model
    fields whose values never change and that together are unique.
    """

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    page_size = 100
    max_page_size = 500

    def paginate_queryset(self, queryset: QuerySet, request, view=None) -> list:
        def fetch(cleaned: list | None, reverse: bool, limit: int) -> list:
            ordering = (f"-{field}" for field in self.ordering) if reverse else self.ordering
            return list(self._after(queryset, cleaned, reverse=reverse).order_by(*ordering)[:limit])

        return self.paginate(fetch, queryset.model, request, view)

    def paginate(self, fetch, model, request, view=None) -> list:
        """A page of rows from ``fetch(keys, reverse, limit)``.

        ``fetch`` returns at most ``limit`` rows strictly after the ordering values
        ``keys`` (before them, newest first, when ``reverse``; from the start when
        ``keys`` is None) in the ordering. :meth:`paginate_queryset` fetches from a
        queryset; a view may fetch the same rows another way.
        """
        self.request = request
        self.ordering: tuple[str, ...] = tuple(
            getattr(self, "ordering_override", None) or view.cursor_ordering
        )
        self.base_url = request.build_absolute_uri()
        self.page_size_value = self._page_size(request)
        direction, values = self._decode(request.query_params.get(self.cursor_query_param))
        self.has_cursor = values is not None
        cleaned = None if values is None else self._clean(model, values)
        if direction == PREVIOUS:
            rows = fetch(cleaned, True, self.page_size_value + 1)
            self.more_before = len(rows) > self.page_size_value
            rows = rows[: self.page_size_value][::-1]
            self.more_after = True
        else:
            rows = fetch(cleaned, False, self.page_size_value + 1)
            self.more_after = len(rows) > self.page_size_value
            rows = rows[: self.page_size_value]
            self.more_before = self.has_cursor
        self.page = rows
        return rows

    # ------------------------------------------------------------ links

    def get_next_link(self) -> str | None:
        if not (self.more_after and self.page):
            return None
        return self._link(NEXT, self.page[-1])

    def get_previous_link(self) -> str | None:
        if not (self.more_before and self.page):
            return None
        return self._link(PREVIOUS, self.page[0])

    def get_paginated_response(self, data) -> Response:
        return Response(
            {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque cursor from a previous page's next or previous link.",
                "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1 to {self.max_page_size} "
                f"(default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]

    # ------------------------------------------------------------ internals

    def _page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"must be a whole number from 1 to {self.max_page_size}"
                    ]
                }
            )
        return size

    def _keys(self, row) -> list[str]:
        """The ordering values of ``row`` (a model instance or a ``values()`` dict)."""
        values = []
        for field in self.ordering:
            value = row[field] if isinstance(row, dict) else getattr(row, field)
            values.append(value.isoformat() if hasattr(value, "isoformat") else str(value))
        return values

    def _link(self, direction: str, row) -> str:
        token = json.dumps([direction, self._keys(row)], separators=(",", ":"))
        cursor = base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")
        url = remove_query_param(self.base_url, self.cursor_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor)

    def _decode(self, cursor: str | None) -> tuple[str, list | None]:
        if cursor is None:
            return NEXT, None
        invalid = ValidationError({self.cursor_query_param: ["not a cursor this API gave out"]})
        if not cursor:
            raise invalid
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            # A cursor this API gave out is two levels deep: [direction, [values]].
            raw = base64.urlsafe_b64decode(padded.encode("ascii"))
            direction, values = jsondepth.loads(raw, max_depth=2)
        except (ValueError, TypeError, binascii.Error, UnicodeError):
            raise invalid from None
        if direction not in (NEXT, PREVIOUS) or not isinstance(values, list):
            raise invalid
        if len(values) != len(self.ordering) or not all(isinstance(v, str) for v in values):
            raise invalid
        if any("\x00" in value for value in values):  # PostgreSQL refuses NUL in text
            raise invalid
        return direction, values

    def _clean(self, model, values: list) -> list[Any]:
        """The cursor's ordering values as the model's fields read them."""
        cleaned: list[Any] = []
        try:
            for field, raw in zip(self.ordering, values, strict=True):
                cleaned.append(_model_field(model, field).to_python(raw))
        except (DjangoValidationError, ValueError, TypeError):
            raise ValidationError(
                {self.cursor_query_param: ["not a cursor this API gave out"]}
            ) from None
        return cleaned

    def _after(self, queryset: QuerySet, cleaned: list | None, *, reverse: bool) -> QuerySet:
        """Rows strictly after (or before, when ``reverse``) the keys in ``cleaned``."""
        if cleaned is None:
            return queryset
        op = "lt" if reverse else "gt"
        condition = Q()
        for index, field in enumerate(self.ordering):
            equal = {f: cleaned[i] for i, f in enumerate(self.ordering[:index])}
            condition |= Q(**equal, **{f"{field}__{op}": cleaned[index]})
        if len(self.ordering) > 1:
            # Implied by the OR above, but only this form bounds an index scan on the
            # ordering: without it the database reads every row before the cursor and
            # filters them out, so each page costs more than the one before.
            condition &= Q(**{f"{self.ordering[0]}__{op}e": cleaned[0]})
        return queryset.filter(condition)


def _model_field(model, path: str):
    field = None
    for part in path.split("__"):
        field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        if field.is_relation:
            model = field.related_model
    if field.is_relation:  # e.g. "transcript": compare by the related primary key
        return field.target_field
    return field
