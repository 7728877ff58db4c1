from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from changelog_site import login_limits, schema, views  # noqa: F401  (schema registers the OpenAPI auth extension)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # first: the widget's public routes answer other sites' page views and the public changelog's
    # answer readers, so they resolve quickest
    path("", include("widget.urls")),
    path("", include("engagement.urls")),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/login/", login_limits.admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # the split view serves its init script from ?script, so the page needs no inline script (CSP)
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("github_sync.urls")),
    path("", include("entries.urls")),
    path("", include("billing.urls")),
    path("", include("accounts.urls")),
    path("", include("repos.urls")),
    path("", include("widget.urls")),
    path("", include("roadmap.urls")),
]

handler400 = "changelog_site.errors.bad_request"
handler429 = "changelog_site.login_limits.too_many_requests"  # allauth answers its rate limits with it
handler404 = "changelog_site.errors.page_not_found"
handler500 = "changelog_site.errors.server_error"
