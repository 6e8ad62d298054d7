"""OpenAPI generation: every operation documents its error responses and If-Match."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from common.api.serializers import ErrorSerializer

_ERRORS = {
    "400": "Invalid input: malformed JSON, wrong types, unknown fields, bad filters.",
    "401": "Not authenticated: send `Authorization: Token <key>` or a session cookie.",
    "403": "Not allowed for your role, or refused by the workflow rules.",
    "404": "No such object.",
    "406": "The Accept header asks for a representation this endpoint does not have.",
    "412": "If-Match names an old version: the body says who changed it and when.",
    "409": "The object is not in the state this needs (e.g. only an orphaned annotation is placed).",
    "413": "The request body is too large.",
    "415": "Unsupported Content-Type.",
    "428": "If-Match is required for this change.",
}


class ClaimtrailAutoSchema(AutoSchema):
    """Adds the shared error responses, and the If-Match header on conditional writes.

    A view marks conditional operations with ``if_match_actions`` (action names), and
    those that answer 409 when the object is in another state with ``state_actions``.
    """

    def get_tags(self) -> list[str]:
        tokens = [t for t in self._tokenize_path() if t not in ("api", "v1")]
        return tokens[:1] or super().get_tags()

    def _if_match(self) -> bool:
        actions = getattr(self.view, "if_match_actions", ())
        return getattr(self.view, "action", None) in actions

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._if_match():
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    required=True,
                    description='The ETag of the version this change is based on, e.g. "3".',
                )
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "403", "406"]
        if self.method != "GET" or "{" in self.path:
            codes.append("404")
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["413", "415"]
        if self._if_match():
            codes += ["412", "428"]
        if getattr(self.view, "action", None) in getattr(self.view, "state_actions", ()):
            codes.append("409")
        for code in codes:
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, ["application/json"])
                response["description"] = _ERRORS[code]
                responses[code] = response
        return responses

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        if status_code in ("200", "201") and getattr(self.view, "sends_etag", False):
            if self.method != "GET" or "{" in self.path:
                headers = dict(headers or {})
                headers["ETag"] = {
                    "schema": {"type": "string"},
                    "description": "The version of the object; send it back in If-Match.",
                }
        return headers
