"""Triage's routes, included under ``/api/v1/transcripts/<transcript_id>/sentences/``."""

from django.urls import path

from triage.api.views import SentenceViewSet

urlpatterns = [
    path("", SentenceViewSet.as_view({"get": "list"}), name="transcript-sentence-list"),
    path(
        "<uuid:pk>/dismiss/",
        SentenceViewSet.as_view({"post": "dismiss"}),
        name="transcript-sentence-dismiss",
    ),
]
