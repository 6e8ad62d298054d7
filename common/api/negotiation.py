"""DRF's content negotiation, remembered per Accept header.

Choosing a renderer parses the Accept header and matches every media type in it
against every renderer's: on each request, for the same few headers. The choice
depends only on the header, the format asked for (a URL suffix or query parameter)
and the renderers on offer, so it is made once by DRF's own
``DefaultContentNegotiation`` and then looked up. Refusals (406, 404 for an unknown
format) are not remembered: DRF raises them each time.
"""

from __future__ import annotations

from rest_framework.negotiation import DefaultContentNegotiation

MAX_REMEMBERED = 256  # distinct (header, format, renderers); beyond that, negotiate each time


class RememberedNegotiation(DefaultContentNegotiation):
    _chosen: dict[tuple, tuple[int, str]] = {}

    def select_renderer(self, request, renderers, format_suffix=None):
        format_query_param = self.settings.URL_FORMAT_OVERRIDE
        format = format_suffix or (
            request.query_params.get(format_query_param) if format_query_param else None
        )
        key = (
            request.META.get("HTTP_ACCEPT", "*/*"),
            format,
            tuple((type(renderer), renderer.media_type) for renderer in renderers),
        )
        chosen = self._chosen.get(key)
        if chosen is not None:
            index, media_type = chosen
            return renderers[index], media_type
        renderer, media_type = super().select_renderer(request, renderers, format_suffix)
        if len(self._chosen) < MAX_REMEMBERED:
            index = next(i for i, offered in enumerate(renderers) if offered is renderer)
            self._chosen[key] = (index, media_type)
        return renderer, media_type
