"""Renderers: JSON everywhere, W3C Web Annotation JSON-LD on the annotation endpoints.

DRF picks the renderer from the Accept header. Annotation views that see a
JSON-LD renderer chosen build the Web Annotation document instead of the plain
JSON one (see ``AnnotationViewSet``); the renderer itself only writes JSON.
"""

from rest_framework.renderers import JSONRenderer

from .webannotation import LDP_PROFILE


class JSONLDRenderer(JSONRenderer):
    """``application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"``."""

    media_type = LDP_PROFILE
    format = "jsonld"
    charset = None


class PlainJSONLDRenderer(JSONLDRenderer):
    """``application/ld+json`` without a profile: the same Web Annotation document."""

    media_type = "application/ld+json"


JSONLD_FORMATS = frozenset({JSONLDRenderer.format})
