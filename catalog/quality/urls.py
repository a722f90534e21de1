from django.urls import path, re_path

from catalog.quality import views as quality_views

app_name = "quality"

urlpatterns = [
    path("workspace/import/", quality_views.import_page, name="import"),
    re_path(
        r"^workspace/import/template\.(?P<fmt>csv|xlsx)$",
        quality_views.import_template,
        name="import-template",
    ),
    path("workspace/quality/", quality_views.quality_dashboard, name="dashboard"),
    path(
        "workspace/resources/<int:pk>/high-value/",
        quality_views.high_value_set,
        name="high-value-set",
    ),
    path("high-value/", quality_views.high_value_list, name="high-value"),
    path("map/", quality_views.resource_map, name="map"),
]
