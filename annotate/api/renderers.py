"""Renderers: JSON everywhere, W3C Web Annotation JSON-LD on the annotation endpoints.

DRF picks the renderer from the Accept header. Annotation views that see a
JSON-LD renderer chosen build the Web Annotation document instead of the plain
JSON one (see ``AnnotationViewSet``); the renderer itself only writes JSON.

The JSON is written by orjson, several times faster than the standard library for a
page of 100 annotations, with the same output as DRF's ``JSONRenderer``: compact,
UTF-8, ``Z`` for UTC times, U+2028/U+2029 escaped. Whatever orjson cannot write
(a type only DRF's encoder knows, an indent asked for in the media type, a string
that is not valid Unicode) goes to DRF's renderer, so the answer never differs.
"""

import orjson
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer
from rest_framework.utils.encoders import JSONEncoder

from annotate.api.webannotation import LDP_PROFILE

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS
_DEFAULT = JSONEncoder().default  # Decimal, lazy strings, QuerySets, bytes, timedelta...
_LINE_SEPARATORS = ("\u2028".encode(), "\u2029".encode())


class JSONRenderer(DRFJSONRenderer):
    """``application/json``, written by orjson."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if accepted_media_type and "indent" in accepted_media_type:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=_DEFAULT, option=_OPTIONS)
        except (orjson.JSONEncodeError, TypeError, ValueError):
            return super().render(data, accepted_media_type, renderer_context)
        for separator in _LINE_SEPARATORS:  # keep JSON a strict JavaScript subset, as DRF
            if separator in body:
                body = body.replace(separator, separator.decode().encode("unicode_escape"))
        return body


class JSONLDRenderer(JSONRenderer):
    """``application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"``."""

    media_type = LDP_PROFILE
    format = "jsonld"
    charset = None


class PlainJSONLDRenderer(JSONLDRenderer):
    """``application/ld+json`` without a profile: the same Web Annotation document."""

    media_type = "application/ld+json"


JSONLD_FORMATS = frozenset({JSONLDRenderer.format})
