"""The API's JSON parser: DRF's, with a bound on nesting (``CLAIMTRAIL_JSON_MAX_DEPTH``)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils import json

from common import jsondepth
from common.api.errors import TooDeep


class BoundedJSONParser(JSONParser):
    """Parse a JSON body as DRF does, refusing one nested deeper than the setting allows.

    DRF's parser hands the stream to ``json.load``, which recurses once per level: a
    body of 100,000 brackets would raise RecursionError, a 500. Every body the API
    reads is a handful of levels deep; the bound is checked before parsing.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        try:
            text = stream.read().decode(encoding)
        except UnicodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        try:
            jsondepth.check_depth(text, max_depth=settings.CLAIMTRAIL_JSON_MAX_DEPTH)
        except jsondepth.TooDeep as exc:
            raise TooDeep(str(exc)) from None
        parse_constant = json.strict_constant if self.strict else None
        try:
            return json.loads(text, parse_constant=parse_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
