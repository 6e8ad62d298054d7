"""``/api/v1/exports/``: request a dataset export, follow its status, download it.

``POST`` (editors) records an export and answers ``201`` when it ran inline or
``202`` when it waits for the worker; ``GET`` lists and reads exports (any team
member); ``GET {id}/download/`` streams the zip package once the export is done.
Everything is decided by :mod:`annotate.datasets.service`; this module parses and formats.
"""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from annotate import selectors
from annotate.api.views import ApiViewSet
from annotate.datasets import exporters
from annotate.datasets.service import export_request
from annotate.models import Export, ExportStatus


class ExportNotReady(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_ready"


class ExportGone(APIException):
    status_code = status.HTTP_410_GONE
    default_code = "gone"


class ExportSerializer(serializers.ModelSerializer):
    requested_by = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = [
            "id",
            "status",
            "format",
            "options",
            "filters",
            "requested_by",
            "requested_at",
            "started_at",
            "finished_at",
            "counts",
            "size",
            "sha256",
            "ledger_sequence",
            "ledger_hash",
            "error",
            "url",
            "download_url",
        ]
        read_only_fields = fields

    def get_requested_by(self, export) -> str | None:
        return export.requested_by.get_username() if export.requested_by_id else None

    def get_url(self, export) -> str:
        return self.context["request"].build_absolute_uri(f"/api/v1/exports/{export.pk}/")

    def get_download_url(self, export) -> str | None:
        if export.status != ExportStatus.DONE:
            return None
        return self.context["request"].build_absolute_uri(f"/api/v1/exports/{export.pk}/download/")

    def to_representation(self, export):
        data = super().to_representation(export)
        data["options"] = {k: v for k, v in (export.options or {}).items() if k != "base_url"}
        return data


class StrictCharField(serializers.CharField):
    """A string, and only a string (DRF's CharField would turn 0 into "0")."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ExportRequestSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=list(exporters.FORMATS))
    filters = serializers.DictField(
        required=False,
        default=dict,
        help_text="status, verdict, claim_type, transcript (lists), date_from, date_to "
        "(YYYY-MM-DD), approved_only (bool; default true for claimreview)",
    )
    options = serializers.DictField(
        required=False, default=dict, help_text='{"unit": "segment" | "annotation"} (jsonl only)'
    )
    reason = StrictCharField(required=False, allow_blank=True, default="", max_length=2000)


@extend_schema_view(
    list=extend_schema(summary="List dataset exports"),
    retrieve=extend_schema(summary="Read an export's status"),
    create=extend_schema(
        summary="Request a dataset export (editors)",
        request=ExportRequestSerializer,
        responses={201: ExportSerializer, 202: ExportSerializer},
    ),
    download=extend_schema(
        summary="Download a finished export (zip dataset package)",
        responses={(200, "application/zip"): bytes},
    ),
)
class ExportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = ExportSerializer
    cursor_ordering = ("requested_at", "id")
    filter_backends: list = []

    def get_queryset(self):
        return selectors.export_list()

    def create(self, request, *args, **kwargs):
        data = ExportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        export = export_request(
            actor=request.user,
            format=data.validated_data["format"],
            filters=data.validated_data["filters"],
            options=data.validated_data["options"],
            reason=data.validated_data["reason"],
            base_url=request.build_absolute_uri("/"),
        )
        body = ExportSerializer(export, context={"request": request}).data
        code = (
            status.HTTP_202_ACCEPTED
            if export.status == ExportStatus.QUEUED
            else status.HTTP_201_CREATED
        )
        response = Response(body, status=code)
        response["Location"] = body["url"]
        return response

    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        export = self.get_object()
        if export.status != ExportStatus.DONE:
            reason = f": {export.error}" if export.error else ""
            raise ExportNotReady(
                f"this export is {export.status}{reason}; download it when its status is done"
            )
        path = Path(export.path)
        if not path.is_file():
            raise ExportGone("the export's file is no longer on the server; request it again")
        response = FileResponse(
            open(path, "rb"),  # noqa: SIM115 (FileResponse closes it)
            as_attachment=True,
            filename=f"claimtrail-{export.format}-{export.pk}.zip",
            content_type="application/zip",
        )
        response["Digest"] = f"sha-256={export.sha256}"
        return response
