from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from changelog_site import schema, views  # noqa: F401  (schema registers the OpenAPI auth extension)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("github_sync.urls")),
    path("", include("entries.urls")),
    path("", include("billing.urls")),
    path("", include("accounts.urls")),
    path("", include("repos.urls")),
    path("", include("engagement.urls")),
]
