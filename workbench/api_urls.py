"""``/api/v1/`` routes: the composition of every app's endpoints (annotate, library, matching)."""

from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from annotate.api import views
from annotate.api.exports import ExportViewSet
from annotate.api.root import root_view
from common.api.errors import unknown_endpoint
from library.api.views import FactCheckViewSet
from matching import api as matching_api

router = DefaultRouter(trailing_slash=True)
# The root view is routed below, without the router's format-suffix twin (/api/v1/.json).
router.include_root_view = False
router.register("sources", views.SourceViewSet, basename="source")
router.register("transcripts", views.TranscriptViewSet, basename="transcript")
router.register("segments", views.SegmentViewSet, basename="segment")
router.register("claim-types", views.ClaimTypeViewSet, basename="claim-type")
router.register("annotations", views.AnnotationViewSet, basename="annotation")
router.register("citations", views.CitationViewSet, basename="citation")
router.register("exports", ExportViewSet, basename="export")
router.register("factchecks", FactCheckViewSet, basename="factcheck")
router.APIRootView = root_view(prefix for prefix, _, _ in router.registry)

app_name = "api"
urlpatterns = [
    # GET /api/v1/: every endpoint above with its absolute URL, for team members.
    path("", router.get_api_root_view(), name="api-root"),
    # Fact-check suggestions (matching): before the router, whose segment routes end at {id}/.
    path(
        "segments/<uuid:pk>/matches/",
        matching_api.SegmentMatchesView.as_view(),
        name="segment-matches",
    ),
    path("claim-matches/", matching_api.ClaimMatchesView.as_view(), name="claim-matches"),
    path(
        "claim-matches/feedback/",
        matching_api.MatchFeedbackView.as_view(),
        name="claim-match-feedback",
    ),
    path("transcripts/<uuid:transcript_id>/sentences/", include("triage.api.urls")),
    *router.urls,
    # Anything else under /api/v1/: a JSON 404, even with DEBUG on.
    re_path(r"^.*$", unknown_endpoint),
]
