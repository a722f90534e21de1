"""Pages of authorized operation under /operation/ (the operator's dashboard at /operation/
itself is not defined here)."""

from django.urls import path

from grading.operation import agreement_views, product_views, views

app_name = "operation"

urlpatterns = [
    path("apply/", views.application_new, name="apply"),
    path("applications/", views.application_list, name="application-list"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path(
        "applications/<int:pk>/parts/<int:part_pk>/",
        views.part_decide,
        name="part-decide",
    ),
    path("agreements/<int:pk>/", agreement_views.agreement_detail, name="agreement-detail"),
    path("agreements/<int:pk>/renew/", agreement_views.agreement_renew, name="agreement-renew"),
    path("agreements/<int:pk>/products/new/", product_views.product_new, name="product-new"),
]
