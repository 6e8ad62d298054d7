"""Top-level URLs: the admin (the annotating UI) and the REST API."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from common.api.errors import unknown_endpoint

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("workbench.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    re_path(r"^api/", unknown_endpoint),  # a JSON 404 for any other /api/ URL, even in DEBUG
]

# JSON errors under /api/, Django's pages elsewhere.
handler400 = "common.api.errors.bad_request"
handler403 = "common.api.errors.permission_denied"
handler404 = "common.api.errors.not_found"
handler500 = "common.api.errors.server_error"
