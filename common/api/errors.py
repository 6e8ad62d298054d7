"""One JSON error shape for the whole API: ``{"error": {"code", "message", "fields"}}``.

:func:`exception_handler` is DRF's ``EXCEPTION_HANDLER``: it turns DRF exceptions,
domain errors (:mod:`common.errors`), document errors from the importers (a document
over the import limit is 413) and Django's own request errors (body too big, 404) into
that shape.
:func:`not_found` and :func:`server_error` are the project's ``handler404`` and
``handler500``: JSON under ``/api/``, Django's usual pages elsewhere.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
)
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.http import http_date
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response

from common.errors import (
    Conflict,
    DocumentError,
    DocumentTooLarge,
    DomainError,
    NotAllowed,
    WrongState,
)

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
# The way out of an import refusal, in the upload's own fields (DocumentError.worded).
UPLOAD_WAYS_OUT = {
    "encoding": "send the encoding it was saved in as encoding (such as cp1252 or latin-1)",
    "format": "send one as format ({choices})",
}


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_code = "precondition_required"
    default_detail = (
        "this change needs an If-Match header with the ETag (version) it is based on; "
        "read the object first"
    )


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"
    default_detail = "the object has changed since the version in If-Match"


class TooDeep(exceptions.APIException):
    """A JSON body nested deeper than ``CLAIMTRAIL_JSON_MAX_DEPTH``."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "too_deep"
    default_detail = "the JSON body is nested too deeply"


def error_body(code: str, message: str, fields: dict | None = None, **extra: Any) -> dict:
    body = {"code": code, "message": message, "fields": fields or {}}
    body.update(extra)
    return {"error": body}


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [f"{key}: {text}" for key, value in detail.items() for text in _flatten(value)]
    if isinstance(detail, list):
        return [text for item in detail for text in _flatten(item)]
    return [str(detail)]


def _fields(detail: Any) -> dict[str, list[str]]:
    """DRF validation detail as ``{"field": ["message", ...]}`` (nested keys joined with dots)."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        elif isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
            for index, item in enumerate(value):
                walk(f"{prefix}.{index}" if prefix else str(index), item)
        else:
            out.setdefault(prefix or "non_field_errors", []).extend(_flatten(value))

    walk("", detail)
    return out


def _drf_response(exc: exceptions.APIException) -> Response:
    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(detail)
        first = next(iter(fields.items()), ("", ["invalid input"]))
        where = "" if first[0] in ("", "non_field_errors") else f"{first[0]}: "
        body = error_body("invalid", f"{where}{first[1][0]}", fields)
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        message = " ".join(_flatten(detail)) if not isinstance(detail, str) else str(detail)
        body = error_body(str(code), message)
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.MethodNotAllowed):
        body["error"]["code"] = "method_not_allowed"
    return Response(body, status=exc.status_code, headers=headers)


def conflict_body(error: Conflict) -> dict:
    changed_at = error.changed_at.isoformat() if error.changed_at else None
    etag = getattr(error, "etag", None) or f'"{error.current_version}"'
    return error_body(
        "precondition_failed",
        error.message,
        {"If-Match": [f"the current ETag is {etag}"]},
        current_version=error.current_version,
        changed_by=error.changed_by,
        changed_at=changed_at,
    )


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER``: every error the API answers goes through here."""
    if isinstance(exc, Conflict):
        response = Response(conflict_body(exc), status=status.HTTP_412_PRECONDITION_FAILED)
        response["ETag"] = getattr(exc, "etag", None) or f'"{exc.current_version}"'
        if exc.changed_at:
            response["Last-Modified"] = http_date(exc.changed_at.timestamp())
        return response
    if isinstance(exc, NotAllowed):
        return Response(error_body(exc.code, exc.message, exc.fields), status=403)
    if isinstance(exc, WrongState):
        return Response(error_body(exc.code, exc.message, exc.fields), status=409)
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=400)
    if isinstance(exc, DocumentError):
        message = (
            " ".join(exc.worded(UPLOAD_WAYS_OUT).split()) or "this document cannot be imported"
        )
        # The upload field at fault: the file, unless the error names another (encoding).
        field = getattr(exc, "field", "file")
        if isinstance(exc, DocumentTooLarge):
            body = error_body("too_large", message, {field: [message]})
            return Response(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        return Response(error_body("invalid_document", message, {field: [message]}), status=400)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("too_large", "the request body is larger than this server accepts"),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, TooManyFieldsSent | SuspiciousOperation):
        return Response(error_body("bad_request", " ".join(str(exc).split())), status=400)
    if isinstance(exc, Http404):
        return Response(error_body("not_found", "not found"), status=404)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.APIException):
        return _drf_response(exc)
    # A bug. Log it with its traceback and still answer in the API's shape (Django's
    # handler500 would too, but not with DEBUG on, which shows an HTML page).
    request = context.get("request")
    logger.error(
        "unhandled error in %s %s",
        getattr(request, "method", "?"),
        getattr(request, "path", "?"),
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return Response(
        error_body("server_error", "the server failed to answer this request; it was logged"),
        status=500,
    )


# ---------------------------------------------------------------- Django-level handlers


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


@csrf_exempt  # nothing happens here; a CSRF page would not be JSON
def unknown_endpoint(request, *args, **kwargs):
    """Catch-all route under /api/: JSON 404 even with DEBUG on (which skips handler404)."""
    message = f"no such endpoint: {request.path}"
    if not request.path.endswith("/"):
        try:
            resolved = resolve(request.path + "/")
        except Resolver404:
            resolved = None
        if resolved is not None and resolved.func is not unknown_endpoint:
            message += f" (the URL ends with a slash: {request.path}/)"
    return JsonResponse(error_body("not_found", message), status=404)


def not_found(request, exception=None):
    """``handler404``: JSON for /api/ paths, Django's page elsewhere."""
    if _is_api(request):
        return JsonResponse(
            error_body("not_found", f"no such endpoint: {request.path}"), status=404
        )
    return defaults.page_not_found(request, exception)


def server_error(request):
    """``handler500``: JSON for /api/ paths, never a traceback."""
    if _is_api(request):
        return JsonResponse(
            error_body("server_error", "the server failed to answer this request; it was logged"),
            status=500,
        )
    return defaults.server_error(request)


def bad_request(request, exception=None):
    """``handler400``: JSON for /api/ paths (e.g. a body too big read outside DRF)."""
    if _is_api(request):
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse(
                error_body("too_large", "the request body is larger than this server accepts"),
                status=413,
            )
        return JsonResponse(error_body("bad_request", "bad request"), status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    """``handler403``: JSON for /api/ paths (e.g. a CSRF failure outside DRF)."""
    if _is_api(request):
        return JsonResponse(error_body("permission_denied", "permission denied"), status=403)
    return defaults.permission_denied(request, exception)
