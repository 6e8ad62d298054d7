"""``/api/v1/factchecks/``: the library, read by every team role, imported into by editors.

Parse the request, call one selector or service, format the answer (annotate.api.views'
conventions: cursor pages over ``(created_at, id)``, JSON errors).
"""

from __future__ import annotations

import io

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from annotate.api.views import ApiViewSet
from annotate.workflow import ROLES_FOR, Action
from common.api.errors import error_body
from library import selectors, services
from library.api import serializers as s
from library.api.filters import FactCheckFilter
from library.api.parsers import RawDocument, RawJSONDocumentParser, RawJSONLDDocumentParser

_IMPORT_DOC = (
    "Editors only. Send the files as `multipart/form-data` (`file`, once or more; options as "
    "form fields), or one document as the JSON body (options as query parameters). Formats: "
    "schema.org ClaimReview JSON-LD (an object, a list, an `@graph`, a `DataFeed`), JSONL of "
    "ClaimReview objects, a Google Fact Check Tools `claims:search` answer. Bad records are "
    "skipped and listed with their position; with `strict` a file with any is refused. A "
    "refused file (unreadable, nothing importable, or strict) answers 400 and nothing of the "
    "request is kept. Importing the same records again changes nothing."
)
_QUERY_OPTIONS = [
    OpenApiParameter("name", str, description="JSON body: a name for it (the default origin)."),
    OpenApiParameter("format", str, enum=["auto", *s.FORMATS], description="JSON body."),
    OpenApiParameter("strict", bool, description="JSON body: refuse it if any record is bad."),
    OpenApiParameter("origin", str, description="JSON body: where the records come from."),
    OpenApiParameter("reason", str, description="JSON body: why (kept on the ledger)."),
]


@extend_schema_view(
    list=extend_schema(summary="List the fact-check library (oldest first; cursor pages)"),
    retrieve=extend_schema(summary="Read a fact-check"),
)
class FactCheckViewSet(mixins.ListModelMixin, ApiViewSet):
    """Earlier fact-checks, imported or the team's own approved annotations; unique by URL."""

    serializer_class = s.FactCheckSerializer
    filterset_class = FactCheckFilter
    cursor_ordering = ("created_at", "id")
    # Reads for every team role; the one write, importing, for those who may import.
    write_roles = ROLES_FOR[Action.IMPORT_SOURCES]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.factcheck_list()

    @extend_schema(
        summary="Import fact-checks (editors; multipart files or a JSON body)",
        description=_IMPORT_DOC,
        request={
            "multipart/form-data": s.FactCheckUploadSerializer,
            "application/json": OpenApiTypes.OBJECT,
            "application/ld+json": OpenApiTypes.OBJECT,
        },
        parameters=_QUERY_OPTIONS,
        responses={200: s.ImportAnswerSerializer},
        filters=False,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, RawJSONDocumentParser, RawJSONLDDocumentParser],
        filter_backends=[],
        pagination_class=None,
    )
    def import_files(self, request):
        data = request.data
        if not isinstance(data, RawDocument) and not request.FILES and _json(request):
            data = RawDocument(b"")  # an empty JSON body is an empty document
        if isinstance(data, RawDocument):
            form = s.ImportQuerySerializer(data=request.query_params)
            form.is_valid(raise_exception=True)
            options = dict(form.validated_data)
            name = _clean_name(options.pop("name")) or "request body"
            files = [services.Upload(name, io.BytesIO(data.content))]
        else:
            form = s.FactCheckUploadSerializer(data=data)
            form.is_valid(raise_exception=True)
            options = dict(form.validated_data)
            files = [
                services.Upload(_clean_name(upload.name) or "upload", upload)
                for upload in options.pop("file")
            ]
        try:
            results = services.factcheck_upload(actor=request.user, files=files, **options)
        except services.UploadRefused as refusal:
            body = error_body(
                refusal.code,
                refusal.message,
                refusal.fields,
                files=[
                    {
                        "name": f.name,
                        "message": f.message,
                        "refused_records": s.refused_data(f.refused),
                    }
                    for f in refusal.files
                ],
            )
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        answer = {"files": [s.imported_file_data(result) for result in results]}
        return Response(s.ImportAnswerSerializer(answer).data)


def _json(request) -> bool:
    return request.content_type.split(";")[0].strip() in (
        RawJSONDocumentParser.media_type,
        RawJSONLDDocumentParser.media_type,
    )


def _clean_name(name: str | None) -> str:
    """A file name as the ledger and the database can keep it (no NUL, no path)."""
    return (name or "").replace("\x00", "").replace("\\", "/").rsplit("/", 1)[-1].strip()
