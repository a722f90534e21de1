from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from portal import health, views

handler400 = "portal.errors.bad_request"
handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("help/", views.help_page, name="help"),
    path("display/", views.set_display, name="set_display"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("accounts/", include("grading.accounts.urls")),
    path("admin/", admin.site.urls),
    path("workspace/", include("catalog.publishing.urls")),
    path("jobs/", include("portal.jobs.urls")),
    path("operation/", include("grading.operation.urls")),
    path("cross-border/", include("grading.crossborder.urls")),
    path("api/v1/", include("catalog.api.urls")),
    path("api/v1/", include("grading.api.urls")),
    path("api/", include("catalog.interop.ckan.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("", include("grading.merchants.urls")),
    path("", include("catalog.quality.urls")),
    path("", include("catalog.urls")),
    path("", include("grading.urls")),
]
