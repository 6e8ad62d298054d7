"""``GET /api/v1/``: every endpoint of the API by name, with its absolute URL.

DRF's router root view, held to the rules of every other endpoint: team members only
(401 or 403 in the API's JSON error shape otherwise), JSON only, and documented in
the OpenAPI schema (DRF leaves its root view out).
"""

from __future__ import annotations

from collections.abc import Iterable

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import routers, serializers

from annotate.api.renderers import JSONRenderer
from common.api.negotiation import RememberedNegotiation
from common.api.permissions import TeamMember
from common.api.schema import ClaimtrailAutoSchema


def root_view(names: Iterable[str]) -> type[routers.APIRootView]:
    """The root view of a router whose endpoints are ``names`` (its registered prefixes)."""
    answer = inline_serializer(
        "ApiRoot",
        {name: serializers.URLField(help_text=f"The {name} endpoint.") for name in names},
    )

    class ApiRootView(routers.APIRootView):
        content_negotiation_class = RememberedNegotiation
        permission_classes = [TeamMember]
        renderer_classes = [JSONRenderer]
        schema = ClaimtrailAutoSchema()

        @extend_schema(
            summary="List the API's endpoints",
            description="Every endpoint of the API by name, with its absolute URL.",
            responses={200: answer},
            operation_id="api_root",
            tags=["api"],
        )
        def get(self, request, *args, **kwargs):
            return super().get(request, *args, **kwargs)

    return ApiRootView
