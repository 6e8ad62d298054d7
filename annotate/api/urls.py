"""``/api/v1/`` routes."""

from django.urls import re_path
from rest_framework.routers import DefaultRouter

from annotate.api import views
from annotate.api.exports import ExportViewSet
from common.api.errors import unknown_endpoint

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("sources", views.SourceViewSet, basename="source")
router.register("transcripts", views.TranscriptViewSet, basename="transcript")
router.register("segments", views.SegmentViewSet, basename="segment")
router.register("claim-types", views.ClaimTypeViewSet, basename="claim-type")
router.register("annotations", views.AnnotationViewSet, basename="annotation")
router.register("citations", views.CitationViewSet, basename="citation")
router.register("exports", ExportViewSet, basename="export")

app_name = "api"
urlpatterns = [
    *router.urls,
    # Anything else under /api/v1/: a JSON 404, even with DEBUG on.
    re_path(r"^.*$", unknown_endpoint),
]
